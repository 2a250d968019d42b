"""One search box: a name in Arabic or Latin script, a CIN, a phone or a record number.

Names are never scanned. The query is cut into the same phonetic keys as the records; each
key is widened to the close keys that exist in the vocabulary (typos); the pairs of keys are
probed by exact index (a pair such as "Mohamed + Alaoui" is selective even at a million
persons), within the actor's scope in the same SQL; the few hundred candidates are then scored
by the matcher against every full form of their name, and ranked. Each hit says why it matched.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from itertools import combinations, product

from django.db.models import QuerySet

from mowakaba.accounts.scope import Capability, Scope
from mowakaba.registry.keys import pair_key, part_groups
from mowakaba.registry.models import (
    IdentityDocument,
    NameKey,
    NameVocabulary,
    Person,
    Phone,
    parse_record_number,
    persons_reached,
)
from mowakaba.registry.names import explain, score
from mowakaba.registry.validation import RECORD_RE, clean_phone, looks_like_cin, looks_like_phone

CANDIDATES = 400  # persons fetched per query at most
SCORED = 120  # of which the best-covered are scored by the matcher
YEAR_RE = re.compile(r"\b(19\d\d|20\d\d)\b")
ALTERNATIVES = 3  # close vocabulary keys tried per query token
MIN_SCORE = 0.55  # below this a name hit is noise


@dataclass
class Hit:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


class _Vocabulary:
    """The token keys that exist, cached per process and refreshed every minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = 0.0
        self.keys: list[str] = []
        self.counts: dict[str, int] = {}

    def get(self) -> tuple[list[str], dict[str, int]]:
        if time.monotonic() - self._loaded > 60:
            with self._lock:
                rows = list(NameVocabulary.objects.filter(count__gt=0).values_list("key", "count"))
                self.counts = dict(rows)
                self.keys = list(self.counts)
                self._loaded = time.monotonic()
        return self.keys, self.counts

    def invalidate(self) -> None:
        self._loaded = 0.0


VOCABULARY = _Vocabulary()


def _alternatives(token: str, keys: list[str], counts: dict[str, int]) -> list[str]:
    from rapidfuzz import fuzz, process

    # The token itself is always probed: the vocabulary cache may not know a name registered
    # in the last minute; close keys that exist are added for typos.
    out = [token]
    if len(token) >= 3 and keys:
        for key, sim, _i in process.extract(token, keys, scorer=fuzz.ratio, limit=ALTERNATIVES + 1,
                                            score_cutoff=75):
            if key not in out and sim >= 75:
                out.append(key)
    return out[: ALTERNATIVES + 1]


# How many key rows of the whole registry are checked against the other reaches.
REACH_PROBE = 500


def _candidate_ids(scope: Scope, query: str, birth_year: int | None = None) -> list[int]:
    groups = part_groups(query)
    if not groups:
        return []
    keys, counts = VOCABULARY.get()
    # Each part of the query: its keys (and its components'), each widened to close keys.
    alts = [list(dict.fromkeys(a for k in group for a in _alternatives(k, keys, counts))) for group in groups]
    probes: set[str] = set()
    kind = "p"
    if len(groups) >= 2:
        for i, j in combinations(range(len(alts)), 2):
            for a, b in product(alts[i], alts[j]):
                if a != b:
                    probes.add(pair_key(a, b))
    if not probes:
        kind = "t"
        # One word: probe its rarest spelling first; a very common given name alone is too vague
        # to rank well, and the page says so.
        probes = set(sorted((k for group in alts for k in group), key=lambda k: counts.get(k, 0))[:4])
    # The scope as a join from the key to its person (an index lookup per key row), not as
    # "person IN (all visible persons)", which a planner may expand to the whole registry.
    probe_qs = NameKey.objects.filter(kind=kind, key__in=list(probes)[:200], person__merged_into__isnull=True)
    if birth_year:
        # A year typed with the name ("Mohamed Alaoui 1975") narrows common names at once;
        # estimated ages are often a year or two off.
        probe_qs = probe_qs.filter(person__birth_year__range=(birth_year - 2, birth_year + 2))
    rows = list(probe_qs.filter(scope.rows_q("person__establishment", Capability.VIEW_PERSONS))
                .values_list("person_id", flat=True)[: CANDIDATES * 3])
    # The other reaches (a case held here, a referral received): the matching persons of the
    # whole registry first (pair keys are selective), then which of them a reach covers, read
    # on the person index. An OR of semi-joins in the key query would defeat the key index.
    if scope.rows_q("person__establishment", Capability.VIEW_PERSONS):
        anywhere = list(probe_qs.values_list("person_id", flat=True)[:REACH_PROBE])
        reached = persons_reached(scope, Capability.VIEW_PERSONS, set(anywhere) - set(rows))
        rows += [pid for pid in anywhere if pid in reached]
    seen: dict[int, int] = {}
    for pid in rows:
        seen[pid] = seen.get(pid, 0) + 1
    # Persons matched by several pair keys first (they share more of the name).
    return [pid for pid, _n in sorted(seen.items(), key=lambda kv: -kv[1])][:SCORED]


def _exact(scope: Scope, q: str) -> list[Hit]:
    visible = Person.objects.visible_to(scope)
    compact = re.sub(r"[\s\-./]", "", q).upper()
    if RECORD_RE.match(compact):
        return [Hit(p, 1.0, ["record"]) for p in visible.filter(pk=parse_record_number(compact) or 0)]
    if looks_like_cin(q):
        cin_owners = IdentityDocument.objects.filter(kind=IdentityDocument.Kind.CIN, number=compact)
        return [Hit(p, 1.0, ["cin"]) for p in visible.filter(pk__in=cin_owners.values("person_id"))[:20]]
    if looks_like_phone(q):
        try:
            number = clean_phone(q)
        except Exception:  # a malformed number simply matches nothing
            return []
        phone_owners = Phone.objects.filter(number=number)
        return [Hit(p, 1.0, ["phone"]) for p in visible.filter(pk__in=phone_owners.values("person_id"))[:20]]
    return []


def search(scope: Scope, query: str, *, limit: int = 20, birth_year: int | None = None,
           sex: str = "") -> list[Hit]:
    """Ranked persons for a query, within the actor's scope; [] for those who may not see people."""
    q = " ".join((query or "").split())
    if not q or not scope.can(Capability.VIEW_PERSONS):
        return []
    exact = _exact(scope, q)
    if exact:
        return exact[:limit]
    years = YEAR_RE.findall(q)
    if years:
        birth_year = birth_year or int(years[0])
        q = " ".join(YEAR_RE.sub(" ", q).split())
    ids = _candidate_ids(scope, q, birth_year)
    if not ids:
        return []
    people = Person.objects.filter(pk__in=ids).select_related("establishment", "commune")
    hits: list[Hit] = []
    for p in people:
        names = p.full_names() or [p.pseudonym]
        best, best_name = 0.0, ""
        for name in names:
            s = score(q, name)
            if s > best:
                best, best_name = s, name
        if best < MIN_SCORE:
            continue
        reasons = explain(q, best_name)
        s = best
        if birth_year and p.birth_year:
            if abs(p.birth_year - birth_year) <= 1:
                s = min(1.0, s + 0.05)
                reasons.append("birth_year:match")
            elif abs(p.birth_year - birth_year) > 5:
                s -= 0.10
                reasons.append("birth_year:differs")
        if sex and p.sex and sex != p.sex:
            s -= 0.15
            reasons.append("sex:differs")
        hits.append(Hit(p, round(max(0.0, s), 3), reasons))
    hits.sort(key=lambda h: (-h.score, h.person.pk))
    return hits[:limit]


def recent_for(scope: Scope) -> QuerySet[Person]:
    return Person.objects.visible_to(scope).select_related("establishment", "commune").order_by("-created_at")
