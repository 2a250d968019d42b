"""Progress of the action plan against the facts, with hand-computed values, "today" passed as a
parameter: the pro-rata expectation, the red / amber / green thresholds and their inversion
when lower is better, the year-end profile, the drill-down, who sees which target, the page
and its Excel file."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.planning.models import ActionPlan
from mowakaba.territory.models import Province
from mowakaba.vigilance import progress as pg
from mowakaba.vigilance.models import Fact
from tests.conftest import client_for
from tests.planning.helpers import YEAR, plan_with_objective, province_of, target

MID_YEAR = date(YEAR, 7, 1)  # 183 of 366 days: exactly half of the year


def _facts(measure: str, monthly: list[int], *, level: str = "N", region_id: int | None = None,
           province_id: int | None = None, year: int = YEAR) -> None:
    Fact.objects.bulk_create([Fact(measure=measure, period=date(year, m, 1), level=level, region_id=region_id,
                                   province_id=province_id, value=v) for m, v in enumerate(monthly, start=1)])


# ---- arithmetic --------------------------------------------------------------------------------

def test_the_year_window_counts_today_and_ends_at_the_next_month() -> None:
    assert pg.year_window(YEAR, MID_YEAR) == (date(YEAR, 1, 1), date(YEAR, 8, 1), MID_YEAR, 0.5)
    assert pg.year_window(YEAR, date(YEAR, 12, 31)) == (date(YEAR, 1, 1), date(YEAR + 1, 1, 1), date(YEAR, 12, 31),
                                                        1.0)
    assert pg.year_window(YEAR, date(YEAR + 3, 2, 1))[3] == 1.0  # a past year: all of it
    assert pg.year_window(YEAR, date(YEAR - 1, 5, 1))[3] == 0.0  # a future year: nothing yet


def test_thresholds_and_their_inversion_when_lower_is_better() -> None:
    assert (pg.GREEN_AT, pg.AMBER_AT) == (0.95, 0.80)
    assert [pg.rag(a, 100) for a in (120, 95, 94.9, 80, 79.9, 0)] == ["green", "green", "amber", "amber", "red",
                                                                      "red"]
    # Lower is better: 5 days expected; 5.2 → 0.96 green, 6 → 0.83 amber, 7 → 0.71 red, 4 → green.
    assert [pg.rag(a, 5, higher_is_better=False) for a in (5.2, 6, 7, 4, 0)] == ["green", "amber", "red", "green",
                                                                                 "green"]
    assert pg.rag(None, 5) == "none" and pg.rag(3, None) == "none"
    assert pg.rag(0, 0) == "green" and pg.rag(1, 0, higher_is_better=False) == "red"


def test_expected_to_date_by_profile() -> None:
    assert pg.expected_to_date(1200, profile="linear", fraction=0.5, rate=False) == 600
    assert pg.expected_to_date(70, profile="linear", fraction=0.5, rate=True) == 70  # a level to hold
    assert pg.expected_to_date(10, profile="year_end", fraction=0.5, rate=False) is None
    assert pg.expected_to_date(10, profile="year_end", fraction=1.0, rate=False) == 10
    assert pg.projection(540, fraction=0.5, rate=False) == 1080
    assert pg.projection(75, fraction=0.5, rate=True) == 75


# ---- against the facts -------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_count_target_at_mid_year(national_admin: Any) -> None:
    plan, obj = plan_with_objective()
    t = target(obj, "beneficiaries", 1200)
    _facts("beneficiaries", [90, 90, 90, 90, 90, 90, 0, 500])  # August is after "today"'s month: not counted
    p = pg.plan_progress(scope_for_user(national_admin), plan, today=MID_YEAR)
    (row,) = p.targets
    assert row.obj == t
    assert (row.actual, row.expected, row.percent, row.status, row.projection) == (540, 600, 90, "amber", 1080)
    assert p.counts == {"green": 0, "amber": 1, "red": 0, "none": 0}
    assert p.axes[0].counts["amber"] == 1


@pytest.mark.django_db
def test_rates_lower_is_better_and_year_end(national_admin: Any) -> None:
    plan, obj = plan_with_objective()
    target(obj, "referral_completion_rate", 70)
    target(obj, "referral_answer_days", 5)
    target(obj, "training_sessions", 10, profile="year_end")
    _facts("referrals_sent", [20, 20, 20, 20, 20])
    _facts("referrals_completed", [15, 15, 15, 15, 15])  # 75 % against 70 %: green
    _facts("referrals_answered", [2, 2, 2, 2, 2])
    _facts("referral_answer_days", [12, 12, 12, 12, 12])  # 60 days / 10 answers = 6 days against 5: amber
    _facts("training_sessions", [1, 1, 1])
    p = pg.plan_progress(scope_for_user(national_admin), plan, today=MID_YEAR)
    rows = {r.indicator.code: r for r in p.targets if r.indicator}
    rate = rows["referral_completion_rate"]
    assert (rate.actual, rate.expected, rate.status, rate.projection) == (75, 70, "green", 75)
    days = rows["referral_answer_days"]
    assert (days.actual, days.expected, days.status) == (6, 5, "amber")
    year_end = rows["training_sessions"]
    assert (year_end.actual, year_end.expected, year_end.status, year_end.projection) == (3, None, "none", 6)
    end = pg.plan_progress(scope_for_user(national_admin), plan, today=date(YEAR + 1, 3, 1))
    assert {r.indicator.code: r.status for r in end.targets if r.indicator}["training_sessions"] == "red"


@pytest.mark.django_db
def test_a_national_target_drills_down_to_the_regions_with_targets(national_admin: Any,
                                                                   delegate_casablanca: Any) -> None:
    plan, obj = plan_with_objective()
    region = province_of(delegate_casablanca).region
    target(obj, "beneficiaries", 1200)
    target(obj, "beneficiaries", 200, territory="R", region=region)
    _facts("beneficiaries", [100] * 6)
    _facts("beneficiaries", [20] * 6, level="R", region_id=region.pk)  # 120 against 100 expected: green
    p = pg.plan_progress(scope_for_user(national_admin), plan, today=MID_YEAR)
    national = next(r for r in p.targets if r.level == "N")
    first = national.children[0]
    assert (first.name, first.target, first.actual, first.expected, first.status) == (
        str(region), 200, 120, 100, "green")
    assert all(c.target is None and c.status == "none" for c in national.children[1:])


@pytest.mark.django_db
def test_each_role_sees_its_own_targets(national_admin: Any, delegate_casablanca: Any,
                                        coordinator_casablanca: Any, authority_viewer: Any) -> None:
    plan, obj = plan_with_objective()
    casa = province_of(delegate_casablanca)
    target(obj, "beneficiaries", 1000)
    target(obj, "beneficiaries", 300, territory="R", region=casa.region)
    target(obj, "beneficiaries", 100, territory="P", province=casa)
    _facts("beneficiaries", [10] * 6, level="P", province_id=casa.pk, region_id=casa.region_id)

    def seen(user: Any, **kw: Any) -> set[str]:
        return {r.key for r in pg.plan_progress(scope_for_user(user), plan, today=MID_YEAR, **kw).targets}

    region, province = f"R{casa.region_id}", f"P{casa.pk}"
    assert seen(national_admin, flat=True) == {"N", region, province}
    assert seen(delegate_casablanca, flat=True) == {province}
    assert province in seen(coordinator_casablanca, flat=True) and "N" not in seen(coordinator_casablanca, flat=True)
    # Each target is shown once: the region's in the national drill-down, the province's in the region's.
    assert seen(national_admin) == {"N"} and seen(coordinator_casablanca) == {region}
    assert seen(delegate_casablanca) == {province}
    assert seen(national_admin, territory=region) == {region} and seen(national_admin, territory=province) == {province}
    mine = pg.plan_progress(scope_for_user(delegate_casablanca), plan, today=MID_YEAR).targets[0]
    assert (mine.actual, mine.expected, mine.status) == (60, 50, "green")
    # Head office reads the provinces' figures in bulk: the same numbers.
    flat = pg.plan_progress(scope_for_user(national_admin), plan, today=MID_YEAR, flat=True).targets
    theirs = next(t for t in flat if t.level == "P")
    assert (theirs.actual, theirs.expected, theirs.status) == (60, 50, "green")
    reg = next(t for t in flat if t.level == "R")
    assert reg.actual == 0 and reg.status == "red"  # no regional facts written: nothing counted
    # The coordinator's region drills down to its provinces, the one with a target first.
    (coord,) = pg.plan_progress(scope_for_user(coordinator_casablanca), plan, today=MID_YEAR).targets
    assert (coord.children[0].key, coord.children[0].actual, coord.children[0].status) == (province, 60, "green")


@pytest.mark.django_db
def test_an_authority_viewer_does_not_see_small_counts(authority_viewer: Any, delegate_casablanca: Any) -> None:
    plan, obj = plan_with_objective()
    allowed = scope_for_user(authority_viewer).territory_province_ids()
    assert allowed
    province = Province.objects.get(pk=min(allowed))
    target(obj, "beneficiaries", 100, territory="P", province=province)
    _facts("beneficiaries", [1, 1, 1], level="P", province_id=province.pk, region_id=province.region_id)
    (row,) = pg.plan_progress(scope_for_user(authority_viewer), plan, today=MID_YEAR).targets
    assert (row.actual, row.status, row.projection) == (None, "none", None)  # 3 people: hidden
    Fact.objects.filter(province_id=province.pk, period__year=YEAR).update(value=10)
    (row,) = pg.plan_progress(scope_for_user(authority_viewer), plan, today=MID_YEAR).targets
    assert (row.actual, row.expected, row.status) == (30, 50, "red")


# ---- the page ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_page_for_head_office_and_for_a_delegate(national_admin: Any, delegate_casablanca: Any,
                                                     delegate_tanger: Any) -> None:
    _plan, obj = plan_with_objective()
    casa, tanger = province_of(delegate_casablanca), province_of(delegate_tanger)
    target(obj, "beneficiaries", 1000)
    target(obj, "beneficiaries", 100, territory="P", province=casa)
    target(obj, "beneficiaries", 80, territory="P", province=tanger)
    url = reverse("vigilance:plan_progress_year", args=[YEAR])
    page = client_for(national_admin).get(url).content.decode()
    # One row, the national target, whose drill-down lists the provinces (those with a target linked).
    assert page.count('data-testid="target-progress"') == 1 and "<svg" in page
    assert 'data-testid="drill-down"' in page and f'href="?t=P{casa.pk}"' in page
    page = client_for(national_admin).get(url + f"?t=P{tanger.pk}").content.decode()
    assert page.count('data-testid="target-progress"') == 1 and f'data-territory="P{tanger.pk}"' in page
    page = client_for(delegate_casablanca).get(url).content.decode()
    assert page.count('data-testid="target-progress"') == 1
    assert f'data-territory="P{casa.pk}"' in page and f'data-territory="P{tanger.pk}"' not in page
    assert client_for(delegate_casablanca).get(reverse("vigilance:plan_progress")).status_code == 200
    assert client_for(national_admin).get(reverse("vigilance:plan_progress_year", args=[YEAR + 50])).status_code == 404
    # A draft is head office's alone.
    ActionPlan.objects.filter(year=YEAR).update(status=ActionPlan.Status.DRAFT)
    assert client_for(delegate_casablanca).get(url).status_code == 404
    assert 'data-testid="target-progress"' in client_for(national_admin).get(url).content.decode()


@pytest.mark.django_db
def test_the_excel_download(national_admin: Any, delegate_casablanca: Any) -> None:
    from openpyxl import load_workbook

    _plan, obj = plan_with_objective()
    target(obj, "beneficiaries", 1000)
    target(obj, "beneficiaries", 100, territory="P", province=province_of(delegate_casablanca))
    url = reverse("vigilance:plan_progress_year", args=[YEAR]) + "?format=xlsx"
    r = client_for(delegate_casablanca).get(url)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][4] == 100  # header and the delegate's own target only
    assert JournalEntry.objects.filter(action="vigilance.plan_progress.export", actor=delegate_casablanca,
                                       kind=JournalEntry.Kind.EXPORT).exists()
