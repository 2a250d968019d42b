"""Reading the action plan under the one access policy.

Who edits: head office, i.e. an actor with a *national* grant whose role carries
``Capability.SUPERVISE`` (the head office role; the system scope too). The plan is a steering
decision of the institution: system administrators keep the structure and the accounts, the
data-protection officer reads the journal, neither sets targets. Everybody else who reads
aggregates (``Capability.VIEW_AGGREGATES``) reads the plan, and only its targets whose
territory lies within what they may read: a delegate their province's targets, a coordinator
their region's (and its provinces'), head office and national viewers all of them. A draft
plan is head office's work in progress: only editors see it.

This module never imports the vigilance app (vigilance reads planning, not the reverse).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from mowakaba.accounts.scope import ROLE_CAPABILITIES, Capability, Scope
from mowakaba.territory.models import Province

from .models import ActionPlan, Axis, Objective, Target

#: The capability which, on a national grant, makes an actor an editor of the plan.
EDIT_CAPABILITY = Capability.SUPERVISE


def can_edit(scope: Scope) -> bool:
    """Head office: a national grant whose role supervises (not a national DPO or sysadmin)."""
    if scope.is_system:
        return True
    return any(g.national and EDIT_CAPABILITY in ROLE_CAPABILITIES.get(g.role, frozenset()) for g in scope.grants)


def can_read(scope: Scope) -> bool:
    return can_edit(scope) or scope.can(Capability.VIEW_AGGREGATES)


def require_edit(scope: Scope) -> None:
    if not can_edit(scope):
        raise Http404


def require_read(scope: Scope) -> None:
    if not can_read(scope):
        raise Http404


def full_regions(allowed: frozenset[int]) -> set[int]:
    """Regions all of whose provinces lie in ``allowed`` (a region's aggregates are readable
    only when every one of its provinces is, the same rule as the vigilance selectors)."""
    per_region: dict[int, set[int]] = {}
    for pk, region_id in Province.objects.values_list("pk", "region_id"):
        per_region.setdefault(region_id, set()).add(pk)
    return {r for r, provinces in per_region.items() if provinces and provinces <= allowed}


def targets_q(scope: Scope) -> Q:
    """The targets whose territory the actor may read (an empty ``Q()`` = all of them)."""
    if can_edit(scope):
        return Q()
    if not scope.can(Capability.VIEW_AGGREGATES):
        return Q(pk__in=[])
    allowed = scope.territory_province_ids()
    if allowed is None:
        return Q()
    return (Q(territory=Target.Scope.PROVINCE, province_id__in=allowed)
            | Q(territory=Target.Scope.REGION, region_id__in=full_regions(allowed)))


def plans(scope: Scope) -> QuerySet[ActionPlan]:
    """The plans the actor sees, newest year first."""
    require_read(scope)
    qs = ActionPlan.objects.all()
    if not can_edit(scope):
        qs = qs.exclude(status=ActionPlan.Status.DRAFT)
    return qs.annotate(n_axes=Count("axes", distinct=True)).order_by("-year")


def plan_for_year(scope: Scope, year: int) -> ActionPlan:
    plan = plans(scope).filter(year=year).first()
    if plan is None:
        raise Http404
    return plan


def visible_targets(scope: Scope, plan: ActionPlan) -> QuerySet[Target]:
    return (Target.objects.filter(targets_q(scope), objective__axis__plan=plan)
            .select_related("indicator", "region", "province", "objective__axis")
            .order_by("objective__axis__number", "objective__number", "pk"))


@dataclass
class ObjectiveNode:
    objective: Objective
    targets: list[Target] = field(default_factory=list)


@dataclass
class AxisNode:
    axis: Axis
    objectives: list[ObjectiveNode] = field(default_factory=list)

    @property
    def n_targets(self) -> int:
        return sum(len(o.targets) for o in self.objectives)


_RANK: dict[str, int] = {Target.Scope.NATIONAL: 0, Target.Scope.REGION: 1, Target.Scope.PROVINCE: 2}


def _target_order(t: Target) -> tuple[int, str, int, str]:
    """By indicator, then the country, the regions, the provinces, each in census-code order."""
    code = t.region.code if t.region else t.province.code if t.province else ""
    return (t.indicator.sort_order, t.indicator.code, _RANK.get(t.territory, 3), code)


def plan_tree(scope: Scope, plan: ActionPlan, *, keep_empty: bool | None = None) -> list[AxisNode]:
    """Axes → objectives → visible targets, in their numbering order (three queries).

    Editors see empty axes and objectives (to fill them); readers see only the branches that
    hold one of their targets."""
    if keep_empty is None:
        keep_empty = can_edit(scope)
    targets = visible_targets(scope, plan)
    axes = (Axis.objects.filter(plan=plan).order_by("number")
            .prefetch_related(Prefetch("objectives", queryset=Objective.objects.order_by("number"))))
    by_objective: dict[int, list[Target]] = {}
    for t in sorted(targets, key=_target_order):
        by_objective.setdefault(t.objective_id, []).append(t)
    out: list[AxisNode] = []
    for axis in axes:
        node = AxisNode(axis)
        for obj in axis.objectives.all():
            ts = by_objective.get(obj.pk, [])
            if ts or keep_empty:
                node.objectives.append(ObjectiveNode(obj, ts))
        if node.objectives or keep_empty:
            out.append(node)
    return out


def territory_label(target: Target) -> str:
    if target.territory == Target.Scope.REGION and target.region is not None:
        return str(target.region)
    if target.territory == Target.Scope.PROVINCE and target.province is not None:
        return str(target.province)
    return str(Target.Scope.NATIONAL.label)
