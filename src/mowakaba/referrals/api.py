"""Orientation over the API: send a referral, the receiving side's inbox, what was sent, one
referral, and the answers (accept, decline, complete) and a supervisor's revocation.

The services authorise and validate; the lists start from the referral's own access methods
(``inbox_of``, ``sent_by``, ``visible_to``). The person's name is given only to readers the
registry lets see the person: the receiving side stops seeing it once the referral is over.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from mowakaba.accounts.scope import Scope, get_or_404, scope_of
from mowakaba.audit.services import journal_write
from mowakaba.cases.api import CasePersonRef, UnitRef
from mowakaba.referrals import services
from mowakaba.referrals.models import Referral
from mowakaba.registry.models import Person

router = Router(tags=["referrals"])

_RELATED = ("case", "person", "from_establishment", "to_establishment", "to_partner")


class PartnerRef(Schema):
    id: int
    name: str


class ReferralOut(Schema):
    id: int
    number: str
    case_id: int
    case_number: str
    person: CasePersonRef | None
    from_establishment: UnitRef
    target: str
    to_establishment: UnitRef | None
    to_partner: PartnerRef | None
    external_service: str
    destination: str
    sector: str
    need: str
    reason: str
    status: str
    status_label: str
    sent_by_id: int
    sent_at: datetime
    answer_due: date
    answered_at: datetime | None
    decline_reason: str
    completed_at: datetime | None
    outcome: str
    outcome_note: str
    revoked_at: datetime | None
    revoke_reason: str

    @staticmethod
    def resolve_case_number(obj: Referral) -> str:
        return obj.case.number

    @staticmethod
    def resolve_status_label(obj: Referral) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_person(obj: Referral) -> Person | None:
        return obj.person if getattr(obj, "person_visible", False) else None


def _with_persons(scope: Scope, referrals: list[Referral]) -> list[Referral]:
    """Mark which persons the reader may see, with one query for the whole page."""
    ids = {r.person_id for r in referrals}
    visible = set(Person.objects.visible_to(scope).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for r in referrals:
        r.person_visible = r.person_id in visible  # type: ignore[attr-defined]
    return referrals


class _Page:
    """A paginated list whose page is decorated once it is cut (``[offset:offset+limit]``)."""

    def __init__(self, scope: Scope, qs: QuerySet[Referral]) -> None:
        self.scope, self.qs = scope, qs

    def all(self) -> QuerySet[Referral]:
        return self.qs

    def __getitem__(self, key: slice) -> list[Referral]:
        return _with_persons(self.scope, list(self.qs[key]))

    def __len__(self) -> int:
        return self.qs.count()


def _state_filter(qs: QuerySet[Referral], state: str) -> QuerySet[Referral]:
    if not state:
        return qs
    if state not in Referral.State.values:
        raise ValidationError({"state": [_("Choose a state from the list.")]})
    return qs.filter(status=state)


def _one(request: HttpRequest, referral_id: int) -> Referral:
    """Read back after a write: the service has authorised; the page rule for the name applies."""
    r = Referral.objects.select_related(*_RELATED).get(pk=referral_id)
    return _with_persons(scope_of(request), [r])[0]


class ReferralIn(Schema):
    case_id: int
    target: str = ""
    reason: str = ""
    to_establishment_id: int | None = None
    to_partner_id: int | None = None
    external_service: str = ""
    sector: str = ""
    need: str = ""
    answer_days: int | None = None


@router.post("/", response={201: ReferralOut},
             summary="Refer a case's person to an establishment, a partner association or an outside service")
def referral_send(request: HttpRequest, payload: ReferralIn) -> Status[Referral]:
    r = services.referral_send(actor=request.user, scope=scope_of(request), **payload.dict())
    return Status(201, _one(request, r.pk))


@router.get("/inbox", response=list[ReferralOut], summary="Referrals to your establishments, newest first")
@paginate(LimitOffsetPagination, max_limit=100)
def inbox(request: HttpRequest, state: str = "") -> Any:
    scope = scope_of(request)
    qs = _state_filter(Referral.objects.inbox_of(scope), state)
    return _Page(scope, qs.select_related(*_RELATED).order_by("-sent_at", "-pk"))


@router.get("/sent", response=list[ReferralOut], summary="Referrals your establishments sent, newest first")
@paginate(LimitOffsetPagination, max_limit=100)
def sent(request: HttpRequest, state: str = "") -> Any:
    scope = scope_of(request)
    qs = _state_filter(Referral.objects.sent_by(scope), state)
    return _Page(scope, qs.select_related(*_RELATED).order_by("-sent_at", "-pk"))


@router.get("/{int:referral_id}", response=ReferralOut, summary="A referral (the read is journalled)")
def referral_get(request: HttpRequest, referral_id: int) -> Referral:
    scope = scope_of(request)
    r = get_or_404(Referral.objects.visible_to(scope).select_related(*_RELATED), pk=referral_id)
    journal_write(actor=request.user, action="referral.read", obj=r, object_repr=r.number,
                  org_unit_id=r.from_establishment_id, kind="read")
    return _with_persons(scope, [r])[0]


class ReferralNoteIn(Schema):
    note: str = ""


class ReferralReasonIn(Schema):
    reason: str = ""


class CompleteIn(Schema):
    outcome: str = ""
    note: str = ""


@router.post("/{int:referral_id}/accept", response=ReferralOut, summary="Accept a referral (receiving side)")
def accept(request: HttpRequest, referral_id: int, payload: ReferralNoteIn) -> Referral:
    services.referral_accept(actor=request.user, scope=scope_of(request), referral_id=referral_id,
                             note=payload.note)
    return _one(request, referral_id)


@router.post("/{int:referral_id}/decline", response=ReferralOut,
             summary="Decline a referral with the reason (receiving side)")
def decline(request: HttpRequest, referral_id: int, payload: ReferralReasonIn) -> Referral:
    services.referral_decline(actor=request.user, scope=scope_of(request), referral_id=referral_id,
                              reason=payload.reason)
    return _one(request, referral_id)


@router.post("/{int:referral_id}/complete", response=ReferralOut,
             summary="Complete an accepted referral with its outcome")
def complete(request: HttpRequest, referral_id: int, payload: CompleteIn) -> Referral:
    services.referral_complete(actor=request.user, scope=scope_of(request), referral_id=referral_id,
                               outcome=payload.outcome, note=payload.note)
    return _one(request, referral_id)


@router.post("/{int:referral_id}/revoke", response=ReferralOut,
             summary="Revoke a referral in progress (a supervisor of the sending side)")
def revoke(request: HttpRequest, referral_id: int, payload: ReferralReasonIn) -> Referral:
    services.referral_revoke(actor=request.user, scope=scope_of(request), referral_id=referral_id,
                             reason=payload.reason)
    return _one(request, referral_id)
