"""Direction of free text typed by people (notes, accounts, goals), for ``dir="…"``.

A French note in an Arabic page (or the reverse) keeps its punctuation at its own end only
inside an element of its own direction. Browsers have ``dir="auto"``; WeasyPrint does not, so
the PDF templates ask this filter: ``<td dir="{{ note|text_dir }}">``.
"""

from __future__ import annotations

import unicodedata

from django import template

register = template.Library()


@register.filter
def text_dir(value: object) -> str:
    """"rtl" or "ltr" from the first letter with a strong direction; "auto" when there is none
    (the element then keeps its parent's direction)."""
    for ch in str(value or ""):
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "auto"
