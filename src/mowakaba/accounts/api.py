from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from mowakaba.accounts.scope import Capability, scope_of

router = Router(tags=["accounts"])


class GrantOut(Schema):
    role: str
    national: bool
    unit_paths: list[str]
    partner_id: int | None
    province_ids: list[int]
    region_ids: list[int]


class MeOut(Schema):
    username: str
    language: str
    grants: list[GrantOut]
    capabilities: list[str]


@router.get("/me", response=MeOut, summary="Who am I, and what may I do")
def me(request: HttpRequest) -> MeOut:
    scope = scope_of(request)
    return MeOut(
        username=request.user.get_username(),
        language=getattr(request.user, "language", "ar"),
        grants=[GrantOut(role=g.role, national=g.national, unit_paths=list(g.unit_paths), partner_id=g.partner_id,
                         province_ids=list(g.province_ids), region_ids=list(g.region_ids)) for g in scope.grants],
        capabilities=sorted(c.value for c in Capability if scope.can(c)),
    )
