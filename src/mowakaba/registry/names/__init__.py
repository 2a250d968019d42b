"""Person-name matching for the registry: Arabic and Latin script, variants, typos, duplicates.

Public API::

    normalize(text) -> str           script-aware clean-up
    latin_key(text) -> str           phonetic skeleton of a full name, same for both scripts
    name_tokens(text) -> list[str]   per-part keys for an index (compounds also joined)
    score(left, right) -> float      symmetric similarity of two full names in [0, 1]
    same(left, right) -> bool        score >= DEFAULT_THRESHOLD
    explain(left, right) -> list     reasons such as "given:exact", "family:variant", "father:missing"

Design:

* parsing: each name becomes *parts*: articles dropped (``El Fassi`` = ``Elfassi`` = ``الفاسي``),
  compounds joined (``abd``/``عبد`` + name, ``X eddine``, ``Fatima Zahra``, ``ait``/``آيت``, ``bou``,
  ``bel``), ``ben X`` between names read as the father's name, at the edges as a fused family name
  (``Ben Ali`` = ``Benali`` = ``بنعلي``); honorifics and ``Moulay``/``Sidi``/``Lalla`` dropped;
* keys: a Maghrebi consonant skeleton computed from either script, with equivalence classes
  (ق/ك/خ/غ/g → k, ح/ه → h, ض/ظ/ذ/د → d, ث/ت/ط → t, س/ص → s, ش/ch → x...), short vowels, ع and
  hamza dropped, but the final -a/-i/-ou/-aoui kept (Rachid ≠ Rachida, Gharbi ≠ Gharbaoui);
* lexicon: about 570 common Moroccan given and family names with their Arabic and French-style
  spellings; two spellings of one entry are the same name, two listed entries are different names
  (Hassan / Houssine, Mohamed / Mahmoud, Imane / Amine, Benali / Bennani);
* part similarity: lexicon identity, else the best of skeleton similarity (cross-script), folded
  letters and a keyboard-aware edit distance (same script, or against the lexicon spellings of the
  other side), capped for a gender suffix (-a/ة) or an -i adjective;
* name score: best one-to-one alignment of the parts in any order (father only with father or a
  middle name), half mean and half minimum of the aligned similarities, minus a small cost for a
  part on one side only (0.05, a father's name 0.02); a single aligned part cannot make a match
  when one side has more. ``score`` is exactly symmetric. Everything is cached per name and per
  pair of parts.
"""

from __future__ import annotations

from .match import DEFAULT_THRESHOLD, explain, same, score
from .normalize import normalize
from .parts import parse

__all__ = [
    "DEFAULT_THRESHOLD",
    "explain",
    "latin_key",
    "name_tokens",
    "normalize",
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
