"""Writes to orientation: send, accept, decline, complete, revoke, remind.

Who may answer: the receiving establishment's staff when it has accounts (an internal unit or a
partner association's establishment); otherwise the sending side records what the outside
service answered. Referring outside the institution needs the person's active consent to
sharing (Law 09-08); the consent used is kept on the referral.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Capability, Scope, any_of
from mowakaba.audit.services import journal_write
from mowakaba.cases.models import Case, Need
from mowakaba.cases.services import case_for_action, case_refresh
from mowakaba.notifications import services as notes
from mowakaba.notifications.models import Notification
from mowakaba.referrals.models import LIVE_STATES, Outcome, Referral, Sector, Target
from mowakaba.registry.models import Consent
from mowakaba.territory.models import OrgUnit, PartnerAssociation

N = Notification.Kind


def _journal(actor: Any, action: str, r: Referral, changes: dict[str, Any] | None = None) -> None:
    """Written in the sending establishment's journal, and in the receiving one's when it has one."""
    journal_write(actor=actor, action=action, obj=r, object_repr=r.number, org_unit_id=r.from_establishment_id,
                  changes={"case": r.case_id, **(changes or {})})
    if r.to_establishment_id and r.to_establishment_id != r.from_establishment_id:
        journal_write(actor=actor, action=action, obj=r, object_repr=r.number, org_unit_id=r.to_establishment_id,
                      changes={"case": r.case_id, **(changes or {})})


def _url(r: Referral) -> str:
    return f"/referrals/{r.pk}/"


def sharing_consent(person_id: int) -> Consent | None:
    return (Consent.objects.filter(person_id=person_id, purpose=Consent.Purpose.SHARING, withdrawn_on__isnull=True)
            .order_by("-given_on").first())


@transaction.atomic
def referral_send(*, actor: Any, scope: Scope, case_id: int, target: str, reason: str,
                  to_establishment_id: int | None = None, to_partner_id: int | None = None,
                  external_service: str = "", sector: str = "", need: str = "", answer_days: int | None = None
                  ) -> Referral:
    case = case_for_action(scope, case_id)
    if target not in Target.values:
        raise ValidationError({"target": [_("Choose where the person is referred.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say what is asked of the receiving service.")]})
    if need and need not in Need.values:
        raise ValidationError({"need": [_("Choose a need from the list.")]})
    if sector and sector not in Sector.values:
        raise ValidationError({"sector": [_("Choose a sector from the list.")]})
    to_unit: OrgUnit | None = None
    partner: PartnerAssociation | None = None
    if target == Target.INTERNAL:
        to_unit = OrgUnit.objects.filter(pk=to_establishment_id or 0, kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                         partner__isnull=True).first()
        if to_unit is None:
            raise ValidationError({"to_establishment": [_("Choose an establishment of the institution.")]})
        if to_unit.pk == case.establishment_id:
            raise ValidationError({"to_establishment": [_("The case is already held by this establishment.")]})
    elif target == Target.PARTNER:
        if to_establishment_id:
            to_unit = OrgUnit.objects.filter(pk=to_establishment_id, kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                             partner__isnull=False).select_related("partner").first()
            if to_unit is None:
                raise ValidationError({"to_establishment": [_("Choose an establishment run by a partner "
                                                              "association.")]})
            partner = to_unit.partner
        else:
            partner = PartnerAssociation.objects.filter(pk=to_partner_id or 0).first()
            if partner is None:
                raise ValidationError({"to_partner": [_("Choose a partner association.")]})
    else:
        external_service = external_service.strip()
        if not external_service:
            raise ValidationError({"external_service": [_("Name the outside service (hospital, court, school…).")]})
    consent = None
    if target in (Target.PARTNER, Target.EXTERNAL):
        consent = sharing_consent(case.person_id)
        if consent is None:
            raise ValidationError(_("Referring outside the institution shares the person's data: record their "
                                    "consent to sharing with partners first."))
    days = answer_days if answer_days is not None else settings.REFERRAL_ANSWER_DAYS
    if not 1 <= days <= 60:
        raise ValidationError({"answer_days": [_("Between 1 and 60 days.")]})
    now = timezone.now()
    if Referral.objects.filter(case=case, status__in=LIVE_STATES, to_establishment=to_unit, to_partner=partner,
                               external_service=external_service if target == Target.EXTERNAL else "").exists():
        raise ValidationError(_("This person already has a referral in progress to the same place."))
    r = Referral.objects.create(
        case=case, person_id=case.person_id, from_establishment_id=case.establishment_id, target=target,
        to_establishment=to_unit, to_partner=partner, external_service=external_service if target == Target.EXTERNAL
        else "", sector=sector, need=need, reason=reason.strip(), sent_by_id=actor.pk, sent_at=now,
        answer_due=(now + timedelta(days=days)).date(), consent=consent,
    )
    _journal(actor, "referral.send", r, {"target": target, "to": to_unit.code if to_unit else
                                         (partner.pk if partner else external_service)})
    if to_unit is not None:
        notes.notify(notes.staff_of(to_unit.pk), N.REFERRAL_NEW, {"referral": r.number}, _url(r), exclude=actor.pk)
    case_refresh(case)
    return r


def _answerable(scope: Scope, referral_id: int) -> Referral:
    """A referral the actor may answer: in their inbox, or sent by them to a place without
    accounts (they record the outside service's answer)."""
    scope.require(Capability.EDIT_PERSONS)
    inbox = scope.rows_q("to_establishment", Capability.EDIT_PERSONS)
    outside = Q(to_establishment__isnull=True) & scope.rows_q("from_establishment", Capability.EDIT_PERSONS)
    r = Referral.objects.select_for_update().filter(any_of(inbox, outside), pk=referral_id).first()
    if r is None:
        raise Http404
    return r


@transaction.atomic
def referral_accept(*, actor: Any, scope: Scope, referral_id: int, note: str = "") -> Referral:
    r = _answerable(scope, referral_id)
    if r.status != Referral.State.SENT:
        raise ValidationError(_("Only a referral awaiting an answer can be accepted."))
    r.status, r.answered_by_id, r.answered_at = Referral.State.ACCEPTED, actor.pk, timezone.now()
    r.outcome_note = note.strip()
    r.save(update_fields=["status", "answered_by", "answered_at", "outcome_note", "updated_at"])
    _journal(actor, "referral.accept", r)
    notes.notify([r.sent_by_id, r.case.agent_id], N.REFERRAL_ANSWERED, {"referral": r.number, "status": r.status},
                 _url(r), exclude=actor.pk)
    case_refresh(r.case)
    return r


@transaction.atomic
def referral_decline(*, actor: Any, scope: Scope, referral_id: int, reason: str) -> Referral:
    r = _answerable(scope, referral_id)
    if r.status != Referral.State.SENT:
        raise ValidationError(_("Only a referral awaiting an answer can be declined."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for declining, so that the agent can look "
                                            "elsewhere.")]})
    r.status, r.answered_by_id, r.answered_at = Referral.State.DECLINED, actor.pk, timezone.now()
    r.decline_reason = reason.strip()
    r.save(update_fields=["status", "answered_by", "answered_at", "decline_reason", "updated_at"])
    _journal(actor, "referral.decline", r, {"reason": r.decline_reason})
    notes.notify([r.sent_by_id, r.case.agent_id], N.REFERRAL_ANSWERED, {"referral": r.number, "status": r.status},
                 _url(r), exclude=actor.pk)
    case_refresh(r.case)
    return r


@transaction.atomic
def referral_complete(*, actor: Any, scope: Scope, referral_id: int, outcome: str, note: str = "") -> Referral:
    r = _answerable(scope, referral_id)
    if r.status != Referral.State.ACCEPTED:
        raise ValidationError(_("Only an accepted referral can be completed."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [_("Choose the outcome.")]})
    r.status, r.completed_at, r.outcome = Referral.State.COMPLETED, timezone.now(), outcome
    if note.strip():
        r.outcome_note = note.strip()
    r.save(update_fields=["status", "completed_at", "outcome", "outcome_note", "updated_at"])
    _journal(actor, "referral.complete", r, {"outcome": outcome})
    notes.notify([r.sent_by_id, r.case.agent_id], N.REFERRAL_ANSWERED, {"referral": r.number, "status": r.status},
                 _url(r), exclude=actor.pk)
    case_refresh(r.case)
    return r


@transaction.atomic
def referral_revoke(*, actor: Any, scope: Scope, referral_id: int, reason: str) -> Referral:
    """A supervisor of the sending side withdraws a referral still in progress."""
    scope.require(Capability.APPROVE)
    r = (Referral.objects.select_for_update()
         .filter(scope.rows_q("from_establishment", Capability.APPROVE), pk=referral_id).first())
    if r is None:
        raise Http404
    if r.status not in LIVE_STATES:
        raise ValidationError(_("Only a referral in progress can be revoked."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the referral is revoked.")]})
    r.status, r.revoked_by_id, r.revoked_at, r.revoke_reason = (Referral.State.REVOKED, actor.pk, timezone.now(),
                                                                 reason.strip())
    r.save(update_fields=["status", "revoked_by", "revoked_at", "revoke_reason", "updated_at"])
    _journal(actor, "referral.revoke", r, {"reason": r.revoke_reason})
    recipients = [r.sent_by_id, r.case.agent_id]
    if r.to_establishment_id:
        recipients += notes.staff_of(r.to_establishment_id)
    notes.notify(recipients, N.REFERRAL_REVOKED, {"referral": r.number}, "", exclude=actor.pk)
    case_refresh(r.case)
    return r


def referrals_remind(*, now: datetime | None = None) -> int:
    """Remind the receiving side (and tell the sender) of referrals past their answer date.
    Each referral is reminded once."""
    now = now or timezone.now()
    with transaction.atomic():
        late = list(Referral.objects.select_for_update().filter(
            status=Referral.State.SENT, answer_due__lt=timezone.localdate(now), reminded_at__isnull=True)[:5000])
        for r in late:
            recipients = [r.sent_by_id]
            if r.to_establishment_id:
                recipients += notes.staff_of(r.to_establishment_id)
            notes.notify(recipients, N.REFERRAL_REMINDER, {"referral": r.number,
                                                           "due": r.answer_due.isoformat()}, _url(r))
            journal_write(actor=None, action="referral.remind", obj=r, object_repr=r.number,
                          org_unit_id=r.from_establishment_id)
        Referral.objects.filter(pk__in=[r.pk for r in late]).update(reminded_at=now)
    return len(late)


def open_referrals(case: Case) -> int:
    return case.referrals.filter(status__in=LIVE_STATES).count()
