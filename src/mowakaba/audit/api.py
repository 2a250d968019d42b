from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from mowakaba.accounts.scope import Capability, scope_of
from mowakaba.audit.selectors import journal_for

router = Router(tags=["journal"])


class EntryOut(Schema):
    id: int
    at: datetime
    kind: str
    actor_label: str
    action: str
    object_type: str
    object_id: str
    org_unit_id: int | None
    changes: dict[str, Any]
    via: str


@router.get("/", response=list[EntryOut], summary="The journal within your territory")
@paginate(PageNumberPagination, page_size=100)
def journal(request: HttpRequest, kind: str = "", object_type: str = "", object_id: str = "") -> object:
    scope = scope_of(request)
    scope.require(Capability.VIEW_JOURNAL)
    return journal_for(scope, kind=kind, object_type=object_type, object_id=object_id)
