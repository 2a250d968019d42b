"""Facts: the pre-aggregated counts agree with the records, at every level, and refresh well."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from mowakaba.accounts.scope import scope_for_user
from mowakaba.vigilance import selectors
from mowakaba.vigilance.models import Fact, Indicator, RefreshRun
from mowakaba.vigilance.refresh import refresh_full, refresh_recent, unit_territories

pytestmark = pytest.mark.django_db


def _sum(**filters: Any) -> int:
    return int(Fact.objects.filter(**filters).aggregate(s=Sum("value"))["s"] or 0)


def test_national_counts_equal_the_records() -> None:
    from mowakaba.cases.models import Case, ListeningSession
    from mowakaba.referrals.models import Referral

    assert _sum(measure="sessions", level="N", dim="") == ListeningSession.objects.count()
    assert _sum(measure="cases_opened", level="N", dim="") == Case.objects.count()
    assert _sum(measure="referrals_sent", level="N", dim="") == Referral.objects.count()
    assert _sum(measure="referrals_completed", level="N", dim="") == Referral.objects.filter(
        status=Referral.State.COMPLETED).count()


def test_every_level_adds_up_to_the_same_total_for_additive_measures() -> None:
    national = _sum(measure="cases_opened", level="N", dim="")
    assert national > 0
    assert _sum(measure="cases_opened", level="R", dim="") == national
    assert _sum(measure="cases_opened", level="P", dim="") == national
    assert _sum(measure="cases_opened", level="E", dim="") == national


def test_a_breakdown_adds_up_to_its_total_when_every_row_has_one_value() -> None:
    total = _sum(measure="cases_opened", level="N", dim="")
    assert _sum(measure="cases_opened", level="N", dim="sex") == total
    assert _sum(measure="cases_opened", level="N", dim="age") == total


def test_people_served_are_counted_once_a_year_per_territory() -> None:
    from mowakaba.cases.models import Case, ListeningSession
    from mowakaba.programs.models import Enrolment

    year = timezone.localdate().year
    people = set(ListeningSession.objects.filter(person__isnull=False, held_at__year=year)
                 .values_list("person_id", flat=True))
    people |= set(Case.objects.filter(opened_at__year=year).values_list("person_id", flat=True))
    people |= set(Enrolment.objects.filter(admitted_at__year=year).values_list("person_id", flat=True))
    assert _sum(measure="beneficiaries", level="N", period__year=year) == len(people)
    # A province never counts more people than the country, and provinces together count at
    # least as many (a person served in two provinces counts in each).
    assert _sum(measure="beneficiaries", level="P", period__year=year) >= len(people)


def test_age_bands_are_computed_at_the_time_of_the_event() -> None:
    from mowakaba.cases.models import Case

    case = Case.objects.select_related("person").filter(person__birth_year__isnull=False).first()
    assert case is not None
    age = case.opened_at.year - case.person.birth_year
    band = next(b for lim, b in ((6, "0-5"), (12, "6-11"), (18, "12-17"), (30, "18-29"), (60, "30-59"),
                                 (75, "60-74"), (999, "75+")) if age < lim)
    month = timezone.localtime(case.opened_at).date().replace(day=1)
    assert Fact.objects.filter(measure="cases_opened", level="E", org_unit_id=case.establishment_id, period=month,
                               dim="age", dim_value=band).exists()


def test_recent_refresh_rewrites_only_recent_months_and_picks_up_a_new_record(delegate_casablanca: Any) -> None:
    from mowakaba.cases.models import ListeningSession

    old_month = date(2000, 1, 1)
    Fact.objects.create(measure="sessions", period=old_month, level="N", value=99)
    before = _sum(measure="sessions", level="N", dim="")
    s = ListeningSession.objects.filter(person__isnull=False).first()
    assert s is not None
    s.pk = None
    s.held_at = timezone.now()
    s.save()
    run = refresh_recent()
    assert run.kind == RefreshRun.Kind.RECENT and run.finished_at is not None
    assert _sum(measure="sessions", level="N", dim="") == before + 1
    assert Fact.objects.filter(measure="sessions", period=old_month).exists()  # untouched


def test_a_full_refresh_is_idempotent() -> None:
    before = Fact.objects.count()
    total = _sum(measure="tasks_due", level="N", dim="")
    refresh_full()
    assert Fact.objects.count() == before
    assert _sum(measure="tasks_due", level="N", dim="") == total


def test_stock_measures_keep_past_snapshots() -> None:
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    Fact.objects.create(measure="places", period=last_month, level="N", value=12345)
    refresh_recent()
    assert _sum(measure="places", level="N", period=last_month) == 12345


def test_every_establishment_with_records_has_a_province() -> None:
    from mowakaba.cases.models import Case

    territories = unit_territories()
    units = set(Case.objects.values_list("establishment_id", flat=True))
    assert units and all(territories.get(u, (None, None))[0] is not None for u in units)


# ---- selectors under the access policy ------------------------------------------------------

def _period() -> tuple[date, date]:
    today = timezone.localdate()
    return date(today.year - 1, today.month, 1), (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def test_indicator_value_is_numerator_over_denominator_times_factor(national_admin: Any) -> None:
    scope = scope_for_user(national_admin)
    start, end = _period()
    ind = Indicator.objects.get(code="referral_completion_rate")
    v = selectors.indicator_value(scope, ind, level="N", territory_id=None, start=start, end=end)
    sent = _sum(measure="referrals_sent", level="N", dim="", period__gte=start, period__lt=end)
    done = _sum(measure="referrals_completed", level="N", dim="", period__gte=start, period__lt=end)
    assert v.num == done and v.den == sent
    assert v.value == pytest.approx(100 * done / sent)


def test_per_1000_uses_the_census_population(national_admin: Any) -> None:
    from mowakaba.territory.models import Province

    scope = scope_for_user(national_admin)
    start, end = _period()
    province = Province.objects.get(code="06.141")
    ind = Indicator.objects.get(code="beneficiaries_per_1000")
    v = selectors.indicator_value(scope, ind, level="P", territory_id=province.pk, start=start, end=end)
    assert v.den == province.population_2024
    assert v.value == pytest.approx(1000 * (v.num or 0) / province.population_2024)


def test_children_of_the_country_are_the_75_provinces(national_admin: Any) -> None:
    scope = scope_for_user(national_admin)
    start, end = _period()
    ind = Indicator.objects.get(code="cases_opened")
    rows = selectors.by_children(scope, ind, level="N", territory_id=None, start=start, end=end)
    assert len(rows) == 75
    assert sum(r.num or 0 for r in rows) == selectors.indicator_value(
        scope, ind, level="N", territory_id=None, start=start, end=end).num


def test_a_territory_outside_the_actors_reach_is_a_404(delegate_casablanca: Any, authority_viewer: Any,
                                                        delegate_tanger: Any) -> None:
    from mowakaba.territory.models import Province

    casa = Province.objects.get(code="06.141")
    for user in (delegate_casablanca, authority_viewer):
        scope = scope_for_user(user)
        with pytest.raises(Http404):
            selectors.territory(scope, "N", None)
        selectors.territory(scope, "P", casa.pk)
    with pytest.raises(Http404):
        selectors.territory(scope_for_user(delegate_tanger), "P", casa.pk)


def test_a_sysadmin_reads_no_aggregates(sysadmin: Any) -> None:
    with pytest.raises(Http404):
        selectors.territory(scope_for_user(sysadmin), "N", None)


def test_dashboard_selectors_use_a_bounded_number_of_queries(national_admin: Any,
                                                            django_assert_max_num_queries: Any) -> None:
    scope = scope_for_user(national_admin)
    start, end = _period()
    indicators = selectors.dashboard_indicators()
    with django_assert_max_num_queries(12):
        selectors.indicator_values(scope, indicators, level="N", territory_id=None, start=start, end=end)
    with django_assert_max_num_queries(6):
        selectors.monthly(scope, indicators, level="N", territory_id=None, start=start, end=end)
    with django_assert_max_num_queries(8):
        selectors.by_children(scope, indicators[0], level="N", territory_id=None, start=start, end=end)
