"""Phonetic skeletons shared by both scripts, and 'loose' letter forms for same-script comparison.

A skeleton is a short ASCII string:

* an *initial marker*: ``a`` for any initial vowel (Latin a/e/i/o/ou, Arabic ا/ع), ``w`` or ``y`` for an
  initial semi-vowel (Latin ``ou``/``w``/``y`` before a vowel, Arabic و/ي), else the first consonant;
* the consonants, in equivalence classes that follow Moroccan pronunciation and French-style
  transliteration (medial vowels, w/y, ع and hamza are dropped, since Arabic script does not write
  short vowels and Latin script does not write ع):

  ====== ======================== ======================================
  class  Arabic                   Latin
  ====== ======================== ======================================
  b      ب پ                      b p
  t      ت ط ث                    t th
  d      د ض ذ ظ                  d dh
  j      ج                        j dj g(e/i)
  h      ح ه                      h
  k      ك ق خ غ ڭ                k q c(a/o/u) ck g gu kh gh
  s      س ص                      s ss c(e/i) ç
  z      ز                        z
  x      ش                        ch sh sch
  f      ف ڤ                      f ph v
  r l m n as written
  ====== ======================== ======================================

* a *final marker* for a final vowel: ``a`` (Latin -a/-ae/-aa, Arabic ا ى ة ع and ه typed for ة),
  ``i`` (-i/-y, ي) or ``u`` (-ou/-o, و). A final silent French ``-e`` writes nothing, so
  ``Amine``/``أمين`` → ``amn`` and ``Amina``/``أمينة`` → ``amna`` stay apart (gender suffix).

Doubled letters are collapsed before vowels are dropped (``Mohammed`` = ``Mohamed``), so
``Bennani``/``بناني`` both give ``bnni``.
"""

from __future__ import annotations

import re
from functools import lru_cache

# --- Latin ----------------------------------------------------------------------------------

_VOWELS = frozenset("aeiouy")
_LATIN_DIGRAPHS = (
    (re.compile("x"), "ks"),
    (re.compile("sch|tch|ch|sh"), "x"),
    (re.compile("kh|gh|ck|q"), "k"),
    (re.compile("dj"), "j"),
    (re.compile("ph"), "f"),
    (re.compile("th"), "t"),
    (re.compile("dh"), "d"),
    (re.compile("gu(?=[eiy])"), "k"),
    (re.compile("g(?=[eiy])"), "j"),
    (re.compile("g"), "k"),
    (re.compile("c(?=[eiy])"), "s"),
    (re.compile("c"), "k"),
    (re.compile("v"), "f"),
    (re.compile("p"), "b"),
)
_DOUBLES = re.compile(r"(.)\1+")


def _latin_map(body: str) -> str:
    for pattern, repl in _LATIN_DIGRAPHS:
        body = pattern.sub(repl, body)
    return _DOUBLES.sub(r"\1", body)


def _latin_final(tok: str) -> tuple[str, str, str]:
    """Split a Latin token into (body, final marker, alternative final marker)."""
    if len(tok) >= 5 and tok.endswith(("oui", "ouy")):
        return tok[:-3], "wi", ""  # Alaoui / العلوي, Cherkaoui / الشرقاوي: the w of -awi is kept
    if len(tok) >= 5 and tok.endswith("wi") and tok[-3] in _VOWELS:
        return tok[:-2], "wi", ""
    if len(tok) >= 3:
        if tok.endswith(("ae", "aa", "ea")):
            return tok[:-2], "a", ""
        if tok.endswith("ah") and tok[-3] not in _VOWELS:
            return tok[:-1], "h", "a"  # -ah: ح/ه (Salah, Abdellah) or a ta marbuta (Fatimah)
        if tok.endswith(("ou", "ow")):
            return tok[:-2], "u", ""
        if tok.endswith(("ee", "ie", "ey")) and tok[-3] not in _VOWELS:
            return tok[:-2], "i", ""
    last = tok[-1:]
    if len(tok) >= 2:
        if last == "a":
            return tok[:-1], "a", ""
        if last in ("i", "y"):
            return tok[:-1], "i", ""
        if last in ("o", "u"):
            return tok[:-1], "u", ""
        if last == "e":
            return tok[:-1], "", ""  # silent French -e
    return tok, "", ""


def _latin_body(body: str) -> str:
    body = _latin_map(body)
    if not body:
        return ""
    out: list[str] = []
    i = 0
    n = len(body)
    # initial marker
    if body[0] in _VOWELS:
        if body.startswith("ou") and n > 2 and body[2] in "aei":
            out.append("w")
            i = 2
        elif body[0] == "y" and n > 1 and body[1] in _VOWELS:
            out.append("y")
            i = 1
        else:
            out.append("a")
            while i < n and body[i] in _VOWELS:
                i += 1
    elif body[0] == "w":
        out.append("w")
        i = 1
    for ch in body[i:]:
        if ch in _VOWELS or ch == "w" or ch == "-":
            continue
        out.append(ch)
    return "".join(out)


@lru_cache(maxsize=65536)
def latin_skeleton(tok: str) -> tuple[str, str]:
    """Skeleton of one Latin token, and an alternative (or "") for an ambiguous final."""
    if not tok:
        return "", ""
    body, final, alt_final = _latin_final(tok)
    core = _latin_body(body)
    if not core and final:
        core = "a" if final != "h" else ""
    key = core + final
    alt = core + alt_final if alt_final else ""
    return key, alt


# --- Arabic -------------------------------------------------------------------------------

_AR_CONS = {
    "ب": "b", "ت": "t", "ث": "t", "ط": "t", "ج": "j", "ح": "h", "ه": "h", "خ": "k", "غ": "k", "ق": "k",
    "ك": "k", "د": "d", "ذ": "d", "ض": "d", "ظ": "d", "ر": "r", "ز": "z", "س": "s", "ص": "s", "ش": "x",
    "ف": "f", "ل": "l", "م": "m", "ن": "n",
}
_AR_VOWELISH = frozenset("اويىعة")


@lru_cache(maxsize=65536)
def arabic_skeleton(tok: str) -> tuple[str, str]:
    """Skeleton of one Arabic token (internal form: ``ة``/``ى`` kept), and an alternative final."""
    if not tok:
        return "", ""
    tok = _DOUBLES.sub(r"\1", tok)
    final = ""
    alt_final = ""
    body = tok
    if len(tok) >= 2:
        last = tok[-1]
        if tok.endswith("اة"):
            body, final = tok[:-1], "t"  # Hayat, Najat
        elif last == "ة" or last == "ى" or last == "ع":
            body, final = tok[:-1], "a"
        elif last == "ه":
            if tok[-2] == "ا":
                body, final = tok, ""  # -اه: a real h (Allah)
            else:
                body, final, alt_final = tok[:-1], "a", "h"  # ه typed for ة, or a real h
        elif last == "ا":
            body, final = tok[:-1], "a"
        elif last == "ي" and len(tok) >= 4 and tok[-2] == "و":
            body, final = tok[:-2], "wi"  # -وي / -اوي: Alaoui, Cherkaoui
        elif last == "ي":
            body, final, alt_final = tok[:-1], "i", "a"  # ي typed for ى (مصطفي)
        elif last == "و":
            body, final = tok[:-1], "u"
    out: list[str] = []
    i = 0
    first = body[0] if body else ""
    if first in ("ا", "ع", "ى", "ة"):
        out.append("a")
        i = 1
        while i < len(body) and body[i] in _AR_VOWELISH:
            i += 1
    elif first == "و":
        out.append("w")
        i = 1
    elif first == "ي":
        out.append("y")
        i = 1
    for ch in body[i:]:
        c = _AR_CONS.get(ch)
        if c is not None:
            out.append(c)
    core = "".join(out)
    if not core and final:
        return final, ""
    key = core + final
    alt = core + alt_final if alt_final else ""
    return key, alt


# --- Loose letter forms (same-script comparison) ----------------------------------------------

_LOOSE_RULES = (
    (re.compile("x"), "ks"),
    (re.compile("sch|tch|ch|sh"), "x"),
    (re.compile("kh"), "k"),
    (re.compile("gh"), "g"),
    (re.compile("ck|q"), "k"),
    (re.compile("dj"), "j"),
    (re.compile("ph"), "f"),
    (re.compile("th"), "t"),
    (re.compile("dh"), "d"),
    (re.compile("gu(?=[eiy])"), "g"),
    (re.compile("c(?=[eiy])"), "s"),
    (re.compile("c"), "k"),
    (re.compile("ou|o|w"), "u"),
    (re.compile("y"), "i"),
    (re.compile("(?<=.)e(?=.)"), "a"),
    (re.compile("(?<=[^aeiu])e$"), ""),
    (re.compile("(?<=.)(?:ai|ei|ay|ey|ee)"), "i"),
    (re.compile("(?:ae|aa|ea)$"), "a"),
)


@lru_cache(maxsize=65536)
def latin_loose(tok: str) -> str:
    """A vowel-keeping folded form of a Latin token: ``Mohammed``/``Mouhamad`` → ``muhamad``."""
    s = _DOUBLES.sub(r"\1", tok)
    for pattern, repl in _LOOSE_RULES:
        s = pattern.sub(repl, s)
    return _DOUBLES.sub(r"\1", s.replace("-", ""))


_AR_LOOSE = str.maketrans({"ة": "ه", "ى": "ي"})


def arabic_loose(tok: str) -> str:
    """Arabic letters with ``ة`` → ``ه`` and ``ى`` → ``ي``."""
    return _DOUBLES.sub(r"\1", tok.translate(_AR_LOOSE))
