"""Programmes over the API: the service directory, an offering's group, enrolment, admission,
exit and a session's attendance.

Thin endpoints over the same services and selectors as the pages: an offering or enrolment out
of reach is a 404, refusals are a 400 in the caller's language, lists run a fixed number of
queries whatever their length.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from mowakaba.accounts.scope import Capability, get_or_404, scope_of
from mowakaba.programs import selectors, services
from mowakaba.programs.models import Enrolment, Offering

router = Router(tags=["programs"])


class OfferingRef(Schema):
    id: int
    programme: str
    season: str
    capacity: int
    admitted: int
    waiting: int
    schedule: str


class DirectoryRowOut(Schema):
    id: int
    code: str
    name: str
    type: str
    commune: str
    places: int
    occupied: int
    waiting: int
    phone: str
    offerings: list[OfferingRef]


class EnrolmentOut(Schema):
    id: int
    offering_id: int
    person_id: int
    record_no: str
    state: str
    queue_no: int
    requested_at: datetime
    admitted_at: datetime | None
    exited_on: date | None
    exit_reason: str
    outcome: str
    attendance_rate: int | None


class EnrolIn(Schema):
    offering_id: int
    person_id: int
    case_id: int | None = None
    note: str = ""
    capacity_override: str = ""
    wait: bool = False


class AdmitIn(Schema):
    reason: str = ""
    capacity_override: str = ""


class ExitIn(Schema):
    reason: str = ""
    outcome: str = ""
    note: str = ""
    exited_on: date | None = None


class AttendanceIn(Schema):
    held_on: date | None = None
    topic: str = ""
    marks: dict[int, str] = {}


class SessionOut(Schema):
    id: int
    held_on: date
    topic: str
    present: int
    marked: int


def _ref(o: Offering) -> OfferingRef:
    return OfferingRef(id=o.pk, programme=o.programme.code, season=o.season, capacity=o.capacity,
                       admitted=o.admitted_count, waiting=o.waiting_count, schedule=o.schedule)


def _enrolment(e: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(id=e.pk, offering_id=e.offering_id, person_id=e.person_id, record_no=e.person.record_no,
                        state=e.state, queue_no=e.queue_no, requested_at=e.requested_at, admitted_at=e.admitted_at,
                        exited_on=e.exited_on, exit_reason=e.exit_reason, outcome=e.outcome,
                        attendance_rate=e.attendance_rate)


@router.get("/directory", response=list[DirectoryRowOut], summary="The service directory, by place and need")
def directory(request: HttpRequest, region_id: int | None = None, province_id: int | None = None,
              commune_id: int | None = None, need: str = "", type: str = "", q: str = "",
              limit: int = 25, offset: int = 0) -> Any:
    if not scope_of(request).has_any_grant:
        raise Http404
    limit = max(1, min(limit, 100))
    units: list[Any] = list(selectors.directory(region_id=region_id, province_id=province_id, commune_id=commune_id,
                                                need=need, type_code=type, q=q)[offset:offset + limit])
    extras = selectors.directory_extras(units)
    return [DirectoryRowOut(
        id=u.pk, code=u.code, name=u.name, type=u.establishment_type.code if u.establishment_type else "",
        commune=u.commune.name if u.commune else "", places=u.places or u.capacity or 0,
        occupied=u.admitted + u.placed, waiting=u.waiting, phone=u.phone,
        offerings=[_ref(o) for o in extras.offerings.get(u.pk, [])]) for u in units]


@router.get("/offerings/{offering_id}/enrolments", response=list[EnrolmentOut],
            summary="The people of an offering (your establishments only)")
@paginate(LimitOffsetPagination, max_limit=200)
def offering_enrolments(request: HttpRequest, offering_id: int, state: str = "") -> Any:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PERSONS)
    off = get_or_404(Offering.objects.visible_to(scope), pk=offering_id)
    qs = Enrolment.objects.filter(offering=off).select_related("person").order_by("state", "queue_no", "pk")
    if state:
        qs = qs.filter(state=state)
    return [_enrolment(e) for e in qs]


@router.post("/enrolments", response={201: EnrolmentOut}, summary="Enrol a person (waiting list when full)")
def enrol(request: HttpRequest, payload: EnrolIn) -> Status[EnrolmentOut]:
    e = services.enrolment_request(actor=request.user, scope=scope_of(request), offering_id=payload.offering_id,
                                   person_id=payload.person_id, case_id=payload.case_id, note=payload.note,
                                   capacity_override=payload.capacity_override, wait=payload.wait)
    return Status(201, _enrolment(e))


@router.post("/enrolments/{enrolment_id}/admit", response=EnrolmentOut, summary="Admit from the waiting list")
def admit(request: HttpRequest, enrolment_id: int, payload: AdmitIn) -> Any:
    return _enrolment(services.enrolment_admit(actor=request.user, scope=scope_of(request), enrolment_id=enrolment_id,
                                               reason=payload.reason, capacity_override=payload.capacity_override))


@router.post("/enrolments/{enrolment_id}/exit", response=EnrolmentOut, summary="Exit with reason and outcome")
def exit_(request: HttpRequest, enrolment_id: int, payload: ExitIn) -> Any:
    return _enrolment(services.enrolment_exit(actor=request.user, scope=scope_of(request), enrolment_id=enrolment_id,
                                              reason=payload.reason, outcome=payload.outcome, note=payload.note,
                                              exited_on=payload.exited_on))


@router.post("/offerings/{offering_id}/sessions", response={201: SessionOut},
             summary="Record a group session and its attendance in one call")
def attendance(request: HttpRequest, offering_id: int, payload: AttendanceIn) -> Status[SessionOut]:
    s = services.session_record_attendance(actor=request.user, scope=scope_of(request), offering_id=offering_id,
                                           marks=payload.marks, held_on=payload.held_on, topic=payload.topic)
    return Status(201, SessionOut(id=s.pk, held_on=s.held_on, topic=s.topic, present=s.present_count,
                                  marked=s.marked_count))
