"""Programme pages: the service directory, the catalogue with outcomes, an offering's group
(admitted, waiting list, sessions), enrolment from a case or a person, the attendance sheet,
Excel exports and imports.

Thin, like every interface here: parse, authorise through the scope (an offering or enrolment
out of reach is a 404), call one service or selector, render. Actions are small POST URLs that
redirect back (post/redirect/get); htmx only refreshes the directory while filtering.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.scope import Capability, Scope, get_or_404, scope_of
from mowakaba.audit.services import journal_write
from mowakaba.cases.models import Case, Need
from mowakaba.core.pagination import paginate
from mowakaba.core.xlsx import workbook_bytes, xlsx_response
from mowakaba.programs import importer, selectors, services
from mowakaba.programs.models import Attendance, Enrolment, ExitReason, GroupSession, Offering, Outcome, Programme
from mowakaba.registry.models import Person
from mowakaba.territory.models import Commune, EstablishmentType, OrgUnit, Province, Region

E = Capability.EDIT_PERSONS
V = Capability.VIEW_PERSONS


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _name_order() -> str:
    return "name_ar" if (get_language() or "ar")[:2] == "ar" else "name_fr"


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _offering_url(pk: int, section: str = "") -> str:
    return reverse("programs:offering", args=[pk]) + (f"#{section}" if section else "")


def _require_staff(scope: Scope) -> None:
    if not scope.has_any_grant:
        raise Http404


# ---- directory -----------------------------------------------------------------------------


def _directory_filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    need = g.get("need", "") if g.get("need", "") in Need.values else ""
    return {"region_id": _int(g.get("region")), "province_id": _int(g.get("province")),
            "commune_id": _int(g.get("commune")), "need": need, "type_code": g.get("type", "")[:40],
            "programme_id": _int(g.get("programme")), "q": g.get("q", "").strip()[:80],
            "with_offerings_only": g.get("offers") == "1"}


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    _require_staff(scope)
    filters = _directory_filters(request)
    ctx = paginate(request, selectors.directory(**filters))
    units: list[Any] = list(ctx["object_list"])
    extras = selectors.directory_extras(units)
    ctx["rows"] = [{"u": u, "offerings": extras.offerings.get(u.pk, []), "managers": extras.managers.get(u.pk, []),
                    "occupied": u.admitted + u.placed, "capacity": (u.places or u.capacity or 0)} for u in units]
    ctx["can_see"] = set(OrgUnit.objects.filter(scope.rows_q("pk", V), pk__in=[u.pk for u in units])
                         .values_list("pk", flat=True))
    ctx["f"] = {k: request.GET.get(k, "") for k in ("region", "province", "commune", "need", "type", "programme",
                                                    "q", "offers")}
    ctx["query"] = request.GET.urlencode()
    ctx["case"] = _int(request.GET.get("case"))
    ctx["person"] = _int(request.GET.get("person"))
    if getattr(request, "htmx", False):
        return render(request, "programs/_directory_rows.html", ctx)
    region_id, province_id = _int(request.GET.get("region")), _int(request.GET.get("province"))
    ctx.update({
        "needs": Need.choices,
        "regions": Region.objects.order_by("code"),
        "provinces": Province.objects.filter(region_id=region_id).order_by(_name_order()) if region_id else [],
        "communes": Commune.objects.filter(province_id=province_id).order_by(_name_order()) if province_id else [],
        "types": EstablishmentType.objects.filter(parent__isnull=True).order_by("sort_order", "code"),
        "programmes": Programme.objects.filter(active=True),
    })
    return render(request, "programs/directory.html", ctx)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    return xlsx_response(filename, data)


@login_required
def directory_export(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    _require_staff(scope)
    units: list[Any] = list(selectors.directory(**_directory_filters(request))[:20000])
    extras = selectors.directory_extras(units)
    headers = [_("Code"), _("Establishment"), _("Type"), _("Region"), _("Province"), _("Commune"),
               _("Managed by"), _("Manager"), _("Phone"), _("Address"), _("Programmes"), _("Places"),
               _("Occupied"), _("Waiting list"), _("Opening hours")]
    rows = []
    for u in units:
        offs = extras.offerings.get(u.pk, [])
        c = u.commune
        rows.append([
            u.code, u.name, u.establishment_type.name if u.establishment_type else "",
            c.province.region.name if c else "", c.province.name if c else "", c.name if c else "",
            str(u.partner) if u.partner else u.get_managed_by_display(), ", ".join(extras.managers.get(u.pk, [])),
            u.phone, u.address, ", ".join(o.programme.name for o in offs), u.places or u.capacity or 0,
            u.admitted + u.placed, u.waiting, " / ".join(o.schedule for o in offs if o.schedule),
        ])
    journal_write(actor=request.user, action="directory.export", object_type="programs.directory",
                  object_repr=request.GET.urlencode()[:250], kind="export", changes={"rows": len(rows)})
    return _xlsx(workbook_bytes(_("Service directory"), headers, rows, language=get_language()), "directory.xlsx")


# ---- catalogue and outcomes ------------------------------------------------------------------


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    _require_staff(scope)
    return render(request, "programs/catalogue.html", {"results": selectors.outcomes(scope),
                                                       "national": scope.is_national})


# ---- an offering ------------------------------------------------------------------------------


def _visible_offering(scope: Scope, pk: int) -> Offering:
    scope.require(V)
    return get_or_404(Offering.objects.visible_to(scope).select_related("programme", "establishment"), pk=pk)


@login_required
def offering(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    off = _visible_offering(scope, pk)
    can_edit = Offering.objects.editable_by(scope).filter(pk=off.pk).exists()
    return render(request, "programs/offering.html", {
        "o": off, "roster": selectors.roster(off), "sessions": selectors.sessions_of(off), "can_edit": can_edit,
        "can_approve": can_edit and scope.can(Capability.APPROVE),
        "exit_reasons": ExitReason.choices, "outcomes": Outcome.choices,
    })


@login_required
def offering_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.EDIT_STRUCTURE)
    units = list(OrgUnit.objects.filter(scope.rows_q("pk", Capability.EDIT_STRUCTURE),
                                        kind=OrgUnit.Kind.ESTABLISHMENT, active=True).order_by(_name_order())[:300])
    if not units:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    v = {k: data.get(k, "") for k in ("establishment", "programme", "season", "capacity", "starts_on", "ends_on",
                                       "schedule")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            off = services.offering_create(
                actor=request.user, scope=scope, establishment_id=_int(v["establishment"]) or 0,
                programme_id=_int(v["programme"]) or 0, season=v["season"], capacity=_int(v["capacity"]) or 0,
                starts_on=parse_date(v["starts_on"] or ""), ends_on=parse_date(v["ends_on"] or ""),
                schedule=v["schedule"])
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("Offering opened."))
            return redirect("programs:offering", pk=off.pk)
    return render(request, "programs/offering_new.html", {
        "units": units, "programmes": Programme.objects.filter(active=True), "v": v, "errors": errors})


@login_required
@require_POST
def admit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    enrolment = get_or_404(Enrolment.objects.managed_by(scope), pk=pk)
    try:
        services.enrolment_admit(actor=request.user, scope=scope, enrolment_id=enrolment.pk,
                                 reason=request.POST.get("reason", ""),
                                 capacity_override=request.POST.get("capacity_override", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Admitted."))
    return redirect(_offering_url(enrolment.offering_id, "waiting"))


@login_required
@require_POST
def exit_(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    enrolment = get_or_404(Enrolment.objects.managed_by(scope), pk=pk)
    try:
        services.enrolment_exit(actor=request.user, scope=scope, enrolment_id=enrolment.pk,
                                reason=request.POST.get("reason", ""), outcome=request.POST.get("outcome", ""),
                                note=request.POST.get("note", ""),
                                exited_on=parse_date(request.POST.get("exited_on", "") or ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Exit recorded."))
    return redirect(_offering_url(enrolment.offering_id, "admitted"))


# ---- enrolment from a case or a person ----------------------------------------------------------


def _offerings_for(*, need: str, province_id: int | None, programme_id: int | None) -> list[Offering]:
    qs: QuerySet[Offering] = (Offering.objects.filter(active=True, establishment__active=True)
                              .select_related("programme", "establishment__commune"))
    if province_id:
        qs = qs.filter(establishment__commune__province_id=province_id)
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    elif need:
        qs = qs.filter(programme__in=selectors.programmes_for_need(need))
    return list(qs.order_by("programme__sort_order", "establishment__code")[:60])


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Choose an offering for a person (``?person=``) or for the person of a case (``?case=``)."""
    scope = scope_of(request)
    scope.require(E)
    data = request.POST if request.method == "POST" else request.GET
    case: Case | None = None
    if _int(data.get("case")):
        case = get_or_404(Case.objects.editable_by(scope).select_related("person__establishment"),
                          pk=_int(data.get("case")) or 0)
        person = case.person
    else:
        person = get_or_404(Person.objects.editable_by(scope).select_related("establishment"),
                            pk=_int(data.get("person")) or 0)
    if request.method == "POST":
        try:
            enrolment = services.enrolment_request(
                actor=request.user, scope=scope, offering_id=_int(data.get("offering")) or 0, person_id=person.pk,
                case_id=case.pk if case else None, note=data.get("note", ""),
                capacity_override=data.get("capacity_override", ""), wait=data.get("wait") == "1")
        except ValidationError as exc:
            _errors(request, exc)
        else:
            if enrolment.state == Enrolment.State.WAITING:
                messages.warning(request, _("The offering is full: the person is on the waiting list, number "
                                            "%(n)s.") % {"n": services.waiting_rank(enrolment)})
            else:
                messages.success(request, _("Enrolled and admitted."))
            if case is not None:
                return redirect(reverse("cases:case", args=[case.pk]) + "#programmes")
            return redirect(reverse("registry:person", args=[person.pk]) + "#programmes")
    needs = [n for n in case.sessions.values_list("needs__need", flat=True).distinct() if n] if case else []
    need = data.get("need", "") if data.get("need", "") in Need.values else (needs[0] if needs else "")
    commune_id = person.commune_id or person.establishment.commune_id
    province_id = Commune.objects.filter(pk=commune_id or 0).values_list("province_id", flat=True).first()
    programme_id = _int(data.get("programme"))
    choices = _offerings_for(need="" if programme_id else need, province_id=province_id, programme_id=programme_id)
    return render(request, "programs/enrol.html", {
        "person": person, "case": case, "need": need, "needs": Need.choices,
        "choices": [(o, services.eligibility_warnings(o.programme, person)) for o in choices],
        "programmes": Programme.objects.filter(active=True), "programme": data.get("programme", ""),
        "chosen": _int(data.get("offering")),
    })


@login_required
def person_enrolments(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's enrolments that the reader may see, for the person's page and the case (htmx)."""
    scope = scope_of(request)
    scope.require(V)
    person = get_or_404(Person.objects.visible_to(scope), pk=pk)
    rows = list(selectors.enrolments_for(scope, person_id=person.pk)[:50])
    return render(request, "programs/_person_enrolments.html", {
        "rows": rows, "person": person, "can_enrol": Person.objects.editable_by(scope).filter(pk=pk).exists(),
        "case": _int(request.GET.get("case"))})


# ---- attendance ----------------------------------------------------------------------------------


def _sheet(request: HttpRequest, off: Offering, session: GroupSession | None) -> HttpResponse:
    scope = scope_of(request)
    people = list(Enrolment.objects.filter(offering=off, state=Enrolment.State.ADMITTED).select_related("person")
                  .order_by("person__family_name_ar", "person__family_name_lat", "pk"))
    current: dict[int, str] = {}
    if session is not None:
        current = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark"))
        known = {e.pk for e in people}
        people += list(Enrolment.objects.filter(pk__in=[pk for pk in current if pk not in known])
                       .select_related("person"))
    if request.method == "POST":
        marks = {e.pk: request.POST.get(f"m{e.pk}", "") for e in people}
        marks = {pk: m for pk, m in marks.items() if m}
        try:
            saved = services.session_record_attendance(
                actor=request.user, scope=scope, offering_id=off.pk, marks=marks,
                held_on=parse_date(request.POST.get("held_on", "") or ""), topic=request.POST.get("topic", ""),
                session_id=session.pk if session else None)
        except ValidationError as exc:
            _errors(request, exc)
            current = marks
        else:
            messages.success(request, _("Attendance recorded: %(p)s present out of %(n)s.")
                             % {"p": saved.present_count, "n": saved.marked_count})
            return redirect(_offering_url(off.pk, "sessions"))
    return render(request, "programs/attendance.html", {
        "o": off, "session": session, "people": [(e, current.get(e.pk, "")) for e in people],
        "marks": Attendance.Mark.choices, "today": timezone.localdate(),
        "held_on": request.POST.get("held_on", "") if request.method == "POST" else "",
        "topic": request.POST.get("topic", "") if request.method == "POST" else (session.topic if session else ""),
    })


@login_required
def attendance_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    off = get_or_404(Offering.objects.editable_by(scope).select_related("programme", "establishment"), pk=pk)
    return _sheet(request, off, None)


@login_required
def session(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    found = get_or_404(GroupSession.objects.filter(scope.rows_q("establishment", E))
                       .select_related("offering__programme", "offering__establishment"), pk=pk)
    return _sheet(request, found.offering, found)


# ---- exports and imports --------------------------------------------------------------------------


def _enrolment_headers() -> list[str]:
    return [_("Record"), _("Person"), _("Programme"), _("Season"), _("Establishment"), _("State"),
            _("Queue number"), _("Requested at"), _("Admitted at"), _("Exit date"), _("Reason for leaving"),
            _("Outcome"), _("Attendance %")]


def _enrolment_rows(rows: list[Enrolment]) -> list[list[Any]]:
    return [[e.person.record_no, e.person.display_name, e.offering.programme.name, e.offering.season,
             e.establishment.name, e.get_state_display(), e.queue_no if e.state == "waiting" else "",
             e.requested_at, e.admitted_at, e.exited_on, e.get_exit_reason_display(), e.get_outcome_display(),
             e.attendance_rate if e.attendance_rate is not None else ""] for e in rows]


@login_required
def offering_export(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    off = _visible_offering(scope, pk)
    rows = list(Enrolment.objects.filter(offering=off).select_related("person", "offering__programme", "establishment")
                .order_by("state", "queue_no", "pk"))
    journal_write(actor=request.user, action="enrolments.export", obj=off, object_repr=str(off.pk),
                  org_unit_id=off.establishment_id, kind="export", changes={"rows": len(rows)})
    return _xlsx(workbook_bytes(_("Enrolments"), _enrolment_headers(), _enrolment_rows(rows), language=get_language()),
                 f"enrolments-{off.pk}.xlsx")


@login_required
def enrolments_export(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(V)
    state = request.GET.get("state", "") if request.GET.get("state", "") in Enrolment.State.values else ""
    rows = list(selectors.enrolments_for(scope, state=state, programme_id=_int(request.GET.get("programme")))[:50000])
    journal_write(actor=request.user, action="enrolments.export", object_type="programs.enrolment",
                  object_repr=request.GET.urlencode()[:250], kind="export", changes={"rows": len(rows)})
    data = workbook_bytes(_("Enrolments"), _enrolment_headers(), _enrolment_rows(rows), language=get_language())
    return _xlsx(data, "enrolments.xlsx")


@login_required
def offering_import(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    off = get_or_404(Offering.objects.editable_by(scope).select_related("programme", "establishment"), pk=pk)
    kind = request.POST.get("kind") or request.GET.get("kind") or "enrolments"
    kind = kind if kind in {"enrolments", "attendance"} else "enrolments"
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > 5 * 1024 * 1024:
            messages.error(request, _("Choose a CSV or Excel file of at most 5 MB."))
        else:
            run = importer.enrolments_import if kind == "enrolments" else importer.attendance_import
            try:
                report = run(actor=request.user, scope=scope, offering=off, name=upload.name or "",
                             data=upload.read())
            except (UnicodeDecodeError, ValueError, KeyError, OSError):
                messages.error(request, _("The file could not be read: save it as UTF-8 CSV or Excel (.xlsx)."))
            else:
                if report.ok:
                    messages.success(request, _("%(n)s rows imported.") % {"n": report.written})
                    return redirect(_offering_url(off.pk))
    return render(request, "programs/import.html", {"o": off, "kind": kind, "report": report})
