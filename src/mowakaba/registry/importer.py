"""Bulk import of persons from the institution's old spreadsheets (a stable interface).

    mowakaba persons import FILE.csv --establishment CODE --as-user NAME | --system

Columns (UTF-8 CSV, header row, other columns ignored): record_id (kept as the external
reference), given_name, family_name, father_name (Arabic or Latin script, detected per cell),
sex (M/F), birth_date (ISO date), birth_year_only (1 when only the year is known), cin, phone,
commune_code (HCP). A row in error is reported with its line and reason and skipped; the rest is
written in batches with bulk inserts (persons, phones, documents, search keys), then the name
vocabulary is recounted once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from mowakaba.accounts.scope import Capability, Scope
from mowakaba.audit.services import journal_write
from mowakaba.core.csvio import dict_rows
from mowakaba.registry.keys import bulk_keys, vocabulary_rebuild
from mowakaba.registry.models import IdentityDocument, NameKey, Person, Phone
from mowakaba.registry.validation import clean_cin, clean_phone
from mowakaba.territory.models import Commune, OrgUnit

ARABIC = re.compile(r"[\u0600-\u06FF]")
BATCH = 5000


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0


def _split(value: str) -> tuple[str, str]:
    value = " ".join((value or "").split())
    if not value:
        return "", ""
    return (value, "") if ARABIC.search(value) else ("", value)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from enumerate(dict_rows(fh), start=2)


def parse_row(row: dict[str, str], communes: dict[str, int]) -> tuple[dict[str, Any], str, str]:
    """One CSV row as person fields, a CIN and a phone; raises ValidationError with the reason."""
    given_ar, given_lat = _split(row.get("given_name", ""))
    family_ar, family_lat = _split(row.get("family_name", ""))
    father_ar, father_lat = _split(row.get("father_name", ""))
    if not (given_ar or given_lat or family_ar or family_lat):
        raise ValidationError("no given name and no family name")
    sex = row.get("sex", "").upper()[:1]
    if sex and sex not in {"M", "F"}:
        raise ValidationError(f"sex must be M or F, not {row.get('sex')!r}")
    birth_date: date | None = None
    raw = row.get("birth_date", "")
    if raw:
        try:
            birth_date = date.fromisoformat(raw[:10])
        except ValueError as exc:
            raise ValidationError(f"birth_date {raw!r} is not an ISO date (YYYY-MM-DD)") from exc
        today = timezone.localdate()
        if birth_date > today:
            raise ValidationError(f"birth_date {raw} is in the future")
        if birth_date.year < today.year - 120:
            raise ValidationError(f"birth_date {raw} is more than 120 years ago")
    year_only = row.get("birth_year_only", "") in {"1", "true", "yes", "oui"}
    cin = clean_cin(row["cin"]) if row.get("cin") else ""
    phone = clean_phone(row["phone"]) if row.get("phone") else ""
    commune_id = None
    if row.get("commune_code"):
        commune_id = communes.get(row["commune_code"])
        if commune_id is None:
            raise ValidationError(f"unknown commune_code {row['commune_code']!r}")
    return {
        "external_ref": row.get("record_id", "")[:64],
        "given_name_ar": given_ar, "family_name_ar": family_ar, "father_name_ar": father_ar,
        "given_name_lat": given_lat, "family_name_lat": family_lat, "father_name_lat": father_lat,
        "sex": sex, "birth_date": birth_date, "birth_year": birth_date.year if birth_date else None,
        "birth_year_only": year_only and birth_date is not None, "commune_id": commune_id,
    }, cin, phone


def _write(batch: list[tuple[dict[str, Any], str, str]], establishment_id: int, actor_id: int | None) -> int:
    with transaction.atomic():
        persons = Person.objects.bulk_create(
            [Person(establishment_id=establishment_id, created_by_id=actor_id, **fields) for fields, _c, _p in batch],
            batch_size=1000,
        )
        docs, phones = [], []
        for p, (_f, cin, phone) in zip(persons, batch, strict=True):
            if cin:
                docs.append(IdentityDocument(person_id=p.pk, kind=IdentityDocument.Kind.CIN, number=cin))
            if phone:
                phones.append(Phone(person_id=p.pk, number=phone))
        IdentityDocument.objects.bulk_create(docs, batch_size=2000)
        Phone.objects.bulk_create(phones, batch_size=2000)
        NameKey.objects.bulk_create(bulk_keys(persons), batch_size=5000)
    return len(persons)


def persons_import(
    *, actor: Any, scope: Scope, path: Path, establishment_code: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    started = time.monotonic()
    scope.require(Capability.EDIT_PERSONS)
    establishment = (OrgUnit.objects.filter(scope.rows_q("pk", Capability.EDIT_PERSONS))
                     .filter(code=establishment_code, kind=OrgUnit.Kind.ESTABLISHMENT).first())
    if establishment is None:
        raise Http404(f"no establishment {establishment_code!r} in your territory")
    communes = dict(Commune.objects.values_list("code", "pk"))
    result = ImportResult()
    batch: list[tuple[dict[str, Any], str, str]] = []
    actor_id = getattr(actor, "pk", None)
    for line, row in _rows(path):
        try:
            batch.append(parse_row(row, communes))
        except ValidationError as exc:
            result.errors.append((line, "; ".join(exc.messages)))
            continue
        if len(batch) >= BATCH:
            result.imported += _write(batch, establishment.pk, actor_id)
            batch = []
            if progress:
                progress(result.imported, line)
    if batch:
        result.imported += _write(batch, establishment.pk, actor_id)
    vocabulary_rebuild()
    from mowakaba.registry.search import VOCABULARY

    VOCABULARY.invalidate()
    result.seconds = round(time.monotonic() - started, 1)
    journal_write(actor=actor, action="persons.import", object_type="registry.person",
                  object_repr=f"{path.name} → {establishment.code}", org_unit_id=establishment.pk,
                  changes={"imported": result.imported, "errors": len(result.errors)})
    return result

