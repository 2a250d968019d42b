"""Action plan pages: the plans by year, a plan with its axes, objectives and targets, and head
office's forms to build it (create, change, delete, adopt, copy to the next year).

Thin: authorise through ``selectors`` (readers see the targets of their territory; every write
page is a 404 for anyone but head office), call one service, redirect back to the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.scope import get_or_404, scope_of
from mowakaba.core.errors import StaleEdit
from mowakaba.core.forms import apply_errors
from mowakaba.territory.models import Province, Region

from . import forms as f
from . import selectors, services
from .models import ActionPlan, Axis, Objective, Target


def _stale() -> str:
    return _("Someone else changed this plan since you opened the page. Your changes were not saved: "
             "reload the page and try again.")


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _name_order() -> str:
    return "name_ar" if (get_language() or "ar")[:2] == "ar" else "name_fr"


def _plan_url(plan: ActionPlan) -> str:
    return reverse("planning:plan", args=[plan.year])


def _editable_plan(request: HttpRequest, year: int) -> ActionPlan:
    scope = scope_of(request)
    selectors.require_edit(scope)
    plan = ActionPlan.objects.filter(year=year).first()
    if plan is None:
        raise Http404
    return plan


# ---- reading --------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    plans = list(selectors.plans(scope))
    return render(request, "planning/list.html", {
        "plans": plans, "can_edit": selectors.can_edit(scope), "this_year": timezone.localdate().year})


@login_required
def plan_detail(request: HttpRequest, year: int) -> HttpResponse:
    scope = scope_of(request)
    plan = selectors.plan_for_year(scope, year)
    can_edit = selectors.can_edit(scope) and plan.status != ActionPlan.Status.ARCHIVED
    tree = selectors.plan_tree(scope, plan)
    for node in tree:
        for o in node.objectives:
            for t in o.targets:
                t.territory_label = selectors.territory_label(t)  # type: ignore[attr-defined]
    return render(request, "planning/plan.html", {
        "plan": plan, "tree": tree, "can_edit": can_edit,
        # An archived plan no longer changes, but it can still seed the next year's.
        "can_copy": selectors.can_edit(scope) and not ActionPlan.objects.filter(year=plan.year + 1).exists()})


# ---- the plan -------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: forms.Form, *, title: str, back: str,
               save: Callable[[], Any], done: Callable[[Any], str], success: str) -> HttpResponse:
    """The one pattern of every edit page: validate, call the service, explain its refusals."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except StaleEdit:
            form.add_error(None, _stale())
        except ValidationError as exc:
            apply_errors(form, exc, {"indicator_id": "indicator", "region_id": "region",
                                     "province_id": "province"})
        else:
            messages.success(request, success)
            return redirect(done(result))
    return render(request, "planning/form.html", {"form": form, "title": title, "back": back})


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    selectors.require_edit(scope)
    form = f.PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    return _form_page(
        request, form, title=_("New action plan"), back=reverse("planning:list"),
        save=lambda: services.plan_create(actor=request.user, scope=scope,
                                          data={**form.service_data(), "year": form.cleaned_data["year"]}),
        done=_plan_url, success=_("The plan is created."))


@login_required
def plan_edit(request: HttpRequest, year: int) -> HttpResponse:
    scope = scope_of(request)
    plan = _editable_plan(request, year)
    initial = {"name_ar": plan.name_ar, "name_fr": plan.name_fr, "name_en": plan.name_en, "version": plan.version}
    form = f.PlanForm(request.POST or None, initial=initial, editing=True)
    return _form_page(
        request, form, title=_("Change the plan"), back=_plan_url(plan),
        save=lambda: services.plan_update(actor=request.user, scope=scope, plan_id=plan.pk,
                                          expected_version=form.cleaned_data.get("version") or 0,
                                          data=form.service_data()),
        done=_plan_url, success=_("The plan is saved."))


def _post_action(request: HttpRequest, plan: ActionPlan, action: Callable[[], Any], success: str) -> HttpResponse:
    try:
        action()
    except StaleEdit:
        messages.error(request, _stale())
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(_plan_url(plan))


@login_required
@require_POST
def plan_adopt(request: HttpRequest, year: int) -> HttpResponse:
    scope = scope_of(request)
    plan = _editable_plan(request, year)
    version = _int(request.POST.get("version")) or 0
    return _post_action(request, plan, lambda: services.plan_adopt(
        actor=request.user, scope=scope, plan_id=plan.pk, expected_version=version), _("The plan is adopted."))


@login_required
@require_POST
def plan_copy(request: HttpRequest, year: int) -> HttpResponse:
    scope = scope_of(request)
    plan = _editable_plan(request, year)
    try:
        new = services.plan_copy(actor=request.user, scope=scope, plan_id=plan.pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_plan_url(plan))
    messages.success(request, _("The plan is copied to %(year)s as a draft.") % {"year": new.year})
    return redirect(_plan_url(new))


# ---- axes and objectives --------------------------------------------------------------------


@login_required
def axis_new(request: HttpRequest, year: int) -> HttpResponse:
    scope = scope_of(request)
    plan = _editable_plan(request, year)
    n = (Axis.objects.filter(plan=plan).order_by("-number").values_list("number", flat=True).first() or 0) + 1
    form = f.NumberedForm(request.POST or None, initial={"number": n, "version": plan.version})
    return _form_page(
        request, form, title=_("New strategic axis"), back=_plan_url(plan),
        save=lambda: services.axis_save(actor=request.user, scope=scope, plan_id=plan.pk,
                                        expected_version=form.cleaned_data.get("version") or 0,
                                        data={**form.service_data(), "number": form.cleaned_data["number"]}),
        done=lambda _a: _plan_url(plan), success=_("The axis is saved."))


def _axis(request: HttpRequest, pk: int) -> Axis:
    selectors.require_edit(scope_of(request))
    return get_or_404(Axis.objects.select_related("plan"), pk=pk)


@login_required
def axis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    axis = _axis(request, pk)
    plan = axis.plan
    initial = {"number": axis.number, "name_ar": axis.name_ar, "name_fr": axis.name_fr, "name_en": axis.name_en,
               "version": plan.version}
    form = f.NumberedForm(request.POST or None, initial=initial)
    return _form_page(
        request, form, title=_("Change the strategic axis"), back=_plan_url(plan),
        save=lambda: services.axis_save(actor=request.user, scope=scope, plan_id=plan.pk, axis_id=axis.pk,
                                        expected_version=form.cleaned_data.get("version") or 0,
                                        data={**form.service_data(), "number": form.cleaned_data["number"]}),
        done=lambda _a: _plan_url(plan), success=_("The axis is saved."))


@login_required
@require_POST
def axis_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    axis = _axis(request, pk)
    version = _int(request.POST.get("version")) or 0
    return _post_action(request, axis.plan, lambda: services.axis_delete(
        actor=request.user, scope=scope, axis_id=axis.pk, expected_version=version), _("The axis is deleted."))


@login_required
def objective_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    axis = _axis(request, pk)
    plan = axis.plan
    n = (axis.objectives.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    form = f.NumberedForm(request.POST or None, initial={"number": n, "version": plan.version})
    return _form_page(
        request, form, title=_("New objective"), back=_plan_url(plan),
        save=lambda: services.objective_save(actor=request.user, scope=scope, axis_id=axis.pk,
                                             expected_version=form.cleaned_data.get("version") or 0,
                                             data={**form.service_data(), "number": form.cleaned_data["number"]}),
        done=lambda _o: _plan_url(plan), success=_("The objective is saved."))


def _objective(request: HttpRequest, pk: int) -> Objective:
    selectors.require_edit(scope_of(request))
    return get_or_404(Objective.objects.select_related("axis__plan"), pk=pk)


@login_required
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    obj = _objective(request, pk)
    plan = obj.axis.plan
    initial = {"number": obj.number, "name_ar": obj.name_ar, "name_fr": obj.name_fr, "name_en": obj.name_en,
               "version": plan.version}
    form = f.NumberedForm(request.POST or None, initial=initial)
    return _form_page(
        request, form, title=_("Change the objective"), back=_plan_url(plan),
        save=lambda: services.objective_save(actor=request.user, scope=scope, objective_id=obj.pk,
                                             expected_version=form.cleaned_data.get("version") or 0,
                                             data={**form.service_data(), "number": form.cleaned_data["number"]}),
        done=lambda _o: _plan_url(plan), success=_("The objective is saved."))


@login_required
@require_POST
def objective_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    obj = _objective(request, pk)
    version = _int(request.POST.get("version")) or 0
    return _post_action(request, obj.axis.plan, lambda: services.objective_delete(
        actor=request.user, scope=scope, objective_id=obj.pk, expected_version=version),
        _("The objective is deleted."))


# ---- targets --------------------------------------------------------------------------------


def _target_form(data: Any, initial: dict[str, Any]) -> f.TargetForm:
    from mowakaba.vigilance.models import Indicator

    order = _name_order()
    return f.TargetForm(
        data, initial=initial,
        indicators=[(i.pk, i.name) for i in Indicator.objects.filter(active=True).order_by("sort_order", "code")],
        regions=[(r.pk, str(r)) for r in Region.objects.order_by(order)],
        provinces=[(p.pk, str(p)) for p in Province.objects.order_by(order)])


@login_required
def target_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    obj = _objective(request, pk)
    plan = obj.axis.plan
    form = _target_form(request.POST or None, {"version": plan.version, "territory": Target.Scope.NATIONAL,
                                               "profile": Target.Profile.LINEAR})
    return _form_page(
        request, form, title=_("New target for objective %(n)s") % {"n": f"{obj.axis.number}.{obj.number}"},
        back=_plan_url(plan),
        save=lambda: services.target_save(actor=request.user, scope=scope, objective_id=obj.pk,
                                          expected_version=form.cleaned_data.get("version") or 0,
                                          data=form.service_data()),
        done=lambda _t: _plan_url(plan), success=_("The target is saved."))


def _target(request: HttpRequest, pk: int) -> Target:
    selectors.require_edit(scope_of(request))
    return get_or_404(Target.objects.select_related("objective__axis__plan"), pk=pk)


@login_required
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    t = _target(request, pk)
    plan = t.objective.axis.plan
    initial = {"indicator": t.indicator_id, "territory": t.territory, "region": t.region_id,
               "province": t.province_id, "value": t.value, "baseline": t.baseline, "profile": t.profile,
               "note": t.note, "version": plan.version}
    form = _target_form(request.POST or None, initial)
    return _form_page(
        request, form, title=_("Change the target"), back=_plan_url(plan),
        save=lambda: services.target_save(actor=request.user, scope=scope, target_id=t.pk,
                                          expected_version=form.cleaned_data.get("version") or 0,
                                          data=form.service_data()),
        done=lambda _t: _plan_url(plan), success=_("The target is saved."))


@login_required
@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    t = _target(request, pk)
    version = _int(request.POST.get("version")) or 0
    return _post_action(request, t.objective.axis.plan, lambda: services.target_delete(
        actor=request.user, scope=scope, target_id=t.pk, expected_version=version), _("The target is deleted."))
