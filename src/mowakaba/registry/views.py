"""Registry pages: search, register (search before create), a person's file, duplicates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.scope import Capability, get_or_404, scope_of
from mowakaba.audit.selectors import journal_for
from mowakaba.audit.services import journal_write
from mowakaba.core.errors import StaleEdit
from mowakaba.core.forms import apply_errors
from mowakaba.core.models import Job
from mowakaba.core.pagination import paginate
from mowakaba.registry import search as search_mod
from mowakaba.registry import services
from mowakaba.registry.forms import AttachmentForm, ConsentForm, DocumentForm, PersonForm, PhoneForm, RelativeForm
from mowakaba.registry.labels import reason_labels
from mowakaba.registry.models import DuplicatePair, HouseholdMember, MergeRecord, Person
from mowakaba.registry.tasks import duplicates_scan_job
from mowakaba.territory.models import OrgUnit

LIKELY = 0.80  # matches at or above this are shown before a new record is created


def _hits(hits: list[search_mod.Hit]) -> list[dict[str, Any]]:
    return [{"person": h.person, "score": h.score, "percent": round(h.score * 100),
             "reasons": reason_labels(h.reasons)} for h in hits]


@login_required
def search(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PERSONS)
    q = request.GET.get("q", "").strip()
    ctx: dict[str, Any] = {"q": q, "can_register": scope.can(Capability.EDIT_PERSONS)}
    if q:
        ctx["hits"] = _hits(search_mod.search(scope, q, limit=25))
    else:
        ctx.update(paginate(request, search_mod.recent_for(scope)))
    template = "registry/_hits.html" if getattr(request, "htmx", False) and q else "registry/search.html"
    return render(request, template, ctx)


def _establishments(scope: Any) -> Any:
    return OrgUnit.objects.filter(scope.rows_q("pk", Capability.EDIT_PERSONS),
                                  kind=OrgUnit.Kind.ESTABLISHMENT, active=True).order_by("name_ar")


def _likely(scope: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    query = " ".join(str(data.get(f) or "") for f in ("given_name_ar", "family_name_ar")).strip()
    latin = " ".join(str(data.get(f) or "") for f in ("given_name_lat", "family_name_lat")).strip()
    year = data.get("birth_year") or (data["birth_date"].year if data.get("birth_date") else None)
    try:
        year = int(year) if year else None
    except (TypeError, ValueError):
        year = None
    found: dict[int, search_mod.Hit] = {}
    for q in (query, latin):
        if len(q) >= 3:
            for h in search_mod.search(scope, q, limit=8, birth_year=year, sex=str(data.get("sex") or "")):
                if h.person.pk not in found or found[h.person.pk].score < h.score:
                    found[h.person.pk] = h
    cin = str(data.get("cin") or "").strip()
    if cin:
        for h in search_mod.search(scope, cin, limit=3):
            found[h.person.pk] = h
    return _hits(sorted(found.values(), key=lambda h: -h.score)[:8])


@login_required
def matches(request: HttpRequest) -> HttpResponse:
    """The search-before-create panel, refreshed as the agent types the names."""
    scope = scope_of(request)
    scope.require(Capability.EDIT_PERSONS)
    return render(request, "registry/_matches.html", {"matches": _likely(scope, request.GET.dict())})


@login_required
def register(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.EDIT_PERSONS)
    establishments = list(_establishments(scope)[:200])
    if not establishments:
        raise Http404
    form = PersonForm(request.POST or None, creating=True, initial={"pseudonym": request.GET.get("pseudonym", "")})
    chosen = request.POST.get("establishment") or str(establishments[0].pk)
    likely: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        likely = [m for m in _likely(scope, {**form.cleaned_data, "cin": form.cleaned_data.get("cin")})
                  if m["score"] >= LIKELY]
        if likely and not form.cleaned_data.get("despite_matches"):
            form.add_error(None, _("Records that look like this person already exist. Open one of them, or tick "
                                   "the box below to create a new record anyway."))
        else:
            try:
                person = services.person_register(
                    actor=request.user, scope=scope, establishment_id=int(chosen), data=form.person_data(),
                    phones=[form.cleaned_data["phone"]] if form.cleaned_data.get("phone") else [],
                    documents=[("cin", form.cleaned_data["cin"])] if form.cleaned_data.get("cin") else [],
                    despite_matches=bool(likely),
                )
                if form.cleaned_data.get("consent_method"):
                    services.consent_record(actor=request.user, scope=scope, person_id=person.pk,
                                            purpose="listening", method=form.cleaned_data["consent_method"])
            except ValidationError as exc:
                apply_errors(form, exc, rename={"commune": "commune_code"})
            except ValueError:
                raise Http404 from None
            else:
                messages.success(request, _("Record %(no)s created.") % {"no": person.record_no})
                return redirect("registry:person", pk=person.pk)
    sections = [
        (_("Names"), _("Write the names as the person gives them, in Arabic, in Latin letters, or both. "
                       "A pseudonym is enough for a first contact."),
         ["given_name_ar", "given_name_lat", "family_name_ar", "family_name_lat", "father_name_ar",
          "father_name_lat", "pseudonym"]),
        (_("Identity"), "", ["sex", "birth_date", "birth_year", "birth_year_only", "cin", "phone", "commune_code",
                             "locality", "address"]),
        (_("Situation"), "", ["mother_name", "marital_status", "education", "occupation", "disability",
                              "disability_card", "consent_method"]),
    ]
    return render(request, "registry/register.html", {
        "form": form, "establishments": establishments, "chosen": chosen, "likely": likely,
        "sections": [(title, help_text, [form[f] for f in names]) for title, help_text, names in sections],
    })


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    p = services.person_read(actor=request.user, scope=scope, person_id=pk)
    can_edit = Person.objects.editable_by(scope).filter(pk=pk).exists()
    membership = HouseholdMember.objects.select_related("household").filter(person=p).first()
    family = []
    if membership:
        family = list(HouseholdMember.objects.filter(household=membership.household).exclude(person=p)
                      .select_related("person"))
    ctx: dict[str, Any] = {
        "p": p, "can_edit": can_edit,
        "documents": p.documents.all().order_by("kind"),
        "phones": p.phones.all(),
        "consents": p.consents.select_related("recorded_by").order_by("-given_on"),
        "membership": membership, "family": family,
        "merged_records": p.merged_records.all(),
        "document_form": DocumentForm(), "phone_form": PhoneForm(), "consent_form": ConsentForm(),
        "relative_form": RelativeForm(), "attachment_form": AttachmentForm(),
        "attachments": p.attachments.order_by("-created_at"),
        # The journal is append-only, so a merge does not rewrite it: the kept record's history
        # shows the entries of the records merged into it as well.
        "timeline": journal_for(scope, object_type="registry.person", object_ids=[
            str(p.pk), *(str(m.pk) for m in p.merged_records.all())])[:30]
        if scope.can(Capability.VIEW_JOURNAL) else [],
        "can_audit": scope.can(Capability.VIEW_ACCESS_LOG),
    }
    return render(request, "registry/person.html", ctx)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.EDIT_PERSONS)
    p = get_or_404(Person.objects.editable_by(scope).select_related("commune"), pk=pk)
    form = PersonForm(request.POST or None, instance=p)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, scope=scope, person_id=pk,
                                   expected_version=form.cleaned_data.get("version") or 0, data=form.person_data())
        except StaleEdit:
            form.add_error(None, _("Someone else saved this record after you opened the form. Reload the page to "
                                   "see their changes, then apply yours again."))
        except ValidationError as exc:
            apply_errors(form, exc, rename={"commune": "commune_code"})
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:person", pk=pk)
    return render(request, "registry/person_form.html", {"form": form, "p": p})


def _person_action(request: HttpRequest, pk: int, form_class: Any, action: Any) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.EDIT_PERSONS)
    get_or_404(Person.objects.editable_by(scope), pk=pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            action(scope, form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("registry:person", pk=pk)


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(request, pk, DocumentForm, lambda scope, d: services.document_add(
        actor=request.user, scope=scope, person_id=pk, **d))


@login_required
@require_POST
def phone_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(request, pk, PhoneForm, lambda scope, d: services.phone_add(
        actor=request.user, scope=scope, person_id=pk, **d))


@login_required
@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(request, pk, ConsentForm, lambda scope, d: services.consent_record(
        actor=request.user, scope=scope, person_id=pk, **d))


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(request, pk, AttachmentForm, lambda scope, d: services.attachment_add(
        actor=request.user, scope=scope, person_id=pk, kind=d["kind"], upload=d["file"], label=d["label"]))


@login_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    from django.http import FileResponse

    item = services.attachment_read(actor=request.user, scope=scope_of(request), person_id=pk,
                                    attachment_id=attachment_id)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline" if item.content_type.startswith("image/") else "attachment"
    return response


@login_required
@require_POST
def relative_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(request, pk, RelativeForm, lambda scope, d: services.household_link(
        actor=request.user, scope=scope, person_id=pk, relative_record_no=d["record_no"], relation=d["relation"]))


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    scope = scope_of(request)
    get_or_404(Person.objects.editable_by(scope), pk=pk)
    consent = services.consent_withdraw(actor=request.user, scope=scope, consent_id=consent_id)
    if consent.person_id != pk:
        raise Http404
    messages.success(request, _("Consent withdrawn."))
    return redirect("registry:person", pk=pk)


# ---- duplicates ---------------------------------------------------------------------------------

def _pairs_for(scope: Any) -> Any:
    visible = Person.objects.visible_to(scope).values("pk")
    return (DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN, left__in=visible, right__in=visible)
            .select_related("left__establishment", "right__establishment").order_by("-score", "pk"))


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.SUPERVISE)
    if request.method == "POST":
        job = Job.objects.create(kind="duplicates.scan", requested_by_id=request.user.pk,
                                 params={"filename": _("Duplicate scan")})
        duplicates_scan_job.enqueue(job.pk)
        return redirect("portal:job", pk=job.pk)
    ctx = paginate(request, _pairs_for(scope))
    visible = Person.objects.visible_to(scope).values("pk")
    ctx["merges"] = (MergeRecord.objects.filter(kept__in=visible, undone_at__isnull=True)
                     .select_related("kept", "merged", "by")[:20])
    for pair in ctx["object_list"]:
        pair.reason_labels = reason_labels(pair.reasons)
    ctx["last_scan"] = Job.objects.filter(kind="duplicates.scan").first()
    return render(request, "registry/duplicates.html", ctx)


@login_required
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.SUPERVISE)
    obj = get_or_404(_pairs_for(scope).select_related("left__commune", "right__commune"), pk=pk)
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            if decision == "not_same":
                services.duplicate_not_same(actor=request.user, scope=scope, pair_id=obj.pk)
                messages.success(request, _("Marked as two different persons; this pair will not be proposed again."))
            elif decision in {"keep_left", "keep_right"}:
                keep, gone = (obj.left_id, obj.right_id) if decision == "keep_left" else (obj.right_id, obj.left_id)
                services.person_merge(actor=request.user, scope=scope, keep_id=keep, merge_id=gone, pair_id=obj.pk)
                messages.success(request, _("Records merged. You can undo the merge from the duplicates page."))
                return redirect("registry:person", pk=keep)
            else:
                raise ValidationError(_("Choose a decision."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("registry:duplicates")
    docs = {p.pk: list(p.documents.all()) for p in (obj.left, obj.right)}
    phones = {p.pk: list(p.phones.all()) for p in (obj.left, obj.right)}
    for p in (obj.left, obj.right):
        journal_write(actor=request.user, action="person.read", obj=p, object_repr=p.record_no,
                               org_unit_id=p.establishment_id, kind="read")
    return render(request, "registry/pair.html", {
        "pair": obj, "reasons": reason_labels(obj.reasons),
        "sides": [(obj.left, docs[obj.left.pk], phones[obj.left.pk]),
                  (obj.right, docs[obj.right.pk], phones[obj.right.pk])],
    })


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    try:
        record = services.person_merge_undo(actor=request.user, scope=scope, merge_id=pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("registry:duplicates")
    messages.success(request, _("The merge was undone: both records are back as they were."))
    return redirect("registry:person", pk=record.merged_id)
