"""The registry over the API: search, read (logged), register. Same policy as the pages."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from mowakaba.accounts.scope import Capability, scope_of
from mowakaba.registry import search as search_mod
from mowakaba.registry import services
from mowakaba.registry.models import Person

router = Router(tags=["registry"])


class PersonOut(Schema):
    id: int
    record_no: str
    external_ref: str
    pseudonym: str
    given_name_ar: str
    family_name_ar: str
    father_name_ar: str
    given_name_lat: str
    family_name_lat: str
    father_name_lat: str
    sex: str
    birth_date: date | None
    birth_year: int | None
    birth_year_only: bool
    commune_id: int | None
    establishment_id: int
    version: int


class HitOut(Schema):
    person: PersonOut
    score: float
    reasons: list[str]


class PersonIn(Schema):
    establishment_id: int
    pseudonym: str = ""
    given_name_ar: str = ""
    family_name_ar: str = ""
    father_name_ar: str = ""
    given_name_lat: str = ""
    family_name_lat: str = ""
    father_name_lat: str = ""
    sex: str = ""
    birth_date: date | None = None
    birth_year: int | None = None
    birth_year_only: bool = False
    phones: list[str] = []
    cin: str = ""
    despite_matches: bool = False


@router.get("/persons", response=list[HitOut], summary="Search people by name (either script), CIN, phone, record")
def persons_search(request: HttpRequest, q: str, limit: int = 20) -> list[HitOut]:
    scope = scope_of(request)
    scope.require(Capability.VIEW_PERSONS)
    hits = search_mod.search(scope, q, limit=max(1, min(limit, 50)))
    return [HitOut(person=PersonOut.from_orm(h.person), score=h.score, reasons=h.reasons) for h in hits]


@router.get("/persons/{person_id}", response=PersonOut, summary="A person's record (the read is journalled)")
def person_get(request: HttpRequest, person_id: int) -> Person:
    return services.person_read(actor=request.user, scope=scope_of(request), person_id=person_id)


@router.post("/persons", response={201: PersonOut}, summary="Register a person")
def person_create(request: HttpRequest, payload: PersonIn) -> tuple[int, Person]:
    data = payload.dict()
    establishment_id = data.pop("establishment_id")
    phones = data.pop("phones")
    cin = data.pop("cin")
    despite = data.pop("despite_matches")
    person = services.person_register(
        actor=request.user, scope=scope_of(request), establishment_id=establishment_id, data=data,
        phones=phones, documents=[("cin", cin)] if cin else [], despite_matches=despite,
    )
    return 201, person
