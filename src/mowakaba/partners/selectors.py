"""Reads about partner associations and conventions, always through the access policy."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from mowakaba.accounts.models import Assignment, Role
from mowakaba.accounts.scope import Capability, Scope
from mowakaba.partners.models import Convention, PartnerProfile, Report, Status, associations_visible_to
from mowakaba.territory.models import OrgUnit, PartnerAssociation


def association_list(scope: Scope, *, q: str = "", province_id: int | None = None) -> QuerySet[PartnerAssociation]:
    qs = associations_visible_to(scope).select_related("province", "profile")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_ar__icontains=q) | Q(registration_number__icontains=q))
    if province_id:
        qs = qs.filter(province_id=province_id)
    return qs.annotate(
        n_establishments=Count("establishments", distinct=True),
        n_running=Count("conventions", filter=Q(conventions__status=Status.RUNNING), distinct=True),
    ).order_by("name")


def association_page(scope: Scope, association: PartnerAssociation) -> dict[str, Any]:
    profile = PartnerProfile.objects.filter(association=association).prefetch_related("provinces").first()
    establishments = (OrgUnit.objects.filter(partner=association, kind=OrgUnit.Kind.ESTABLISHMENT)
                      .select_related("establishment_type", "commune").order_by("name_fr"))
    staff = (Assignment.objects.active().filter(Q(partner=association) | Q(org_unit__partner=association),
                                                 role=Role.PARTNER_STAFF)
             .select_related("user", "org_unit").order_by("user__last_name"))
    conventions = (Convention.objects.visible_to(scope).filter(association=association)
                   .select_related("unit").order_by("-starts_on"))
    return {"profile": profile, "establishments": establishments, "staff": staff, "conventions": conventions,
            "can_manage": scope.can(Capability.MANAGE_CONVENTIONS)}


def _late_reports() -> Any:
    return Exists(Report.objects.filter(convention=OuterRef("pk"), submitted_on__isnull=True,
                                        due_on__lt=timezone.localdate()))


def convention_list(scope: Scope, *, status: str = "", q: str = "", association_id: int | None = None,
                    late: bool = False) -> QuerySet[Convention]:
    qs = Convention.objects.visible_to(scope).select_related("association", "unit")
    if status:
        qs = qs.filter(status=status)
    if association_id:
        qs = qs.filter(association_id=association_id)
    if q:
        qs = qs.filter(Q(reference__icontains=q) | Q(association__name__icontains=q)
                       | Q(association__name_ar__icontains=q) | Q(subject__icontains=q))
    qs = qs.annotate(has_late=_late_reports(), paid=Sum("tranches__paid_amount"))
    if late:
        qs = qs.filter(Q(has_late=True)).exclude(status__in=[Status.DRAFT, Status.CLOSED])
    return qs.order_by("-starts_on", "reference")


def status_counts(scope: Scope) -> dict[str, int]:
    rows = Convention.objects.visible_to(scope).values_list("status").annotate(n=Count("pk"))
    return {s: n for s, n in rows}


def convention_page(convention: Convention, today: date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    tranches = list(convention.tranches.all())
    reports = list(convention.reports.all())
    for r in reports:
        r.late = r.is_late(day)  # type: ignore[attr-defined]
    visits = list(convention.visits.select_related("visitor").prefetch_related("marks__criterion"))
    planned = sum((t.planned_amount for t in tranches), start=0)
    paid = sum((t.paid_amount or 0 for t in tranches), start=0)
    return {"tranches": tranches, "reports": reports, "visits": visits, "planned": planned, "paid": paid,
            "late_reports": [r for r in reports if getattr(r, "late", False)]}


def managing_units(scope: Scope) -> QuerySet[OrgUnit]:
    """The units for which the actor may sign: delegations, coordinations, head office they reach."""
    return (OrgUnit.objects.filter(scope.rows_q("pk", Capability.MANAGE_CONVENTIONS))
            .filter(kind__in=[OrgUnit.Kind.DELEGATION, OrgUnit.Kind.COORDINATION, OrgUnit.Kind.NATIONAL])
            .order_by("depth", "name_fr"))
