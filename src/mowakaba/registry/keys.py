"""Search keys of a person's name, kept in step with the names.

Each full form of the name (Arabic, Latin) is parsed by the matcher into parts with phonetic keys
(``names.parts.parse``): Arabic and Latin spellings of the same name share their keys. A person
gets one ``NameKey`` per token ("t") and one per sorted pair of tokens from two different parts ("p"). The vocabulary
table counts how many persons carry each token key: it gives typo tolerance (a mistyped token is
replaced by close keys that exist) and rarity (a rare token is a better first probe).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from django.db import transaction
from django.db.models import Count, F

from mowakaba.registry.models import NameKey, NameVocabulary, Person
from mowakaba.registry.names.parts import parse

MAX_TOKENS = 6


def pair_key(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def part_groups(text: str) -> list[list[str]]:
    """The keys of each part of a name: its own key, then its components' (Fatima Zahra gives
    ftmzhra, ftma, zhra). Pairs are only made across parts: "Fatima|Zahra" inside one given
    name says nothing about who the person is, and would make huge duplicate blocks."""
    groups: list[list[str]] = []
    for p in parse(text)[:MAX_TOKENS]:
        keys = [p.key, *(c.key for c in p.comps), *([p.stem.key] if p.stem is not None else [])]
        groups.append([k for k in dict.fromkeys(keys) if k])
    return [g for g in groups if g]


def keys_for_names(names: Iterable[str]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for name in names:
        groups = part_groups(name)
        for group in groups:
            out.update(("t", k) for k in group)
        for g1, g2 in combinations(groups, 2):
            out.update(("p", pair_key(a, b)) for a in g1 for b in g2 if a != b)
    return {(kind, key[:80]) for kind, key in out}


def keys_for_person(person: Person) -> set[tuple[str, str]]:
    names = person.full_names()
    if person.pseudonym and not names:
        names = [person.pseudonym]
    return keys_for_names(names)


@transaction.atomic
def index_person(person: Person) -> None:
    """Rewrite one person's keys and adjust the vocabulary counts by the difference."""
    old = set(NameKey.objects.filter(person=person).values_list("kind", "key"))
    new = keys_for_person(person) if person.merged_into_id is None else set()
    if old == new:
        return
    removed, added = old - new, new - old
    if removed:
        NameKey.objects.filter(person=person, key__in=[k for _kind, k in removed]).delete()
    NameKey.objects.bulk_create([NameKey(person=person, kind=kind, key=key) for kind, key in added])
    gone_tokens = [k for kind, k in removed if kind == "t"]
    new_tokens = [k for kind, k in added if kind == "t"]
    if gone_tokens:
        NameVocabulary.objects.filter(key__in=gone_tokens, count__gt=0).update(count=F("count") - 1)
    if new_tokens:
        NameVocabulary.objects.bulk_create([NameVocabulary(key=k, count=0) for k in new_tokens],
                                           ignore_conflicts=True)
        NameVocabulary.objects.filter(key__in=new_tokens).update(count=F("count") + 1)


def bulk_keys(persons: Iterable[Person]) -> list[NameKey]:
    """Key rows for freshly bulk-created persons (pk set); the caller bulk-inserts them."""
    rows: list[NameKey] = []
    for p in persons:
        rows.extend(NameKey(person_id=p.pk, kind=kind, key=key) for kind, key in keys_for_person(p))
    return rows


@transaction.atomic
def vocabulary_rebuild() -> int:
    """Recount the vocabulary from the keys in one aggregate, after a bulk import."""
    NameVocabulary.objects.all().delete()
    counts = NameKey.objects.filter(kind="t").values("key").annotate(n=Count("person_id"))
    batch: list[NameVocabulary] = []
    total = 0
    for row in counts.iterator(chunk_size=5000):
        batch.append(NameVocabulary(key=row["key"], count=row["n"]))
        if len(batch) >= 5000:
            NameVocabulary.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    NameVocabulary.objects.bulk_create(batch)
    return total + len(batch)
