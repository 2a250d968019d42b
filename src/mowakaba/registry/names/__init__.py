"""Person-name matching for the registry: Arabic and Latin script, variants, typos, duplicates.

Public API::

    normalize(text) -> str           script-aware clean-up
    latin_key(text) -> str           phonetic skeleton of a full name, same for both scripts
    name_tokens(text) -> list[str]   per-part keys for an index (compounds also joined)
    score(left, right) -> float      symmetric similarity of two full names in [0, 1]
    same(left, right) -> bool        score >= DEFAULT_THRESHOLD
    explain(left, right) -> list     reasons such as "given:exact", "family:variant", "father:missing"

Design: each name is parsed into parts (articles dropped, compounds and ``ben``/``ait``/``abd``
particles resolved, ``ben X`` between names read as the father's name). Every part gets a
Maghrebi consonant skeleton computed from either script (equivalence classes for ق/ك/g, ح/ه,
ض/ظ/ذ/د, ث/ت/ط, س/ص...; short vowels, ع and hamza dropped; a final -a/-i/-u kept so that
Rachid/Rachida differ), a loose letter form for same-script comparison, and, when the name is in
the variant lexicon (about 480 common Moroccan given and family names in both scripts), the
lexicon entry: two spellings of one entry are the same name, two entries are different names
(Hassan/Houssine, Mohamed/Mahmoud). Parts are aligned one-to-one in any order; the score mixes
the mean and the minimum of the aligned similarities and charges a small cost for a part found
on one side only.
"""

from __future__ import annotations

from .normalize import normalize
from .parts import parse
from .match import DEFAULT_THRESHOLD, explain, part_similarity, same, score

__all__ = [
    "DEFAULT_THRESHOLD",
    "explain",
    "latin_key",
    "name_tokens",
    "normalize",
    "part_similarity",
    "same",
    "score",
]


def latin_key(text: str) -> str:
    """Canonical Latin phonetic skeleton of a name in either script, one key per part.

    ``محمد``, ``Mohamed``, ``Mohammed`` → ``mhmd``; ``فاطمة الزهراء``, ``Fatima Zahra``,
    ``Fatimazahra``, ``Fatima Ezzahra`` → ``ftmzhra``; ``الفاسي``, ``El Fassi``, ``Elfassi`` → ``fsi``.
    """
    return " ".join(p.key for p in parse(text))


def name_tokens(text: str) -> list[str]:
    """Keys for a search index: each part's key, then the keys of its components (``Fatima Zahra``
    also gives ``Fatima`` and ``Zahra``; ``Ait Lahcen`` also gives ``Lahcen``)."""
    out: list[str] = []
    for p in parse(text):
        out.append(p.key)
        for c in p.comps:
            out.append(c.key)
        if p.stem is not None:
            out.append(p.stem.key)
    return [k for k in dict.fromkeys(out) if k]
