"""Reading the journal, always through the access policy."""

from __future__ import annotations

from django.db.models import QuerySet

from mowakaba.accounts.scope import Scope
from mowakaba.audit.models import JournalEntry


def journal_for(
    scope: Scope,
    *,
    kind: str = "",
    object_type: str = "",
    object_id: str = "",
    object_ids: list[str] | None = None,
    actor_id: int | None = None,
    org_unit_id: int | None = None,
) -> QuerySet[JournalEntry]:
    qs = JournalEntry.objects.visible_to(scope).select_related("actor", "org_unit")
    if kind:
        qs = qs.filter(kind=kind)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if object_ids:
        qs = qs.filter(object_id__in=object_ids)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if org_unit_id:
        qs = qs.filter(org_unit_id=org_unit_id)
    return qs
