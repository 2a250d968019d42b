"""Translations are part of the feature: the Arabic and French catalogues are complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "src" / "mowakaba" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def _entries(po: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) for each live entry; enough of the PO format for this check."""
    out: list[tuple[str, list[str], bool]] = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#~")]
        if not any(ln.startswith("msgid ") for ln in lines):
            continue
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        fields: dict[str, str] = {}
        key = ""
        for ln in lines:
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) "(.*)"$', ln)
            if m:
                key = m.group(1)
                fields[key] = m.group(2)
            elif ln.startswith('"') and key:
                fields[key] += ln[1:-1]
        msgid = fields.get("msgid", "")
        if not msgid:
            continue  # the header
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        out.append((msgid + " " + fields.get("msgid_plural", ""), strs, fuzzy))
    return out


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_every_string_is_translated_and_keeps_its_placeholders(language: str) -> None:
    entries = _entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 500
    missing = [m for m, strs, fuzzy in entries if fuzzy or not strs or any(not s for s in strs)]
    assert missing == [], f"{len(missing)} untranslated or fuzzy in {language}: {missing[:10]}"
    broken = [m for m, strs, _f in entries
              if any(set(PLACEHOLDER.findall(s)) - set(PLACEHOLDER.findall(m)) for s in strs)]
    assert broken == [], f"placeholders not in the source: {broken[:10]}"
