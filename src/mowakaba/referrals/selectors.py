"""Reads for the orientation pages: the inbox and what we sent, one referral with its timeline,
what the actor may do with it, and the national directory of establishments to refer to.

Each list starts from the access policy and runs a fixed number of queries whatever the number
of rows (checked in tests with ``django_assert_max_num_queries``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from mowakaba.accounts.scope import Capability, Scope, any_of
from mowakaba.audit.models import JournalEntry
from mowakaba.cases.models import Need
from mowakaba.referrals.models import LIVE_STATES, Referral
from mowakaba.registry.models import Person
from mowakaba.territory.models import OrgUnit

# Inbox tabs: the receiving side's work, then what we sent.
INBOX_TABS = ("sent", "accepted", "done", "outgoing")
DONE_STATES = (Referral.State.COMPLETED, Referral.State.DECLINED, Referral.State.REVOKED)
NEED_LABELS: dict[str, Any] = dict(Need.choices)

_RELATED = ("case", "person", "from_establishment", "to_establishment", "to_partner")


def inbox(scope: Scope, tab: str) -> QuerySet[Referral]:
    """One tab of the inbox, newest first. ``outgoing`` is what our establishments sent."""
    if tab == "outgoing":
        qs = Referral.objects.sent_by(scope)
    else:
        qs = Referral.objects.inbox_of(scope)
        if tab == "accepted":
            qs = qs.filter(status=Referral.State.ACCEPTED)
        elif tab == "done":
            qs = qs.filter(status__in=DONE_STATES)
        else:
            qs = qs.filter(status=Referral.State.SENT)
    return qs.select_related(*_RELATED).order_by("-sent_at", "-pk")


def inbox_counts(scope: Scope) -> dict[str, int]:
    """Numbers on the tabs: two grouped queries."""
    rows = dict(Referral.objects.inbox_of(scope).values_list("status").annotate(n=Count("pk")).order_by()
                .values_list("status", "n"))
    return {
        "sent": rows.get(Referral.State.SENT, 0),
        "accepted": rows.get(Referral.State.ACCEPTED, 0),
        "done": sum(rows.get(s, 0) for s in DONE_STATES),
        "outgoing": Referral.objects.sent_by(scope).filter(status__in=LIVE_STATES).count(),
    }


def decorate(scope: Scope, referrals: list[Referral], *, today: date | None = None) -> list[Referral]:
    """Add what the rows show: the need's label, whether the answer is late, and whether the
    reader may see the person's name (the registry's rule, asked once for the whole page)."""
    today = today or timezone.localdate()
    person_ids = {r.person_id for r in referrals}
    visible = set(Person.objects.visible_to(scope).filter(pk__in=person_ids).values_list("pk", flat=True)
                  ) if person_ids else set()
    for r in referrals:
        r.need_label = NEED_LABELS.get(r.need, r.need)  # type: ignore[attr-defined]
        r.overdue = r.status == Referral.State.SENT and r.answer_due < today  # type: ignore[attr-defined]
        r.person_visible = r.person_id in visible  # type: ignore[attr-defined]
    return referrals


def referral_for(scope: Scope, pk: int) -> QuerySet[Referral]:
    return (Referral.objects.visible_to(scope).filter(pk=pk)
            .select_related(*_RELATED, "to_establishment__establishment_type", "to_establishment__commune",
                            "sent_by", "answered_by", "revoked_by", "case__agent"))


@dataclass(frozen=True)
class Allowed:
    answer: bool  # accept or decline (sent), complete (accepted)
    revoke: bool

    @property
    def any(self) -> bool:
        return self.answer or self.revoke


def allowed(scope: Scope, r: Referral) -> Allowed:
    """The same rules as the services, asked beforehand to show only the buttons that work:
    the receiving side answers; the sending side records the answer of a place without
    accounts; a supervisor of the sending side revokes a referral in progress."""
    answer = revoke = False
    if r.is_live and scope.can(Capability.EDIT_PERSONS):
        inbox_q = scope.rows_q("to_establishment", Capability.EDIT_PERSONS)
        outside = Q(to_establishment__isnull=True) & scope.rows_q("from_establishment", Capability.EDIT_PERSONS)
        answer = Referral.objects.filter(any_of(inbox_q, outside), pk=r.pk).exists()
    if r.is_live and scope.can(Capability.APPROVE):
        revoke = Referral.objects.filter(scope.rows_q("from_establishment", Capability.APPROVE), pk=r.pk).exists()
    return Allowed(answer=answer, revoke=revoke)


def timeline(r: Referral, *, limit: int = 100) -> list[JournalEntry]:
    """What happened to the referral, oldest first. The service journals each action on both
    sides (sending and receiving establishment): keep one line per action."""
    entries = (JournalEntry.objects.filter(object_type="referrals.referral", object_id=str(r.pk))
               .exclude(kind=JournalEntry.Kind.READ).select_related("actor").order_by("at", "pk")[: limit * 2])
    seen: set[tuple[str, Any, Any]] = set()
    out: list[JournalEntry] = []
    for e in entries:
        key = (e.action, e.actor_id, e.at.replace(microsecond=0))
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out[:limit]


def establishment_directory(*, q: str = "", type_id: int | None = None, partner: bool | None = None,
                            exclude_id: int | None = None, limit: int = 15) -> list[OrgUnit]:
    """Active establishments of the whole country: orientation goes anywhere. ``partner``
    narrows to those run by the institution (False) or by a partner association (True)."""
    qs = (OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True)
          .select_related("establishment_type", "commune__province", "partner"))
    if partner is not None:
        qs = qs.filter(partner__isnull=not partner)
    if type_id:
        qs = qs.filter(Q(establishment_type_id=type_id) | Q(establishment_type__parent_id=type_id))
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    for word in q.split()[:4]:
        qs = qs.filter(Q(name_fr__icontains=word) | Q(name_ar__icontains=word) | Q(code__iexact=word)
                       | Q(commune__name_fr__icontains=word) | Q(commune__name_ar__icontains=word))
    return list(qs.order_by("name_fr", "pk")[:limit])
