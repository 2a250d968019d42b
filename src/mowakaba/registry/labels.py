"""How match reasons read on screen. The matcher and the scan speak codes ("given:variant");
this table turns them into words in the user's language, part by part."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PARTS = {
    "given": _("given name"),
    "family": _("family name"),
    "father": _("father's name"),
    "name": _("name"),
    "names": _("names"),
    "order": _("order of the names"),
    "script": _("script"),
    "cin": _("CIN"),
    "phone": _("phone"),
    "record": _("record number"),
    "birth": _("date of birth"),
    "birth_year": _("year of birth"),
    "sex": _("sex"),
    "commune": _("commune"),
    "parents": _("parents"),
    "token": _("part of the name"),
    "compound": _("compound name"),
    "middle": _("middle name"),
}
HOW = {
    "exact": _("identical"),
    "same": _("identical"),
    "match": _("matches"),
    "variant": _("spelling variant"),
    "translit": _("other script or transliteration"),
    "cross_script": _("other script"),
    "typo": _("typing slip"),
    "fuzzy": _("close spelling"),
    "missing": _("missing on one side"),
    "swapped": _("in another order"),
    "joined": _("joined or split"),
    "differs": _("differs"),
    "differ": _("differ"),
    "close": _("close"),
    "extra": _("extra on one side"),
    "cross": _("Arabic on one side, Latin on the other"),
    "different": _("different"),
    "partial": _("partly the same"),
    "empty": _("empty"),
    "gender": _("masculine and feminine forms"),
    "nisba": _("with and without the -i ending"),
}


def reason_label(code: str) -> str:
    part, _sep, how = code.partition(":")
    label = str(PARTS.get(part, part))
    if not how:
        return label
    try:
        float(how)
        return f"{label} {how}"
    except ValueError:
        return f"{label}: {HOW.get(how, how)}"


def reason_labels(codes: list[str]) -> list[str]:
    return [reason_label(c) for c in codes]
