"""Orientation pages: refer a case, the inbox of the receiving side, one referral and its answers.

Thin views: parse, authorise (``visible_to`` / ``editable_by`` and ``get_or_404``), call one
service, render. A refusal of a service is shown in the reader's language and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.scope import Capability, Scope, get_or_404, scope_of
from mowakaba.audit.services import journal_write
from mowakaba.cases.models import Case, Need
from mowakaba.core.forms import apply_errors
from mowakaba.core.pagination import paginate
from mowakaba.core.xlsx import MAX_EXPORT_ROWS, export_query, wants_xlsx, workbook_bytes, xlsx_response
from mowakaba.referrals import selectors, services
from mowakaba.referrals.forms import CompleteForm, NoteForm, ReasonForm, ReferralForm
from mowakaba.referrals.models import Referral, Target
from mowakaba.registry.models import Person
from mowakaba.territory.models import EstablishmentType, OrgUnit


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def case_url(case_id: int) -> str | None:
    """The case page, when the cases app serves one (its path is the one the services notify)."""
    path = f"/cases/{case_id}/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


# ---- refer --------------------------------------------------------------------------------------


def _directory(data: Any, exclude_id: int | None) -> dict[str, Any]:
    q = (data.get("establishment_q") or "").strip()
    type_id = _int(data.get("establishment_type"))
    target = data.get("target") or Target.INTERNAL
    searched = bool(q or type_id)
    results = selectors.establishment_directory(
        q=q, type_id=type_id, partner=target == Target.PARTNER, exclude_id=exclude_id) if searched else []
    return {"results": results, "searched": searched, "establishment_q": q, "type_id": type_id,
            "chosen_id": _int(data.get("to_establishment"))}


@login_required
def establishments(request: HttpRequest) -> HttpResponse:
    """The search-as-you-type picker: establishments of the whole country, by name, commune, type."""
    scope_of(request).require(Capability.EDIT_PERSONS)
    ctx = _directory(request.GET, _int(request.GET.get("from")))
    return render(request, "referrals/_establishments.html", ctx)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.EDIT_PERSONS)
    case = get_or_404(Case.objects.editable_by(scope).select_related("person", "establishment"),
                      pk=_int(request.GET.get("case")))
    data = request.POST if request.method == "POST" else request.GET
    picker = _directory(data, case.establishment_id)
    finding = request.method == "POST" and "find" in request.POST  # the picker without JavaScript
    if request.method == "POST" and not finding:
        form = ReferralForm(request.POST)
    else:
        form = ReferralForm(initial={"target": Target.INTERNAL, **data.dict()})
    if form.is_bound and form.is_valid():
        try:
            referral = services.referral_send(actor=request.user, scope=scope, case_id=case.pk,
                                              **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Referral %(no)s sent.") % {"no": referral.number})
            return redirect("referrals:referral", pk=referral.pk)
    chosen = None
    if picker["chosen_id"]:
        chosen = (OrgUnit.objects.filter(pk=picker["chosen_id"], kind=OrgUnit.Kind.ESTABLISHMENT, active=True)
                  .select_related("establishment_type", "commune", "partner").first())
    target = (form.data if form.is_bound else form.initial).get("target") or Target.INTERNAL
    return render(request, "referrals/new.html", {
        "form": form, "case": case, "case_url": case_url(case.pk), "target": target,
        "chosen": chosen, "types": EstablishmentType.objects.filter(parent__isnull=True),
        "has_sharing_consent": services.sharing_consent(case.person_id) is not None,
        "person_visible": Person.objects.visible_to(scope).filter(pk=case.person_id).exists(),
        **picker,
    })


# ---- inbox --------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PERSONS)
    tab = request.GET.get("tab", "sent")
    if tab not in selectors.INBOX_TABS:
        tab = "sent"
    if wants_xlsx(request):
        return _inbox_export(request, tab, selectors.inbox(scope, tab))
    ctx = paginate(request, selectors.inbox(scope, tab))
    ctx["object_list"] = selectors.decorate(scope, list(ctx["object_list"]))
    ctx.update({"tab": tab, "counts": selectors.inbox_counts(scope), "outgoing": tab == "outgoing",
                "export_query": export_query(request)})
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    template = "referrals/_inbox_panel.html" if partial else "referrals/inbox.html"
    return render(request, template, ctx)


def _inbox_export(request: HttpRequest, tab: str, qs: QuerySet[Referral]) -> HttpResponse:
    """One tab of the inbox, from the page's own scoped queryset (its joins: no query per row).
    Data minimisation: the person appears by record number only, never by name, and the free
    text of the referral (what is asked, answers, notes) is not written: the file leaves the system."""
    referrals = list(qs[:MAX_EXPORT_ROWS])
    headers = [_("Reference"), _("Sent"), _("From"), _("To"), _("Record number"), _("Need"), _("Answer by"),
               _("State")]
    rows = [[r.number, r.sent_at, r.from_establishment.name, r.destination, r.person.record_no,
             selectors.NEED_LABELS.get(r.need, r.need) if r.need else "", r.answer_due, r.get_status_display()]
            for r in referrals]
    journal_write(actor=request.user, action="referrals.export", object_type="referrals.referral",
                  object_repr=tab, kind="export", changes={"tab": tab, "rows": len(rows)})
    data = workbook_bytes(_("Referrals"), headers, rows, language=get_language())
    return xlsx_response(f"referrals-{tab}.xlsx", data)


# ---- one referral ---------------------------------------------------------------------------------


@login_required
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PERSONS)
    r = get_or_404(selectors.referral_for(scope, pk), pk=pk)
    selectors.decorate(scope, [r])
    can = selectors.allowed(scope, r)
    return render(request, "referrals/referral.html", {
        "r": r, "can": can, "timeline": selectors.timeline(r), "case_url": case_url(r.case_id),
        "need_labels": dict(Need.choices), "today": timezone.localdate(),
        "accept_form": NoteForm(), "decline_form": ReasonForm(), "complete_form": CompleteForm(),
        "revoke_form": ReasonForm(),
        "records_answer": can.answer and r.to_establishment_id is None,
    })


def _act(request: HttpRequest, pk: int, form_class: type[Form],
         call: Callable[[Scope, dict[str, Any]], Referral], done: str) -> HttpResponse:
    """One action on one referral: the referral must be visible (else 404), the service decides
    whether this actor may do it (404 too) and whether it can be done now (a message)."""
    scope = scope_of(request)
    get_or_404(Referral.objects.visible_to(scope), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("referrals:referral", pk=pk)
    try:
        call(scope, form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("referrals:referral", pk=pk)


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, NoteForm, lambda scope, d: services.referral_accept(
        actor=request.user, scope=scope, referral_id=pk, note=d["note"]), _("Referral accepted."))


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, ReasonForm, lambda scope, d: services.referral_decline(
        actor=request.user, scope=scope, referral_id=pk, reason=d["reason"]), _("Referral declined."))


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, CompleteForm, lambda scope, d: services.referral_complete(
        actor=request.user, scope=scope, referral_id=pk, outcome=d["outcome"], note=d["note"]),
        _("Referral completed."))


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, ReasonForm, lambda scope, d: services.referral_revoke(
        actor=request.user, scope=scope, referral_id=pk, reason=d["reason"]), _("Referral revoked."))
