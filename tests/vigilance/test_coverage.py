"""Coverage: people served per need group by commune of residence, coverage and gaps computed as
stated, small counts hidden for authority viewers, access by territory, siting distances."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from mowakaba.accounts.scope import scope_for_user
from mowakaba.territory.models import Commune, NeedEstimate, OrgUnit, Province
from mowakaba.vigilance import coverage
from mowakaba.vigilance.models import CoverageFact

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


def _served(level: str, code: str, group: str, period: str = "12m") -> int:
    f = CoverageFact.objects.filter(level=level, code=code, group=group, period=period).first()
    return f.served if f else 0


def _at(d: date) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day, 11, 0))


def _person(unit: OrgUnit, commune: Commune | None, **fields: Any) -> Any:
    from mowakaba.registry.models import Person

    return Person.objects.create(establishment=unit, commune=commune, pseudonym="coverage test", **fields)


def _session(person: Any, unit: OrgUnit, d: date) -> Any:
    from mowakaba.cases.models import ListeningSession

    model = ListeningSession.objects.filter(person__isnull=False).first()
    assert model is not None
    model.pk = None
    model.id = None
    model.person = person
    model.establishment = unit
    model.held_at = _at(d)
    model.save()
    return model


def _admit(person: Any, programme: str, d: date) -> Any:
    from mowakaba.programs.models import Enrolment, Offering

    offering = Offering.objects.filter(programme__code=programme).first()
    assert offering is not None, programme
    return Enrolment.objects.create(offering=offering, establishment=offering.establishment, person=person,
                                    state=Enrolment.State.ADMITTED, requested_at=_at(d), admitted_at=_at(d))


def _casa_unit_and_communes() -> tuple[OrgUnit, Province, list[Commune]]:
    casa = Province.objects.get(code="06.141")
    unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, commune__province=casa).first()
    assert unit is not None
    communes = list(Commune.objects.filter(province=casa).order_by("code")[:2])
    return unit, casa, communes


def test_people_served_are_counted_in_their_commune_of_residence_once_per_group() -> None:
    unit, casa, (c1, _c2) = _casa_unit_and_communes()
    region = casa.region.code
    coverage.coverage_refresh(today=TODAY)
    before = {(lv, code, g): _served(lv, code, g) for lv, code in (("C", c1.code), ("P", casa.code), ("R", region),
                                                                  ("N", "")) for g in coverage.MEASURED}
    before_2025 = _served("C", c1.code, "disability", "2025")

    # Two people with a disability in commune c1: one seen twice (counts once), one born in 1945.
    a = _person(unit, c1, disability="motor", birth_year=1990, sex="M")
    b = _person(unit, c1, disability="visual", birth_year=1945, sex="F")
    _session(a, unit, TODAY - timedelta(days=3))
    _session(a, unit, TODAY - timedelta(days=40))
    _session(b, unit, TODAY - timedelta(days=200))  # in the 12 months, and in 2026
    # Aged 60+ without a disability and without a commune: the province of their establishment.
    c = _person(unit, None, birth_year=1960, sex="M")
    _session(c, unit, TODAY - timedelta(days=10))
    # A child of 8 admitted to school support, a woman of 40 admitted to literacy, a man to literacy.
    d = _person(unit, c1, birth_year=2018, sex="F")
    _admit(d, "school-support", TODAY - timedelta(days=5))
    e = _person(unit, c1, birth_year=1986, sex="F")
    _admit(e, "literacy", TODAY - timedelta(days=5))
    f = _person(unit, c1, birth_year=1986, sex="M")
    _admit(f, "literacy", TODAY - timedelta(days=5))
    # Served last year only: not in the 12 months.
    g = _person(unit, c1, disability="mental", birth_year=1980, sex="M")
    _session(g, unit, date(2025, 6, 1))

    out = coverage.coverage_refresh(today=TODAY)
    assert out["rows"] > 0

    def delta(level: str, code: str, group: str) -> int:
        return _served(level, code, group) - before[(level, code, group)]

    assert delta("C", c1.code, "disability") == 2
    assert delta("P", casa.code, "disability") == 2
    assert delta("R", region, "disability") == 2
    assert delta("N", "", "disability") == 2
    assert delta("C", c1.code, "age_60") == 1  # b, 81 in 2026
    assert delta("C", c1.code, "age_75") == 1
    assert delta("P", casa.code, "age_60") == 2  # b and c (no commune: province only)
    assert delta("N", "", "age_60") == 2
    assert delta("C", c1.code, "children_out_of_school") == 1
    assert delta("C", c1.code, "illiterate_women") == 1  # the man does not count
    assert _served("C", c1.code, "disability", "2025") - before_2025 == 1


def test_coverage_and_gaps_are_computed_as_stated(authority_viewer: Any, coordinator_casablanca: Any) -> None:
    _unit, casa, (c1, c2) = _casa_unit_and_communes()
    now = timezone.now()
    CoverageFact.objects.all().delete()
    NeedEstimate.objects.filter(group="disability", level__in=["N", "P", "C"]).delete()
    NeedEstimate.objects.bulk_create([
        NeedEstimate(level="N", code="", group="disability", value=10000, low=9500, high=10500),
        NeedEstimate(level="P", code=casa.code, group="disability", value=1000, low=950, high=1050),
        NeedEstimate(level="C", code=c1.code, group="disability", value=200, low=190, high=210),
        NeedEstimate(level="C", code=c2.code, group="disability", value=100, low=None, high=None),
    ])
    CoverageFact.objects.bulk_create([
        CoverageFact(period="12m", level="N", code="", group="disability", served=500, computed_at=now),
        CoverageFact(period="12m", level="P", code=casa.code, group="disability", served=30, computed_at=now),
        CoverageFact(period="12m", level="C", code=c1.code, group="disability", served=20, computed_at=now),
        CoverageFact(period="12m", level="C", code=c2.code, group="disability", served=3, computed_at=now),
    ])
    scope = scope_for_user(coordinator_casablanca)
    table = coverage.coverage_table(scope, "disability", level="P", territory_id=casa.pk)
    assert table.national_rate == pytest.approx(5.0)  # 500 / 10,000
    assert table.total.coverage == pytest.approx(3.0)  # 30 / 1,000
    assert table.total.gap == pytest.approx(970)  # 1,000 - 30
    assert table.total.gap_national == pytest.approx(20)  # 1,000 x 5 % - 30
    rows = {r.code: r for r in table.rows}
    assert rows[c1.code].coverage == pytest.approx(10.0) and rows[c1.code].gap_national == 0
    assert rows[c1.code].low == 190 and rows[c1.code].high == 210
    assert rows[c2.code].served == 3 and rows[c2.code].coverage == pytest.approx(3.0)
    assert rows[c2.code].gap == pytest.approx(97) and rows[c2.code].gap_national == pytest.approx(2)
    ranked = [r.code for r in table.ranking() if r.code in (c1.code, c2.code)]
    assert ranked == [c2.code, c1.code]  # furthest behind first
    # The authority viewer sees "<5" and no rate built on it.
    auth = coverage.coverage_table(scope_for_user(authority_viewer), "disability", level="P", territory_id=casa.pk)
    hidden = {r.code: r for r in auth.rows}[c2.code]
    assert hidden.hidden and hidden.served is None and hidden.coverage is None and hidden.gap is None
    assert {r.code: r for r in auth.rows}[c1.code].served == 20
    # Household groups have no matching service: not measured, need still shown.
    nm = coverage.coverage_table(scope, "households_no_water", level="P", territory_id=casa.pk)
    assert not nm.measured and all(r.served is None and r.coverage is None for r in nm.rows)


def test_territories_outside_the_actors_own_are_404(delegate_tanger: Any, coordinator_casablanca: Any) -> None:
    casa = Province.objects.get(code="06.141")
    commune = Commune.objects.filter(province=casa).first()
    assert commune is not None
    tanger = scope_for_user(delegate_tanger)
    with pytest.raises(Http404):
        coverage.coverage_table(tanger, "disability", level="P", territory_id=casa.pk)
    with pytest.raises(Http404):
        coverage.coverage_table(tanger, "disability", level="N", territory_id=None)
    with pytest.raises(Http404):
        coverage.siting(tanger, commune.pk)
    with pytest.raises(Http404):
        coverage.coverage_table(scope_for_user(coordinator_casablanca), "no-such-group", level="P",
                                territory_id=casa.pk)
    coverage.siting(scope_for_user(coordinator_casablanca), commune.pk)  # readable


def test_distances_between_label_points_are_in_kilometres() -> None:
    from mowakaba.vigilance import maps

    lay = maps.layer("commune")
    casa = Commune.objects.get(code=Commune.objects.filter(province__code="06.141").values_list(
        "code", flat=True).first())
    lon, lat = coverage._lonlat(*lay.shapes[casa.code].label, lay.meta)
    assert -8.0 < lon < -7.3 and 33.3 < lat < 33.8  # Casablanca
    # One degree of latitude is about 111 km.
    assert coverage._km((-7.6, 33.0), (-7.6, 34.0)) == pytest.approx(111.2, abs=0.5)
    near = coverage.communes_within(casa.code, 20)
    far = coverage.communes_within(casa.code, 40)
    assert near[casa.code] == 0 and set(near) <= set(far) and len(far) > len(near) >= 1
    assert all(d <= 20 for d in near.values())


def test_siting_lists_the_capacity_nearby(coordinator_casablanca: Any) -> None:
    from mowakaba.programs.models import Offering

    offering = Offering.objects.filter(active=True, establishment__commune__province__code="06.141").select_related(
        "establishment__commune").first()
    assert offering is not None and offering.establishment.commune is not None
    s = coverage.siting(scope_for_user(coordinator_casablanca), offering.establishment.commune.pk, radius=10)
    units = {p.establishment.pk: p for p in s.places}
    assert offering.establishment_id in units
    assert units[offering.establishment_id].places >= offering.capacity
    assert s.total_places >= offering.capacity
    assert set(s.unmet) == set(coverage.groups())
