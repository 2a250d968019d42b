"""Reads of the territory and the structure, always through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from mowakaba.accounts.scope import Scope
from mowakaba.territory.models import Commune, OrgUnit, Province, Region


def units_for(
    scope: Scope,
    *,
    kind: str = "",
    q: str = "",
    type_code: str = "",
    managed_by: str = "",
    region_id: int | None = None,
    province_id: int | None = None,
    active: bool | None = None,
) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.visible_to(scope).select_related(
        "establishment_type", "commune__province__region", "partner", "parent"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name_fr__icontains=q) | Q(name_ar__icontains=q) | Q(code__iexact=q))
    if type_code:
        qs = qs.filter(Q(establishment_type__code=type_code) | Q(establishment_type__parent__code=type_code))
    if managed_by:
        qs = qs.filter(managed_by=managed_by)
    if province_id:
        qs = qs.filter(commune__province_id=province_id)
    if region_id:
        qs = qs.filter(commune__province__region_id=region_id)
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def establishment_summary(scope: Scope) -> dict[str, Any]:
    """Counts for a home page: establishments by type and manager, total capacity (one query each)."""
    est = OrgUnit.objects.visible_to(scope).filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True)
    totals = est.aggregate(
        n=Count("pk"), capacity=Sum("capacity"), partner=Count("pk", filter=Q(managed_by="partner"))
    )
    by_type = list(
        est.values("establishment_type__code", "establishment_type__name_ar", "establishment_type__name_fr",
                   "establishment_type__name_en")
        .annotate(n=Count("pk"), capacity=Sum("capacity"))
        .order_by("-n")
    )
    return {"totals": totals, "by_type": by_type}


def regions_with_counts(scope: Scope) -> QuerySet[Region]:
    """Regions with their number of provinces and communes; reference data, open to every user."""
    return Region.objects.annotate(n_provinces=Count("provinces", distinct=True))


def provinces_of(region: Region) -> QuerySet[Province]:
    return region.provinces.annotate(n_communes=Count("communes")).order_by("code")


def communes_of(province: Province, q: str = "") -> QuerySet[Commune]:
    qs = province.communes.all()
    if q:
        qs = qs.filter(Q(name_fr__icontains=q) | Q(name_ar__icontains=q) | Q(code__startswith=q))
    return qs
