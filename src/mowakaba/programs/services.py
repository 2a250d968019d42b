"""Writes to programmes: offerings, enrolments (waiting list, admission, exit) and attendance.

Every function takes the actor and their scope, asks the access policy (a row outside the
scope is a 404 as if missing), runs in one transaction, keeps the offering's counters
(``admitted_count``, ``waiting_count``) and the attendance counters in step with the rows they
count, and writes a journal entry placed in the offering's establishment that names the person
by record number only. Refusals raise ``ValidationError`` before anything is written.

The capacity rule: an admission that would exceed the offering's places needs a written reason
(``capacity_override``), which is kept on the enrolment and in the journal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Capability, Scope
from mowakaba.audit.services import journal_write
from mowakaba.programs.models import (
    Attendance,
    Enrolment,
    ExitReason,
    GroupSession,
    Offering,
    Outcome,
    Programme,
)
from mowakaba.registry.models import Person
from mowakaba.territory.models import OrgUnit

E = Capability.EDIT_PERSONS
LIVE = (Enrolment.State.WAITING, Enrolment.State.ADMITTED)


def _journal(actor: Any, action: str, obj: Any, unit_id: int, repr_: str,
             changes: dict[str, Any] | None = None) -> None:
    journal_write(actor=actor, action=action, obj=obj, object_repr=repr_, org_unit_id=unit_id, changes=changes)


def _offering_for_update(scope: Scope, offering_id: int, capability: Capability = E) -> Offering:
    scope.require(capability)
    offering = (Offering.objects.select_for_update().select_related("programme", "establishment")
                .filter(scope.rows_q("establishment", capability), pk=offering_id).first())
    if offering is None:
        raise Http404
    return offering


def _lock_offering(offering_id: int) -> Offering:
    """The offering row locked: two admissions at once cannot both take the last place."""
    return Offering.objects.select_for_update().select_related("programme", "establishment").get(pk=offering_id)


def _enrolment_for_action(scope: Scope, enrolment_id: int) -> Enrolment:
    scope.require(E)
    enrolment = (Enrolment.objects.managed_by(scope).select_related("person")
                 .filter(pk=enrolment_id).first())
    if enrolment is None:
        raise Http404
    return enrolment


def _repr(enrolment: Enrolment) -> str:
    return f"{enrolment.person.record_no} → {enrolment.offering_id}"


# ---- offerings ----------------------------------------------------------------------------------


@transaction.atomic
def offering_create(*, actor: Any, scope: Scope, establishment_id: int, programme_id: int, season: str,
                    capacity: int, starts_on: date | None = None, ends_on: date | None = None,
                    schedule: str = "") -> Offering:
    """Open a programme at an establishment for a season (the establishment's managers)."""
    scope.require(Capability.EDIT_STRUCTURE)
    unit = (OrgUnit.objects.filter(scope.rows_q("pk", Capability.EDIT_STRUCTURE))
            .filter(pk=establishment_id, kind=OrgUnit.Kind.ESTABLISHMENT).first())
    if unit is None:
        raise Http404
    programme = Programme.objects.filter(pk=programme_id, active=True).first()
    errors: dict[str, list[str]] = {}
    if programme is None:
        errors["programme"] = [_("Choose a programme from the catalogue.")]
    if not season.strip():
        errors["season"] = [_("Say which season or year.")]
    if capacity is None or capacity < 1:
        errors["capacity"] = [_("An offering has at least one place.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The end date comes before the start date.")]
    if errors:
        raise ValidationError(errors)
    assert programme is not None
    offering = Offering.objects.create(programme=programme, establishment=unit, season=season.strip()[:20],
                                       capacity=capacity, starts_on=starts_on, ends_on=ends_on,
                                       schedule=schedule.strip()[:200], created_by_id=getattr(actor, "pk", None))
    _journal(actor, "offering.create", offering, unit.pk, f"{programme.code} {offering.season}",
             {"programme": programme.code, "season": offering.season, "capacity": capacity})
    return offering


@transaction.atomic
def offering_update(*, actor: Any, scope: Scope, offering_id: int, capacity: int | None = None,
                    schedule: str | None = None, active: bool | None = None) -> Offering:
    scope.require(Capability.EDIT_STRUCTURE)
    offering = _offering_for_update(scope, offering_id, Capability.EDIT_STRUCTURE)
    before = {"capacity": offering.capacity, "schedule": offering.schedule, "active": offering.active}
    if capacity is not None:
        if capacity < 1:
            raise ValidationError({"capacity": [_("An offering has at least one place.")]})
        offering.capacity = capacity
    if schedule is not None:
        offering.schedule = schedule.strip()[:200]
    if active is not None:
        offering.active = active
    after = {"capacity": offering.capacity, "schedule": offering.schedule, "active": offering.active}
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if changes:
        offering.save(update_fields=["capacity", "schedule", "active", "updated_at"])
        _journal(actor, "offering.update", offering, offering.establishment_id, str(offering.pk), changes)
    return offering


# ---- eligibility --------------------------------------------------------------------------------


def eligibility_warnings(programme: Programme, person: Person, on: date | None = None) -> list[str]:
    """What does not fit the programme's criteria. Advice, not a refusal: the agent decides."""
    out: list[str] = []
    today = on or timezone.localdate()
    year = person.birth_date.year if person.birth_date else person.birth_year
    if year and (programme.min_age is not None or programme.max_age is not None):
        age = today.year - year
        if person.birth_date and (today.month, today.day) < (person.birth_date.month, person.birth_date.day):
            age -= 1
        if programme.min_age is not None and age < programme.min_age:
            out.append(_("Younger than the programme's minimum age (%(n)s).") % {"n": programme.min_age})
        if programme.max_age is not None and age > programme.max_age:
            out.append(_("Older than the programme's maximum age (%(n)s).") % {"n": programme.max_age})
    if programme.sex and person.sex and person.sex != programme.sex:
        out.append(_("The programme is for the other sex."))
    if programme.disability_required and not person.disability:
        out.append(_("The programme is for people with a disability; none is recorded."))
    return out


# ---- enrolment ----------------------------------------------------------------------------------


@transaction.atomic
def enrolment_request(*, actor: Any, scope: Scope, offering_id: int, person_id: int, case_id: int | None = None,
                      note: str = "", capacity_override: str = "", wait: bool = False) -> Enrolment:
    """Enrol a person in an offering anywhere in the country (like a placement or a referral).

    The person is admitted at once when a place is free and nobody is waiting; otherwise they go
    on the waiting list, last. With a written ``capacity_override`` they are admitted although
    the offering is full. ``wait=True`` always puts them on the waiting list (the receiving
    establishment admits)."""
    from mowakaba.cases.models import Case

    scope.require(E)
    person = Person.objects.editable_by(scope).filter(pk=person_id).first()
    if person is None:
        raise Http404
    case = None
    if case_id is not None:
        case = Case.objects.editable_by(scope).filter(pk=case_id, person_id=person.pk).first()
        if case is None:
            raise Http404
        if case.is_closed:
            raise ValidationError(_("This case is closed. Reopen it first."))
    exists = Offering.objects.filter(pk=offering_id, active=True, establishment__active=True).exists()
    if not exists:
        raise ValidationError({"offering": [_("Choose an open offering.")]})
    offering = _lock_offering(offering_id)
    if Enrolment.objects.filter(offering=offering, person=person, state__in=LIVE).exists():
        raise ValidationError(_("This person is already enrolled or waiting in this offering."))
    override = capacity_override.strip()
    now = timezone.now()
    full = offering.admitted_count >= offering.capacity
    # Straight in when a place is free and nobody waits; past a full offering only with a reason.
    # When places are free but people wait, the newcomer queues behind them.
    admit = not wait and ((not full and offering.waiting_count == 0) or (full and bool(override)))
    referrer_id = case.establishment_id if case else person.establishment_id
    enrolment = Enrolment(
        offering=offering, establishment_id=offering.establishment_id, person=person, case=case,
        referrer_id=referrer_id if referrer_id != offering.establishment_id else None,
        requested_at=now, requested_by_id=getattr(actor, "pk", None), note=note.strip(),
    )
    if admit:
        enrolment.state, enrolment.admitted_at, enrolment.admitted_by_id = (Enrolment.State.ADMITTED, now,
                                                                           getattr(actor, "pk", None))
        enrolment.capacity_override = override if full else ""
        Offering.objects.filter(pk=offering.pk).update(admitted_count=F("admitted_count") + 1)
    else:
        enrolment.queue_no = offering.next_queue_no
        Offering.objects.filter(pk=offering.pk).update(waiting_count=F("waiting_count") + 1,
                                                       next_queue_no=F("next_queue_no") + 1)
    enrolment.save()
    changes: dict[str, Any] = {"offering": offering.pk, "programme": offering.programme.code,
                               "state": enrolment.state}
    if case is not None:
        changes["case"] = case.number
    if enrolment.capacity_override:
        changes["capacity_override"] = enrolment.capacity_override
    _journal(actor, "enrolment.request", enrolment, offering.establishment_id, _repr(enrolment), changes)
    return enrolment


def waiting_rank(enrolment: Enrolment) -> int | None:
    if enrolment.state != Enrolment.State.WAITING:
        return None
    return Enrolment.objects.filter(offering_id=enrolment.offering_id, state=Enrolment.State.WAITING,
                                    queue_no__lt=enrolment.queue_no).count() + 1


@transaction.atomic
def enrolment_admit(*, actor: Any, scope: Scope, enrolment_id: int, reason: str = "",
                    capacity_override: str = "") -> Enrolment:
    """Admit someone from the waiting list. The first in line is admitted when a place is free;
    anyone else needs a supervisor (capability APPROVE) and a reason; a full offering needs a
    written capacity override."""
    enrolment = _enrolment_for_action(scope, enrolment_id)
    offering = _lock_offering(enrolment.offering_id)
    enrolment = Enrolment.objects.select_for_update().select_related("person").get(pk=enrolment.pk)
    if enrolment.state != Enrolment.State.WAITING:
        raise ValidationError(_("Only someone on the waiting list can be admitted."))
    first = (Enrolment.objects.filter(offering=offering, state=Enrolment.State.WAITING)
             .order_by("queue_no").values_list("pk", flat=True).first())
    reason, override = reason.strip(), capacity_override.strip()
    errors: dict[str, list[str]] = {}
    if first != enrolment.pk:
        if not scope.can(Capability.APPROVE):
            raise ValidationError(_("Only the first on the waiting list can be admitted; a manager may admit "
                                    "out of turn."))
        if not reason:
            errors["reason"] = [_("Say why this person is admitted before those waiting ahead.")]
    full = offering.admitted_count >= offering.capacity
    if full and not override:
        errors["capacity_override"] = [_("The offering is full. Write why its capacity may be exceeded, or wait "
                                          "for a place to free.")]
    if errors:
        raise ValidationError(errors)
    enrolment.state, enrolment.admitted_at = Enrolment.State.ADMITTED, timezone.now()
    enrolment.admitted_by_id = getattr(actor, "pk", None)
    enrolment.admission_reason = reason if first != enrolment.pk else ""
    enrolment.capacity_override = override if full else ""
    enrolment.save(update_fields=["state", "admitted_at", "admitted_by", "admission_reason", "capacity_override",
                                  "updated_at"])
    Offering.objects.filter(pk=offering.pk).update(admitted_count=F("admitted_count") + 1,
                                                   waiting_count=F("waiting_count") - 1)
    changes: dict[str, Any] = {"state": [Enrolment.State.WAITING, Enrolment.State.ADMITTED]}
    if enrolment.admission_reason:
        changes["out_of_turn"] = enrolment.admission_reason
    if enrolment.capacity_override:
        changes["capacity_override"] = enrolment.capacity_override
    _journal(actor, "enrolment.admit", enrolment, offering.establishment_id, _repr(enrolment), changes)
    return enrolment


@transaction.atomic
def enrolment_exit(*, actor: Any, scope: Scope, enrolment_id: int, reason: str, outcome: str = "",
                   note: str = "", exited_on: date | None = None) -> Enrolment:
    """Someone admitted leaves (reason and outcome); someone waiting is withdrawn (reason)."""
    enrolment = _enrolment_for_action(scope, enrolment_id)
    offering = _lock_offering(enrolment.offering_id)
    enrolment = Enrolment.objects.select_for_update().select_related("person").get(pk=enrolment.pk)
    if enrolment.state not in LIVE:
        raise ValidationError(_("This person has already left."))
    errors: dict[str, list[str]] = {}
    if reason not in ExitReason.values:
        errors["reason"] = [_("Choose why the person leaves.")]
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome from the list.")]
    if enrolment.state == Enrolment.State.ADMITTED and not outcome:
        errors["outcome"] = [_("Say what the programme achieved for this person.")]
    day = exited_on or timezone.localdate()
    if enrolment.admitted_at and day < timezone.localtime(enrolment.admitted_at).date():
        errors["exited_on"] = [_("A person cannot leave before being admitted.")]
    if errors:
        raise ValidationError(errors)
    old = enrolment.state
    if old == Enrolment.State.ADMITTED:
        enrolment.state = Enrolment.State.EXITED
        Offering.objects.filter(pk=offering.pk).update(admitted_count=F("admitted_count") - 1)
    else:
        enrolment.state = Enrolment.State.WITHDRAWN
        Offering.objects.filter(pk=offering.pk).update(waiting_count=F("waiting_count") - 1)
    enrolment.exited_on, enrolment.exit_reason = day, reason
    enrolment.outcome, enrolment.exit_note = outcome, note.strip()
    enrolment.save(update_fields=["state", "exited_on", "exit_reason", "outcome", "exit_note", "updated_at"])
    _journal(actor, "enrolment.exit", enrolment, offering.establishment_id, _repr(enrolment),
             {"state": [old, enrolment.state], "reason": reason, **({"outcome": outcome} if outcome else {})})
    return enrolment


# ---- attendance ---------------------------------------------------------------------------------


@transaction.atomic
def session_record_attendance(*, actor: Any, scope: Scope, offering_id: int, marks: Mapping[int, str],
                              held_on: date | None = None, topic: str = "", session_id: int | None = None
                              ) -> GroupSession:
    """Record (or correct) the register of one group session in one go: ``marks`` maps the
    enrolment ids of admitted people to present / absent / excused. A handful of queries
    whatever the size of the group: the marks and the counters are written in bulk."""
    offering = _offering_for_update(scope, offering_id)
    bad = [m for m in marks.values() if m not in Attendance.Mark.values]
    if bad:
        raise ValidationError({"marks": [_("Unknown attendance mark: %(v)s") % {"v": ", ".join(sorted(set(bad)))}]})
    enrolled = set(Enrolment.objects.filter(offering=offering, pk__in=list(marks))
                   .exclude(state=Enrolment.State.WAITING).exclude(state=Enrolment.State.WITHDRAWN)
                   .values_list("pk", flat=True))
    strangers = [pk for pk in marks if pk not in enrolled]
    if strangers:
        raise ValidationError({"marks": [_("Someone on the sheet is not in this group.")]})
    if session_id is None:
        day = held_on or timezone.localdate()
        if offering.starts_on and day < offering.starts_on:
            raise ValidationError({"held_on": [_("The session is before the offering starts.")]})
        if day > timezone.localdate():
            raise ValidationError({"held_on": [_("A session cannot be recorded in advance.")]})
        session = GroupSession.objects.create(offering=offering, establishment_id=offering.establishment_id,
                                              held_on=day, topic=topic.strip()[:200],
                                              recorded_by_id=getattr(actor, "pk", None))
        previous: dict[int, str] = {}
    else:
        found = GroupSession.objects.select_for_update().filter(pk=session_id, offering=offering).first()
        if found is None:
            raise Http404
        session = found
        if topic.strip():
            session.topic = topic.strip()[:200]
        previous = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark"))
    # Counter deltas per enrolment: marked +1 when newly marked, present ±1 when it changes.
    new_rows = [Attendance(session=session, enrolment_id=pk, mark=m) for pk, m in marks.items() if pk not in previous]
    changed = {pk: m for pk, m in marks.items() if pk in previous and previous[pk] != m}
    Attendance.objects.bulk_create(new_rows, batch_size=500)
    for mark in Attendance.Mark.values:
        ids = [pk for pk, m in changed.items() if m == mark]
        if ids:
            Attendance.objects.filter(session=session, enrolment_id__in=ids).update(mark=mark)
    present = Attendance.Mark.PRESENT
    groups: dict[tuple[int, int], list[int]] = {}
    for pk, m in marks.items():
        was = previous.get(pk)
        d_marked = 0 if was is not None else 1
        d_present = (m == present) - (was == present)
        if d_marked or d_present:
            groups.setdefault((d_marked, d_present), []).append(pk)
    for (d_marked, d_present), ids in groups.items():
        Enrolment.objects.filter(pk__in=ids).update(sessions_marked=F("sessions_marked") + d_marked,
                                                    sessions_present=F("sessions_present") + d_present)
    final = {**previous, **marks}
    session.marked_count = len(final)
    session.present_count = sum(1 for m in final.values() if m == present)
    session.save(update_fields=["topic", "marked_count", "present_count", "updated_at"])
    _journal(actor, "session.attendance", session, offering.establishment_id, f"{offering.pk} {session.held_on}",
             {"present": session.present_count, "marked": session.marked_count,
              **({"corrected": len(changed)} if session_id else {})})
    return session
