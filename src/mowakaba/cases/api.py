"""Casework over the API: listening, cases, assessment, the extreme-vulnerability track and its
approvals, the plan (goals, tasks, reviews), placements, closure, transfers, supervisor views.

Thin endpoints: each passes the caller and ``scope_of(request)`` to the same services and
selectors as the pages. They authorise (a case outside the scope is a 404, as if missing),
validate (a 400 whose messages are in the caller's language), journal and notify. Nothing here
filters by territory. Lists are paginated with ``limit``/``offset`` and give the total as
``count``; each runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from mowakaba.accounts.scope import Capability, get_or_404, scope_of
from mowakaba.cases import assessment as scoring
from mowakaba.cases import selectors, services
from mowakaba.cases.models import (
    Approval,
    Case,
    ExtremeTrack,
    Goal,
    Placement,
    Task,
)
from mowakaba.territory.models import Commune

router = Router(tags=["cases"])

PAGE = {"max_limit": 100}


def _aware(at: datetime | None) -> datetime | None:
    """A time sent without an offset is local (Africa/Casablanca), like one typed in a form."""
    if at is not None and timezone.is_naive(at):
        return timezone.make_aware(at)
    return at


# ---- shapes shared by several answers -------------------------------------------------------------


class CasePersonRef(Schema):
    id: int
    record_no: str
    display_name: str


class UnitRef(Schema):
    id: int
    code: str
    name: str


class UserRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)


class CaseRef(Schema):
    id: int
    number: str
    person: CasePersonRef


class CaseRowOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    level: str
    score: int | None
    urgency: str
    extreme: bool
    opened_at: datetime
    closed_at: datetime | None
    next_review_on: date | None
    person: CasePersonRef
    establishment: UnitRef
    agent: UserRef | None
    groups: list[str]
    version: int

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_groups(obj: Case) -> list[str]:
        return sorted(g.group for g in obj.groups.all())


class TrackOut(Schema):
    opened_at: datetime
    first_action_due: datetime
    first_action_at: datetime | None
    first_action_note: str
    first_action_late: bool
    plan_due: datetime
    plan_late: bool
    conference_at: datetime | None
    conference_note: str
    plan_submitted_at: datetime | None
    plan_approved_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_first_action_late(obj: ExtremeTrack) -> bool:
        done = obj.first_action_at or timezone.now()
        return done > obj.first_action_due

    @staticmethod
    def resolve_plan_late(obj: ExtremeTrack) -> bool:
        done = obj.plan_approved_at or timezone.now()
        return done > obj.plan_due


class GoalOut(Schema):
    id: int
    case_id: int
    text: str
    state: str


class TaskOut(Schema):
    id: int
    case_id: int
    kind: str
    title: str
    due_on: date
    assignee_id: int | None
    goal_id: int | None
    done_at: datetime | None
    note: str
    cancelled: bool


class PlacementOut(Schema):
    id: int
    case_id: int
    establishment: UnitRef
    kind: str
    state: str
    approval_id: int | None
    starts_on: date | None
    ends_on: date | None
    capacity_override: str
    end_reason: str


class CaseReferralOut(Schema):
    id: int
    number: str
    status: str
    target: str
    destination: str
    sent_at: datetime
    answer_due: date


class ApprovalOut(Schema):
    id: int
    case_id: int
    kind: str
    decision: str
    requested_by_id: int
    requested_at: datetime
    request_note: str
    decided_by_id: int | None
    decided_at: datetime | None
    comment: str


class CaseOut(CaseRowOut):
    summary: str
    closure_reason: str
    closure_outcome: str
    closure_note: str
    reopened_count: int
    extreme_track: TrackOut | None
    goals: list[GoalOut]
    open_tasks: list[TaskOut]
    placements: list[PlacementOut]
    referrals: list[CaseReferralOut]
    pending_approvals: list[ApprovalOut]


def _row(request: HttpRequest, case_id: int) -> Case:
    """The case as the list shows it, after a write (the service has already authorised)."""
    return get_or_404(selectors.cases_for(scope_of(request)).prefetch_related("groups"), pk=case_id)


class _File:
    """The case with the lists its file shows, read beforehand so that the answer is built
    without a query per row."""

    def __init__(self, case: Case, **lists: Any) -> None:
        self._case = case
        self.__dict__.update(lists)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._case, name)


def _detail(case: Case) -> CaseOut:
    """The case file: a fixed number of queries (groups, track, goals, tasks, placements,
    referrals, approvals)."""
    from mowakaba.referrals.models import Referral

    return CaseOut.from_orm(_File(
        case,
        groups=case.groups.all(),
        extreme_track=ExtremeTrack.objects.filter(case=case).first() if case.extreme else None,
        goals=list(Goal.objects.filter(case=case).order_by("pk")),
        open_tasks=list(Task.objects.filter(case=case, done_at__isnull=True, cancelled=False)
                        .order_by("due_on", "pk")),
        placements=list(Placement.objects.filter(case=case).select_related("establishment").order_by("-pk")),
        referrals=list(Referral.objects.filter(case=case).select_related("to_establishment", "to_partner")
                       .order_by("-sent_at", "-pk")),
        pending_approvals=list(Approval.objects.filter(case=case, decision=Approval.Decision.PENDING)
                               .order_by("pk")),
    ))


# ---- listening ----------------------------------------------------------------------------------


class NewPersonIn(Schema):
    pseudonym: str = ""
    given_name_ar: str = ""
    family_name_ar: str = ""
    father_name_ar: str = ""
    given_name_lat: str = ""
    family_name_lat: str = ""
    father_name_lat: str = ""
    sex: str = ""
    birth_date: date | None = None
    birth_year: int | None = None
    birth_year_only: bool = False


class ListeningIn(Schema):
    establishment_id: int
    channel: str = ""
    held_at: datetime | None = None
    place: str = ""
    commune_id: int | None = None
    reported_by: str = ""
    account: str = ""
    urgency: str = "normal"
    needs: list[str] = []
    person_id: int | None = None
    new_person: NewPersonIn | None = None
    consent_given: bool = False
    consent_method: str = "oral"
    open_case: bool = False
    case_id: int | None = None
    groups: list[str] = []


class ListeningOut(Schema):
    session_id: int
    outcome: str
    person_id: int | None
    case_id: int | None
    case_number: str


@router.post("/listening", response={201: ListeningOut},
             summary="Record a listening session: open a case, add to one, or give information")
def listening(request: HttpRequest, payload: ListeningIn) -> Status[ListeningOut]:
    commune = None
    if payload.commune_id is not None:
        commune = Commune.objects.filter(pk=payload.commune_id).first()
        if commune is None:
            raise ValidationError({"commune_id": [_("Unknown commune.")]})
    data = {"channel": payload.channel, "held_at": _aware(payload.held_at), "place": payload.place,
            "commune": commune, "reported_by": payload.reported_by, "account": payload.account,
            "urgency": payload.urgency}
    session = services.listening_record(
        actor=request.user, scope=scope_of(request), establishment_id=payload.establishment_id, data=data,
        needs=payload.needs, person_id=payload.person_id,
        new_person=payload.new_person.dict(exclude_unset=True) if payload.new_person is not None else None,
        consent_given=payload.consent_given, consent_method=payload.consent_method, open_case=payload.open_case,
        case_id=payload.case_id, groups=payload.groups,
    )
    case = session.case
    return Status(201, ListeningOut(session_id=session.pk, outcome=session.outcome, person_id=session.person_id,
                                    case_id=case.pk if case else None, case_number=case.number if case else ""))


# ---- lists and views that are not one case (declared before /{case_id}) ------------------------------


class SchemeOptionOut(Schema):
    value: str
    label: str
    weight: int


class SchemeQuestionOut(Schema):
    key: str
    label: str
    options: list[SchemeOptionOut]


class SchemeOut(Schema):
    id: int
    name: str
    questions: list[SchemeQuestionOut]
    thresholds: dict[str, int]
    floors: dict[str, dict[str, str]]
    max_score: int


@router.get("/assessment-scheme", response=SchemeOut,
            summary="The assessment questions in your language, with their weights and the level thresholds")
def assessment_scheme(request: HttpRequest) -> SchemeOut:
    scope_of(request).require(Capability.VIEW_PERSONS)
    scheme = scoring.active_scheme()
    weights = scheme.weights or scoring.DEFAULT_WEIGHTS
    thresholds = scheme.thresholds or scoring.DEFAULT_THRESHOLDS
    questions = [
        SchemeQuestionOut(key=q, label=str(label), options=[
            SchemeOptionOut(value=v, label=str(vlabel), weight=int(weights.get(q, {}).get(v, 0)))
            for v, vlabel in options])
        for q, (label, options) in scoring.QUESTIONS.items()
    ]
    return SchemeOut(id=scheme.pk, name=scheme.name, questions=questions,
                     thresholds={k: int(v) for k, v in thresholds.items() if k != "floors"},
                     floors=thresholds.get("floors") or {}, max_score=scoring.max_score(scheme))


@router.get("/", response=list[CaseRowOut], summary="Cases you can see, newest first")
@paginate(LimitOffsetPagination, **PAGE)
def cases(request: HttpRequest, status: str = "", level: str = "", agent_id: int | None = None,
          mine: bool = False, extreme: bool | None = None, group: str = "", establishment_id: int | None = None,
          q: str = "") -> Any:
    """``status`` is a status or ``open``; ``mine`` keeps the cases you are responsible for;
    ``q`` is a case number (DOS-0000042) or a name, CIN, phone or record number."""
    return selectors.cases_for(
        scope_of(request), status=status, level=level, agent_id=agent_id,
        mine_of=request.user.pk if mine else None, extreme=extreme, group=group,
        establishment_id=establishment_id, q=q,
    ).prefetch_related("groups")


class TaskRowOut(TaskOut):
    case: CaseRef


class DeadlineOut(Schema):
    case: CaseRef
    first_action_due: datetime
    first_action_at: datetime | None
    first_action_late: bool
    plan_due: datetime
    plan_approved_at: datetime | None
    plan_late: bool

    @staticmethod
    def resolve_first_action_late(obj: ExtremeTrack) -> bool:
        return TrackOut.resolve_first_action_late(obj)

    @staticmethod
    def resolve_plan_late(obj: ExtremeTrack) -> bool:
        return TrackOut.resolve_plan_late(obj)


class TasksMineOut(Schema):
    overdue: list[TaskRowOut]
    today: list[TaskRowOut]
    upcoming: list[TaskRowOut]
    deadlines: list[DeadlineOut]


@router.get("/tasks/mine", response=TasksMineOut,
            summary="Your tasks: overdue, due today, the next two weeks, and individual-treatment deadlines")
def tasks_mine(request: HttpRequest) -> Any:
    return selectors.tasks_of(scope_of(request), int(request.user.pk or 0))


class ApprovalQueueOut(ApprovalOut):
    case: CaseRef
    establishment: UnitRef
    requested_by: UserRef
    placement_establishment: UnitRef | None
    payload: dict[str, Any]

    @staticmethod
    def resolve_placement_establishment(obj: Approval) -> Any:
        try:
            return obj.placement.establishment
        except ObjectDoesNotExist:
            return None


@router.get("/approvals", response=list[ApprovalQueueOut],
            summary="Requests waiting for your decision (plans, placements, closures of extreme cases)")
@paginate(LimitOffsetPagination, **PAGE)
def approvals(request: HttpRequest) -> Any:
    return selectors.pending_approvals(scope_of(request))


class TransferOut(Schema):
    id: int
    case_id: int
    from_establishment_id: int
    to_establishment_id: int
    reason: str
    status: str
    requested_by_id: int
    created_at: datetime
    decided_at: datetime | None
    decline_reason: str


class TransferRowOut(TransferOut):
    case: CaseRef
    from_establishment: UnitRef
    requested_by: UserRef


@router.get("/transfers/incoming", response=list[TransferRowOut],
            summary="Transfers of cases to your establishments, waiting for an answer")
@paginate(LimitOffsetPagination, **PAGE)
def transfers_incoming(request: HttpRequest) -> Any:
    return selectors.incoming_transfers(scope_of(request))


class CaseloadRowOut(Schema):
    agent_id: int | None
    name: str
    open: int
    extreme: int
    referred: int
    overdue: int


@router.get("/team/caseload", response=list[CaseloadRowOut],
            summary="Open cases, extreme cases and overdue tasks per agent (supervisors)")
def team_caseload(request: HttpRequest) -> list[dict[str, Any]]:
    return selectors.caseload(scope_of(request))


# ---- one case ---------------------------------------------------------------------------------------


@router.get("/{int:case_id}", response=CaseOut, summary="A case file (the read is journalled)")
def case_get(request: HttpRequest, case_id: int) -> CaseOut:
    case = services.case_read(actor=request.user, scope=scope_of(request), case_id=case_id)
    return _detail(case)


class CasePatch(Schema):
    expected_version: int
    agent_id: int | None = None
    urgency: str | None = None
    summary: str | None = None
    next_review_on: date | None = None
    groups: list[str] | None = None


@router.patch("/{int:case_id}", response=CaseRowOut,
              summary="Change the responsible agent, urgency, summary, next review or groups (version check)")
def case_patch(request: HttpRequest, case_id: int, payload: CasePatch) -> Case:
    from mowakaba.accounts.models import User

    sent = payload.dict(exclude_unset=True)
    version = sent.pop("expected_version")
    groups = sent.pop("groups", None)
    data: dict[str, Any] = {}
    if "agent_id" in sent:
        agent_id = sent.pop("agent_id")
        # An unknown id goes to the service as such: it authorises the case first, then refuses
        # the agent with the same message as someone who does not work there.
        data["agent"] = (User.objects.filter(pk=agent_id).first() or User(pk=agent_id)) if agent_id else None
    if sent.get("urgency") is not None:
        data["urgency"] = sent["urgency"]
    if "summary" in sent:
        data["summary"] = (sent["summary"] or "").strip()
    if "next_review_on" in sent:
        data["next_review_on"] = sent["next_review_on"]
    services.case_update(actor=request.user, scope=scope_of(request), case_id=case_id, expected_version=version,
                         data=data, groups=groups)
    return _row(request, case_id)


class TimelineEntryOut(Schema):
    id: int
    at: datetime
    kind: str
    action: str
    actor: str
    object_type: str
    object_id: str
    changes: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor.display_name if obj.actor is not None else obj.actor_label)


@router.get("/{int:case_id}/timeline", response=list[TimelineEntryOut],
            summary="What happened on the case and to its person, newest first (the read is journalled)")
def case_timeline(request: HttpRequest, case_id: int) -> Any:
    case = services.case_read(actor=request.user, scope=scope_of(request), case_id=case_id)
    return selectors.timeline([case.pk], person_id=case.person_id)


# ---- assessment -----------------------------------------------------------------------------------


class AssessmentIn(Schema):
    answers: dict[str, str] = {}
    level: str = ""
    override_reason: str = ""
    notes: str = ""
    assessed_on: date | None = None


class AssessmentOut(Schema):
    id: int
    case_id: int
    assessed_on: date
    score: int
    computed_level: str
    level: str
    override_reason: str
    extreme: bool

    @staticmethod
    def resolve_extreme(obj: Any) -> bool:
        return bool(obj.case.extreme)


@router.post("/{int:case_id}/assessments", response={201: AssessmentOut},
             summary="Record an assessment: the score and computed level, and the level retained")
def assessment_add(request: HttpRequest, case_id: int, payload: AssessmentIn) -> Status[Any]:
    a = services.assessment_record(actor=request.user, scope=scope_of(request), case_id=case_id,
                                   answers=payload.answers, notes_text=payload.notes, level=payload.level,
                                   override_reason=payload.override_reason, assessed_on=payload.assessed_on)
    return Status(201, a)


# ---- individual treatment of extreme vulnerability -------------------------------------------------------


class NoteIn(Schema):
    note: str = ""
    at: datetime | None = None


@router.post("/{int:case_id}/first-action", response=TrackOut,
             summary="Record the first concrete action of an individual treatment")
def first_action(request: HttpRequest, case_id: int, payload: NoteIn) -> ExtremeTrack:
    return services.extreme_first_action(actor=request.user, scope=scope_of(request), case_id=case_id,
                                         note=payload.note, at=_aware(payload.at))


@router.post("/{int:case_id}/conference", response=TrackOut, summary="Record the case conference")
def conference(request: HttpRequest, case_id: int, payload: NoteIn) -> ExtremeTrack:
    return services.extreme_conference(actor=request.user, scope=scope_of(request), case_id=case_id,
                                       note=payload.note, at=_aware(payload.at))


class SubmitIn(Schema):
    note: str = ""


@router.post("/{int:case_id}/submit-plan", response={201: ApprovalOut},
             summary="Ask the provincial delegate to approve the individual-treatment plan")
def submit_plan(request: HttpRequest, case_id: int, payload: SubmitIn) -> Status[Approval]:
    approval = services.extreme_plan_submit(actor=request.user, scope=scope_of(request), case_id=case_id,
                                            note=payload.note)
    return Status(201, approval)


class DecisionIn(Schema):
    approve: bool
    comment: str = ""
    capacity_override: str = ""


@router.post("/approvals/{int:approval_id}/decision", response=ApprovalOut,
             summary="Approve or refuse a request (a refusal needs a comment)")
def approval_decision(request: HttpRequest, approval_id: int, payload: DecisionIn) -> Approval:
    return services.approval_decide(actor=request.user, scope=scope_of(request), approval_id=approval_id,
                                    approve=payload.approve, comment=payload.comment,
                                    capacity_override=payload.capacity_override)


# ---- plan: goals, tasks, reviews ------------------------------------------------------------------------


class GoalIn(Schema):
    text: str = ""


class GoalPatch(Schema):
    state: str = ""


@router.post("/{int:case_id}/goals", response={201: GoalOut}, summary="Add a goal to the plan")
def goal_add(request: HttpRequest, case_id: int, payload: GoalIn) -> Status[Goal]:
    goal = services.goal_add(actor=request.user, scope=scope_of(request), case_id=case_id, text=payload.text)
    return Status(201, goal)


@router.patch("/goals/{int:goal_id}", response=GoalOut, summary="Mark a goal met, dropped or in progress")
def goal_patch(request: HttpRequest, goal_id: int, payload: GoalPatch) -> Goal:
    return services.goal_set_state(actor=request.user, scope=scope_of(request), goal_id=goal_id,
                                   state=payload.state)


class TaskIn(Schema):
    kind: str = ""
    title: str = ""
    due_on: date
    assignee_id: int | None = None
    goal_id: int | None = None


class TaskDoneIn(Schema):
    note: str = ""
    at: datetime | None = None


class ReasonIn(Schema):
    reason: str = ""


@router.post("/{int:case_id}/tasks", response={201: TaskOut},
             summary="Add a task: an action, a follow-up visit or call, a meeting, a review")
def task_add(request: HttpRequest, case_id: int, payload: TaskIn) -> Status[Task]:
    task = services.task_add(actor=request.user, scope=scope_of(request), case_id=case_id, kind=payload.kind,
                             title=payload.title, due_on=payload.due_on, assignee_id=payload.assignee_id,
                             goal_id=payload.goal_id)
    return Status(201, task)


@router.post("/tasks/{int:task_id}/done", response=TaskOut,
             summary="Mark a task done (for a visit or call, the note says what was seen or said)")
def task_done(request: HttpRequest, task_id: int, payload: TaskDoneIn) -> Task:
    return services.task_done(actor=request.user, scope=scope_of(request), task_id=task_id, note=payload.note,
                              at=_aware(payload.at))


@router.post("/tasks/{int:task_id}/cancel", response=TaskOut, summary="Cancel a task, with the reason")
def task_cancel(request: HttpRequest, task_id: int, payload: ReasonIn) -> Task:
    return services.task_cancel(actor=request.user, scope=scope_of(request), task_id=task_id,
                                reason=payload.reason)


class ReviewIn(Schema):
    note: str = ""
    next_review_on: date | None = None
    reviewed_on: date | None = None


class ReviewOut(Schema):
    id: int
    case_id: int
    reviewed_on: date
    note: str
    next_review_on: date | None


@router.post("/{int:case_id}/reviews", response={201: ReviewOut},
             summary="Record a review of the plan and schedule the next one")
def review_add(request: HttpRequest, case_id: int, payload: ReviewIn) -> Status[Any]:
    review = services.review_record(actor=request.user, scope=scope_of(request), case_id=case_id, note=payload.note,
                                    next_review_on=payload.next_review_on, reviewed_on=payload.reviewed_on)
    return Status(201, review)


# ---- placements ---------------------------------------------------------------------------------------


class PlacementIn(Schema):
    establishment_id: int
    kind: str = "temporary"
    starts_on: date | None = None
    note: str = ""
    capacity_override: str = ""


class PlacementEndIn(Schema):
    reason: str = ""
    ends_on: date | None = None


@router.post("/{int:case_id}/placements", response={201: PlacementOut},
             summary="Ask to place the person in an establishment (the delegate approves)")
def placement_add(request: HttpRequest, case_id: int, payload: PlacementIn) -> Status[Placement]:
    p = services.placement_request(actor=request.user, scope=scope_of(request), case_id=case_id,
                                   establishment_id=payload.establishment_id, kind=payload.kind,
                                   starts_on=payload.starts_on, note=payload.note,
                                   capacity_override=payload.capacity_override)
    return Status(201, p)


@router.post("/placements/{int:placement_id}/end", response=PlacementOut, summary="End a placement")
def placement_end(request: HttpRequest, placement_id: int, payload: PlacementEndIn) -> Placement:
    return services.placement_end(actor=request.user, scope=scope_of(request), placement_id=placement_id,
                                  reason=payload.reason, ends_on=payload.ends_on)


# ---- closure and reopening -----------------------------------------------------------------------------


class CloseIn(Schema):
    expected_version: int
    reason: str = ""
    outcome: str = ""
    note: str = ""


class CloseOut(Schema):
    closed: bool
    case: CaseRowOut
    approval: ApprovalOut | None


@router.post("/{int:case_id}/close", response=CloseOut,
             summary="Close a case; an extreme case waits for the delegate's approval (version check)")
def case_close(request: HttpRequest, case_id: int, payload: CloseIn) -> CloseOut:
    _case, approval = services.case_close(actor=request.user, scope=scope_of(request), case_id=case_id,
                                          expected_version=payload.expected_version, reason=payload.reason,
                                          outcome=payload.outcome, note=payload.note)
    row = _row(request, case_id)
    return CloseOut.from_orm(SimpleNamespace(closed=row.is_closed, case=row, approval=approval))


@router.post("/{int:case_id}/reopen", response=CaseRowOut, summary="Reopen a closed case, with the reason")
def case_reopen(request: HttpRequest, case_id: int, payload: ReasonIn) -> Case:
    services.case_reopen(actor=request.user, scope=scope_of(request), case_id=case_id, reason=payload.reason)
    return _row(request, case_id)


# ---- transfers ------------------------------------------------------------------------------------------


class TransferIn(Schema):
    to_establishment_id: int
    reason: str = ""


class TransferDecisionIn(Schema):
    accept: bool
    reason: str = ""


@router.post("/{int:case_id}/transfers", response={201: TransferOut},
             summary="Propose to move the case to another establishment")
def transfer_add(request: HttpRequest, case_id: int, payload: TransferIn) -> Status[Any]:
    transfer = services.transfer_request(actor=request.user, scope=scope_of(request), case_id=case_id,
                                         to_establishment_id=payload.to_establishment_id, reason=payload.reason)
    return Status(201, transfer)


@router.post("/transfers/{int:transfer_id}/decision", response=TransferOut,
             summary="The receiving side accepts the case or declines with a reason")
def transfer_decision(request: HttpRequest, transfer_id: int, payload: TransferDecisionIn) -> Any:
    return services.transfer_decide(actor=request.user, scope=scope_of(request), transfer_id=transfer_id,
                                    accept=payload.accept, reason=payload.reason)


@router.post("/transfers/{int:transfer_id}/cancel", response=TransferOut,
             summary="The sending side withdraws a transfer still waiting for an answer")
def transfer_cancel(request: HttpRequest, transfer_id: int) -> Any:
    return services.transfer_cancel(actor=request.user, scope=scope_of(request), transfer_id=transfer_id)
