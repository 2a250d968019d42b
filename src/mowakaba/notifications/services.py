"""Writing notifications, and finding who should get them.

Called by the casework services inside their transaction: a notification exists exactly when
the action that caused it was committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from mowakaba.accounts.models import Assignment, Role
from mowakaba.notifications.models import Notification
from mowakaba.territory.models import OrgUnit

# Who works a case in an establishment, and who approves above it.
FRONT_ROLES = (Role.AGENT, Role.MANAGER, Role.PARTNER_STAFF)
APPROVER_ROLES = (Role.DELEGATE,)


def notify(user_ids: Iterable[int | None], kind: str, params: dict[str, Any] | None = None, url: str = "",
           *, exclude: int | None = None) -> int:
    ids = {u for u in user_ids if u and u != exclude}
    Notification.objects.bulk_create(
        [Notification(user_id=u, kind=kind, params=params or {}, url=url) for u in sorted(ids)]
    )
    return len(ids)


def staff_of(establishment_id: int, roles: Iterable[str] = FRONT_ROLES) -> list[int]:
    """Users holding one of ``roles`` in the establishment (partner staff through it or their
    association)."""
    unit = OrgUnit.objects.filter(pk=establishment_id).values("partner_id").first()
    q = Q(org_unit_id=establishment_id)
    if unit and unit["partner_id"]:
        q |= Q(partner_id=unit["partner_id"], org_unit__isnull=True, role=Role.PARTNER_STAFF)
    return list(Assignment.objects.active().filter(q, role__in=list(roles))
                .values_list("user_id", flat=True).distinct())


def managers_of(establishment_id: int) -> list[int]:
    return staff_of(establishment_id, (Role.MANAGER,))


def approvers_of(establishment_id: int) -> list[int]:
    """The provincial delegate(s) above the establishment."""
    unit = OrgUnit.objects.filter(pk=establishment_id).first()
    if unit is None:
        return []
    return list(Assignment.objects.active()
                .filter(org_unit_id__in=unit.ancestor_ids(), role__in=list(APPROVER_ROLES))
                .values_list("user_id", flat=True).distinct())


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
