"""Territory (reference data) and the structure (scoped org units) over the API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from mowakaba.accounts.scope import Capability, get_or_404, scope_of
from mowakaba.territory import selectors, services
from mowakaba.territory.models import Commune, EstablishmentType, OrgUnit, PartnerAssociation, Province, Region

router = Router(tags=["territory"])


class RegionOut(Schema):
    id: int
    code: str
    name_fr: str
    name_ar: str
    population_2024: int


class ProvinceOut(Schema):
    id: int
    code: str
    name_fr: str
    name_ar: str
    kind: str
    region_id: int
    population_2024: int
    population_2014: int


class CommuneOut(Schema):
    id: int
    code: str
    name_fr: str
    name_ar: str
    kind: str
    province_id: int
    population_2024: int
    population_2014: int | None


class UnitOut(Schema):
    id: int
    code: str
    kind: str
    name_fr: str
    name_ar: str
    parent_id: int | None
    type: str | None = Field(None, alias="establishment_type.code")
    commune_code: str | None = Field(None, alias="commune.code")
    capacity: int | None
    managed_by: str
    partner_id: int | None
    active: bool
    version: int


class UnitPatch(Schema):
    version: int
    name_fr: str | None = None
    name_ar: str | None = None
    type: str | None = None
    commune_code: str | None = None
    address: str | None = None
    capacity: int | None = None
    managed_by: str | None = None
    partner_id: int | None = None
    phone: str | None = None
    active: bool | None = None


@router.get("/regions", response=list[RegionOut])
def regions(request: HttpRequest) -> list[Region]:
    return list(Region.objects.all())


@router.get("/provinces", response=list[ProvinceOut])
def provinces(request: HttpRequest, region: str = "") -> list[Province]:
    qs = Province.objects.all()
    if region:
        qs = qs.filter(region__code=region)
    return list(qs)


@router.get("/communes", response=list[CommuneOut])
@paginate(PageNumberPagination, page_size=50)
def communes(request: HttpRequest, province: str = "", q: str = "") -> object:
    qs = Commune.objects.all()
    if province:
        qs = qs.filter(province__code=province)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(name_fr__icontains=q) | Q(name_ar__icontains=q))
    return qs


@router.get("/units", response=list[UnitOut], summary="Org units you can see (establishments by default)")
@paginate(PageNumberPagination, page_size=50)
def units(request: HttpRequest, kind: str = OrgUnit.Kind.ESTABLISHMENT, q: str = "", type: str = "",
          province_id: int | None = None, region_id: int | None = None) -> object:
    return selectors.units_for(scope_of(request), kind=kind, q=q, type_code=type, province_id=province_id,
                               region_id=region_id)


@router.get("/units/{unit_id}", response=UnitOut)
def unit(request: HttpRequest, unit_id: int) -> OrgUnit:
    return get_or_404(selectors.units_for(scope_of(request), active=None), pk=unit_id)


@router.patch("/units/{unit_id}", response=UnitOut, summary="Change an establishment (version check)")
def unit_patch(request: HttpRequest, unit_id: int, payload: UnitPatch) -> OrgUnit:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    scope = scope_of(request)
    scope.require(Capability.EDIT_STRUCTURE)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "type" in data:
        etype = EstablishmentType.objects.filter(code=data.pop("type")).first()
        if etype is None:
            raise ValidationError({"type": [_("Unknown establishment type.")]})
        data["establishment_type"] = etype
    if "commune_code" in data:
        commune = Commune.objects.filter(code=data.pop("commune_code")).first()
        if commune is None:
            raise ValidationError({"commune_code": [_("Unknown commune code.")]})
        data["commune"] = commune
    if "partner_id" in data:
        pid = data.pop("partner_id")
        data["partner"] = PartnerAssociation.objects.filter(pk=pid).first() if pid else None
    services.orgunit_update(actor=request.user, scope=scope, unit_id=unit_id, expected_version=version, **data)
    return OrgUnit.objects.select_related("establishment_type", "commune").get(pk=unit_id)
