"""Partner associations and conventions over the API, under the same access policy as the pages:
partner staff read their own association only; a row out of reach is a 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from mowakaba.accounts.scope import Capability, get_or_404, scope_of
from mowakaba.partners import selectors, services
from mowakaba.partners.models import Convention, Report, associations_visible_to, rib_grouped, rib_masked
from mowakaba.territory.models import PartnerAssociation

router = Router(tags=["partners"])


class AssociationOut(Schema):
    id: int
    name: str
    name_ar: str
    registration_number: str
    province_id: int | None
    representative: str
    phone: str
    email: str


class AssociationDetail(AssociationOut):
    receipt_date: date | None = None
    receipt_authority: str = ""
    domains: list[str] = []
    rib: str = ""


class TrancheOut(Schema):
    id: int
    number: int
    planned_on: date
    planned_amount: Decimal
    paid_on: date | None
    paid_amount: Decimal | None


class ReportOut(Schema):
    id: int
    kind: str
    period: str
    due_on: date
    submitted_on: date | None


class ConventionOut(Schema):
    id: int
    reference: str
    unit_id: int
    association_id: int
    subject: str
    starts_on: date
    ends_on: date
    amount: Decimal
    status: str
    signed_on: date | None
    obligations: list[str]
    version: int


class ConventionDetail(ConventionOut):
    tranches: list[TrancheOut]
    reports: list[ReportOut]


class ReceiveIn(Schema):
    received_on: date | None = None
    note: str = ""


@router.get("/associations", response=list[AssociationOut])
@paginate(LimitOffsetPagination)
def association_list(request: HttpRequest, q: str = "") -> QuerySet[PartnerAssociation]:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PARTNERS)
    return selectors.association_list(scope, q=q)


@router.get("/associations/{association_id}", response=AssociationDetail)
def association_detail(request: HttpRequest, association_id: int) -> dict[str, Any]:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PARTNERS)
    a = get_or_404(associations_visible_to(scope), pk=association_id)
    profile = services.profile_of(a)
    rib = profile.rib or ""
    full = scope.can(Capability.MANAGE_CONVENTIONS)
    return {**{f: getattr(a, f) for f in ("id", "name", "name_ar", "registration_number", "province_id",
                                           "representative", "phone", "email")},
            "receipt_date": profile.receipt_date, "receipt_authority": profile.receipt_authority,
            "domains": list(profile.domains or []),
            "rib": (rib_grouped(rib) if full else rib_masked(rib)) if rib else ""}


@router.get("/conventions", response=list[ConventionOut])
@paginate(LimitOffsetPagination)
def convention_list(request: HttpRequest, status: str = "", q: str = "") -> QuerySet[Convention]:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PARTNERS)
    return selectors.convention_list(scope, status=status, q=q)


@router.get("/conventions/{convention_id}", response=ConventionDetail)
def convention_detail(request: HttpRequest, convention_id: int) -> Convention:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PARTNERS)
    return get_or_404(Convention.objects.visible_to(scope).prefetch_related("tranches", "reports"),
                      pk=convention_id)


@router.post("/reports/{report_id}/receive", response=ReportOut)
def report_receive(request: HttpRequest, report_id: int, payload: ReceiveIn) -> Report:
    return services.report_receive(actor=request.user, scope=scope_of(request), report_id=report_id,
                                   received_on=payload.received_on, note=payload.note)
