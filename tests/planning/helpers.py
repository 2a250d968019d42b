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


# ---- for the isolation walk (tests/test_route_walk.py) -------------------------------------------

#: Plan routes that only take a POST.
PLAN_POST_ONLY = {"planning:adopt", "planning:copy", "planning:axis_delete", "planning:objective_delete",
                  "planning:target_delete"}
WALK_YEAR = 2031


def _walk_plan() -> dict[str, int]:
    """A draft plan (head office's alone: a 404 for anyone else, as every write page is) with a
    Casablanca province target."""
    from mowakaba.accounts.models import User

    plan, obj = plan_with_objective(WALK_YEAR, ActionPlan.Status.DRAFT)
    province = province_of(User.objects.get(username="delegate.casa"))
    t = target(obj, "beneficiaries", 10, territory=Target.Scope.PROVINCE, province=province)
    return {"year": plan.year, "axis": obj.axis_id, "objective": obj.pk, "target": t.pk}


def walk_args() -> dict[str, Any]:
    """Route name → a function giving its kwargs, for ``FOREIGN_ARGS``."""
    by_year = ("planning:plan", "planning:edit", "planning:adopt", "planning:copy", "planning:axis_new",
               "vigilance:plan_progress_year")
    by_key = {"planning:axis_edit": "axis", "planning:axis_delete": "axis", "planning:objective_new": "axis",
              "planning:objective_edit": "objective", "planning:objective_delete": "objective",
              "planning:target_new": "objective", "planning:target_edit": "target",
              "planning:target_delete": "target"}
    out: dict[str, Any] = {name: (lambda: {"year": _walk_plan()["year"]}) for name in by_year}
    out |= {name: (lambda key=key: {"pk": _walk_plan()[key]}) for name, key in by_key.items()}
    return out


def plan_snapshot() -> tuple[Any, ...]:
    """Everything a plan write could change, for the walk's before/after comparison."""
    return (tuple(ActionPlan.objects.order_by("pk").values_list("pk", "year", "status", "version", "name_ar")),
            tuple(Axis.objects.order_by("pk").values_list("pk", "number", "name_ar")),
            tuple(Objective.objects.order_by("pk").values_list("pk", "number", "name_ar")),
            tuple(Target.objects.order_by("pk").values_list("pk", "indicator_id", "territory", "value")))
