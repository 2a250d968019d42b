"""Small builders for the plan tests: a plan of a year far from the demo's activity, with one
axis and one objective, written directly (the services are tested on their own)."""

from __future__ import annotations

from typing import Any

from mowakaba.accounts.scope import scope_for_user
from mowakaba.planning.models import ActionPlan, Axis, Objective, Target
from mowakaba.territory.models import Province
from mowakaba.vigilance.models import Indicator

YEAR = 2016  # a leap year: 1 July is exactly half of it (183 of 366 days, today counted)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def plan_with_objective(year: int = YEAR, status: str = ActionPlan.Status.ADOPTED) -> tuple[ActionPlan, Objective]:
    plan = ActionPlan.objects.create(year=year, name_ar="مخطط", name_fr="Plan", status=status)
    axis = Axis.objects.create(plan=plan, number=1, name_ar="محور", name_fr="Axe")
    obj = Objective.objects.create(axis=axis, number=1, name_ar="هدف", name_fr="Objectif")
    return plan, obj


def target(obj: Objective, code: str, value: float, **kw: Any) -> Target:
    return Target.objects.create(objective=obj, indicator=indicator(code), value=value, **kw)


def province_of(user: Any) -> Province:
    allowed = scope_for_user(user).territory_province_ids()
    assert allowed
    return Province.objects.get(pk=min(allowed))
