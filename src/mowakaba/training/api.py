"""Staff training over the API: sessions, registration, attendance for a whole group, evaluations,
one's own trainings and the totals.

Thin endpoints over the same services and selectors as the pages: a session the caller does not
organise is a 404, as if missing; refusals are a 400 in the caller's language; writes are
journalled. The totals carry figures only, never a name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from mowakaba.accounts.scope import Capability, get_or_404, scope_of
from mowakaba.training import selectors, services
from mowakaba.training.models import ORGANISE, Participant, TrainingSession

router = Router(tags=["training"])


class SessionOut(Schema):
    id: int
    code: str
    title: str
    theme: str
    status: str
    starts_on: date
    ends_on: date
    trainer: str
    place: str
    organiser_id: int
    capacity: int

    @staticmethod
    def resolve_theme(obj: TrainingSession) -> str:
        return obj.theme.code

    @staticmethod
    def resolve_status(obj: TrainingSession) -> str:
        return str(obj.status)

    @staticmethod
    def resolve_trainer(obj: TrainingSession) -> str:
        return obj.trainer_label

    @staticmethod
    def resolve_place(obj: TrainingSession) -> str:
        return obj.place_label


class ParticipantOut(Schema):
    id: int
    user_id: int
    name: str
    days_present: int
    satisfaction: int | None
    usefulness: int | None
    over_capacity_reason: str

    @staticmethod
    def resolve_name(obj: Participant) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_days_present(obj: Participant) -> int:
        return int(getattr(obj, "days_present", 0))


class SessionDetailOut(SessionOut):
    participants: list[ParticipantOut]


class SessionIn(Schema):
    organiser_id: int
    theme_id: int
    title: str
    starts_on: date
    ends_on: date
    capacity: int
    trainer_id: int | None = None
    trainer_name: str = ""
    place_id: int | None = None
    place_text: str = ""


class RegisterIn(Schema):
    user_ids: list[int] = []
    over_capacity_reason: str = ""


class AttendanceIn(Schema):
    day: date | None = None
    present: list[int] = []


class AttendanceOut(Schema):
    day: date
    present: int


class EvaluationIn(Schema):
    satisfaction: int = 0
    usefulness: int = 0
    comment: str = ""


class MineOut(Schema):
    participant_id: int
    session: SessionOut
    days_present: int
    certificate_number: str | None


class TotalsRowOut(Schema):
    key: int | None
    label: str
    sessions: int
    people: int
    participant_days: int
    satisfaction: float | None
    usefulness: float | None


class TotalsOut(Schema):
    year: int
    by: str
    overall: TotalsRowOut
    rows: list[TotalsRowOut]


def _detail(request: HttpRequest, session_id: int) -> dict[str, Any]:
    scope = scope_of(request)
    scope.require(ORGANISE)
    s = get_or_404(TrainingSession.objects.visible_to(scope).select_related("theme", "trainer", "place"),
                   pk=session_id)
    out: dict[str, Any] = SessionOut.from_orm(s).dict()
    out["participants"] = selectors.session_participants(s)
    return out


@router.get("/sessions", response=list[SessionOut], summary="Sessions you organise (your unit and below)")
@paginate(LimitOffsetPagination, max_limit=100)
def sessions(request: HttpRequest, year: int | None = None, status: str = "", theme_id: int | None = None,
             q: str = "") -> Any:
    return selectors.sessions_for(scope_of(request), year=year, status=status, theme_id=theme_id, q=q)


@router.post("/sessions", response={201: SessionOut}, summary="Create a session")
def session_create(request: HttpRequest, body: SessionIn) -> Any:
    data = body.dict()
    organiser_id = data.pop("organiser_id")
    s = services.session_create(actor=request.user, scope=scope_of(request), organiser_id=organiser_id, data=data)
    return Status(201, s)


@router.get("/sessions/{session_id}", response=SessionDetailOut, summary="A session and its participants")
def session_detail(request: HttpRequest, session_id: int) -> Any:
    return _detail(request, session_id)


@router.post("/sessions/{session_id}/participants", response={201: SessionDetailOut},
             summary="Register staff (beyond the capacity only with a reason)")
def register(request: HttpRequest, session_id: int, body: RegisterIn) -> Any:
    services.participants_register(actor=request.user, scope=scope_of(request), session_id=session_id,
                                   user_ids=body.user_ids, over_capacity_reason=body.over_capacity_reason)
    return Status(201, _detail(request, session_id))


@router.post("/sessions/{session_id}/attendance", response=AttendanceOut,
             summary="The whole group's attendance for one day: the listed participants present, the others absent")
def attendance(request: HttpRequest, session_id: int, body: AttendanceIn) -> Any:
    day = body.day or timezone.localdate()
    n = services.attendance_record(actor=request.user, scope=scope_of(request), session_id=session_id, day=day,
                                   present_ids=body.present)
    return {"day": day, "present": n}


@router.post("/participants/{participant_id}/evaluation", response=ParticipantOut,
             summary="A participant's evaluation (by themselves or the organiser)")
def evaluation(request: HttpRequest, participant_id: int, body: EvaluationIn) -> Any:
    p = services.evaluation_record(actor=request.user, scope=scope_of(request), participant_id=participant_id,
                                   satisfaction=body.satisfaction, usefulness=body.usefulness, comment=body.comment)
    p.days_present = p.attendance.filter(present=True).count()  # type: ignore[attr-defined]
    return p


@router.get("/mine", response=list[MineOut], summary="Your own trainings")
def mine(request: HttpRequest) -> Any:
    return [{"participant_id": p.pk, "session": p.session, "days_present": getattr(p, "days_present", 0),
             "certificate_number": p.certificate_number if getattr(p, "days_present", 0) else None}
            for p in selectors.my_trainings(request.user)]


@router.get("/totals", response=TotalsOut, summary="Totals per year and territory (figures only)")
def totals(request: HttpRequest, year: int | None = None, by: str = "region") -> Any:
    scope = scope_of(request)
    scope.require(Capability.VIEW_AGGREGATES)
    return selectors.totals(scope, year=year or timezone.localdate().year, by=by)
