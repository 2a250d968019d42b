"""Synthetic persons for the registry, with planted duplicates written the way agents write them.

Each establishment gets persons in proportion to its capacity; names in both scripts, sometimes
only one; obviously fake CIN numbers (``ZZ`` prefix) and phones in an unassigned block. A share
of persons is registered a second time, elsewhere in the same province, with the spelling an
agent might use (Mohammed for Mohamed, Fatimazahra, Al Fassi, a typo, a missing father's name,
only the Arabic or only the Latin form, hamza and ta marbuta variants). Their external references
say which record they copy (``P123`` and ``P123-D``), so benchmarks can measure recall.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from mowakaba.registry.keys import bulk_keys, vocabulary_rebuild
from mowakaba.registry.models import Consent, IdentityDocument, NameKey, Person, Phone
from mowakaba.territory.models import Commune, OrgUnit

from .names import random_person_name

LATIN_VARIANTS: dict[str, list[str]] = {
    "Mohamed": ["Mohammed", "Mohamad", "Mouhamed", "Mohammad"],
    "Mohammed": ["Mohamed", "Mohamad"],
    "Ahmed": ["Ahmad", "Ahmid"],
    "Youssef": ["Yousef", "Youcef", "Yusuf", "Youssif"],
    "Fatima Zahra": ["Fatimazahra", "Fatima-Zahra", "Fatima Ezzahra", "Fatim Zahra"],
    "Abdelkader": ["Abdel Kader", "Abdelkhader", "Abdelqader"],
    "Abdellah": ["Abdallah", "Abdelah", "Abdullah"],
    "Khadija": ["Khadidja", "Khadijah", "Khedija"],
    "Aicha": ["Aisha", "Aïcha", "Aycha"],
    "Said": ["Saïd", "Saaid"],
    "Hicham": ["Hisham", "Hichame"],
    "Rachid": ["Rashid", "Rachide"],
    "Meryem": ["Maryam", "Meriem", "Mariam"],
    "Zineb": ["Zaynab", "Zainab", "Zinab"],
    "Hanane": ["Hanan", "Hannane"],
    "Noureddine": ["Nour Eddine", "Nourdine", "Nour-Eddine"],
    "Brahim": ["Ibrahim", "Brahime"],
    "Mustapha": ["Mustafa", "Moustapha"],
}
PREFIX_VARIANTS = [("El ", ["Al ", "El-", "El"]), ("Ait ", ["Aït ", "Ait-", "Ait"]), ("Ben", ["Ben ", "Bin "]),
                   ("Bou", ["Bou "])]
ARABIC_SWAPS = [("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ة", "ه"), ("ى", "ي"), ("ي", "ى")]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice("dsr")
    if op == "d":
        return word[:i] + word[i + 1:]
    if op == "s":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]  # doubled letter


def _latin_variant(rng: random.Random, name: str) -> str:
    if name in LATIN_VARIANTS and rng.random() < 0.7:
        return rng.choice(LATIN_VARIANTS[name])
    for prefix, options in PREFIX_VARIANTS:
        if name.startswith(prefix) and rng.random() < 0.7:
            return rng.choice(options) + name[len(prefix):]
    return _typo(rng, name) if rng.random() < 0.5 else name


def _arabic_variant(rng: random.Random, name: str) -> str:
    for a, b in ARABIC_SWAPS:
        if a in name and rng.random() < 0.6:
            return name.replace(a, b, 1)
    if rng.random() < 0.3 and len(name) > 2:
        return name[:2] + "ـ" + name[2:]  # tatweel, as some keyboards insert it
    return name


def _variant(rng: random.Random, f: dict[str, Any]) -> dict[str, Any]:
    g = dict(f)
    for field in ("given_name_lat", "family_name_lat"):
        if g[field]:
            g[field] = _latin_variant(rng, g[field])
    for field in ("given_name_ar", "family_name_ar"):
        if g[field]:
            g[field] = _arabic_variant(rng, g[field])
    roll = rng.random()
    has_ar, has_lat = bool(g["given_name_ar"] or g["family_name_ar"]), bool(g["given_name_lat"] or g["family_name_lat"])
    if roll < 0.25 and has_lat:
        g["given_name_ar"] = g["family_name_ar"] = g["father_name_ar"] = ""  # only the Latin form
    elif roll < 0.45 and has_ar:
        g["given_name_lat"] = g["family_name_lat"] = g["father_name_lat"] = ""  # only the Arabic form
    if rng.random() < 0.6:
        g["father_name_ar"] = g["father_name_lat"] = ""
    if g["birth_date"] and rng.random() < 0.35:
        g["birth_year_only"] = True
        g["birth_date"] = date(g["birth_date"].year, 1, 1)
    return g


def generate_persons(*, total: int, seed: int = 2026, duplicate_share: float = 0.03,
                     progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    establishments = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT).values_list(
        "pk", "commune_id", "commune__province_id", "capacity"))
    communes_by_province: dict[int, list[int]] = {}
    for cid, pid in Commune.objects.values_list("pk", "province_id"):
        communes_by_province.setdefault(pid, []).append(cid)
    weights = [max(cap or 20, 10) for *_x, cap in establishments]
    by_province: dict[int, list[tuple[int, int, int, int | None]]] = {}
    for e in establishments:
        by_province.setdefault(e[2], []).append(e)
    today = date.today()
    originals = int(total / (1 + duplicate_share))
    planted = 0
    written = 0
    cin_seq = rng.randrange(100000, 200000)
    chunk: list[tuple[dict[str, Any], str, str]] = []

    def flush() -> None:
        nonlocal chunk, written
        if not chunk:
            return
        with transaction.atomic():
            persons = Person.objects.bulk_create([Person(**f) for f, _c, _p in chunk], batch_size=2000)
            docs = [IdentityDocument(person_id=p.pk, kind="cin", number=c, status="seen")
                    for p, (_f, c, _p) in zip(persons, chunk, strict=True) if c]
            phones = [Phone(person_id=p.pk, number=ph) for p, (_f, _c, ph) in zip(persons, chunk, strict=True) if ph]
            IdentityDocument.objects.bulk_create(docs, batch_size=5000)
            Phone.objects.bulk_create(phones, batch_size=5000)
            if recorder:
                Consent.objects.bulk_create([
                    Consent(person_id=p.pk, purpose="listening", method="oral", given_on=p.created_at.date(),
                            recorded_by_id=recorder) for p in persons[: len(persons) // 2]
                ], batch_size=5000)
            NameKey.objects.bulk_create(bulk_keys(persons), batch_size=10000)
        written += len(persons)
        chunk = []
        if progress:
            progress(written, total)

    from mowakaba.accounts.models import User

    recorder = User.objects.filter(username="agent.casa").values_list("pk", flat=True).first()
    for n in range(originals):
        est = rng.choices(establishments, weights=weights, k=1)[0]
        sex = rng.choice("MF")
        given_lat, family_lat, given_ar, family_ar = random_person_name(rng, sex)
        father_lat, _f, father_ar, _fa = random_person_name(rng, "M")
        age = rng.choice([rng.randint(0, 17), rng.randint(18, 59), rng.randint(60, 95)])
        born = today - timedelta(days=age * 365 + rng.randint(0, 364))
        script = rng.random()
        arabic, latin = script < 0.85, script > 0.15  # most records carry both scripts
        fields: dict[str, Any] = {
            "external_ref": f"P{n}", "establishment_id": est[0], "sex": sex,
            "given_name_ar": given_ar if arabic else "", "family_name_ar": family_ar if arabic else "",
            "father_name_ar": father_ar if script < 0.5 else "",
            "given_name_lat": given_lat if latin else "", "family_name_lat": family_lat if latin else "",
            "father_name_lat": father_lat if 0.15 < script < 0.5 else "",
            "birth_date": born, "birth_year": born.year, "birth_year_only": rng.random() < 0.15,
            "commune_id": est[1] if rng.random() < 0.7 else rng.choice(communes_by_province[est[2]]),
        }
        cin_seq += 1
        # Obviously fake CINs: a Z prefix (ZZ, ZY, ...) and six digits, valid in form only.
        cin = (f"Z{chr(90 - cin_seq // 1_000_000)}{cin_seq % 1_000_000:06d}"
               if age >= 18 and rng.random() < 0.6 else "")
        phone = f"+2126000{rng.randrange(0, 100000):05d}" if age >= 16 and rng.random() < 0.5 else ""
        chunk.append((fields, cin, phone))
        if rng.random() < duplicate_share:
            twin = _variant(rng, fields)
            twin["external_ref"] = f"P{n}-D"
            twin["establishment_id"] = rng.choice(by_province[est[2]])[0]
            chunk.append((twin, cin if rng.random() < 0.3 else "", phone if rng.random() < 0.3 else ""))
            planted += 1
        if len(chunk) >= 10000:
            flush()
    flush()
    vocabulary_rebuild()
    return {"persons": written, "planted_duplicates": planted}
