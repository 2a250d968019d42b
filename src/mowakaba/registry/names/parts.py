"""From a typed full name to *parts*: tokens with particles resolved, compounds joined, keys computed.

* Articles (``el``, ``al``, ``l``, assimilated ``ez``/``es``/``ech``..., Arabic ``ال``) are dropped,
  separate or joined (``Elfassi`` = ``El Fassi`` = ``الفاسي``), unless the whole token is a known name
  (``Elias``, ``الياس``).
* Compounds are joined: ``abd``/``abdel``/``عبد`` + name, ``X eddine``/``X الدين``,
  ``Fatima Zahra``/``فاطمة الزهراء``, ``ait``/``آيت``, ``bou``/``بو``, ``bel``, ``oulad``/``أولاد`` + name.
* ``ben``/``bin``/``ould``/``بن``/``ولد`` + name is a *father link* when it sits between the given name
  and more names (``Mohamed ben Ahmed Benali``); at the start or the end it is a fused family name
  (``Ben Ali`` = ``Benali`` = ``بنعلي``). ``bent``/``bint``/``بنت`` are always father links.
* Weak prefixes (``Moulay``, ``Sidi``, ``Lalla``, ``مولاي``...) are dropped.

Each part is looked up in the variant lexicon (:mod:`.data`): exact spelling first, then its folded
("loose") form, with and without the article.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from .data import LEXICON
from .normalize import is_arabic, tokens
from .translit import arabic_loose, arabic_skeleton, latin_loose, latin_skeleton

_LA_ARTICLES = frozenset({"el", "al", "l", "ul"})
_LA_ASSIMILATED = {
    "ed": "d", "et": "t", "er": "r", "es": "s", "ez": "z", "en": "n", "ech": "ch", "esh": "sh",
    "ad": "d", "at": "t", "ar": "r", "as": "s", "az": "z", "an": "n", "ach": "ch",
    "edd": "d", "ett": "t", "err": "r", "ess": "s", "ezz": "z", "enn": "n",
}
_LA_ABD = frozenset({"abd", "abdel", "abdal", "abdul", "abdoul", "abdu", "abdol", "abdil", "abdell"})
_LA_AIT = frozenset({"ait", "ayt", "aitt"})
_LA_BOU = frozenset({"bou", "bu", "abou", "abu"})
_LA_BEL = frozenset({"bel"})
_LA_OULAD = frozenset({"oulad", "ouled", "awlad", "ulad", "oulade", "ouald"})
_LA_BEN = frozenset({"ben", "bin", "ould", "ibn", "ibnou", "ibnu"})
_LA_BENT = frozenset({"bent", "bint"})
_LA_WEAK = frozenset({"moulay", "mulay", "moulaye", "mly", "sidi", "si", "lalla", "lala", "sidna"})
_LA_DINE = frozenset({"eddine", "edine", "dine", "din", "eddin", "ddine", "uddin", "eddinne", "addine", "iddine",
                      "edinne", "eddyne"})
_LA_FATIMA = frozenset({"fatima", "fatema", "fatma", "fatim", "fatimah", "fatimaa"})
_LA_ZAHRA = frozenset({"zahra", "zohra", "zahrae", "zehra", "zahraa", "zohrae", "zahrah", "zohor"})

_AR_ABD = "عبد"
_AR_AIT = frozenset({"ايت"})
_AR_BOU = frozenset({"ابو", "بو"})
_AR_BEL = frozenset({"بل"})
_AR_OULAD = frozenset({"اولاد", "ولاد"})
_AR_BEN = frozenset({"بن", "ولد", "ابن"})
_AR_BENT = frozenset({"بنت"})
_AR_WEAK = frozenset({"مولاي", "سيدي", "للا", "لالة", "لاله", "سي", "مولاى"})
_AR_DINE = frozenset({"الدين", "دين"})
_AR_FATIMA = frozenset({"فاطمة", "فاطمه"})
_AR_ZAHRA = frozenset({"الزهرا", "الزهرة", "الزهره", "زهرة", "زهره", "زهرا"})
_AR_ALLAH = {"له": "لاه", "اله": "الاه"}  # stems of الله / الإله once the article is dropped

_PREFIX_TEXT = {
    ("la", "abd"): "abd-", ("la", "ait"): "ait-", ("la", "ben"): "ben-", ("la", "bou"): "bou-",
    ("la", "oulad"): "oulad-", ("la", "bel"): "bel-",
    ("ar", "abd"): "عبد", ("ar", "ait"): "ايت", ("ar", "ben"): "بن", ("ar", "bou"): "بو",
    ("ar", "oulad"): "اولاد", ("ar", "bel"): "بل",
}

_LA_ABD_JOINED = re.compile(r"^abd(?:(?:e|a|ou|u|o|i)(?=l[a-z]{3})l|(?:e|a|ou|u|o)(?=([b-df-hj-np-tv-z])\1)"
                            r"|(?:e|a|ou|u|o)(?=[b-df-hj-np-tv-z]))?")
_CONSONANT_PAIR = re.compile(r"^e([b-df-hj-np-tv-z])\1")
_LEADING_DOUBLE = re.compile(r"^([b-df-hj-np-tv-z])\1")
_MEDIAL_RH = re.compile(r"(?<=[aeiouy])rh")


@dataclass(frozen=True, slots=True, eq=False)
class Part:
    """One name part, with everything the scorer needs pre-computed."""

    uid: int
    text: str  # normalised part, compound joined, article dropped
    surface: str  # the letters as typed (normalised), for edit-distance comparison
    script: str  # "ar" or "la"
    key: str  # skeleton (the lexicon's canonical skeleton when the name is known)
    own_key: str  # skeleton of what was typed
    keys: tuple[str, ...]  # skeletons worth comparing: own, alternative readings, lexicon variants
    own_keys: tuple[str, ...]  # own skeleton and its alternative readings only
    loose: tuple[str, ...]  # folded letter forms: own first, then the lexicon variants (same script)
    surfaces: tuple[str, ...]  # own surface, then the lexicon variants' surfaces (same script)
    other_surfaces: tuple[str, ...]  # the lexicon variants' surfaces in the other script
    canon: int  # lexicon entry, -1 when unknown
    strict: bool  # the spelling itself is listed (not only its folded form)
    kind: str  # lexicon kind: "m", "f", "F" or ""
    prefix: str  # "abd", "ait", "ben", "bel", "bou", "oulad" or ""
    stem: Part | None
    comps: tuple[Part, ...]
    father: bool
    article: bool
    lookup: tuple[str, str, str, str]  # surface and loose forms, with and without article


# --- lexicon -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Lexicon:
    exact: dict[str, int]  # spelled as in the lexicon (with the article when there is one)
    loose: dict[str, int]  # folded spelling, unambiguous ones only
    bare: dict[str, int]  # without the article, unambiguous ones only
    kinds: list[str]
    canon_key: list[str]
    variant_keys: list[tuple[str, ...]]
    variant_loose: list[dict[str, tuple[str, ...]]]
    variant_surfaces: list[dict[str, tuple[str, ...]]]
    comps: list[tuple[Part, ...]]
    raw: frozenset[str]


_LEX: _Lexicon | None = None
_ENABLED = True  # the evaluation script can switch the lexicon off to measure the skeletons alone
_READY = False  # the lexicon is built (parts may be cached)
_BUILDING = False  # the lexicon is being built by the thread holding _LOCK
_LOCK = threading.RLock()
_EMPTY = _Lexicon({}, {}, {}, [], [], [], [], [], [], frozenset())


def set_lexicon_enabled(enabled: bool) -> None:
    """Switch the variant lexicon on or off (for evaluation); clears the caches."""
    global _ENABLED, _LEX, _READY
    with _LOCK:
        _ENABLED = enabled
        _LEX = None
        _READY = False
        _part.cache_clear()
        parse.cache_clear()


def lexicon_size() -> int:
    """Number of distinct names in the lexicon."""
    return len(_lexicon().kinds)


def _lexicon() -> _Lexicon:
    global _READY, _BUILDING
    if not _READY:
        with _LOCK:
            if not _READY and not _BUILDING:
                _BUILDING = True
                try:
                    _build_lexicon()
                    _READY = True
                finally:
                    _BUILDING = False
    return _LEX or _EMPTY


def _entries() -> list[tuple[str, list[str], list[str]]]:
    out: list[tuple[str, list[str], list[str]]] = []
    for line in LEXICON.strip().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, latin, arabic = (field.strip() for field in line.split("|"))
        la = [v.strip() for v in latin.split(",") if v.strip()]
        ar = [v.strip() for v in arabic.split(",") if v.strip()]
        if kind == "+" and out:
            out[-1][1].extend(la)
            out[-1][2].extend(ar)
        else:
            out.append((kind, la, ar))
    return out


def _build_lexicon() -> _Lexicon:
    global _LEX
    entries = _entries() if _ENABLED else []
    raw: set[str] = set()
    for _kind, latin, arabic in entries:
        for v in latin + arabic:
            toks = tokens(v)
            if len(toks) == 1:
                raw.add(toks[0])
    # A provisional lexicon (raw spellings only) lets the parser decide on joined articles.
    _LEX = _Lexicon({}, {}, {}, [], [], [], [], [], [], frozenset(raw))
    _part.cache_clear()
    parse.cache_clear()
    parsed: list[list[Part]] = []
    for _kind, latin, arabic in entries:
        ps = []
        for v in latin + arabic:
            units = parse(v)
            if len(units) == 1:
                ps.append(units[0])
        parsed.append(ps)
    # Entries that share an exact spelling are one name.
    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, ps in enumerate(parsed):
        for p in ps:
            j = owner.setdefault(p.lookup[0], i)
            if find(j) != find(i):
                parent[find(i)] = find(j)
    gids: dict[int, int] = {}
    kinds: list[str] = []
    members: list[list[Part]] = []
    for i, ps in enumerate(parsed):
        root = find(i)
        if root not in gids:
            gids[root] = len(kinds)
            kinds.append(entries[root][0])
            members.append([])
        members[gids[root]].extend(ps)
    exact: dict[str, int] = {}
    loose: dict[str, int] = {}
    bare: dict[str, int] = {}
    clash_loose: set[str] = set()
    clash_bare: set[str] = set()
    for gid, ps in enumerate(members):
        for p in ps:
            s_exact, s_bare, l_exact, l_bare = p.lookup
            exact[s_exact] = gid
            for table, clash, form in ((loose, clash_loose, l_exact), (bare, clash_bare, s_bare),
                                       (bare, clash_bare, l_bare)):
                if table.setdefault(form, gid) != gid:
                    clash.add(form)
    for form in clash_loose:
        loose.pop(form, None)
    for form in clash_bare:
        bare.pop(form, None)
    canon_key: list[str] = []
    variant_keys: list[tuple[str, ...]] = []
    variant_loose: list[dict[str, tuple[str, ...]]] = []
    variant_surfaces: list[dict[str, tuple[str, ...]]] = []
    comps: list[tuple[Part, ...]] = []
    for ps in members:
        canon_key.append(ps[0].own_key if ps else "")
        ks: list[str] = []
        lo: dict[str, list[str]] = {"la": [], "ar": []}
        su: dict[str, list[str]] = {"la": [], "ar": []}
        cs: tuple[Part, ...] = ()
        for p in ps:
            for k in (p.own_key, *p.keys):
                if k and k not in ks:
                    ks.append(k)
            if p.loose[0] not in lo[p.script]:
                lo[p.script].append(p.loose[0])
            if p.surface not in su[p.script]:
                su[p.script].append(p.surface)
            if p.comps and not cs:
                cs = p.comps
        variant_keys.append(tuple(ks))
        variant_loose.append({s: tuple(v) for s, v in lo.items()})
        variant_surfaces.append({s: tuple(v) for s, v in su.items()})
        comps.append(cs)
    lex = _Lexicon(exact, loose, bare, kinds, canon_key, variant_keys, variant_loose, variant_surfaces, comps,
                   frozenset(raw))
    _LEX = lex
    _part.cache_clear()
    parse.cache_clear()
    return lex


def _forms(script: str, prefix: str, stem: str, article: bool) -> tuple[str, str, str, str]:
    """(exact, bare, loose exact, loose bare) spellings used to look a part up in the lexicon."""
    pre = _PREFIX_TEXT[(script, prefix)] if prefix else ""
    if script == "la":
        pre = pre.rstrip("-")
        s_bare = pre + stem
        s_exact = pre + "el" + stem if article else s_bare
        return s_exact, s_bare, latin_loose(s_exact), latin_loose(s_bare)
    s_bare = arabic_loose(pre + stem)
    s_exact = arabic_loose(pre + "ال" + stem) if article else s_bare
    return s_exact, s_bare, s_exact, s_bare


def _lookup(forms: tuple[str, str, str, str]) -> tuple[int, bool]:
    """(lexicon entry or -1, whether the spelling itself is listed)."""
    lex = _LEX
    if lex is None or not lex.exact:
        return -1, False
    s_exact, s_bare, l_exact, l_bare = forms
    for table, form, strict in ((lex.exact, s_exact, True), (lex.exact, s_bare, True), (lex.loose, l_exact, False),
                                (lex.loose, l_bare, False), (lex.bare, s_bare, False), (lex.bare, l_bare, False)):
        gid = table.get(form)
        if gid is not None:
            return gid, strict
    return -1, False


# --- parts -------------------------------------------------------------------------------------

_UID = itertools.count()


def _strip_latin_article(tok: str, raw: frozenset[str]) -> tuple[str, bool]:
    if tok in raw or len(tok) < 5:
        return tok, False
    if tok.startswith("el"):
        return tok[2:], True
    if tok.startswith("al") and tok[2] not in "aeioul":
        return tok[2:], True
    if tok.startswith("echch"):
        return tok[3:], True
    if _CONSONANT_PAIR.match(tok):
        return tok[2:], True
    return tok, False


def _strip_arabic_article(tok: str, raw: frozenset[str]) -> tuple[str, bool]:
    if tok in raw or len(tok) < 4 or not tok.startswith("ال"):
        return tok, False
    stem = tok[2:]
    return _AR_ALLAH.get(stem, stem), True


def _split_joined(script: str, tok: str, raw: frozenset[str]) -> tuple[str, str]:
    """Split a joined ``abd``/``ait`` prefix off a single token: (prefix, rest)."""
    if script == "la":
        if tok.startswith("abd") and len(tok) >= 6:
            m = _LA_ABD_JOINED.match(tok)
            rest = tok[m.end():] if m else tok[3:]
            if len(rest) >= 2:
                return "abd", rest
        if tok.startswith(("ait", "ayt")) and len(tok) >= 6 and tok not in raw:
            return "ait", tok[3:]
    else:
        if tok.startswith(_AR_ABD) and len(tok) >= 5:
            return "abd", tok[3:]
        if tok.startswith("ايت") and len(tok) >= 5 and tok not in raw:
            return "ait", tok[3:]
    return "", tok


def _prefixed_stem(script: str, prefix: str, text: str, raw: frozenset[str]) -> str:
    """The stem after ``abd``/``ait``/``ben``..., without its article (``abd el kader`` → ``kader``)."""
    if script == "la":
        if prefix in ("abd", "ait"):
            if text.startswith(("el", "al", "ul")) and len(text) >= 5 and text not in raw:
                text = text[2:]
            elif _CONSONANT_PAIR.match(text):
                text = text[1:]
        return _LEADING_DOUBLE.sub(r"\1", text)
    if prefix in ("abd", "ait") and text.startswith("ال") and len(text) >= 3:
        text = text[2:]
    return _AR_ALLAH.get(text, text)


def _skeleton(script: str, text: str) -> tuple[str, str]:
    return latin_skeleton(text) if script == "la" else arabic_skeleton(text)


def _latin_initial_rh(text: str) -> str:
    return "gh" + text[2:] if text.startswith("rh") and len(text) > 3 else text


@lru_cache(maxsize=131072)
def _part(script: str, text: str, prefix: str = "", article: bool = False, father: bool = False,
          comps: tuple[str, ...] = (), bare: bool = False, surface: str = "") -> Part:
    """Build a part. ``text`` is the typed token (the stem after the particle for prefixed parts)."""
    lex = _LEX or _EMPTY
    raw = lex.raw
    alts: list[str] = []
    if not surface:
        surface = text
    if not prefix and not comps and not bare:
        prefix, text = _split_joined(script, text, raw)
    if prefix:
        text = _prefixed_stem(script, prefix, text, raw)
        article = False
    elif not comps and not bare:
        stripped, art = (_strip_latin_article if script == "la" else _strip_arabic_article)(text, raw)
        if art:
            alts.append(_skeleton(script, text)[0])
            text = stripped
            article = True
    stem = _part(script, text, bare=True) if prefix else None
    joined = _PREFIX_TEXT[(script, prefix)] + text if prefix else text
    if script == "la":
        joined = _latin_initial_rh(joined)
        if _MEDIAL_RH.search(joined):
            alts.append(latin_skeleton(_MEDIAL_RH.sub("gh", joined))[0])
    own, alt_final = _skeleton(script, joined)
    if alt_final:
        alts.append(alt_final)
    if script == "la" and not prefix and len(joined) >= 4 and joined[0] == "l":
        # dialect article: Larbi = العربي, Lahbabi = الحبابي, Lhoussaine = الحسين
        alts.append(latin_skeleton(joined[1:])[0])
        if joined[1] in "aeiou":
            alts.append(latin_skeleton(joined[2:])[0])
    loose = latin_loose(joined) if script == "la" else arabic_loose(joined)
    surface = surface.replace("-", "") if script == "la" else arabic_loose(surface)
    forms = _forms(script, prefix, text, article)
    gid, strict = _lookup(forms)
    comp_parts = tuple(_part(script, c, bare=True) for c in comps)
    kind = ""
    key = own
    keys: list[str] = [own, *alts]
    looses: list[str] = [loose]
    surfaces: list[str] = [surface]
    other_surfaces: tuple[str, ...] = ()
    if gid >= 0:
        other_surfaces = lex.variant_surfaces[gid].get("ar" if script == "la" else "la", ())
        kind = lex.kinds[gid]
        key = lex.canon_key[gid] or own
        keys += lex.variant_keys[gid]
        looses += lex.variant_loose[gid].get(script, ())
        surfaces += lex.variant_surfaces[gid].get(script, ())
        if not comp_parts:
            comp_parts = lex.comps[gid]
    return Part(
        uid=next(_UID), text=joined, surface=surface, script=script, key=key, own_key=own,
        keys=tuple(dict.fromkeys(k for k in keys if k)), own_keys=tuple(dict.fromkeys(k for k in [own, *alts] if k)),
        loose=tuple(dict.fromkeys(looses)),
        surfaces=tuple(dict.fromkeys(s for s in surfaces if s)), other_surfaces=other_surfaces,
        canon=gid, strict=strict, kind=kind, prefix=prefix,
        stem=stem, comps=comp_parts, father=father, article=article, lookup=forms,
    )


# --- full names -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    script: str
    text: str
    surface: str
    article: bool = False
    prefix: str = ""
    comps: tuple[str, ...] = ()
    link: str = ""  # marker units: "ben" (positional) or "bent" (always a father link); "father" once read


def _articles(toks: list[str]) -> list[tuple[str, bool]]:
    """Attach separate article tokens to the token that follows them."""
    items: list[tuple[str, bool]] = []
    pending = False
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if nxt and is_arabic(nxt) == is_arabic(t):
            if t in _LA_ARTICLES or t == "ال":
                pending = True
                continue
            cons = _LA_ASSIMILATED.get(t)
            if cons and nxt.startswith(cons) and len(nxt) > len(cons) + 1:
                pending = True
                continue
        items.append((t, pending))
        pending = False
    return items


def _is(t: str, ar: bool, latin: frozenset[str], arabic: frozenset[str]) -> bool:
    return t in (arabic if ar else latin)


def _units(text: str) -> list[_Unit]:
    toks = list(tokens(text))
    if not toks:
        return []
    kept = [t for t in toks if t not in _LA_WEAK and t not in _AR_WEAK]
    if kept:
        toks = kept
    items = _articles(toks)
    # Pass 1: compounds (abd/ait/bou/bel/oulad + name, X eddine, Fatima Zahra); ben/bent kept as markers.
    units: list[_Unit] = []
    i = 0
    while i < len(items):
        t, art = items[i]
        ar = is_arabic(t)
        script = "ar" if ar else "la"
        nxt = items[i + 1] if i + 1 < len(items) and is_arabic(items[i + 1][0]) == ar else None
        if nxt is not None and (_is(t, ar, _LA_BEN, _AR_BEN) or _is(t, ar, _LA_BENT, _AR_BENT)):
            units.append(_Unit(script, "", t, link="bent" if _is(t, ar, _LA_BENT, _AR_BENT) else "ben"))
            i += 1
            continue
        if nxt is not None:
            prefix = ""
            if (t == _AR_ABD) if ar else (t in _LA_ABD):
                prefix = "abd"
            elif _is(t, ar, _LA_AIT, _AR_AIT):
                prefix = "ait"
            elif _is(t, ar, _LA_BOU, _AR_BOU):
                prefix = "bou"
            elif _is(t, ar, _LA_BEL, _AR_BEL):
                prefix = "bel"
            elif _is(t, ar, _LA_OULAD, _AR_OULAD):
                prefix = "oulad"
            elif ar and t.endswith(_AR_ABD) and len(t) > 3:
                # بنعبد الله: a fused family name ending in عبد, then the next name
                stem = nxt[0][2:] if nxt[0].startswith("ال") else nxt[0]
                units.append(_Unit(script, t + _AR_ALLAH.get(stem, stem), t + nxt[0], art))
                i += 2
                continue
            if prefix:
                art_text = ("ال" if ar else "el") if nxt[1] else ""
                units.append(_Unit(script, nxt[0], t + art_text + nxt[0], nxt[1], prefix=prefix))
                i += 2
                continue
        prev = units[-1] if units else None
        if prev is not None and prev.script == script and prev.text and not prev.prefix and not prev.comps:
            if _is(t, ar, _LA_DINE, _AR_DINE):
                prev.text += "دين" if ar else "eddine"
                prev.surface += t
                i += 1
                continue
            bare = (t[2:] if t.startswith("ال") else t) if ar else _strip_latin_article(t, frozenset())[0]
            if ((prev.text in _AR_FATIMA and t in _AR_ZAHRA) if ar
                    else (prev.text in _LA_FATIMA and bare in _LA_ZAHRA)):
                first = prev.text[:-1] + "ة" if ar else prev.text
                prev.comps = (first, bare)
                prev.text = first + bare
                prev.surface += t
                i += 1
                continue
        units.append(_Unit(script, t, (("ال" if ar else "el") if art else "") + t, art))
        i += 1
    # Pass 2: ben X is a father link between the given name and more names, else a fused family name.
    out: list[_Unit] = []
    k = 0
    while k < len(units):
        u = units[k]
        if u.link and not u.text and k + 1 < len(units) and units[k + 1].script == u.script:
            x = units[k + 1]
            at_edge = not out or k + 1 == len(units) - 1
            if u.link == "ben" and at_edge:
                if x.prefix:  # ben + abd-compound (Ben Abdellah) → one fused family name
                    inner = x.surface if u.script == "la" else _PREFIX_TEXT[("ar", x.prefix)] + x.text
                    out.append(_Unit(u.script, inner, u.surface + x.surface, prefix="ben"))
                else:
                    out.append(_Unit(u.script, x.text, u.surface + x.surface, x.article, prefix="ben"))
            else:
                x.link = "father"
                out.append(x)
            k += 2
            continue
        if u.text:
            out.append(u)
        k += 1
    return out


@lru_cache(maxsize=131072)
def parse(text: str) -> tuple[Part, ...]:
    """The parts of a typed name, in the order typed."""
    if not _READY:
        _lexicon()
    out = []
    for u in _units(text):
        if u.prefix:
            out.append(_part(u.script, u.text, u.prefix, u.article, bool(u.link), surface=u.surface))
        elif u.link:
            out.append(_part(u.script, u.text, "", u.article, True, surface=u.surface))
        else:
            out.append(_part(u.script, u.text, "", u.article, False, u.comps, surface=u.surface))
    return tuple(out)
