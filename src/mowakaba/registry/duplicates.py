"""The duplicate scan: candidate pairs by blocking, a record-level score with its reasons.

Blocking (which pairs are compared at all), all on indexed columns:
  * persons sharing a pair of name keys (e.g. "mhmd|alwy"); a large block is split by year of
    birth so that common names are still compared among plausible twins, not all at once;
  * persons sharing a CIN number, or a phone number.
Scoring combines the name matcher with the other fields: a different CIN or sex, or a date of
birth years apart, pulls the score down hard (brothers share a family name and a father); the same
CIN, phone or date of birth pushes it up. Pairs a supervisor marked "not the same person" are
never proposed again; decided pairs are never reopened by a scan.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import combinations, groupby
from operator import itemgetter
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from mowakaba.registry.models import DuplicatePair, IdentityDocument, NameKey, Person, Phone
from mowakaba.registry.names import score as name_score

THRESHOLD = 0.85  # the shipped default: pairs at or above it are proposed
# A block of persons sharing a pair of name keys is compared whole up to this size; a larger one
# (a common name: at a million persons, "Mohamed + Alaoui" is shared by dozens) is split by year
# of birth, with neighbouring years overlapping, so that the compared pairs grow with the
# registry rather than with its square.
BLOCK_MAX = 8
CHUNK = 20_000


@dataclass
class Lite:
    pk: int
    names: list[str]
    fathers: list[str]
    sex: str
    birth_date: Any
    birth_year: int | None
    year_only: bool
    commune_id: int | None
    cins: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)


def _lites(ids: set[int]) -> dict[int, Lite]:
    """Summaries of the persons that appear in candidate pairs, read in one pass per table
    (not one query per chunk of pairs): the scan's cost must stay linear in the registry."""
    out: dict[int, Lite] = {}
    rows = Person.objects.filter(merged_into__isnull=True).values_list(
        "pk", "given_name_ar", "family_name_ar", "father_name_ar", "given_name_lat", "family_name_lat",
        "father_name_lat", "sex", "birth_date", "birth_year", "birth_year_only", "commune_id",
    )
    for pk, gar, far, fthar, glat, flat, fthlat, sex, bdate, byear, yonly, commune in rows.iterator(chunk_size=CHUNK):
        if pk not in ids:
            continue
        names = [n for n in (" ".join(x for x in (gar, far) if x), " ".join(x for x in (glat, flat) if x)) if n]
        out[pk] = Lite(pk=pk, names=names, fathers=[f for f in (fthar, fthlat) if f], sex=sex, birth_date=bdate,
                       birth_year=byear, year_only=yonly or bdate is None, commune_id=commune)
    for pid, num in IdentityDocument.objects.filter(kind="cin").values_list("person_id", "number").iterator(
            chunk_size=CHUNK):
        if pid in out:
            out[pid].cins.add(num)
    for pid, num in Phone.objects.values_list("person_id", "number").iterator(chunk_size=CHUNK):
        if pid in out:
            out[pid].phones.add(num)
    return out


def _date_slip(x: Any, y: Any) -> bool:
    """The same date typed with one wrong digit, or with day and month swapped."""
    if (x.day, x.month, x.year) == (y.month, y.day, y.year):
        return True
    sx, sy = x.strftime("%Y%m%d"), y.strftime("%Y%m%d")
    return sum(1 for i, j in zip(sx, sy, strict=True) if i != j) == 1


PARENTS_BONUS = 0.05


def _evidence(a: Lite, b: Lite) -> tuple[float, list[str]]:
    """What the fields other than the names add or take away, with the reasons."""
    s = 0.0
    reasons: list[str] = []
    if a.cins and b.cins:
        if a.cins & b.cins:
            s += 0.35
            reasons.append("cin:same")
        else:
            s -= 0.5
            reasons.append("cin:differs")
    if a.phones & b.phones:
        s += 0.1
        reasons.append("phone:same")
    if not a.year_only and not b.year_only and a.birth_date and b.birth_date:
        # Two full dates: equal is strong evidence; different (beyond a slip of one digit or a
        # swapped day and month) means two people, such as namesakes of another year.
        if a.birth_date == b.birth_date:
            s += 0.1
            reasons.append("birth:same")
        elif not _date_slip(a.birth_date, b.birth_date):
            s -= 0.3
            reasons.append("birth:differs")
    elif a.birth_year and b.birth_year:
        # At least one side is an estimate (only the year is known): allow for it.
        gap = abs(a.birth_year - b.birth_year)
        if gap <= 1:
            reasons.append("birth_year:close")
        elif gap <= 3:
            # Plausible for an estimated age, but on its own not enough: needs other evidence.
            s -= 0.2
            reasons.append("birth_year:differs")
        else:
            s -= 0.35
            reasons.append("birth:differs")
    if a.sex and b.sex and a.sex != b.sex:
        s -= 0.4
        reasons.append("sex:differs")
    if a.commune_id and a.commune_id == b.commune_id:
        s += 0.03
        reasons.append("commune:same")
    return s, reasons


def compare(a: Lite, b: Lite, threshold: float | None = None) -> tuple[float, list[str]]:
    """Score two records in [0, 1] with the reasons, symmetric in a and b.

    With ``threshold``, a pair whose other fields already rule it out (even identical names
    and parents could not lift it to the threshold) is not name-scored at all: most pairs in a
    block are namesakes born on other dates, and this is what keeps a national scan short.
    """
    evidence, reasons = _evidence(a, b)
    if threshold is not None and 1.0 + evidence + PARENTS_BONUS < threshold:
        return max(0.0, round(1.0 + evidence + PARENTS_BONUS, 4)), ["names:skipped", *reasons]
    best = 0.0
    for x in a.names:
        for y in b.names:
            best = max(best, name_score(x, y))
    s = best + evidence
    reasons.insert(0, f"names:{best:.2f}")
    if a.fathers and b.fathers:
        f = max(name_score(x, y) for x in a.fathers for y in b.fathers)
        if f >= 0.85:
            s += PARENTS_BONUS
            reasons.append("parents:same")
        elif f < 0.6:
            s -= 0.25
            reasons.append("parents:differ")
    return max(0.0, min(1.0, round(s, 4))), reasons


def _blocks(progress: Callable[[str], None]) -> Iterator[list[int]]:
    """Groups of person ids to compare pairwise, from one ordered pass over the pair keys."""
    years = dict(Person.objects.filter(birth_year__isnull=False).values_list("pk", "birth_year")
                 .iterator(chunk_size=CHUNK))
    rows = NameKey.objects.filter(kind="p").order_by("key").values_list("key", "person_id")
    small = large = 0
    for _key, group in groupby(rows.iterator(chunk_size=CHUNK), key=itemgetter(0)):
        members = [pid for _k, pid in group]
        if len(members) < 2:
            continue
        if len(members) <= BLOCK_MAX:
            small += 1
            yield members
            continue
        large += 1
        by_year: dict[int, list[int]] = defaultdict(list)
        for pid in members:
            year = years.get(pid)
            if year:
                by_year[year].append(pid)
                by_year[year + 1].append(pid)  # neighbouring years overlap so that 1990/1991 meet
        for sub in by_year.values():
            if 2 <= len(sub) <= BLOCK_MAX * 4:
                yield sub
    progress(f"{small} name blocks, {large} large blocks split by year of birth")
    shared_sources: list[QuerySet[Any]] = [IdentityDocument.objects.filter(kind="cin"), Phone.objects.all()]
    for qs in shared_sources:
        ordered = qs.order_by("number").values_list("number", "person_id")
        for _num, group in groupby(ordered.iterator(chunk_size=CHUNK), key=itemgetter(0)):
            members = [pid for _n, pid in group]
            if 2 <= len(members) <= BLOCK_MAX:
                yield members


def scan(*, progress: Callable[[int, int, str], None] | None = None, threshold: float = THRESHOLD) -> dict[str, Any]:
    """Compare the candidate pairs of the whole registry and store the proposals.

    A system job: it sees every territory; reviewers only see pairs inside their own scope.
    """
    started = time.monotonic()
    say = progress or (lambda done, total, msg: None)
    decided = set(DuplicatePair.objects.exclude(status=DuplicatePair.Status.OPEN).values_list("left_id", "right_id"))
    candidates: set[tuple[int, int]] = set()
    for members in _blocks(lambda msg: say(0, 0, msg)):
        uniq = sorted(set(members))
        for a, b in combinations(uniq, 2):
            if (a, b) not in decided:
                candidates.add((a, b))
    ordered = sorted(candidates)
    total = len(ordered)
    say(0, total, "reading the records")
    lites = _lites({x for pair in ordered for x in pair})
    say(0, total, "comparing")
    proposals: dict[tuple[int, int], tuple[float, list[str]]] = {}
    for i in range(0, total, CHUNK):
        part = ordered[i:i + CHUNK]
        for a, b in part:
            la, lb = lites.get(a), lites.get(b)
            if la is None or lb is None:
                continue
            s, reasons = compare(la, lb, threshold)
            if s >= threshold:
                proposals[(a, b)] = (s, reasons)
        say(min(i + CHUNK, total), total, "comparing")
    with transaction.atomic():
        DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN).delete()
        DuplicatePair.objects.bulk_create(
            [DuplicatePair(left_id=a, right_id=b, score=s, reasons=r) for (a, b), (s, r) in proposals.items()],
            batch_size=2000, ignore_conflicts=True,
        )
    return {"compared": total, "proposed": len(proposals), "seconds": round(time.monotonic() - started, 1)}
