"""Writes to casework: listening, cases, assessment, extreme track, approvals, placements,
plan (goals and tasks), reviews, closure, reopening, transfers, and the periodic deadline check.

Every function takes the actor and their scope, asks the access policy (a case outside the
scope is a 404 as if missing), runs in one transaction, recomputes the case status from what
happened (``case_refresh``), writes a journal entry placed in the case's establishment, and
notifies the people concerned. Refusals raise ``ValidationError`` before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Capability, Scope
from mowakaba.audit.services import diff, journal_write
from mowakaba.cases import assessment as scoring
from mowakaba.cases.models import (
    REPORT_CHANNELS,
    URGENCY_RANK,
    Approval,
    Assessment,
    Case,
    CaseGroup,
    Channel,
    ClosureOutcome,
    ClosureReason,
    ExtremeTrack,
    Goal,
    Level,
    ListeningSession,
    Need,
    Placement,
    Review,
    SessionNeed,
    Status,
    TargetGroup,
    Task,
    Transfer,
    Urgency,
)
from mowakaba.core.errors import StaleEdit
from mowakaba.notifications import services as notes
from mowakaba.notifications.models import Notification
from mowakaba.registry.models import Consent, Person
from mowakaba.territory.models import OrgUnit

N = Notification.Kind


# ---- helpers ------------------------------------------------------------------------------


def _journal(actor: Any, action: str, case: Case, changes: dict[str, Any] | None = None,
             kind: str = "change") -> None:
    """Journal entries about a case name it by number only, never by the person's name."""
    journal_write(actor=actor, action=action, obj=case, object_repr=case.number,
                  org_unit_id=case.establishment_id, changes=changes, kind=kind)


def _case_url(case: Case) -> str:
    return f"/cases/{case.pk}/"


def _case_for_edit(scope: Scope, case_id: int, *, lock: bool = True, capability: Capability = Capability.EDIT_PERSONS
                   ) -> Case:
    scope.require(capability)
    qs = Case.objects.filter(scope.rows_q("establishment", capability))
    if lock:
        qs = qs.select_for_update()
    case = qs.filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


def case_for_action(scope: Scope, case_id: int, capability: Capability = Capability.EDIT_PERSONS) -> Case:
    case = _case_for_edit(scope, case_id, capability=capability)
    if case.is_closed:
        raise ValidationError(_("This case is closed. Reopen it first."))
    return case


def _establishment(scope: Scope, establishment_id: int, capability: Capability = Capability.EDIT_PERSONS) -> OrgUnit:
    unit = (OrgUnit.objects.filter(scope.rows_q("pk", capability))
            .filter(pk=establishment_id, kind=OrgUnit.Kind.ESTABLISHMENT).first())
    if unit is None:
        raise Http404
    return unit


def _any_establishment(establishment_id: int | None) -> OrgUnit:
    """A destination anywhere in the country (placements, transfers, referrals are national)."""
    unit = OrgUnit.objects.filter(pk=establishment_id or 0, kind=OrgUnit.Kind.ESTABLISHMENT, active=True).first()
    if unit is None:
        raise ValidationError({"to_establishment": [_("Choose an active establishment.")]})
    return unit


def _now(at: datetime | None = None) -> datetime:
    return at or timezone.now()


def _clean_choices(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    allowed_set = set(allowed)
    out = list(dict.fromkeys(v for v in values if v))
    bad = [v for v in out if v not in allowed_set]
    if bad:
        raise ValidationError({field: [_("Unknown value: %(v)s") % {"v": ", ".join(bad)}]})
    return out


# ---- status ------------------------------------------------------------------------------


def status_from(case: Case) -> str:
    """The status a case is in, from what happened (never typed by hand).

    closed > placed > under follow-up > in care > referred > under assessment > received >
    reported. "In care" means a plan exists (an approved one for an extreme case) or an
    internal referral was accepted; "under follow-up" means at least one follow-up was done
    under that plan.
    """
    from mowakaba.referrals.models import Referral

    if case.closed_at is not None:
        return Status.CLOSED
    if case.placements.filter(state=Placement.State.ACTIVE).exists():
        return Status.PLACED
    track = getattr(case, "extreme_track", None) if case.extreme else None
    has_plan = case.goals.exists()
    plan_ok = has_plan and (track is None or track.plan_approved_at is not None)
    accepted = case.referrals.filter(status__in=[Referral.State.ACCEPTED, Referral.State.COMPLETED]).exists()
    if plan_ok or accepted:
        followed = case.tasks.filter(kind__in=[Task.Kind.VISIT, Task.Kind.CALL, Task.Kind.MEETING],
                                     done_at__isnull=False).exists()
        return Status.FOLLOW_UP if followed and plan_ok else Status.IN_CARE
    if case.referrals.filter(status=Referral.State.SENT).exists():
        return Status.REFERRED
    if case.assessments.exists() or has_plan:
        return Status.ASSESSMENT
    sessions = case.sessions.values_list("channel", flat=True)
    if sessions and all(c in REPORT_CHANNELS for c in sessions):
        return Status.REPORTED
    return Status.RECEIVED


def case_refresh(case: Case) -> str:
    """Recompute the stored status. Called at the end of every action on the case."""
    new = status_from(case)
    if new != case.status:
        old = case.status
        case.status = new
        Case.objects.filter(pk=case.pk).update(status=new)
        journal_write(actor=None, action="case.status", obj=case, object_repr=case.number,
                      org_unit_id=case.establishment_id, changes={"status": [old, new]})
    return new


# ---- listening ---------------------------------------------------------------------------


LISTENING_FIELDS = ("channel", "held_at", "place", "commune", "reported_by", "account", "urgency")


@transaction.atomic
def listening_record(
    *,
    actor: Any,
    scope: Scope,
    establishment_id: int,
    data: dict[str, Any],
    needs: Iterable[str] = (),
    person_id: int | None = None,
    new_person: dict[str, Any] | None = None,
    consent_given: bool = False,
    consent_method: str = Consent.Method.ORAL,
    open_case: bool = False,
    case_id: int | None = None,
    groups: Iterable[str] = (),
) -> ListeningSession:
    """Record a listening session. It may name an existing person, register a new (possibly
    pseudonymous) one, or name nobody when only information was given. It opens a case, adds
    to an existing one, or ends with information given.

    Opening a case needs the person's consent to case work, except when the urgency is
    life-threatening (vital interest, Law 09-08 art. 4), which is then recorded as such.
    """
    from mowakaba.registry import services as registry

    scope.require(Capability.EDIT_PERSONS)
    establishment = _establishment(scope, establishment_id)
    unknown = set(data) - set(LISTENING_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    clean_needs = _clean_choices(needs, Need.values, "needs")
    clean_groups = _clean_choices(groups, TargetGroup.values, "groups")
    channel = data.get("channel") or ""
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Choose how the person came to us.")]})
    urgency = data.get("urgency") or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": [_("Choose an urgency level.")]})
    held_at = data.get("held_at") or timezone.now()
    if held_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"held_at": [_("A listening session cannot be in the future.")]})
    if not clean_needs:
        raise ValidationError({"needs": [_("Tick at least one expressed need.")]})
    if open_case and case_id:
        raise ValidationError(_("Either open a new case or add to an existing one, not both."))
    # Adding to an existing case without naming anyone means the case's own person (below).
    if open_case and person_id is None and new_person is None:
        raise ValidationError({"person": [_("A case needs a person: choose one or register a new one "
                                            "(a pseudonym is enough for now).")]})
    if case_id and new_person is not None:
        # A person registered now cannot be the person of an existing case.
        raise ValidationError(_("This case belongs to another person."))
    if open_case and not consent_given and urgency != Urgency.LIFE:
        raise ValidationError({"consent_given": [
            _("Opening a case needs the person's consent to case work, unless their life is in danger.")]})

    existing: Case | None = None
    if case_id:
        existing = case_for_action(scope, case_id)
    person: Person | None = None
    if person_id is not None:
        person = Person.objects.editable_by(scope).filter(pk=person_id).first()
        if person is None:
            raise Http404
        if existing is not None and existing.person_id != person.pk:
            raise ValidationError(_("This case belongs to another person."))
    elif new_person is not None:
        person = registry.person_register(actor=actor, scope=scope, establishment_id=establishment.pk,
                                          data=new_person)
    elif existing is not None:
        person = existing.person

    outcome = (ListeningSession.Outcome.CASE_OPENED if open_case else
               ListeningSession.Outcome.ADDED_TO_CASE if existing else ListeningSession.Outcome.INFORMATION)
    session = ListeningSession(
        establishment=establishment, agent_id=actor.pk, person=person, channel=channel, held_at=held_at,
        place=(data.get("place") or "").strip(), commune=data.get("commune"),
        reported_by=(data.get("reported_by") or "").strip(), account=(data.get("account") or "").strip(),
        urgency=urgency, consent_given=consent_given, outcome=outcome,
    )
    session.save()
    SessionNeed.objects.bulk_create([SessionNeed(session=session, need=n) for n in clean_needs])
    if person is not None and consent_given and not person.consents.filter(
            purpose=Consent.Purpose.LISTENING, withdrawn_on__isnull=True).exists():
        registry.consent_record(actor=actor, scope=scope, person_id=person.pk, purpose=Consent.Purpose.LISTENING,
                                method=consent_method, given_on=held_at.date())
    case = existing
    if open_case and person is not None:
        case = Case.objects.create(
            person=person, establishment=establishment, agent_id=actor.pk, opened_at=held_at,
            opened_by_id=actor.pk, urgency=urgency,
        )
        CaseGroup.objects.bulk_create([CaseGroup(case=case, group=g) for g in clean_groups])
        _journal(actor, "case.open", case, changes={
            "channel": channel, "urgency": urgency, "groups": clean_groups,
            **({"legal_basis": "vital_interest"} if not consent_given else {}),
        })
    if case is not None:
        session.case = case
        session.save(update_fields=["case"])
        if existing is not None and URGENCY_RANK.get(urgency, 2) < URGENCY_RANK.get(existing.urgency, 2):
            Case.objects.filter(pk=existing.pk).update(urgency=urgency)
        case_refresh(case)
    journal_write(actor=actor, action="listening.record", obj=session, object_repr=f"LS-{session.pk}",
                  org_unit_id=establishment.pk,
                  changes={"channel": channel, "needs": clean_needs, "outcome": outcome,
                           "person": person.record_no if person else ""})
    return session


# ---- the case itself -------------------------------------------------------------------------


CASE_FIELDS = ("agent", "urgency", "summary", "next_review_on")


@transaction.atomic
def case_update(*, actor: Any, scope: Scope, case_id: int, expected_version: int, data: dict[str, Any],
                groups: Iterable[str] | None = None) -> Case:
    """Edit what a person decides about a case: responsible agent, urgency, summary, groups.
    Two agents editing at once: the second gets StaleEdit, nothing is overwritten."""
    case = _case_for_edit(scope, case_id)
    if case.version != expected_version:
        raise StaleEdit
    before = {f: getattr(case, f + "_id" if f == "agent" else f) for f in CASE_FIELDS}
    before["groups"] = sorted(case.groups.values_list("group", flat=True))
    for name, value in data.items():
        if name not in CASE_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(case, name, value)
    if case.urgency not in Urgency.values:
        raise ValidationError({"urgency": [_("Choose an urgency level.")]})
    if "agent" in data and case.agent_id is not None:
        _check_agent(case.establishment, case.agent_id)
    after = {f: getattr(case, f + "_id" if f == "agent" else f) for f in CASE_FIELDS}
    if groups is not None:
        clean = _clean_choices(groups, TargetGroup.values, "groups")
        after["groups"] = sorted(clean)
        if after["groups"] != before["groups"]:
            case.groups.all().delete()
            CaseGroup.objects.bulk_create([CaseGroup(case=case, group=g) for g in clean])
    else:
        after["groups"] = before["groups"]
    changes = diff(before, after)
    if not changes:
        return case
    case.version += 1
    case.save()
    _journal(actor, "case.update", case, changes=changes)
    if "agent" in changes and case.agent_id:
        notes.notify([case.agent_id], N.CASE_ASSIGNED, {"case": case.number}, _case_url(case), exclude=actor.pk)
        # Open tasks of the previous agent follow the case.
        old = before["agent"]
        if old:
            Task.objects.filter(case=case, assignee_id=old, done_at__isnull=True, cancelled=False).update(
                assignee_id=case.agent_id)
    return case


def _check_agent(establishment: OrgUnit, user_id: int) -> None:
    """A case or task can only be given to someone who works in (or above) its establishment."""
    from mowakaba.accounts.models import Assignment

    where = Q(org_unit_id=establishment.pk) | Q(org_unit_id__in=establishment.ancestor_ids())
    if establishment.partner_id:
        where |= Q(partner_id=establishment.partner_id, org_unit__isnull=True)
    if not Assignment.objects.active().filter(where, user_id=user_id).exists():
        raise ValidationError({"agent": [_("This person does not work in the establishment of the case.")]})


def case_read(*, actor: Any, scope: Scope, case_id: int) -> Case:
    """Fetch a case for reading and log the read (who saw which file)."""
    scope.require(Capability.VIEW_PERSONS)
    case = (Case.objects.visible_to(scope)
            .select_related("person", "establishment", "agent", "person__commune")
            .filter(pk=case_id).first())
    if case is None:
        raise Http404
    _journal(actor, "case.read", case, kind="read")
    return case


# ---- assessment ------------------------------------------------------------------------------


@transaction.atomic
def assessment_record(*, actor: Any, scope: Scope, case_id: int, answers: dict[str, Any], notes_text: str = "",
                      level: str = "", override_reason: str = "", assessed_on: date | None = None) -> Assessment:
    """Score the answers with the active scheme. ``level`` differing from the computed one is an
    override and needs a reason. An extreme level opens the individual-treatment track."""
    case = case_for_action(scope, case_id)
    clean = scoring.clean_answers(answers)
    scheme = scoring.active_scheme()
    result = scoring.score(clean, scheme)
    final = level or result.level
    if final not in Level.values:
        raise ValidationError({"level": [_("Choose a level from the list.")]})
    if final != result.level and not override_reason.strip():
        raise ValidationError({"override_reason": [
            _("Say why you retain a level other than the computed one (%(level)s).")
            % {"level": Level(result.level).label}]})
    on = assessed_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"assessed_on": [_("The date cannot be in the future.")]})
    a = Assessment.objects.create(
        case=case, scheme=scheme, assessed_by_id=actor.pk, assessed_on=on, answers=clean,
        notes=notes_text.strip(), score=result.score, computed_level=result.level, level=final,
        override_reason=override_reason.strip() if final != result.level else "",
    )
    case.level, case.score = final, result.score
    Case.objects.filter(pk=case.pk).update(level=final, score=result.score)
    _journal(actor, "case.assess", case, changes={
        "score": result.score, "computed_level": result.level, "level": final,
        **({"override_reason": a.override_reason} if a.override_reason else {})})
    if final == Level.EXTREME and not case.extreme:
        _extreme_open(actor, case)
    case_refresh(case)
    return a


def _extreme_open(actor: Any, case: Case, at: datetime | None = None) -> ExtremeTrack:
    now = _now(at)
    track = ExtremeTrack.objects.create(
        case=case, opened_at=now,
        first_action_due=now + timedelta(hours=settings.EXTREME_FIRST_ACTION_HOURS),
        plan_due=now + timedelta(hours=settings.EXTREME_PLAN_HOURS),
    )
    case.extreme = True
    Case.objects.filter(pk=case.pk).update(extreme=True)
    _journal(actor, "case.extreme_open", case, changes={
        "first_action_due": track.first_action_due.isoformat(), "plan_due": track.plan_due.isoformat()})
    params = {"case": case.number, "hours": settings.EXTREME_FIRST_ACTION_HOURS}
    notes.notify([case.agent_id, *notes.managers_of(case.establishment_id),
                  *notes.approvers_of(case.establishment_id)], N.DEADLINE_NEAR, params, _case_url(case),
                 exclude=getattr(actor, "pk", None))
    return track


def _track(case: Case) -> ExtremeTrack:
    track = ExtremeTrack.objects.select_for_update().filter(case=case).first()
    if track is None or track.closed_at is not None:
        raise ValidationError(_("This case has no open individual-treatment track."))
    return track


@transaction.atomic
def extreme_first_action(*, actor: Any, scope: Scope, case_id: int, note: str, at: datetime | None = None
                         ) -> ExtremeTrack:
    """Record the first concrete action (shelter found, care arranged, protection called)."""
    case = case_for_action(scope, case_id)
    track = _track(case)
    if not note.strip():
        raise ValidationError({"note": [_("Say what was done.")]})
    if track.first_action_at is not None:
        raise ValidationError(_("The first action is already recorded."))
    if _now(at) > timezone.now() + timedelta(minutes=5):  # an action not yet taken is not recorded as taken
        raise ValidationError({"at": [_("The date cannot be in the future.")]})
    track.first_action_at, track.first_action_note = _now(at), note.strip()
    track.save(update_fields=["first_action_at", "first_action_note", "updated_at"])
    _journal(actor, "case.extreme_first_action", case,
             changes={"late": track.first_action_at > track.first_action_due})
    return track


@transaction.atomic
def extreme_conference(*, actor: Any, scope: Scope, case_id: int, note: str, at: datetime | None = None
                       ) -> ExtremeTrack:
    case = case_for_action(scope, case_id)
    track = _track(case)
    if not note.strip():
        raise ValidationError({"note": [_("Write what the case conference decided.")]})
    if _now(at) > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"at": [_("The date cannot be in the future.")]})
    track.conference_at, track.conference_note = _now(at), note.strip()
    track.save(update_fields=["conference_at", "conference_note", "updated_at"])
    _journal(actor, "case.extreme_conference", case)
    return track


def _pending(case: Case, kind: str) -> Approval | None:
    return Approval.objects.filter(case=case, kind=kind, decision=Approval.Decision.PENDING).first()


def _ask(actor: Any, case: Case, kind: str, note: str = "", payload: dict[str, Any] | None = None) -> Approval:
    if _pending(case, kind) is not None:
        raise ValidationError(_("An approval of this kind is already waiting for a decision."))
    approval = Approval.objects.create(case=case, establishment_id=case.establishment_id, kind=kind,
                                       requested_by_id=actor.pk, requested_at=timezone.now(),
                                       request_note=note.strip(), payload=payload or {})
    _journal(actor, "approval.request", case, changes={"kind": kind})
    notes.notify(notes.approvers_of(case.establishment_id), N.APPROVAL_REQUESTED,
                 {"case": case.number, "kind": kind}, "/cases/approvals/", exclude=actor.pk)
    return approval


@transaction.atomic
def extreme_plan_submit(*, actor: Any, scope: Scope, case_id: int, note: str = "") -> Approval:
    """Ask the provincial delegate to approve the individual-treatment plan (its goals and tasks)."""
    case = case_for_action(scope, case_id)
    track = _track(case)
    if track.plan_approved_at is not None:
        raise ValidationError(_("The plan is already approved."))
    if not case.goals.filter(state=Goal.State.OPEN).exists():
        raise ValidationError(_("Write at least one goal of the plan before asking for approval."))
    approval = _ask(actor, case, Approval.Kind.PLAN, note)
    track.plan_submitted_at = timezone.now()
    track.save(update_fields=["plan_submitted_at", "updated_at"])
    return approval


def _approval_for_decision(scope: Scope, approval_id: int) -> Approval:
    scope.require(Capability.APPROVE_EXTREME)
    approval = (Approval.objects.select_for_update()
                .filter(scope.rows_q("establishment", Capability.APPROVE_EXTREME), pk=approval_id).first())
    if approval is None:
        raise Http404
    return approval


@transaction.atomic
def approval_decide(*, actor: Any, scope: Scope, approval_id: int, approve: bool, comment: str = "",
                    capacity_override: str = "") -> Approval:
    """The delegate's decision. Nobody decides their own request; a refusal needs a reason."""
    approval = _approval_for_decision(scope, approval_id)
    case = Case.objects.select_for_update().get(pk=approval.case_id)
    if approval.decision != Approval.Decision.PENDING:
        raise ValidationError(_("This request was already decided."))
    if approval.requested_by_id == actor.pk:
        raise ValidationError(_("You cannot approve your own request: another supervisor must decide."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": [_("Give the reason for the refusal.")]})
    now = timezone.now()
    if approval.kind == Approval.Kind.PLACEMENT and approve:
        placement = Placement.objects.select_for_update().get(approval=approval)
        _check_capacity(placement.establishment, capacity_override or placement.capacity_override)
        placement.state = Placement.State.ACTIVE
        placement.starts_on = placement.starts_on or timezone.localdate()
        if capacity_override:
            placement.capacity_override = capacity_override.strip()
        placement.save(update_fields=["state", "starts_on", "capacity_override", "updated_at"])
    elif approval.kind == Approval.Kind.PLACEMENT:
        Placement.objects.filter(approval=approval).update(state=Placement.State.REFUSED)
    elif approval.kind == Approval.Kind.PLAN and approve:
        ExtremeTrack.objects.filter(case=case).update(plan_approved_at=now, plan_approved_by_id=actor.pk)
    elif approval.kind == Approval.Kind.CLOSURE and approve:
        # A referral may have been sent since the closure was asked: same rule as case_close.
        _refuse_live_referrals(case)
        _close(actor, case, approval.payload, now)
        ExtremeTrack.objects.filter(case=case, closed_at__isnull=True).update(closed_at=now)
    approval.decision = Approval.Decision.APPROVED if approve else Approval.Decision.REFUSED
    approval.decided_by_id, approval.decided_at, approval.comment = actor.pk, now, comment.strip()
    approval.save(update_fields=["decision", "decided_by", "decided_at", "comment", "updated_at"])
    _journal(actor, "approval.decide", case, changes={
        "kind": approval.kind, "decision": approval.decision,
        **({"capacity_override": capacity_override.strip()} if capacity_override.strip() else {})})
    notes.notify([approval.requested_by_id, case.agent_id], N.APPROVAL_DECIDED,
                 {"case": case.number, "kind": approval.kind, "decision": approval.decision}, _case_url(case),
                 exclude=actor.pk)
    case_refresh(case)
    return approval


@transaction.atomic
def approval_withdraw(*, actor: Any, scope: Scope, approval_id: int) -> Approval:
    scope.require(Capability.EDIT_PERSONS)
    approval = (Approval.objects.select_for_update()
                .filter(scope.rows_q("establishment", Capability.EDIT_PERSONS), pk=approval_id).first())
    if approval is None:
        raise Http404
    if approval.decision != Approval.Decision.PENDING:
        raise ValidationError(_("This request was already decided."))
    approval.decision = Approval.Decision.WITHDRAWN
    approval.decided_at = timezone.now()
    approval.save(update_fields=["decision", "decided_at", "updated_at"])
    Placement.objects.filter(approval=approval).update(state=Placement.State.REFUSED)
    _journal(actor, "approval.withdraw", approval.case, changes={"kind": approval.kind})
    return approval


# ---- placement ----------------------------------------------------------------------------


def occupancy(establishment_id: int) -> int:
    return Placement.objects.filter(establishment_id=establishment_id, state=Placement.State.ACTIVE).count()


def _check_capacity(unit: OrgUnit, override: str) -> None:
    if unit.capacity is None:
        return
    taken = occupancy(unit.pk)
    if taken >= unit.capacity and not override.strip():
        raise ValidationError({"capacity_override": [
            _("%(name)s is full (%(taken)s of %(capacity)s places). Choose another establishment or give "
              "the reason for exceeding its capacity.") % {"name": unit.name, "taken": taken,
                                                           "capacity": unit.capacity}]})


@transaction.atomic
def placement_request(*, actor: Any, scope: Scope, case_id: int, establishment_id: int, kind: str = "temporary",
                      starts_on: date | None = None, note: str = "", capacity_override: str = "") -> Placement:
    """Ask to place the person in an establishment. The capacity is checked now and again at
    approval; a placement beyond capacity needs a written reason (kept in the journal)."""
    case = case_for_action(scope, case_id)
    unit = _any_establishment(establishment_id)
    if kind not in ("temporary", "permanent"):
        raise ValidationError({"kind": [_("Choose temporary or permanent.")]})
    if Placement.objects.filter(case=case, state__in=[Placement.State.REQUESTED, Placement.State.ACTIVE]).exists():
        raise ValidationError(_("This case already has a placement requested or in place."))
    _check_capacity(unit, capacity_override)
    approval = _ask(actor, case, Approval.Kind.PLACEMENT, note, {"establishment": unit.pk})
    placement = Placement.objects.create(case=case, establishment=unit, kind=kind, approval=approval,
                                         starts_on=starts_on, capacity_override=capacity_override.strip())
    _journal(actor, "placement.request", case, changes={
        "establishment": unit.code, **({"capacity_override": capacity_override.strip()}
                                       if capacity_override.strip() else {})})
    return placement


@transaction.atomic
def placement_end(*, actor: Any, scope: Scope, placement_id: int, reason: str, ends_on: date | None = None
                  ) -> Placement:
    scope.require(Capability.EDIT_PERSONS)
    placement = (Placement.objects.select_for_update()
                 .filter(case__in=Case.objects.filter(scope.rows_q("establishment", Capability.EDIT_PERSONS)),
                         pk=placement_id).first())
    if placement is None:
        raise Http404
    if placement.state != Placement.State.ACTIVE:
        raise ValidationError(_("Only a placement in place can end."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the placement ends.")]})
    if ends_on and placement.starts_on and ends_on < placement.starts_on:
        raise ValidationError({"ends_on": [_("A placement cannot end before it started.")]})
    placement.state, placement.ends_on, placement.end_reason = (Placement.State.ENDED,
                                                                ends_on or timezone.localdate(), reason.strip())
    placement.save(update_fields=["state", "ends_on", "end_reason", "updated_at"])
    _journal(actor, "placement.end", placement.case, changes={"reason": placement.end_reason})
    case_refresh(placement.case)
    return placement


# ---- plan: goals and tasks -------------------------------------------------------------------


@transaction.atomic
def goal_add(*, actor: Any, scope: Scope, case_id: int, text: str) -> Goal:
    case = case_for_action(scope, case_id)
    if not text.strip():
        raise ValidationError({"text": [_("Write the goal.")]})
    track = getattr(case, "extreme_track", None) if case.extreme else None
    if track is not None and track.plan_approved_at is not None and track.closed_at is None:
        # A change to an approved plan is allowed but noted: the delegate sees it in the journal.
        pass
    goal = Goal.objects.create(case=case, text=text.strip()[:300], created_by_id=actor.pk)
    _journal(actor, "plan.goal_add", case, changes={"goal": goal.pk})
    case_refresh(case)
    return goal


@transaction.atomic
def goal_set_state(*, actor: Any, scope: Scope, goal_id: int, state: str) -> Goal:
    scope.require(Capability.EDIT_PERSONS)
    goal = Goal.objects.select_related("case").filter(
        case__in=Case.objects.filter(scope.rows_q("establishment", Capability.EDIT_PERSONS)), pk=goal_id).first()
    if goal is None:
        raise Http404
    if state not in Goal.State.values:
        raise ValidationError({"state": [_("Choose a state from the list.")]})
    if goal.case.is_closed:
        raise ValidationError(_("This case is closed. Reopen it first."))
    old = goal.state
    goal.state = state
    goal.save(update_fields=["state", "updated_at"])
    _journal(actor, "plan.goal_state", goal.case, changes={"goal": goal.pk, "state": [old, state]})
    return goal


@transaction.atomic
def task_add(*, actor: Any, scope: Scope, case_id: int, kind: str, title: str, due_on: date,
             assignee_id: int | None = None, goal_id: int | None = None) -> Task:
    case = case_for_action(scope, case_id)
    if kind not in Task.Kind.values:
        raise ValidationError({"kind": [_("Choose what kind of task it is.")]})
    if not title.strip():
        raise ValidationError({"title": [_("Say what is to be done.")]})
    if due_on < case.opened_at.date():
        raise ValidationError({"due_on": [_("The date cannot be before the case was opened.")]})
    assignee = assignee_id or case.agent_id or actor.pk
    if assignee_id:
        _check_agent(case.establishment, assignee_id)
    if goal_id and not case.goals.filter(pk=goal_id).exists():
        raise ValidationError({"goal": [_("This goal belongs to another case.")]})
    task = Task.objects.create(case=case, establishment_id=case.establishment_id, goal_id=goal_id or None,
                               kind=kind, title=title.strip()[:300], assignee_id=assignee, due_on=due_on)
    _journal(actor, "plan.task_add", case, changes={"task": task.pk, "kind": kind, "due_on": due_on.isoformat()})
    if assignee != actor.pk:
        notes.notify([assignee], N.CASE_ASSIGNED, {"case": case.number}, _case_url(case))
    return task


def _task_for_edit(scope: Scope, task_id: int) -> Task:
    scope.require(Capability.EDIT_PERSONS)
    task = (Task.objects.select_for_update()
            .filter(scope.rows_q("establishment", Capability.EDIT_PERSONS), pk=task_id).first())
    if task is None:
        raise Http404
    return task


@transaction.atomic
def task_done(*, actor: Any, scope: Scope, task_id: int, note: str = "", at: datetime | None = None) -> Task:
    """Mark a task done; for a visit or call, the note is what was seen or said."""
    task = _task_for_edit(scope, task_id)
    if not task.is_open:
        raise ValidationError(_("This task is already done or cancelled."))
    case = Case.objects.get(pk=task.case_id)
    if case.is_closed:
        raise ValidationError(_("This case is closed. Reopen it first."))
    when = _now(at)
    if when > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"done_at": [_("The date cannot be in the future.")]})
    if task.kind in (Task.Kind.VISIT, Task.Kind.CALL, Task.Kind.MEETING) and not note.strip():
        raise ValidationError({"note": [_("Write what was seen or said during the follow-up.")]})
    task.done_at, task.done_by_id, task.note = when, actor.pk, note.strip()
    task.save(update_fields=["done_at", "done_by", "note", "updated_at"])
    _journal(actor, "plan.task_done", case, changes={"task": task.pk, "kind": task.kind,
                                                     "late": when.date() > task.due_on})
    case_refresh(case)
    return task


@transaction.atomic
def task_cancel(*, actor: Any, scope: Scope, task_id: int, reason: str) -> Task:
    task = _task_for_edit(scope, task_id)
    if not task.is_open:
        raise ValidationError(_("This task is already done or cancelled."))
    if not reason.strip():
        raise ValidationError({"note": [_("Say why the task is cancelled.")]})
    task.cancelled, task.note = True, reason.strip()
    task.save(update_fields=["cancelled", "note", "updated_at"])
    _journal(actor, "plan.task_cancel", task.case, changes={"task": task.pk})
    return task


@transaction.atomic
def review_record(*, actor: Any, scope: Scope, case_id: int, note: str, next_review_on: date | None = None,
                  reviewed_on: date | None = None) -> Review:
    """A periodic review: closes the open review tasks and schedules the next one."""
    case = case_for_action(scope, case_id)
    if not note.strip():
        raise ValidationError({"note": [_("Write where the plan stands.")]})
    today = reviewed_on or timezone.localdate()
    if today > timezone.localdate():
        raise ValidationError({"reviewed_on": [_("The date cannot be in the future.")]})
    nxt = next_review_on or today + timedelta(days=settings.CASE_REVIEW_DAYS)
    if nxt <= today:
        raise ValidationError({"next_review_on": [_("The next review must come after today.")]})
    review = Review.objects.create(case=case, reviewed_by_id=actor.pk, reviewed_on=today, note=note.strip(),
                                   next_review_on=nxt)
    Task.objects.filter(case=case, kind=Task.Kind.REVIEW, done_at__isnull=True, cancelled=False).update(
        done_at=timezone.now(), done_by_id=actor.pk)
    Task.objects.create(case=case, establishment_id=case.establishment_id, kind=Task.Kind.REVIEW,
                        title=str(_("Review the plan")), assignee_id=case.agent_id or actor.pk, due_on=nxt)
    Case.objects.filter(pk=case.pk).update(next_review_on=nxt)
    _journal(actor, "plan.review", case, changes={"next_review_on": nxt.isoformat()})
    return review


# ---- closure and reopening ---------------------------------------------------------------------


def _close(actor: Any, case: Case, payload: dict[str, Any], now: datetime) -> None:
    case.closed_at = now
    case.closure_reason = payload.get("reason", "")
    case.closure_outcome = payload.get("outcome", "")
    case.closure_note = payload.get("note", "")
    case.version += 1
    case.save(update_fields=["closed_at", "closure_reason", "closure_outcome", "closure_note", "version",
                             "updated_at"])
    Task.objects.filter(case=case, done_at__isnull=True, cancelled=False).update(cancelled=True)
    # Requests still waiting for a decision lapse with the case (a placement approved later would
    # take a place for a closed case). The closure request being approved is decided by the caller.
    pending = Approval.objects.filter(case=case, decision=Approval.Decision.PENDING).exclude(
        kind=Approval.Kind.CLOSURE)
    withdrawn = sorted(pending.values_list("kind", flat=True))
    Placement.objects.filter(approval__in=pending).update(state=Placement.State.REFUSED)
    pending.update(decision=Approval.Decision.WITHDRAWN, decided_at=now)
    # Likewise a transfer still waiting: the receiving side would keep reading the person's file.
    Transfer.objects.filter(case=case, status=Transfer.State.PENDING).update(status=Transfer.State.CANCELLED)
    _journal(actor, "case.close", case, changes={"reason": case.closure_reason, "outcome": case.closure_outcome,
                                                 **({"withdrawn": withdrawn} if withdrawn else {})})


def _refuse_live_referrals(case: Case) -> None:
    """A case is not closed while a referral awaits an answer or is accepted and not completed:
    the person would be lost between two services."""
    from mowakaba.referrals.models import LIVE_STATES

    live = case.referrals.filter(status__in=LIVE_STATES).count()
    if live:
        raise ValidationError(_("This case still has %(n)s referral(s) in progress. Complete or revoke them "
                                "before closing.") % {"n": live})


@transaction.atomic
def case_close(*, actor: Any, scope: Scope, case_id: int, expected_version: int, reason: str, outcome: str,
               note: str = "") -> tuple[Case, Approval | None]:
    """Close a case, or, for an extreme case, ask the delegate to approve its closure.

    Refused while a referral is still awaiting an answer or accepted and not completed: the
    person would be lost between two services.
    """
    case = case_for_action(scope, case_id)
    if case.version != expected_version:
        raise StaleEdit
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": [_("Choose the reason for closing.")]})
    if outcome not in ClosureOutcome.values:
        raise ValidationError({"outcome": [_("Choose the outcome.")]})
    _refuse_live_referrals(case)
    payload = {"reason": reason, "outcome": outcome, "note": note.strip()}
    if case.extreme:
        approval = _ask(actor, case, Approval.Kind.CLOSURE, note, payload)
        return case, approval
    _close(actor, case, payload, timezone.now())
    case_refresh(case)
    return case, None


@transaction.atomic
def case_reopen(*, actor: Any, scope: Scope, case_id: int, reason: str) -> Case:
    case = _case_for_edit(scope, case_id)
    if not case.is_closed:
        raise ValidationError(_("This case is open."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the case is reopened.")]})
    case.closed_at = None
    case.closure_reason = case.closure_outcome = case.closure_note = ""
    case.reopened_count += 1
    case.version += 1
    case.save(update_fields=["closed_at", "closure_reason", "closure_outcome", "closure_note", "reopened_count",
                             "version", "updated_at"])
    changes: dict[str, Any] = {"reason": reason.strip()}
    track = ExtremeTrack.objects.select_for_update().filter(case=case, closed_at__isnull=False).first()
    if track is not None:
        # A reopened extreme case is a new emergency: fresh clocks and a new plan to approve.
        # What the closed track held stays in the journal (and in the approvals).
        now = timezone.now()
        changes["extreme_track"] = {"previous_opened_at": track.opened_at.isoformat(),
                                    "previous_plan_approved_at": track.plan_approved_at.isoformat()
                                    if track.plan_approved_at else None}
        track.opened_at, track.closed_at = now, None
        track.first_action_due = now + timedelta(hours=settings.EXTREME_FIRST_ACTION_HOURS)
        track.plan_due = now + timedelta(hours=settings.EXTREME_PLAN_HOURS)
        track.first_action_at = track.plan_submitted_at = track.plan_approved_at = None
        track.first_action_escalated_at = track.plan_escalated_at = None
        track.plan_approved_by = None
        track.first_action_note = ""
        track.save()
    _journal(actor, "case.reopen", case, changes=changes)
    case_refresh(case)
    return case


# ---- transfer -------------------------------------------------------------------------------------


@transaction.atomic
def transfer_request(*, actor: Any, scope: Scope, case_id: int, to_establishment_id: int, reason: str) -> Transfer:
    case = case_for_action(scope, case_id)
    unit = _any_establishment(to_establishment_id)
    if unit.pk == case.establishment_id:
        raise ValidationError({"to_establishment": [_("The case is already held by this establishment.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the case should move.")]})
    if Transfer.objects.filter(case=case, status=Transfer.State.PENDING).exists():
        raise ValidationError(_("A transfer of this case is already waiting for an answer."))
    t = Transfer.objects.create(case=case, from_establishment_id=case.establishment_id, to_establishment=unit,
                                reason=reason.strip(), requested_by_id=actor.pk)
    _journal(actor, "transfer.request", case, changes={"to": unit.code})
    notes.notify(notes.managers_of(unit.pk) or notes.staff_of(unit.pk),
                 N.TRANSFER_NEW, {"case": case.number}, "/cases/inbox/")
    return t


@transaction.atomic
def transfer_decide(*, actor: Any, scope: Scope, transfer_id: int, accept: bool, reason: str = "") -> Transfer:
    """The receiving side accepts (the case, its open tasks and pending approvals move) or
    declines with a reason."""
    scope.require(Capability.EDIT_PERSONS)
    t = (Transfer.objects.select_for_update()
         .filter(scope.rows_q("to_establishment", Capability.EDIT_PERSONS), pk=transfer_id).first())
    if t is None:
        raise Http404
    if t.status != Transfer.State.PENDING:
        raise ValidationError(_("This transfer was already answered."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for declining.")]})
    case = Case.objects.select_for_update().get(pk=t.case_id)
    t.status = Transfer.State.ACCEPTED if accept else Transfer.State.DECLINED
    t.decided_by_id, t.decided_at, t.decline_reason = actor.pk, timezone.now(), reason.strip()
    t.save(update_fields=["status", "decided_by", "decided_at", "decline_reason", "updated_at"])
    if accept:
        from mowakaba.referrals.models import LIVE_STATES, Referral

        case.establishment_id = t.to_establishment_id
        case.agent_id = actor.pk
        case.version += 1
        case.save(update_fields=["establishment", "agent", "version", "updated_at"])
        Task.objects.filter(case=case).update(establishment_id=t.to_establishment_id)
        # Every open task goes to the receiving agent: the sending side's staff (the former agent
        # or a colleague given a task) no longer reach the case.
        Task.objects.filter(case=case, done_at__isnull=True, cancelled=False).update(assignee_id=actor.pk)
        Approval.objects.filter(case=case, decision=Approval.Decision.PENDING).update(
            establishment_id=t.to_establishment_id)
        # Referrals in progress are followed by whoever holds the case (to answer for an outside
        # service, revoke, or see the answer); otherwise the new holder could never close it.
        Referral.objects.filter(case=case, status__in=LIVE_STATES).update(
            from_establishment_id=t.to_establishment_id)
    _journal(actor, "transfer.decide", case, changes={"accepted": accept, "from": t.from_establishment_id,
                                                      "to": t.to_establishment_id})
    notes.notify([t.requested_by_id], N.TRANSFER_ANSWERED, {"case": case.number, "accepted": accept},
                 _case_url(case) if accept else "", exclude=actor.pk)
    return t


@transaction.atomic
def transfer_cancel(*, actor: Any, scope: Scope, transfer_id: int) -> Transfer:
    scope.require(Capability.EDIT_PERSONS)
    t = (Transfer.objects.select_for_update()
         .filter(scope.rows_q("from_establishment", Capability.EDIT_PERSONS), pk=transfer_id).first())
    if t is None:
        raise Http404
    if t.status != Transfer.State.PENDING:
        raise ValidationError(_("This transfer was already answered."))
    t.status = Transfer.State.CANCELLED
    t.save(update_fields=["status", "updated_at"])
    _journal(actor, "transfer.cancel", t.case)
    return t


# ---- periodic check: deadlines, reminders, escalations ------------------------------------


def tick(*, now: datetime | None = None) -> dict[str, int]:
    """Escalate missed extreme deadlines, remind unanswered referrals, flag overdue follow-ups.

    Idempotent: each escalation or reminder is marked when sent, so running it every few minutes
    (``mowakaba casework tick``, or the loop started by ``mowakaba serve``) sends each once.
    """
    from mowakaba.referrals.services import referrals_remind

    now = _now(now)
    counts = {"first_action": 0, "plan": 0, "tasks": 0}
    with transaction.atomic():
        late_first = list(ExtremeTrack.objects.select_for_update().select_related("case").filter(
            closed_at__isnull=True, first_action_at__isnull=True, first_action_escalated_at__isnull=True,
            first_action_due__lt=now))
        for track in late_first:
            _escalate(track.case, "first_action")
        ExtremeTrack.objects.filter(pk__in=[t.pk for t in late_first]).update(first_action_escalated_at=now)
        counts["first_action"] = len(late_first)
        late_plan = list(ExtremeTrack.objects.select_for_update().select_related("case").filter(
            closed_at__isnull=True, plan_approved_at__isnull=True, plan_escalated_at__isnull=True,
            plan_due__lt=now))
        for track in late_plan:
            _escalate(track.case, "plan")
        ExtremeTrack.objects.filter(pk__in=[t.pk for t in late_plan]).update(plan_escalated_at=now)
        counts["plan"] = len(late_plan)
        overdue = list(Task.objects.select_for_update().filter(
            done_at__isnull=True, cancelled=False, reminded_at__isnull=True, due_on__lt=timezone.localdate(now),
            case__closed_at__isnull=True).values_list("pk", "assignee_id", "case_id")[:5000])
        by_user: dict[int, int] = {}
        for _pk, user_id, _case in overdue:
            if user_id:
                by_user[user_id] = by_user.get(user_id, 0) + 1
        for user_id, n in by_user.items():
            notes.notify([user_id], N.TASK_OVERDUE, {"count": n}, "/cases/tasks/")
        Task.objects.filter(pk__in=[o[0] for o in overdue]).update(reminded_at=now)
        counts["tasks"] = len(overdue)
    counts["referrals"] = referrals_remind(now=now)
    return counts


def _escalate(case: Case, what: str) -> None:
    journal_write(actor=None, action="case.escalate", obj=case, object_repr=case.number,
                  org_unit_id=case.establishment_id, changes={"deadline": what})
    notes.notify([case.agent_id, *notes.managers_of(case.establishment_id),
                  *notes.approvers_of(case.establishment_id)], N.DEADLINE_MISSED,
                 {"case": case.number, "deadline": what}, _case_url(case))
