"""Partner pages: associations (identity, establishments, staff, conventions) and conventions
(parties, tranches, reports, visits), with their Excel exports.

Thin: parse, authorise through the scope (a row out of reach is a 404 as if missing), call one
service or selector, render. Each action is a small POST that redirects back (post/redirect/get);
a refusal is shown in the reader's language and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.scope import Capability, Scope, get_or_404, scope_of
from mowakaba.audit.services import journal_write
from mowakaba.core.errors import StaleEdit
from mowakaba.core.forms import apply_errors
from mowakaba.core.pagination import paginate
from mowakaba.core.xlsx import xlsx_response
from mowakaba.partners import export, selectors, services
from mowakaba.partners.forms import (
    AssociationForm,
    ConventionForm,
    PayForm,
    ReasonForm,
    ReceiveForm,
    ReportForm,
    SignForm,
    TrancheForm,
)
from mowakaba.partners.models import (
    MAX_MARK,
    Convention,
    Criterion,
    Report,
    Status,
    Tranche,
    associations_visible_to,
    rib_grouped,
    rib_masked,
)
from mowakaba.territory.models import PartnerAssociation, Province


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _stale() -> str:
    return _("Someone else changed this record since you opened it. Your changes were not saved: "
             "reload the page and try again.")


def _viewer(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PARTNERS)
    return scope


# ---- associations --------------------------------------------------------------------------


@login_required
def associations(request: HttpRequest) -> HttpResponse:
    scope = _viewer(request)
    q = (request.GET.get("q") or "").strip()
    province_id = _int(request.GET.get("province"))
    qs = selectors.association_list(scope, q=q, province_id=province_id)
    if request.GET.get("format") == "xlsx":
        journal_write(actor=request.user, action="partners.export", object_type="partners.association",
                      object_repr="associations", changes={"q": q, "province": province_id}, kind="export")
        full_rib = scope.can(Capability.MANAGE_CONVENTIONS)
        return xlsx_response("associations.xlsx", export.associations_sheet(qs, full_rib=full_rib))
    ctx = paginate(request, qs)
    provinces = Province.objects.filter(pk__in=associations_visible_to(scope).values("province_id"))
    template = "partners/_association_rows.html" if request.htmx else "partners/associations.html"  # type: ignore[attr-defined]
    return render(request, template, {**ctx, "q": q, "province_id": province_id, "provinces": provinces})


def _association(scope: Scope, pk: int) -> PartnerAssociation:
    return get_or_404(associations_visible_to(scope).select_related("province"), pk=pk)


@login_required
def association(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _viewer(request)
    assoc = _association(scope, pk)
    ctx = selectors.association_page(scope, assoc)
    profile = ctx["profile"]
    rib = profile.rib if profile else ""
    ctx["rib"] = (rib_grouped(rib) if ctx["can_manage"] else rib_masked(rib)) if rib else ""
    return render(request, "partners/association.html", {"a": assoc, **ctx})


@login_required
def association_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.MANAGE_CONVENTIONS)
    assoc = _association(scope, pk)
    profile = services.profile_of(assoc)
    if request.method == "POST":
        form = AssociationForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            data = {k: d[k] for k in services.ASSOCIATION_FIELDS + services.PROFILE_FIELDS}
            data = {k: ("" if v is None and k not in ("province", "receipt_date") else v) for k, v in data.items()}
            try:
                services.association_update(actor=request.user, scope=scope, association_id=assoc.pk,
                                            expected_version=d["version"], data=data, domains=d["domains"],
                                            province_ids=[p.pk for p in d["provinces"]])
            except StaleEdit:
                form.add_error(None, _stale())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The association's identity is saved."))
                return redirect("partners:association", pk=assoc.pk)
    else:
        initial = {f: getattr(assoc, f) for f in services.ASSOCIATION_FIELDS}
        initial |= {f: getattr(profile, f) for f in services.PROFILE_FIELDS}
        initial |= {"version": profile.version, "domains": profile.domains,
                    "provinces": list(profile.provinces.all()) if profile.pk else []}
        form = AssociationForm(initial=initial)
    return render(request, "partners/association_edit.html", {"a": assoc, "form": form})


# ---- conventions ---------------------------------------------------------------------------


@login_required
def conventions(request: HttpRequest) -> HttpResponse:
    scope = _viewer(request)
    status = request.GET.get("status") or ""
    status = status if status in Status.values else ""
    q = (request.GET.get("q") or "").strip()
    late = request.GET.get("late") == "1"
    association_id = _int(request.GET.get("association"))
    qs = selectors.convention_list(scope, status=status, q=q, association_id=association_id, late=late)
    if request.GET.get("format") == "xlsx":
        journal_write(actor=request.user, action="partners.export", object_type="partners.convention",
                      object_repr="conventions", changes={"status": status, "q": q}, kind="export")
        return xlsx_response("conventions.xlsx", export.conventions_sheet(qs))
    ctx = paginate(request, qs)
    counts = selectors.status_counts(scope)
    return render(request, "partners/conventions.html", {
        **ctx, "status": status, "q": q, "late": late, "statuses": [(s, label, counts.get(s, 0))
                                                                    for s, label in Status.choices],
        "can_manage": scope.can(Capability.MANAGE_CONVENTIONS)})


def _convention_form(scope: Scope, data: Any = None, **kwargs: Any) -> ConventionForm:
    return ConventionForm(data, units=selectors.managing_units(scope),
                          associations=associations_visible_to(scope).order_by("name"), **kwargs)


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


@login_required
def convention_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.MANAGE_CONVENTIONS)
    if request.method == "POST":
        form = _convention_form(scope, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                conv = services.convention_create(
                    actor=request.user, scope=scope, unit_id=d["unit"] or 0, association_id=d["association"] or 0,
                    data={k: d[k] for k in ("reference", "subject", "starts_on", "ends_on", "amount")},
                    obligations=_lines(d["obligations"]))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Convention drafted. Plan its tranches, then sign it."))
                return redirect("partners:convention", pk=conv.pk)
    else:
        form = _convention_form(scope, initial={"association": _int(request.GET.get("association"))})
    return render(request, "partners/convention_form.html", {"form": form, "conv": None})


def _convention(scope: Scope, pk: int) -> Convention:
    return get_or_404(Convention.objects.visible_to(scope).select_related("association", "unit"), pk=pk)


@login_required
def convention(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _viewer(request)
    conv = _convention(scope, pk)
    can_manage = Convention.objects.managed_by(scope).filter(pk=conv.pk).exists()
    criteria = list(Criterion.objects.filter(active=True))
    return render(request, "partners/convention.html", {
        "c": conv, **selectors.convention_page(conv), "can_manage": can_manage,
        "can_receive": conv.status != Status.CLOSED, "criteria": criteria, "marks": range(MAX_MARK + 1),
        "tranche_form": TrancheForm(), "report_form": ReportForm(), "sign_form": SignForm(),
        "timeline": _timeline(conv)})


def _timeline(conv: Convention) -> Any:
    from mowakaba.audit.models import JournalEntry

    return (JournalEntry.objects.filter(object_type="partners.convention", object_id=str(conv.pk))
            .select_related("actor").order_by("-at")[:50])


@login_required
def convention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.MANAGE_CONVENTIONS)
    conv = get_or_404(Convention.objects.managed_by(scope).select_related("association", "unit"), pk=pk)
    if request.method == "POST":
        form = _convention_form(scope, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.convention_update(
                    actor=request.user, scope=scope, convention_id=conv.pk, expected_version=d["version"] or 0,
                    data={k: d[k] for k in ("subject", "starts_on", "ends_on", "amount")}
                    | ({"reference": d["reference"]} if d["reference"] else {}),
                    obligations=_lines(d["obligations"]))
            except StaleEdit:
                form.add_error(None, _stale())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The convention is saved."))
                return redirect("partners:convention", pk=conv.pk)
    else:
        form = _convention_form(scope, initial={
            "version": conv.version, "unit": conv.unit_id, "association": conv.association_id,
            "reference": conv.reference, "subject": conv.subject, "starts_on": conv.starts_on,
            "ends_on": conv.ends_on, "amount": conv.amount, "obligations": "\n".join(conv.obligations or [])})
    form.fields["unit"].disabled = form.fields["association"].disabled = True
    return render(request, "partners/convention_form.html", {"form": form, "conv": conv})


def _action(form_class: type[Form], call: Callable[[HttpRequest, Scope, int, dict[str, Any]], Any], done: str,
            target: Callable[[int], int] = lambda pk: pk) -> Callable[[HttpRequest, int], HttpResponse]:
    """A small POST action on a convention (or one of its rows), redirecting back to its page."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        scope = scope_of(request)
        scope.require(Capability.VIEW_PARTNERS)
        conv_id = target(pk)
        _deny_foreign(scope, conv_id)
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, str(e))
            return redirect("partners:convention", pk=conv_id)
        try:
            call(request, scope, pk, form.cleaned_data)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, done)
        return redirect("partners:convention", pk=conv_id)

    return view


def _tranche_convention(pk: int) -> int:
    row = Tranche.objects.filter(pk=pk).values_list("convention_id", flat=True).first()
    if row is None:
        raise Http404
    return row


def _report_convention(pk: int) -> int:
    row = Report.objects.filter(pk=pk).values_list("convention_id", flat=True).first()
    if row is None:
        raise Http404
    return row


class _Empty(Form):
    pass


class _VisitForm(Form):
    pass


def _visit(request: HttpRequest, scope: Scope, pk: int, d: dict[str, Any]) -> Any:
    from datetime import date

    marks: dict[int, int] = {}
    for c in Criterion.objects.filter(active=True):
        value = _int(request.POST.get(f"mark_{c.pk}"))
        if value is not None:
            marks[c.pk] = value
    try:
        visited_on = date.fromisoformat(request.POST.get("visited_on") or "")
    except ValueError:
        raise ValidationError(_("Enter the date of the visit.")) from None
    return services.visit_record(actor=request.user, scope=scope, convention_id=pk, visited_on=visited_on,
                                 marks=marks, recommendations=request.POST.get("recommendations") or "")


def _deny_foreign(scope: Scope, pk: int) -> None:
    """An action URL on a convention out of reach is a 404, whatever the form says."""
    if not Convention.objects.visible_to(scope).filter(pk=pk).exists():
        raise Http404


sign = _action(SignForm, lambda r, s, pk, d: services.convention_sign(
    actor=r.user, scope=s, convention_id=pk, signed_on=d["signed_on"]), _("The convention is signed."))
suspend = _action(ReasonForm, lambda r, s, pk, d: services.convention_suspend(
    actor=r.user, scope=s, convention_id=pk, reason=d["reason"]), _("The convention is suspended."))
resume = _action(_Empty, lambda r, s, pk, d: services.convention_resume(
    actor=r.user, scope=s, convention_id=pk), _("The convention runs again."))
close = _action(ReasonForm, lambda r, s, pk, d: services.convention_close(
    actor=r.user, scope=s, convention_id=pk, note=d["reason"]), _("The convention is closed."))
tranche_add = _action(TrancheForm, lambda r, s, pk, d: services.tranche_add(
    actor=r.user, scope=s, convention_id=pk, planned_on=d["planned_on"], planned_amount=d["planned_amount"],
    condition=d["condition"]), _("Tranche planned."))
report_add = _action(ReportForm, lambda r, s, pk, d: services.report_add(
    actor=r.user, scope=s, convention_id=pk, kind=d["kind"], due_on=d["due_on"], period=d["period"]),
    _("Report due added."))
visit_add = _action(_VisitForm, _visit, _("Evaluation visit recorded."))
tranche_pay = _action(PayForm, lambda r, s, pk, d: services.tranche_pay(
    actor=r.user, scope=s, tranche_id=pk, paid_on=d["paid_on"], paid_amount=d["paid_amount"]),
    _("Payment recorded."), target=_tranche_convention)
report_receive = _action(ReceiveForm, lambda r, s, pk, d: services.report_receive(
    actor=r.user, scope=s, report_id=pk, received_on=d["received_on"], note=d["note"]),
    _("Report received."), target=_report_convention)
