"""Dashboard pages: fitted to the role, drill-down, same numbers as a table, downloads, access."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from mowakaba.audit.models import JournalEntry
from mowakaba.territory.models import OrgUnit, Province, Region
from mowakaba.vigilance.models import Fact

pytestmark = pytest.mark.django_db


def _casa() -> Province:
    return Province.objects.get(code="06.141")


@pytest.mark.parametrize(("persona", "level"), [
    ("national_admin", "N"), ("coordinator_casablanca", "R"), ("delegate_casablanca", "P"),
    ("manager_casablanca", "E"), ("authority_viewer", "R"),
])
def test_the_dashboard_opens_on_the_actors_own_territory(request: Any, as_user: Any, persona: str,
                                                         level: str) -> None:
    user = request.getfixturevalue(persona)
    r = as_user(user).get(reverse("vigilance:home"), follow=True)
    assert r.status_code == 200
    assert re.search(rf'data-level="{level}"', r.content.decode())


def test_the_national_dashboard_has_tiles_a_province_map_a_trend_and_the_table(as_user: Any,
                                                                              national_admin: Any) -> None:
    r = as_user(national_admin).get(reverse("vigilance:national") + "?ind=beneficiaries_per_1000")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="tiles"' in html and html.count('class="kpi vg-tile') >= 10
    assert 'data-testid="map"' in html and html.count("data-code=") >= 75
    assert 'data-testid="trend"' in html and 'data-testid="children-table"' in html
    # Each province is a link to its own dashboard: the drill-down.
    casa = _casa()
    assert reverse("vigilance:province", args=[casa.pk]) in html


def test_drill_down_from_region_to_province_to_establishment(as_user: Any, coordinator_casablanca: Any) -> None:
    c = as_user(coordinator_casablanca)
    region = Region.objects.get(code="06")
    html = c.get(reverse("vigilance:region", args=[region.pk])).content.decode()
    casa = _casa()
    assert reverse("vigilance:province", args=[casa.pk]) in html
    html = c.get(reverse("vigilance:province", args=[casa.pk])).content.decode()
    unit = Fact.objects.filter(level="E", province_id=casa.pk).values_list("org_unit_id", flat=True).first()
    assert unit is not None
    assert reverse("vigilance:establishment", args=[unit]) in html
    r = c.get(reverse("vigilance:establishment", args=[unit]))
    assert r.status_code == 200 and 'data-level="E"' in r.content.decode()


def test_breakdowns_are_drawn_for_an_indicator_with_disaggregations(as_user: Any, delegate_casablanca: Any) -> None:
    html = as_user(delegate_casablanca).get(
        reverse("vigilance:province", args=[_casa().pk]) + "?ind=cases_opened").content.decode()
    for dim in ("level", "group", "sex", "age"):
        assert f'data-testid="breakdown-{dim}"' in html


@pytest.mark.parametrize("period", ["12m", "ytd", "last_year", "month", "nonsense"])
def test_every_period_renders(as_user: Any, national_admin: Any, period: str) -> None:
    r = as_user(national_admin).get(reverse("vigilance:national") + f"?period={period}&ind=sessions")
    assert r.status_code == 200


def test_out_of_territory_dashboards_are_404(as_user: Any, delegate_tanger: Any, authority_viewer: Any) -> None:
    casa = _casa()
    assert as_user(delegate_tanger).get(reverse("vigilance:province", args=[casa.pk])).status_code == 404
    assert as_user(delegate_tanger).get(reverse("vigilance:national")).status_code == 404
    assert as_user(authority_viewer).get(reverse("vigilance:national")).status_code == 404
    tanger = Province.objects.get(code="01.511")
    assert as_user(authority_viewer).get(reverse("vigilance:province", args=[tanger.pk])).status_code == 404
    assert as_user(delegate_tanger).get(reverse("vigilance:province", args=[999999])).status_code == 404


def test_a_sysadmin_has_no_dashboard(as_user: Any, sysadmin: Any) -> None:
    assert as_user(sysadmin).get(reverse("vigilance:home")).status_code == 404


def test_an_establishment_dashboard_needs_the_establishment_in_reach(as_user: Any, delegate_tanger: Any) -> None:
    unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, commune__province=_casa()).first()
    assert unit is not None
    assert as_user(delegate_tanger).get(reverse("vigilance:establishment", args=[unit.pk])).status_code == 404


def test_small_counts_are_hidden_from_authority_viewers_only(as_user: Any, authority_viewer: Any,
                                                            coordinator_casablanca: Any) -> None:
    region = Region.objects.get(code="06")
    province = Province.objects.filter(region=region).exclude(code="06.141").first()
    assert province is not None
    from django.utils import timezone

    month = timezone.localdate().replace(day=1)
    Fact.objects.filter(measure="training_sessions", province_id=province.pk).delete()
    Fact.objects.create(measure="training_sessions", period=month, level="P", province_id=province.pk,
                        region_id=region.pk, value=3)
    url = reverse("vigilance:province", args=[province.pk]) + "?ind=training_sessions&format=csv"
    seen_by_coordinator = as_user(coordinator_casablanca).get(url).content.decode()
    seen_by_authority = as_user(authority_viewer).get(url).content.decode()
    line = [row for row in seen_by_coordinator.splitlines() if row.startswith(("Training", "دورات", "Sessions"))]
    assert line and line[0].split(",")[-1] == "3"
    line = [row for row in seen_by_authority.splitlines() if row.startswith(("Training", "دورات", "Sessions"))]
    assert line and line[0].split(",")[-1] == ""


def test_downloads_are_csv_and_xlsx_and_journalled(as_user: Any, delegate_casablanca: Any) -> None:
    url = reverse("vigilance:province", args=[_casa().pk])
    c = as_user(delegate_casablanca)
    before = JournalEntry.objects.filter(action="vigilance.export").count()
    r = c.get(url + "?format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    r = c.get(url + "?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert JournalEntry.objects.filter(action="vigilance.export").count() == before + 2


def test_the_indicator_page_explains_each_indicator(as_user: Any, authority_viewer: Any) -> None:
    r = as_user(authority_viewer).get(reverse("vigilance:indicators"))
    assert r.status_code == 200 and 'data-testid="indicators"' in r.content.decode()


def test_head_office_starts_a_full_refresh_as_a_background_job(as_user: Any, national_admin: Any,
                                                              delegate_casablanca: Any) -> None:
    from mowakaba.core.models import Job

    assert as_user(delegate_casablanca).post(reverse("vigilance:refresh")).status_code == 404
    r = as_user(national_admin).post(reverse("vigilance:refresh"))
    job = Job.objects.filter(kind="vigilance.refresh").latest("pk")
    assert r.status_code == 302 and r["Location"] == reverse("portal:job", args=[job.pk])
    job.refresh_from_db()
    # Tests run tasks immediately (the immediate backend): the job is done with its result.
    assert job.status == Job.Status.DONE and job.result["rows"] > 0


def test_the_national_dashboard_uses_a_bounded_number_of_queries(as_user: Any, national_admin: Any,
                                                                django_assert_max_num_queries: Any) -> None:
    c = as_user(national_admin)
    c.get(reverse("vigilance:national"))  # warm the session
    with django_assert_max_num_queries(40):
        c.get(reverse("vigilance:national") + "?ind=cases_opened")


def test_the_api_gives_values_children_and_series_under_the_same_policy(as_user: Any, delegate_casablanca: Any,
                                                                        delegate_tanger: Any) -> None:
    casa = _casa()
    c = as_user(delegate_casablanca)
    r = c.get(f"/api/vigilance/values?level=P&territory={casa.pk}&period=12m")
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "06.141" and any(v["indicator"] == "cases_opened" for v in body["values"])
    r = c.get(f"/api/vigilance/children?indicator=cases_opened&level=P&territory={casa.pk}")
    assert r.status_code == 200 and r.json()
    r = c.get(f"/api/vigilance/series?indicator=sessions&level=P&territory={casa.pk}&months=12")
    assert r.status_code == 200 and len(r.json()) == 12
    assert c.get("/api/vigilance/values?level=N").status_code == 404
    assert as_user(delegate_tanger).get(f"/api/vigilance/values?level=P&territory={casa.pk}").status_code == 404
    assert c.get("/api/vigilance/indicators").status_code == 200
