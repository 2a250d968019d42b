"""Script-aware clean-up of person names (Arabic and Latin script).

Two levels:

* :func:`tokens` gives the *internal* tokens used for keys: it keeps the ta marbuta ``ة`` and the
  alef maqsura ``ى`` (they tell a final ``-a`` from a final ``-h``/``-i``) and maps the cedilla
  ``ç`` to ``s``.
* :func:`normalize` is the public form for display, storage and same-script comparison: on top of
  the above, ``ة`` → ``ه`` and ``ى`` → ``ي`` (both collide constantly in typing), ``ç`` → ``c``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --- Arabic -------------------------------------------------------------------------------------

# Harakat, Quranic annotation marks, superscript alef and tatweel.
_AR_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Zero-width and bidi controls, BOM.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

_AR_MAP = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ٵ": "ا",
    "ؤ": "و", "ٶ": "و", "ئ": "ي", "ٸ": "ي", "ء": None,
    "ی": "ي", "ې": "ي", "ۍ": "ي", "ێ": "ي",
    "ۃ": "ة", "ە": "ه", "ۀ": "ه", "ھ": "ه", "ہ": "ه",
    "ک": "ك", "ڭ": "ك", "گ": "ك", "ڪ": "ك", "ڤ": "ف", "ڢ": "ف", "پ": "ب", "چ": "ج", "ژ": "ز",
})

_AR_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي" + "ةى"
_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"

# Latin letters that NFKD does not decompose.
_LATIN_EXTRA = str.maketrans({
    "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ß": "ss",
})

_APOSTROPHES = re.compile("['\u2019\u2018\u201b`\u00b4\u02bc\u02bb\u02b9\u02bf\u02be\u2032]")
_SCRIPT_BOUNDARY = re.compile(f"(?<=[{_AR_LETTERS}])(?=[a-z])|(?<=[a-z])(?=[{_AR_LETTERS}])")
_NOT_LETTER = re.compile(f"[^a-z{_AR_LETTERS} ]+")
_SPACES = re.compile(r"\s+")

# Honorifics dropped when they lead the name (and something is left after them).
_HONORIFICS_LATIN = frozenset({
    "m", "mr", "mme", "mlle", "mm", "monsieur", "madame", "mademoiselle", "dr", "docteur", "pr",
    "sieur", "dame", "mister", "mrs", "ms", "miss",
})
# Pilgrim titles are also used as given names (Lhaj Bouhlal): dropped only before two more names.
_HAJ_LATIN = frozenset({"hadj", "haj", "hajj", "hadja", "hajja", "haja", "elhadj", "elhaj", "elhajj"})
_HONORIFICS_ARABIC = frozenset({
    "السيد", "السيده", "السيدة", "سيد", "السيدات", "الانسه", "الانسة",
    "الدكتور", "الدكتوره", "الدكتورة", "الاستاذ", "الاستاذه", "الاستاذة", "د",
})
_HAJ_ARABIC = frozenset({"الحاج", "الحاجه"})


def is_arabic(token: str) -> bool:
    """True when the (normalised) token is written in Arabic script."""
    return bool(token) and token[0] in _AR_LETTERS


def _clean(text: str, *, cedilla_s: bool) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _AR_MARKS.sub("", text)
    text = text.translate(_AR_MAP)
    text = text.casefold()
    if cedilla_s:
        text = text.replace("ç", "s")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)
    # NFC recomposes alef + hamza above; map again (cheap).
    text = text.translate(_AR_MAP).translate(_LATIN_EXTRA)
    text = _APOSTROPHES.sub("", text)
    text = _NOT_LETTER.sub(" ", text)
    text = _SCRIPT_BOUNDARY.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


_PARTICLES = frozenset({"el", "al", "l", "ben", "bin", "bent", "bint", "ait", "abd", "abdel", "bou", "ould",
                        "ال", "بن", "بنت", "ولد", "ايت", "عبد", "بو", "ابو"})


def _names_after(parts: list[str], k: int) -> int:
    return sum(1 for t in parts[k:] if t not in _PARTICLES)


def _drop_honorifics(parts: list[str]) -> list[str]:
    while len(parts) > 1:
        head = parts[0]
        title = head in _HONORIFICS_LATIN or head.replace("ة", "ه") in _HONORIFICS_ARABIC
        pilgrim = head in _HAJ_LATIN or head.replace("ة", "ه") in _HAJ_ARABIC
        if title or (pilgrim and _names_after(parts, 1) >= 2):
            parts = parts[1:]
        elif head in ("el", "al") and len(parts) > 2 and parts[1] in _HAJ_LATIN and _names_after(parts, 2) >= 2:
            parts = parts[2:]
        else:
            break
    return parts


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Internal tokens: cleaned, honorifics dropped, ``ة``/``ى`` kept, ``ç`` → ``s``."""
    return tuple(_drop_honorifics(_clean(text, cedilla_s=True).split()))


_PUBLIC = str.maketrans({"ة": "ه", "ى": "ي"})


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Script-aware clean-up of a name, for display keys and same-script comparison.

    Arabic: harakat, tatweel and Quranic marks removed; ``أ إ آ ٱ`` → ``ا``; ``ؤ`` → ``و``;
    ``ئ`` → ``ي``; ``ء`` dropped; ``ى`` → ``ي``; ``ة`` → ``ه``; Persian/phone-keyboard look-alikes
    (``ک ی ە ڭ گ ڤ پ``) folded. Latin: case-folded, accents stripped (``Aït`` → ``ait``), apostrophes
    removed (``M'barek`` → ``mbarek``), hyphens and punctuation → space. Leading honorifics
    (``M.``, ``Mme``, ``El Hadj``, ``السيد``, ``الحاج``...) are dropped; spaces are collapsed.
    """
    return " ".join(_drop_honorifics(_clean(text, cedilla_s=False).split())).translate(_PUBLIC)
