"""Pairwise comparison of two full names: token similarity, best alignment, aggregation."""

from __future__ import annotations

import itertools

from rapidfuzz.distance import OSA, Indel, Levenshtein

from .parts import Part, parse

DEFAULT_THRESHOLD: float = 0.85

# Parameters of the part similarity and of the aggregation (see _part_similarity and _aggregate).
_MIN_WEIGHT = 0.5  # weight of the weakest aligned pair against the mean
_MISSING_PART = 0.05  # cost of a part present on one side only
_MISSING_FATHER = 0.02  # cost of a father's name present on one side only
_SINGLE_EVIDENCE = 0.8  # factor when only one part could be aligned although one side has more
_ALT_FACTOR = 0.95  # an alternative reading (article, final -a/-h, l- prefix) counts a bit less
_PARTIAL_FACTOR = 0.9  # one component of a compound (Fatima / Fatima Zahra)
_DISTINCT_CAP = 0.4  # two different names of the lexicon
_GENDER_CAP = 0.45  # Rachid / Rachida, Amine / Amina
_NISBA_CAP = 0.6  # Said / Saidi, Idriss / Idrissi
_IMPLAUSIBLE_COST = 0.14  # one-letter difference that is not a likely typing error (Laraki / Larabi)
_FINAL_VOWEL_FACTOR = 0.85  # different final vowels: -a / -i / -ou / -aoui

_SIM_CACHE: dict[tuple[int, int], tuple[float, str]] = {}
_SIM_CACHE_MAX = 200_000


_FINAL_VOWELS = frozenset("aiu")


def _final(key: str) -> str:
    if key.endswith("wi"):
        return "wi"
    return key[-1] if key and key[-1] in _FINAL_VOWELS else ""


def _key_sim(a: str, b: str) -> float:
    s = Levenshtein.normalized_similarity(a, b)
    fa, fb = _final(a), _final(b)
    if fa and fb and fa != fb:
        # -a / -i / -ou / -aoui endings are written in both scripts: Benhima / بنحمو, Gharbi / الغرباوي
        s *= _FINAL_VOWEL_FACTOR
    return s


def _suffix_relation(a: str, b: str) -> str:
    """'gender' when one skeleton is the other + a final -a, 'nisba' for a final -i."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) >= 2 and len(b) == len(a) + 1 and b.startswith(a) and a[-1] not in "aiu":
        if b[-1] == "a":
            return "gender"
        if b[-1] == "i":
            return "nisba"
    return ""


def _best_keys(a: Part, b: Part) -> float:
    """Best skeleton similarity: what each side typed (with its alternative readings) against every
    skeleton of the other side (including its lexicon spellings)."""
    best = _key_sim(a.key, b.key)
    if best == 1.0:
        return best
    if a.own_key != a.key or b.own_key != b.key:
        best = max(best, _key_sim(a.own_key, b.own_key))
    for mine, theirs in ((a.own_keys, b.keys), (b.own_keys, a.keys)):
        for ka in mine:
            for kb in theirs:
                s = _key_sim(ka, kb) * _ALT_FACTOR
                if s > best:
                    best = s
    return best


def _best_loose(a: Part, b: Part) -> float:
    best = Indel.normalized_similarity(a.loose[0], b.loose[0])
    if best == 1.0:
        return best
    for mine, theirs in ((a.loose[0], b.loose), (b.loose[0], a.loose)):
        for other in theirs[1:]:
            s = Indel.normalized_similarity(mine, other)
            if s > best:
                best = s
    return best


def _typo_value(distance: int, length: int, arabic: bool = False) -> float:
    """Similarity of two spellings of one script from their edit distance (OSA: a swap is one edit).
    Arabic script writes no short vowels, so an Arabic letter counts for about one and a half Latin ones."""
    if arabic:
        length = (3 * length + 1) // 2
    if distance == 0:
        return 1.0
    if distance == 1:
        return 0.92 if length >= 6 else 0.88 if length == 5 else 0.8 if length == 4 else 0.6
    if distance == 2:
        return 0.78 if length >= 9 else 0.7 if length >= 7 else 0.55
    return max(0.0, min(0.6, 1.0 - distance / length))


_AZERTY = ("azertyuiop", "qsdfghjklm", "wxcvbn")
_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_AR_KEYS = ("ضصثقفغعهخحجد", "شسيبلاتنمكط", "ءؤرىةوزظ")
_AR_RASM = ("بتثنيى", "جحخ", "دذ", "رز", "سش", "صض", "طظ", "عغ", "فق", "هة", "وؤ")
_PHONETIC = ("mn", "bp", "dt", "sz", "kcq", "gj", "iy", "uow", "fv", "ae", "ei", "ou")


def _neighbours() -> frozenset[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for layout in (_AZERTY, _QWERTY, _AR_KEYS):
        for r, row in enumerate(layout):
            for c, ch in enumerate(row):
                for rr in (r - 1, r, r + 1):
                    if 0 <= rr < len(layout):
                        for cc in (c - 1, c, c + 1):
                            if 0 <= cc < len(layout[rr]) and (rr, cc) != (r, c):
                                pairs.add((ch, layout[rr][cc]))
    for group in (*_AR_RASM, *_PHONETIC, "aeiouy"):
        for x in group:
            for y in group:
                if x != y:
                    pairs.add((x, y))
    return frozenset(pairs)


_PLAUSIBLE = _neighbours()


def _implausible_substitution(a: str, b: str) -> bool:
    """True when two same-length spellings differ by one letter that is neither a neighbouring key,
    a same-shape Arabic letter, nor a phonetic twin (Laraki / Larabi: more likely two names)."""
    if len(a) != len(b):
        return False
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diff) == 1 and diff[0] not in _PLAUSIBLE


def _best_typo(a: Part, b: Part) -> tuple[float, bool]:
    """Typing-error similarity of the letters as typed (each side may also use its lexicon spellings),
    and whether the best match keeps the length (a swap or a substitution, not an added letter)."""
    if a.script != b.script:
        # across scripts, a known name on one side lends its spellings in the other script
        s1, l1 = _typo_over((a.surface,), b.other_surfaces, a.script)
        s2, l2 = _typo_over((b.surface,), a.other_surfaces, b.script)
        return (s1, l1) if s1 >= s2 else (s2, l2)
    s1, l1 = _typo_over((a.surface,), b.surfaces, a.script)
    if s1 == 1.0:
        return s1, l1
    s2, l2 = _typo_over((b.surface,), a.surfaces[1:], a.script)
    return (s1, l1) if s1 >= s2 else (s2, l2)


def _typo_over(left: tuple[str, ...], right: tuple[str, ...], script: str) -> tuple[float, bool]:
    best = 0.0
    same_length = False
    for sa in left:
        for sb in right:
            d = OSA.distance(sa, sb, score_cutoff=3)
            s = _typo_value(d, max(len(sa), len(sb)), script == "ar")
            if d == 1 and _implausible_substitution(sa, sb):
                s -= _IMPLAUSIBLE_COST
            if s > best:
                best = s
                same_length = len(sa) == len(sb)
                if s == 1.0:
                    return s, same_length
    return best, same_length


def part_similarity(a: Part, b: Part) -> tuple[float, str]:
    """Similarity of two parts in [0, 1] and a label: exact, variant, fuzzy, partial, gender,
    nisba, distinct or different."""
    if a.uid > b.uid:
        a, b = b, a
    cache_key = (a.uid, b.uid)
    hit = _SIM_CACHE.get(cache_key)
    if hit is not None:
        return hit
    result = _part_similarity(a, b)
    if len(_SIM_CACHE) > _SIM_CACHE_MAX:
        _SIM_CACHE.clear()
    _SIM_CACHE[cache_key] = result
    return result


def _partial(a: Part, b: Part) -> float:
    best = 0.0
    if a.comps and not b.comps:
        best = max(part_similarity(c, b)[0] for c in a.comps)
    elif b.comps and not a.comps:
        best = max(part_similarity(a, c)[0] for c in b.comps)
    if a.prefix == "abd" and a.stem is not None and b.prefix != "abd":
        best = max(best, part_similarity(a.stem, b)[0])
    elif b.prefix == "abd" and b.stem is not None and a.prefix != "abd":
        best = max(best, part_similarity(a, b.stem)[0])
    return best * _PARTIAL_FACTOR


def _part_similarity(a: Part, b: Part) -> tuple[float, str]:
    if a.text == b.text and a.script == b.script:
        return 1.0, "exact"
    if a.canon >= 0 and a.canon == b.canon:
        return 1.0, "variant"
    partial = _partial(a, b)
    if a.canon >= 0 and b.canon >= 0 and a.strict and b.strict:
        s = _DISTINCT_CAP * _key_sim(a.key, b.key)
        return (partial, "partial") if partial > s else (s, "distinct")
    if a.prefix and a.prefix == b.prefix and a.stem is not None and b.stem is not None:
        s, label = part_similarity(a.stem, b.stem)
        if a.script == b.script and label != "distinct":
            typo, _same_length = _best_typo(a, b)
            if typo > s:
                s, label = typo, "fuzzy"
        return (partial, "partial") if partial > s else (s, label)
    ks = _best_keys(a, b)
    if a.script == b.script:
        s = 0.5 * ks + 0.5 * _best_loose(a, b)
        typo, same_length = _best_typo(a, b)
        label = "variant" if s >= 0.97 else ("fuzzy" if max(s, typo) >= 0.75 else "different")
        s = max(s, typo)
    else:
        typo, same_length = _best_typo(a, b)
        label = "variant" if ks >= 0.97 else ("fuzzy" if max(ks, typo) >= 0.75 else "different")
        s = max(ks, typo)
    # A swapped or substituted letter explains the difference better than a suffix (Redwna / Redwan).
    rel = "" if same_length and s >= 0.8 else (
        _suffix_relation(a.own_key, b.own_key) or _suffix_relation(a.key, b.key))
    if rel == "gender" and s > _GENDER_CAP and "F" not in (a.kind, b.kind):
        # Rachid / Rachida: a given name and its feminine (not for family names)
        s, label = _GENDER_CAP, "gender"
    elif rel == "nisba" and s > _NISBA_CAP and not ({a.kind, b.kind} & {"m", "f"}):
        # Zeroual / Zerouali: a name and its -i adjective (not when one side is a known given name)
        s, label = _NISBA_CAP, "nisba"
    if partial > s:
        return partial, "partial"
    return s, label


# --- alignment --------------------------------------------------------------------------------


def _middle(parts: tuple[Part, ...], i: int) -> bool:
    """True for a part that could be a father's name written without ``ben`` (a middle name)."""
    core = [k for k, p in enumerate(parts) if not p.father]
    return len(core) >= 3 and i in core[1:-1]


def _allowed(a: tuple[Part, ...], i: int, b: tuple[Part, ...], j: int) -> bool:
    fa, fb = a[i].father, b[j].father
    if fa == fb:
        return True
    return _middle(b, j) if fa else _middle(a, i)


def align(a: tuple[Part, ...], b: tuple[Part, ...]) -> list[tuple[int, int, float, str]]:
    """Best one-to-one alignment (most pairs, then highest total similarity)."""
    n, m = len(a), len(b)
    if not n or not m:
        return []
    sims: list[list[tuple[float, str] | None]] = [
        [part_similarity(a[i], b[j]) if _allowed(a, i, b, j) else None for j in range(m)] for i in range(n)
    ]
    if n == 1 or m == 1:
        best: tuple[int, int, float, str] | None = None
        for i in range(n):
            for j in range(m):
                cell = sims[i][j]
                if cell is not None and (best is None or cell[0] > best[2]):
                    best = (i, j, cell[0], cell[1])
        return [best] if best is not None else []
    if n > 7 or m > 7:
        return _greedy(sims)
    # dynamic programming over the set of used columns
    states: dict[int, tuple[float, tuple[tuple[int, int], ...]]] = {0: (0.0, ())}
    for i in range(n):
        nxt: dict[int, tuple[float, tuple[tuple[int, int], ...]]] = {}
        for mask, (val, pairs) in states.items():
            old = nxt.get(mask)
            if old is None or val > old[0]:
                nxt[mask] = (val, pairs)
            row = sims[i]
            for j in range(m):
                cell = row[j]
                if cell is None or mask >> j & 1:
                    continue
                nmask = mask | 1 << j
                nval = val + 1.0 + cell[0]
                old = nxt.get(nmask)
                if old is None or nval > old[0]:
                    nxt[nmask] = (nval, (*pairs, (i, j)))
        states = nxt
    _val, pairs = max(states.values(), key=lambda s: s[0])
    out = []
    for i, j in pairs:
        cell = sims[i][j]
        assert cell is not None
        out.append((i, j, cell[0], cell[1]))
    return out


def _greedy(sims: list[list[tuple[float, str] | None]]) -> list[tuple[int, int, float, str]]:
    cells = [(c[0], i, j, c[1]) for i, row in enumerate(sims) for j, c in enumerate(row) if c is not None]
    cells.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_i: set[int] = set()
    used_j: set[int] = set()
    out = []
    for s, i, j, label in cells:
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        out.append((i, j, s, label))
    return out


def _aggregate(a: tuple[Part, ...], b: tuple[Part, ...], pairs: list[tuple[int, int, float, str]]) -> float:
    if not pairs:
        return 0.0
    total = 0.0
    weight = 0.0
    low = 1.0
    core_pairs = 0
    for i, j, s, _label in pairs:
        w = 0.5 if a[i].father and b[j].father else 1.0
        total += w * s
        weight += w
        low = min(low, s)
        if not (a[i].father or b[j].father):
            core_pairs += 1
    mean = total / weight
    base = (1.0 - _MIN_WEIGHT) * mean + _MIN_WEIGHT * low
    matched_a = {i for i, _j, _s, _l in pairs}
    matched_b = {j for _i, j, _s, _l in pairs}
    penalty = 0.0
    for side, matched in ((a, matched_a), (b, matched_b)):
        for k, p in enumerate(side):
            if k not in matched:
                penalty += _MISSING_FATHER if p.father else _MISSING_PART
    core_a = sum(1 for p in a if not p.father)
    core_b = sum(1 for p in b if not p.father)
    if core_pairs < 2 and max(core_a, core_b) >= 2:
        base *= _SINGLE_EVIDENCE
    return min(1.0, max(0.0, base - penalty))


def score(left: str, right: str) -> float:
    """Similarity of two full names in [0, 1]; symmetric."""
    if right < left:
        left, right = right, left
    a = parse(left)
    b = parse(right)
    return _aggregate(a, b, align(a, b))


def same(left: str, right: str, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """True when the two names are likely the same person's (score at or above the threshold)."""
    return score(left, right) >= threshold


# --- explanations -----------------------------------------------------------------------------

_LABELS = {"distinct": "different"}


def _roles(parts: tuple[Part, ...]) -> list[tuple[str, bool]]:
    """(role, known) per part: role is given, middle, family or father; known when it comes from
    the lexicon or a particle rather than from the position."""
    out: list[tuple[str, bool]] = []
    core = [k for k, p in enumerate(parts) if not p.father]
    seen_given = False
    for k, p in enumerate(parts):
        if p.father:
            out.append(("father", True))
        elif p.kind == "F" or p.prefix in ("ait", "ben", "bou", "oulad"):
            out.append(("family", True))
        elif p.kind in ("m", "f") or p.prefix == "abd":
            out.append(("middle" if seen_given else "given", True))
            seen_given = True
        elif k == core[0] and len(core) > 1:
            out.append(("given", False))
            seen_given = True
        elif k == core[-1] and len(core) > 1:
            out.append(("family", False))
        else:
            out.append(("middle" if len(core) > 1 else "name", False))
    return out


def explain(left: str, right: str) -> list[str]:
    """Short machine-friendly reasons for the score, e.g. ``["given:exact", "family:variant",
    "order:swapped", "father:missing"]``."""
    a = parse(left)
    b = parse(right)
    if not a or not b:
        return ["name:empty"]
    pairs = align(a, b)
    ra, rb = _roles(a), _roles(b)
    reasons: list[str] = []
    for i, j, _s, label in sorted(pairs):
        role_a, known_a = ra[i]
        role_b, known_b = rb[j]
        role = role_a if known_a or not known_b else role_b
        reasons.append(f"{role}:{_LABELS.get(label, label)}")
    matched_a = {i for i, _j, _s, _l in pairs}
    matched_b = {j for _i, j, _s, _l in pairs}
    for side, roles, matched in ((a, ra, matched_a), (b, rb, matched_b)):
        for k in range(len(side)):
            if k not in matched:
                reasons.append(f"{roles[k][0]}:missing")
    core = [(i, j) for i, j, _s, _l in sorted(pairs) if not a[i].father and not b[j].father]
    if any(j2 < j1 for (_i1, j1), (_i2, j2) in itertools.pairwise(core)):
        reasons.append("order:swapped")
    if {p.script for p in a} != {p.script for p in b}:
        reasons.append("script:cross")
    return list(dict.fromkeys(reasons))


def clear_caches() -> None:
    """Forget parsed names and part similarities (for benchmarks measuring cold performance)."""
    _SIM_CACHE.clear()
    parse.cache_clear()
