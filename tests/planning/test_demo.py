"""The demo's "4+4" action plans: two years, four axes, targets set from the demo's own activity
so that the progress page shows every colour; idempotent per year."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from mowakaba.accounts.scope import scope_for_user
from mowakaba.demo.planning import generate_plan
from mowakaba.planning.models import ActionPlan, Axis, Objective, Target
from mowakaba.vigilance import progress as pg
from tests.planning.helpers import province_of


@pytest.mark.django_db
def test_the_demo_plans_show_every_colour_and_run_once(national_admin: Any, delegate_casablanca: Any) -> None:
    from mowakaba.vigilance.refresh import refresh_full

    today = timezone.localdate()
    # The demo the tests run on has its plans already (demo/services.py): made again here after
    # the facts, which the plan's targets are then set from.
    assert ActionPlan.objects.filter(year=today.year, status=ActionPlan.Status.ADOPTED).exists()
    ActionPlan.objects.filter(year__in=[today.year - 1, today.year]).delete()
    refresh_full()  # the facts the progress page reads
    counts = generate_plan(seed=7, today=today)
    assert counts["plans"] == 2 and counts["plan_targets"] > 20
    plan = ActionPlan.objects.get(year=today.year)
    assert plan.status == ActionPlan.Status.ADOPTED
    assert ActionPlan.objects.get(year=today.year - 1).status == ActionPlan.Status.ARCHIVED
    assert list(Axis.objects.filter(plan=plan).values_list("number", flat=True)) == [1, 2, 3, 4]
    assert 2 <= Objective.objects.filter(axis__plan=plan, axis__number=1).count() <= 3
    assert Axis.objects.get(plan=plan, number=1).name_ar == "الدعم المؤسساتي"
    targets = Target.objects.filter(objective__axis__plan=plan)
    assert targets.filter(territory="R").exists()
    casa = province_of(delegate_casablanca)
    assert targets.filter(territory="P", province=casa).exists()
    assert dict(targets.filter(territory="N", indicator__code__in=[
        "referral_completion_rate", "followups_on_time_rate", "extreme_on_time_rate"])
        .values_list("indicator__code", "value")) == {
        "referral_completion_rate": 70, "followups_on_time_rate": 80, "extreme_on_time_rate": 90}

    if today.timetuple().tm_yday >= 20:  # a few days into January, run rates mean little
        national = [t for t in pg.plan_progress(scope_for_user(national_admin), plan, today=today).targets
                    if t.level == "N"]
        statuses = {t.status for t in national}
        assert {"green", "red"} <= statuses, [(t.indicator.code if t.indicator else "", t.percent, t.status)
                                              for t in national]
    mine = pg.plan_progress(scope_for_user(delegate_casablanca), plan, today=today).targets
    assert mine and {t.level for t in mine} == {"P"}

    assert generate_plan(seed=7, today=today) == {"plans": 0, "plan_targets": 0}  # once per year
