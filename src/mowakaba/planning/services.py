"""Writes to the action plan: a yearly plan, its numbered axes and objectives, its targets;
adopting it; copying it to the next year.

Only head office edits (``selectors.can_edit``); for everyone else every write is a 404, as
if the page did not exist. Every function runs in one transaction and writes one journal
entry placed at the national unit; refusals raise ``ValidationError`` (or ``StaleEdit``)
before anything is written.

Optimistic lock: the plan's ``version`` covers the whole plan (its axes, objectives and
targets have none of their own). Each write names the version the form was opened at and
bumps it; a form opened before someone else's save is refused with ``StaleEdit`` and nothing
is overwritten. An adopted plan stays editable (targets get revised mid-year) and every
change to it is journalled with its before and after values; an archived plan is read-only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Scope
from mowakaba.audit.services import diff, journal_write
from mowakaba.core.errors import StaleEdit
from mowakaba.territory.models import OrgUnit, Province, Region

from .models import ActionPlan, Axis, Objective, Target
from .selectors import require_edit

NAME_FIELDS = ("name_ar", "name_fr", "name_en")
TARGET_FIELDS = ("indicator_id", "territory", "region_id", "province_id", "value", "baseline", "profile", "note")
MIN_YEAR, MAX_YEAR = 2000, 2100


# ---- helpers -----------------------------------------------------------------------------------

def _national_unit_id() -> int | None:
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.NATIONAL).values_list("pk", flat=True).first()


def _journal(actor: Any, action: str, obj: Any, changes: dict[str, Any] | None = None, repr_: str = "") -> None:
    journal_write(actor=actor, action=action, obj=obj, object_repr=repr_ or str(obj)[:250],
                  org_unit_id=_national_unit_id(), changes=changes)


def _plan_for_write(scope: Scope, plan_id: int, expected_version: int | None) -> ActionPlan:
    """The plan, locked; 404 for non-editors; refused when archived or changed since."""
    require_edit(scope)
    plan = ActionPlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    if expected_version is not None and plan.version != expected_version:
        raise StaleEdit
    if plan.status == ActionPlan.Status.ARCHIVED:
        raise ValidationError(_("This plan is archived: it can no longer change."))
    return plan


def _bump(plan: ActionPlan) -> None:
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])


def _clean_names(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, str]:
    names = {f: str(data.get(f) or "").strip()[:250] for f in NAME_FIELDS}
    if not names["name_ar"]:
        errors["name_ar"] = [_("Give the name in Arabic.")]
    if not names["name_fr"]:
        errors["name_fr"] = [_("Give the name in French.")]
    return names


def _clean_number(data: dict[str, Any], errors: dict[str, list[str]]) -> int | None:
    number = data.get("number")
    if not isinstance(number, int) or number < 1 or number > 99:
        errors["number"] = [_("The number is a whole number from 1 to 99.")]
        return None
    return number


# ---- the plan ----------------------------------------------------------------------------------

@transaction.atomic
def plan_create(*, actor: Any, scope: Scope, data: dict[str, Any]) -> ActionPlan:
    require_edit(scope)
    errors: dict[str, list[str]] = {}
    year = data.get("year")
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = [_("Give a year between 2000 and 2100.")]
    elif ActionPlan.objects.filter(year=year).exists():
        errors["year"] = [_("There is already a plan for %(year)s.") % {"year": year}]
    names = _clean_names(data, errors)
    if errors:
        raise ValidationError(errors)
    assert isinstance(year, int)
    plan = ActionPlan.objects.create(year=year, **names)
    _journal(actor, "planning.plan.create", plan, diff({}, {"year": year, **names}), f"{year} {plan.name_fr}")
    return plan


@transaction.atomic
def plan_update(*, actor: Any, scope: Scope, plan_id: int, expected_version: int, data: dict[str, Any]
                ) -> ActionPlan:
    plan = _plan_for_write(scope, plan_id, expected_version)
    errors: dict[str, list[str]] = {}
    names = _clean_names(data, errors)
    if errors:
        raise ValidationError(errors)
    before = {f: getattr(plan, f) for f in NAME_FIELDS}
    for k, v in names.items():
        setattr(plan, k, v)
    plan.version += 1
    plan.save()
    changes = diff(before, names)
    if changes:
        _journal(actor, "planning.plan.update", plan, changes, f"{plan.year} {plan.name_fr}")
    return plan


@transaction.atomic
def plan_adopt(*, actor: Any, scope: Scope, plan_id: int, expected_version: int) -> ActionPlan:
    """Draft → adopted. A plan without a single target has nothing to adopt."""
    plan = _plan_for_write(scope, plan_id, expected_version)
    if plan.status != ActionPlan.Status.DRAFT:
        raise ValidationError(_("Only a draft plan can be adopted."))
    if not Target.objects.filter(objective__axis__plan=plan).exists():
        raise ValidationError(_("Give the plan at least one target before adopting it."))
    plan.status = ActionPlan.Status.ADOPTED
    plan.adopted_at = timezone.now()
    plan.adopted_by = actor if getattr(actor, "pk", None) else None
    plan.version += 1
    plan.save()
    _journal(actor, "planning.plan.adopt", plan, {"status": [ActionPlan.Status.DRAFT, ActionPlan.Status.ADOPTED]},
             f"{plan.year} {plan.name_fr}")
    return plan


@transaction.atomic
def plan_copy(*, actor: Any, scope: Scope, plan_id: int, year: int | None = None) -> ActionPlan:
    """A new draft plan for ``year`` (default: the next year) with the same axes, objectives
    and targets; the targets' baselines are left as they were, to be revised."""
    require_edit(scope)
    source = ActionPlan.objects.filter(pk=plan_id).first()
    if source is None:
        raise Http404
    year = year or source.year + 1
    plan = plan_create(actor=actor, scope=scope, data={"year": year, "name_ar": source.name_ar,
                                                       "name_fr": source.name_fr, "name_en": source.name_en})
    axes = list(Axis.objects.filter(plan=source).order_by("number"))
    new_axes = Axis.objects.bulk_create([Axis(plan=plan, number=a.number, name_ar=a.name_ar, name_fr=a.name_fr,
                                              name_en=a.name_en) for a in axes])
    axis_map = {old.pk: new.pk for old, new in zip(axes, new_axes, strict=True)}
    objectives = list(Objective.objects.filter(axis__plan=source).order_by("axis__number", "number"))
    new_objectives = Objective.objects.bulk_create([
        Objective(axis_id=axis_map[o.axis_id], number=o.number, name_ar=o.name_ar, name_fr=o.name_fr,
                  name_en=o.name_en) for o in objectives])
    objective_map = {old.pk: new.pk for old, new in zip(objectives, new_objectives, strict=True)}
    targets = Target.objects.filter(objective__axis__plan=source).order_by("pk")
    Target.objects.bulk_create([
        Target(objective_id=objective_map[t.objective_id], indicator_id=t.indicator_id, territory=t.territory,
               region_id=t.region_id, province_id=t.province_id, value=t.value, baseline=t.baseline,
               profile=t.profile, note=t.note) for t in targets])
    _journal(actor, "planning.plan.copy", plan, {"from_year": [None, source.year]}, f"{plan.year} {plan.name_fr}")
    return plan


# ---- axes and objectives -----------------------------------------------------------------------

@transaction.atomic
def axis_save(*, actor: Any, scope: Scope, plan_id: int, expected_version: int, data: dict[str, Any],
              axis_id: int | None = None) -> Axis:
    """Create (``axis_id`` None) or change an axis of the plan: a number unique in the plan."""
    plan = _plan_for_write(scope, plan_id, expected_version)
    axis = Axis(plan=plan) if axis_id is None else Axis.objects.filter(pk=axis_id, plan=plan).first()
    if axis is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    number = _clean_number(data, errors)
    names = _clean_names(data, errors)
    if number and Axis.objects.filter(plan=plan, number=number).exclude(pk=axis.pk or 0).exists():
        errors["number"] = [_("The plan already has an axis numbered %(n)s.") % {"n": number}]
    if errors:
        raise ValidationError(errors)
    before = {"number": axis.number, **{f: getattr(axis, f) for f in NAME_FIELDS}} if axis.pk else {}
    axis.number = number  # type: ignore[assignment]
    for k, v in names.items():
        setattr(axis, k, v)
    axis.save()
    _bump(plan)
    action = "planning.axis.update" if before else "planning.axis.create"
    _journal(actor, action, axis, diff(before, {"number": number, **names}), f"{plan.year} {number}. {axis.name_fr}")
    return axis


@transaction.atomic
def axis_delete(*, actor: Any, scope: Scope, axis_id: int, expected_version: int) -> None:
    axis = Axis.objects.filter(pk=axis_id).first()
    if axis is None:
        raise Http404
    plan = _plan_for_write(scope, axis.plan_id, expected_version)
    if axis.objectives.exists():
        raise ValidationError(_("This axis still has objectives: delete them first."))
    repr_ = f"{plan.year} {axis.number}. {axis.name_fr}"
    _journal(actor, "planning.axis.delete", axis, {"number": [axis.number, None]}, repr_)
    axis.delete()
    _bump(plan)


@transaction.atomic
def objective_save(*, actor: Any, scope: Scope, expected_version: int, data: dict[str, Any],
                   axis_id: int | None = None, objective_id: int | None = None) -> Objective:
    """Create an objective under ``axis_id``, or change ``objective_id`` (number unique in its axis)."""
    require_edit(scope)
    if objective_id is not None:
        obj = Objective.objects.select_related("axis").filter(pk=objective_id).first()
        if obj is None:
            raise Http404
        axis = obj.axis
    else:
        found = Axis.objects.filter(pk=axis_id or 0).first()
        if found is None:
            raise Http404
        axis, obj = found, Objective(axis=found)
    plan = _plan_for_write(scope, axis.plan_id, expected_version)
    errors: dict[str, list[str]] = {}
    number = _clean_number(data, errors)
    names = _clean_names(data, errors)
    if number and Objective.objects.filter(axis=axis, number=number).exclude(pk=obj.pk or 0).exists():
        errors["number"] = [_("This axis already has an objective numbered %(n)s.") % {"n": number}]
    if errors:
        raise ValidationError(errors)
    before = {"number": obj.number, **{f: getattr(obj, f) for f in NAME_FIELDS}} if obj.pk else {}
    obj.number = number  # type: ignore[assignment]
    for k, v in names.items():
        setattr(obj, k, v)
    obj.save()
    _bump(plan)
    action = "planning.objective.update" if before else "planning.objective.create"
    _journal(actor, action, obj, diff(before, {"number": number, **names}),
             f"{plan.year} {axis.number}.{number} {obj.name_fr}")
    return obj


@transaction.atomic
def objective_delete(*, actor: Any, scope: Scope, objective_id: int, expected_version: int) -> None:
    obj = Objective.objects.select_related("axis").filter(pk=objective_id).first()
    if obj is None:
        raise Http404
    plan = _plan_for_write(scope, obj.axis.plan_id, expected_version)
    if obj.targets.exists():
        raise ValidationError(_("This objective still has targets: delete them first."))
    _journal(actor, "planning.objective.delete", obj, {"number": [obj.number, None]},
             f"{plan.year} {obj.axis.number}.{obj.number} {obj.name_fr}")
    obj.delete()
    _bump(plan)


# ---- targets -----------------------------------------------------------------------------------

def _clean_target(data: dict[str, Any], target: Target) -> dict[str, Any]:
    """Check a target's fields; return them (as TARGET_FIELDS) or raise with every error."""
    from mowakaba.vigilance.models import Indicator  # the indicator catalogue is data kept there

    errors: dict[str, list[str]] = {}
    indicator = Indicator.objects.filter(pk=data.get("indicator_id") or 0, active=True).first()
    if indicator is None:
        errors["indicator"] = [_("Choose an indicator from the catalogue.")]
    territory = data.get("territory") or Target.Scope.NATIONAL
    region_id: int | None = None
    province_id: int | None = None
    if territory not in Target.Scope.values:
        errors["territory"] = [_("Choose national, a region or a province.")]
    elif territory == Target.Scope.REGION:
        region_id = Region.objects.filter(pk=data.get("region_id") or 0).values_list("pk", flat=True).first()
        if region_id is None:
            errors["region"] = [_("A regional target needs its region.")]
    elif territory == Target.Scope.PROVINCE:
        province_id = Province.objects.filter(pk=data.get("province_id") or 0).values_list("pk", flat=True).first()
        if province_id is None:
            errors["province"] = [_("A provincial target needs its province.")]
    value = data.get("value")
    if not isinstance(value, (int, float)) or value < 0:
        errors["value"] = [_("The target is a number, zero or more.")]
    elif indicator is not None and indicator.unit == Indicator.Unit.PERCENT and value > 100:
        errors["value"] = [_("A percentage is at most 100.")]
    baseline = data.get("baseline")
    if baseline is not None and (not isinstance(baseline, (int, float)) or baseline < 0):
        errors["baseline"] = [_("The baseline is a number, zero or more.")]
    profile = data.get("profile") or Target.Profile.LINEAR
    if profile not in Target.Profile.values:
        errors["profile"] = [_("Choose how the target accrues over the year.")]
    if indicator is not None and territory in Target.Scope.values and "region" not in errors \
            and "province" not in errors:
        where: dict[str, Any] = {"region_id": region_id, "province_id": province_id}
        twin = Target.objects.filter(objective_id=target.objective_id, indicator=indicator, territory=territory,
                                     **where).exclude(pk=target.pk or 0)
        if twin.exists():
            errors["indicator"] = [_("This objective already has a target for this indicator in this territory: "
                                     "change that one instead.")]
    if errors:
        raise ValidationError(errors)
    return {"indicator_id": indicator.pk if indicator else None, "territory": territory, "region_id": region_id,
            "province_id": province_id, "value": float(value),  # type: ignore[arg-type]
            "baseline": float(baseline) if baseline is not None else None, "profile": profile,
            "note": str(data.get("note") or "").strip()[:300]}


def _target_repr(plan: ActionPlan, target: Target) -> str:
    return f"{plan.year} {target.indicator_id} {target.territory}{target.region_id or target.province_id or ''}"


@transaction.atomic
def target_save(*, actor: Any, scope: Scope, expected_version: int, data: dict[str, Any],
                objective_id: int | None = None, target_id: int | None = None) -> Target:
    """Create a target under ``objective_id`` or change ``target_id``."""
    require_edit(scope)
    if target_id is not None:
        target = Target.objects.select_related("objective__axis").filter(pk=target_id).first()
        if target is None:
            raise Http404
    else:
        objective = Objective.objects.select_related("axis").filter(pk=objective_id or 0).first()
        if objective is None:
            raise Http404
        target = Target(objective=objective)
    plan = _plan_for_write(scope, target.objective.axis.plan_id, expected_version)
    clean = _clean_target(data, target)
    before = {f: getattr(target, f) for f in TARGET_FIELDS} if target.pk else {}
    for k, v in clean.items():
        setattr(target, k, v)
    target.save()
    _bump(plan)
    changes = diff(before, clean)
    _journal(actor, "planning.target.update" if before else "planning.target.create", target, changes,
             _target_repr(plan, target))
    return target


@transaction.atomic
def target_delete(*, actor: Any, scope: Scope, target_id: int, expected_version: int) -> None:
    require_edit(scope)
    target = Target.objects.select_related("objective__axis").filter(pk=target_id).first()
    if target is None:
        raise Http404
    plan = _plan_for_write(scope, target.objective.axis.plan_id, expected_version)
    _journal(actor, "planning.target.delete", target,
             {f: [getattr(target, f), None] for f in TARGET_FIELDS}, _target_repr(plan, target))
    target.delete()
    _bump(plan)
