"""Writes to staff training: sessions and their life, registration (capacity enforced, an
override only with a written reason, journalled), self-registration, attendance for the whole
group in one write, evaluations, and the print of certificates.

Every function takes the actor and their scope, fetches and authorises in one call (a session
outside the scope is a 404, as if missing), runs in one transaction and writes a journal entry
placed in the organising unit. Refusals raise ``ValidationError`` before anything is written.
Journal entries name a session by its reference and staff by account id, never beneficiaries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mowakaba.accounts.models import Assignment, Role, User
from mowakaba.accounts.scope import Scope
from mowakaba.audit.models import JournalEntry
from mowakaba.audit.services import diff, journal_write
from mowakaba.territory.models import OrgUnit
from mowakaba.training.models import ORGANISE, Attendance, Participant, Status, Theme, TrainingSession

# Institution staff: everybody with an assignment except partner associations' staff and
# authority viewers (outside the institution).
STAFF_ROLES = tuple(r for r in Role.values if r not in (Role.PARTNER_STAFF, Role.AUTHORITY))
EDITABLE_FIELDS = ("theme", "title", "starts_on", "ends_on", "trainer", "trainer_name", "place", "place_text",
                   "capacity")
CLOSED_STATES = (Status.CLOSED, Status.CANCELLED)


def _journal(actor: Any, action: str, session: TrainingSession, changes: dict[str, Any] | None = None,
             kind: str = JournalEntry.Kind.CHANGE) -> None:
    journal_write(actor=actor, action=action, obj=session, object_repr=f"{session.code} {session.title}"[:250],
                  org_unit_id=session.organiser_id, changes=changes, kind=kind)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def session_for_edit(scope: Scope, session_id: int, *, lock: bool = True) -> TrainingSession:
    """The session if the actor organises it (404 otherwise), locked for the write."""
    scope.require(ORGANISE)
    qs = TrainingSession.objects.visible_to(scope)
    if lock:
        qs = qs.select_for_update()
    session = qs.filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session


def organiser_units(scope: Scope) -> Any:
    """The units from which the actor may organise a session: theirs and those below."""
    if not scope.can(ORGANISE):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(scope.rows_q("pk", ORGANISE), active=True)


def staff_q(organiser: OrgUnit) -> Q:
    """Staff a session of ``organiser`` is for: active assignments in its unit or below (every
    unit of the country for a head office session)."""
    assignments = Assignment.objects.active().filter(role__in=STAFF_ROLES)
    if organiser.kind != OrgUnit.Kind.NATIONAL:
        assignments = assignments.filter(org_unit__path__startswith=organiser.path)
    return Q(pk__in=assignments.values("user_id"), is_active=True)


def _territory_of(unit: OrgUnit) -> dict[str, Any]:
    """Region and province of an organising unit, for the totals."""
    if unit.kind == OrgUnit.Kind.ESTABLISHMENT and unit.commune_id:
        province = unit.commune.province if unit.commune else None
        return {"province": province, "region_id": province.region_id if province else None}
    if unit.kind == OrgUnit.Kind.DELEGATION:
        province = unit.provinces.order_by("code").first()
        return {"province": province, "region_id": province.region_id if province else None}
    if unit.kind == OrgUnit.Kind.COORDINATION:
        region = unit.regions.order_by("code").first()
        return {"province": None, "region_id": region.pk if region else None}
    return {"province": None, "region_id": None}


def _clean(data: dict[str, Any], session: TrainingSession) -> None:
    errors: dict[str, list[str]] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_("Give the session a title.")]
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if not isinstance(starts, date):
        errors["starts_on"] = [_("Give the first day.")]
    if not isinstance(ends, date):
        errors["ends_on"] = [_("Give the last day.")]
    elif isinstance(starts, date) and ends < starts:
        errors["ends_on"] = [_("The last day cannot come before the first day.")]
    elif isinstance(starts, date) and (ends - starts).days > 30:
        errors["ends_on"] = [_("A session lasts at most a month.")]
    capacity = data.get("capacity")
    if not isinstance(capacity, int) or capacity < 1:
        errors["capacity"] = [_("The capacity is at least one place.")]
    theme = Theme.objects.filter(pk=data.get("theme_id") or 0, active=True).first()
    if theme is None:
        errors["theme"] = [_("Choose a theme from the catalogue.")]
    trainer = None
    if data.get("trainer_id"):
        trainer = User.objects.filter(pk=data["trainer_id"], is_active=True).first()
        if trainer is None:
            errors["trainer"] = [_("Choose an active staff member.")]
    if trainer is None and not (data.get("trainer_name") or "").strip() and "trainer" not in errors:
        errors["trainer"] = [_("Name the trainer: a staff member or someone from outside.")]
    place = None
    if data.get("place_id"):
        place = OrgUnit.objects.filter(pk=data["place_id"], active=True).first()
        if place is None:
            errors["place"] = [_("Choose an active unit.")]
    if place is None and not (data.get("place_text") or "").strip() and "place" not in errors:
        errors["place"] = [_("Say where the session takes place.")]
    if errors:
        raise ValidationError(errors)
    session.theme = theme  # type: ignore[assignment]
    session.title = data["title"].strip()[:250]
    session.starts_on, session.ends_on = starts, ends  # type: ignore[assignment]
    session.trainer = trainer
    session.trainer_name = "" if trainer else (data.get("trainer_name") or "").strip()[:200]
    session.place = place
    session.place_text = "" if place else (data.get("place_text") or "").strip()[:250]
    session.capacity = capacity  # type: ignore[assignment]


def _snapshot(session: TrainingSession) -> dict[str, Any]:
    return {f: getattr(session, f + "_id" if f in ("theme", "trainer", "place") else f) for f in EDITABLE_FIELDS}


@transaction.atomic
def session_create(*, actor: Any, scope: Scope, organiser_id: int, data: dict[str, Any]) -> TrainingSession:
    scope.require(ORGANISE)
    organiser = organiser_units(scope).filter(pk=organiser_id).select_related("commune__province").first()
    if organiser is None:
        raise Http404
    session = TrainingSession(organiser=organiser, created_by=actor if getattr(actor, "pk", None) else None)
    _clean(data, session)
    for key, value in _territory_of(organiser).items():
        setattr(session, key, value)
    session.save()
    _journal(actor, "training.create", session, diff({}, _snapshot(session)))
    return session


@transaction.atomic
def session_update(*, actor: Any, scope: Scope, session_id: int, data: dict[str, Any]) -> TrainingSession:
    session = session_for_edit(scope, session_id)
    if session.status in CLOSED_STATES:
        raise ValidationError(_("This session is closed or cancelled: it can no longer change."))
    before = _snapshot(session)
    _clean(data, session)
    if session.participants.filter(attendance__day__lt=session.starts_on).exists() or \
            session.participants.filter(attendance__day__gt=session.ends_on).exists():
        raise ValidationError({"starts_on": [_("Attendance was recorded outside these dates.")]})
    session.save()
    changes = diff(before, _snapshot(session))
    if changes:
        _journal(actor, "training.update", session, changes)
    return session


@transaction.atomic
def session_open_registration(*, actor: Any, scope: Scope, session_id: int, today: date | None = None
                              ) -> TrainingSession:
    session = session_for_edit(scope, session_id)
    if session.status_on(_today(today)) != Status.PLANNED:
        raise ValidationError(_("Registration opens only for a planned session that has not started."))
    session.registration_opened_at = timezone.now()
    session.save(update_fields=["registration_opened_at", "updated_at"])
    _journal(actor, "training.open", session, {"status": [Status.PLANNED, Status.OPEN]})
    return session


@transaction.atomic
def session_cancel(*, actor: Any, scope: Scope, session_id: int, reason: str, today: date | None = None
                   ) -> TrainingSession:
    session = session_for_edit(scope, session_id)
    before = session.status_on(_today(today))
    if before in CLOSED_STATES:
        raise ValidationError(_("This session is already closed or cancelled."))
    if Attendance.objects.filter(participant__session=session, present=True).exists():
        raise ValidationError(_("People attended this session: close it instead of cancelling it."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for cancelling.")]})
    session.cancelled_at, session.cancel_reason = timezone.now(), reason.strip()[:300]
    session.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
    _journal(actor, "training.cancel", session, {"status": [before, Status.CANCELLED], "reason": [None, reason]})
    return session


@transaction.atomic
def session_close(*, actor: Any, scope: Scope, session_id: int, today: date | None = None) -> TrainingSession:
    """Closing locks attendance and evaluations once the last day is over."""
    session = session_for_edit(scope, session_id)
    day = _today(today)
    if session.status_on(day) != Status.HELD or session.ends_on > day:
        raise ValidationError(_("A session closes after its last day."))
    session.closed_at = timezone.now()
    session.save(update_fields=["closed_at", "updated_at"])
    _journal(actor, "training.close", session, {"status": [Status.HELD, Status.CLOSED]})
    return session


# ---- participants ---------------------------------------------------------------------------


def _check_capacity(session: TrainingSession, adding: int, reason: str) -> None:
    taken = session.participants.count()
    if taken + adding > session.capacity and not reason.strip():
        raise ValidationError({"over_capacity_reason": [
            _("This would make %(n)s participants for %(capacity)s places. To exceed the capacity, give the "
              "reason.") % {"n": taken + adding, "capacity": session.capacity}]})


@transaction.atomic
def participants_register(*, actor: Any, scope: Scope, session_id: int, user_ids: Iterable[int],
                          over_capacity_reason: str = "", today: date | None = None) -> list[Participant]:
    """Register staff of the session's territory. Beyond the capacity only with a reason, which is
    kept on each extra registration and journalled as ``training.capacity_override``."""
    session = session_for_edit(scope, session_id)
    if session.status_on(_today(today)) in CLOSED_STATES:
        raise ValidationError(_("This session is closed or cancelled: nobody can register."))
    wanted = list(dict.fromkeys(int(u) for u in user_ids))
    if not wanted:
        raise ValidationError({"user_ids": [_("Choose at least one staff member.")]})
    eligible = set(User.objects.filter(staff_q(session.organiser), pk__in=wanted).values_list("pk", flat=True))
    if len(eligible) != len(wanted):
        raise ValidationError({"user_ids": [_("Only staff of the organising unit's territory can take part.")]})
    already = set(session.participants.filter(user_id__in=wanted).values_list("user_id", flat=True))
    new = [u for u in wanted if u not in already]
    if not new:
        raise ValidationError({"user_ids": [_("These staff members are already registered.")]})
    _check_capacity(session, len(new), over_capacity_reason)
    free = max(0, session.capacity - session.participants.count())
    reason = over_capacity_reason.strip()[:300]
    rows = [Participant(session=session, user_id=u, registered_by=actor if getattr(actor, "pk", None) else None,
                        over_capacity_reason=reason if i >= free else "") for i, u in enumerate(new)]
    Participant.objects.bulk_create(rows)
    _journal(actor, "training.register", session, {"participants": [None, new]})
    over = [p.user_id for p in rows if p.over_capacity_reason]
    if over:
        _journal(actor, "training.capacity_override", session, {
            "capacity": [session.capacity, session.participants.count()], "reason": [None, reason],
            "participants": [None, over]})
    return rows


def open_sessions_q(user: Any, today: date | None = None) -> Q:
    """Sessions open for registration that a staff member may join themselves: organised by one of
    the units above (or at) their assignments, or by head office."""
    ancestors: set[int] = set()
    staff = False
    for path in (Assignment.objects.active().filter(user_id=user.pk, role__in=STAFF_ROLES, org_unit__isnull=False)
                 .values_list("org_unit__path", flat=True)):
        staff = True
        ancestors.update(int(p) for p in path.strip("/").split("/") if p)
    if not staff:
        return Q(pk__in=[])
    national = OrgUnit.objects.filter(kind=OrgUnit.Kind.NATIONAL).values("pk")
    return (Q(organiser_id__in=ancestors) | Q(organiser_id__in=national)) & Q(
        cancelled_at__isnull=True, closed_at__isnull=True, registration_opened_at__isnull=False,
        starts_on__gt=_today(today))


@transaction.atomic
def participant_join(*, actor: Any, scope: Scope, session_id: int, today: date | None = None) -> Participant:
    """A staff member registers themselves for an open session; the capacity is firm here."""
    if not scope.has_any_grant or not getattr(actor, "pk", None):
        raise Http404
    session = (TrainingSession.objects.select_for_update().filter(open_sessions_q(actor, today), pk=session_id)
               .select_related("organiser").first())
    if session is None:
        raise Http404
    if not User.objects.filter(staff_q(session.organiser), pk=actor.pk).exists():
        raise Http404
    if session.participants.filter(user_id=actor.pk).exists():
        raise ValidationError(_("You are already registered."))
    if session.participants.count() >= session.capacity:
        raise ValidationError(_("This session is full."))
    p = Participant.objects.create(session=session, user_id=actor.pk, registered_by=actor)
    _journal(actor, "training.join", session, {"participants": [None, [actor.pk]]})
    return p


def _participant_for(scope: Scope, participant_id: int, *, organiser_only: bool) -> Participant:
    qs = Participant.objects.select_for_update().select_related("session")
    if organiser_only:
        scope.require(ORGANISE)
        qs = qs.filter(scope.rows_q("session__organiser", ORGANISE))
    else:
        qs = qs.visible_to(scope)
    p = qs.filter(pk=participant_id).first()
    if p is None:
        raise Http404
    return p


@transaction.atomic
def participant_remove(*, actor: Any, scope: Scope, participant_id: int, today: date | None = None) -> None:
    p = _participant_for(scope, participant_id, organiser_only=True)
    session = p.session
    if session.status_on(_today(today)) in CLOSED_STATES:
        raise ValidationError(_("This session is closed or cancelled: its list can no longer change."))
    if p.attendance.filter(present=True).exists():
        raise ValidationError(_("This person attended: their registration stays."))
    user_id = p.user_id
    p.delete()
    _journal(actor, "training.unregister", session, {"participants": [[user_id], None]})


# ---- attendance, evaluation, certificates ------------------------------------------------------


@transaction.atomic
def attendance_record(*, actor: Any, scope: Scope, session_id: int, day: date, present_ids: Iterable[int],
                      today: date | None = None) -> int:
    """The whole group's attendance for one day, in one write: the participants in
    ``present_ids`` are present, every other participant absent. Returns how many are present."""
    session = session_for_edit(scope, session_id)
    now_day = _today(today)
    status = session.status_on(now_day)
    if status in CLOSED_STATES:
        raise ValidationError(_("This session is closed or cancelled: attendance can no longer change."))
    if not (session.starts_on <= day <= session.ends_on):
        raise ValidationError({"day": [_("Choose a day of the session.")]})
    if day > now_day:
        raise ValidationError({"day": [_("Attendance is recorded on the day or after, not before.")]})
    participants = dict(session.participants.values_list("pk", "user_id"))
    present = {int(i) for i in present_ids}
    unknown = present - participants.keys()
    if unknown:
        raise ValidationError({"present": [_("Some people marked present are not registered for this session.")]})
    before = dict(Attendance.objects.filter(participant__session=session, day=day)
                  .values_list("participant_id", "present"))
    now = timezone.now()
    recorder = actor if getattr(actor, "pk", None) else None
    Attendance.objects.bulk_create(
        [Attendance(participant_id=pid, day=day, present=pid in present, recorded_by=recorder, recorded_at=now)
         for pid in participants],
        update_conflicts=True, unique_fields=["participant", "day"],
        update_fields=["present", "recorded_by", "recorded_at"],
    )
    changed = sorted(pid for pid in participants if before.get(pid) != (pid in present))
    if changed:
        _journal(actor, "training.attendance", session, {
            "day": [None, day.isoformat()], "present": [None, len(present)], "absent": [None, len(participants) -
                                                                                      len(present)],
            "changed": [None, len(changed)]})
    return len(present)


def attended(participant: Participant) -> bool:
    return participant.attendance.filter(present=True).exists()


@transaction.atomic
def evaluation_record(*, actor: Any, scope: Scope, participant_id: int, satisfaction: int, usefulness: int,
                      comment: str = "") -> Participant:
    """The participant's answers (entered by them, or by the organiser from the paper form)."""
    p = _participant_for(scope, participant_id, organiser_only=False)
    if p.session.cancelled_at is not None or p.session.closed_at is not None:
        raise ValidationError(_("This session is closed or cancelled: evaluations can no longer change."))
    if not attended(p):
        raise ValidationError(_("Only a participant who attended can evaluate the session."))
    errors: dict[str, list[str]] = {}
    for name, value in (("satisfaction", satisfaction), ("usefulness", usefulness)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = [_("Answer from 1 to 5.")]
    if errors:
        raise ValidationError(errors)
    before = {"satisfaction": p.satisfaction, "usefulness": p.usefulness, "comment": p.comment}
    p.satisfaction, p.usefulness, p.comment = satisfaction, usefulness, comment.strip()[:2000]
    p.evaluated_at = timezone.now()
    p.save(update_fields=["satisfaction", "usefulness", "comment", "evaluated_at", "updated_at"])
    changes = diff(before, {"satisfaction": satisfaction, "usefulness": usefulness, "comment": p.comment})
    if "comment" in changes:
        changes["comment"] = [bool(before["comment"]), bool(p.comment)]  # the words stay out of the journal
    _journal(actor, "training.evaluate", p.session, {"participant": [None, p.pk], **changes})
    return p


@transaction.atomic
def certificate_issue(*, actor: Any, scope: Scope, participant_id: int, language: str) -> Participant:
    """Authorise and journal the print of a certificate (one per participant who attended, with
    its stable number). The participant and the organisers may print it."""
    p = _participant_for(scope, participant_id, organiser_only=False)
    if p.session.cancelled_at is not None or not attended(p):
        raise ValidationError(_("A certificate is issued only to a participant who attended."))
    p = Participant.objects.select_related("session__theme", "session__organiser", "session__place",
                                           "session__trainer", "user").get(pk=p.pk)
    _journal(actor, "training.certificate", p.session, {
        "participant": [None, p.pk], "certificate": [None, p.certificate_number], "language": [None, language]},
        kind=JournalEntry.Kind.EXPORT)
    return p
