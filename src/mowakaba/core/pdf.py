"""Printable documents: a Django template rendered to PDF by WeasyPrint.

Why WeasyPrint: it lays text out with Pango and HarfBuzz, so Arabic is shaped (joined letters)
and ordered right to left like in a browser, from HTML and CSS we already know how to write.

What this helper guarantees for every document:

* nothing is fetched from the network: the ``url_fetcher`` refuses any URL that is not a local
  file under the package or the fonts' folders (or an inline ``data:`` URL);
* the Arabic font is Noto Sans Arabic (the web pages' font), declared with ``@font-face`` and
  ``file://`` URLs under its own family name, so that no other installed font takes its place
  (see ``arabic_font_files`` for which files);
* A4 pages, the page number ("page X / Y") and a footer on each page: confidentiality under Law
  09-08, the print date and who printed the document;
* the document's language and direction (``<html dir="rtl" lang="ar">`` for Arabic) come from
  ``language`` (templates extend ``core/pdf/base.html``).

Bidirectional text: WeasyPrint lays out each inline element on its own, so an element with
``dir="ltr"`` (``<bdi dir="ltr">DOS-0000123</bdi>``) is an isolated left-to-right run inside
Arabic text. Margin boxes cannot hold elements; there the helper wraps numbers and names in
the Unicode isolates (U+2066 LRI, U+2068 FSI, U+2069 PDI).
"""

from __future__ import annotations

import functools
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

import mowakaba
from mowakaba.core.finders import _font_file

logger = logging.getLogger(__name__)

FONT_FAMILY = "Mowakaba Arabic"  # Noto Sans Arabic, under a name no installed font has
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
PAGE_MARGINS = "18mm 16mm 20mm 16mm"  # top, right, bottom, left
# Debian's fonts-noto-core: static Noto Sans Arabic, regular and bold.
SYSTEM_ARABIC_FONTS = (Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"),
                       Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf"))


@functools.cache
def splits_letters(font: Path) -> bool:
    """Whether the font draws a dotted letter as a dotless base plus a dot mark (a ``ccmp``
    multiple substitution, as Noto Sans Arabic 2.1x does: ت = ٮ + two dots).

    The picture is right either way, but a PDF maps each glyph to one text: the shared dotless
    base then reads back as whichever letter used it first, and copying, searching or reading
    the PDF aloud gives wrong words (فاطمة comes out as ناطمت).
    """
    from fontTools.ttLib import TTFont

    try:
        tt = TTFont(str(font), lazy=True)
        base = tt.getBestCmap().get(ord("ب"))
        gsub = tt["GSUB"].table if "GSUB" in tt else None
    except Exception:  # an unreadable font file is not ours to diagnose here
        logger.exception("PDF: cannot read the font %s", font)
        return False
    if base is None or gsub is None or gsub.LookupList is None:
        return False
    for lookup in gsub.LookupList.Lookup:
        for table in lookup.SubTable if lookup.LookupType == 2 else ():
            if len(getattr(table, "mapping", {}).get(base, ())) > 1:
                return True
    return False


@functools.cache
def arabic_font_files() -> tuple[tuple[Path, str], ...]:
    """The Arabic font files and their CSS weight ("" for a variable font that has them all).

    Debian's static Noto Sans Arabic first: one glyph per letter form, so the PDF's text
    reads back right. The font bundled from PyPI (the one the web pages use) draws the same
    letters but splits dotted ones (see ``splits_letters``): it is the fallback when the
    Debian package is missing, and the text layer then loses letters (a warning is logged).
    """
    regular, bold = SYSTEM_ARABIC_FONTS
    if regular.is_file() and not splits_letters(regular):
        return ((regular, "normal"), *(((bold, "bold"),) if bold.is_file() else ()))
    bundled = _font_file()
    if bundled is None:
        logger.warning("PDF: no Arabic font found; Arabic text will use whatever fontconfig finds")
        return ()
    if splits_letters(bundled):
        logger.warning("PDF: %s is missing (apt-get install fonts-noto-core); the bundled font draws "
                       "Arabic right but its PDF text cannot be copied or searched reliably", regular)
    return ((bundled, ""),)


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
        """Fetches ``data:`` URLs and local files under the allowed folders; refuses the rest."""

        def __init__(self, roots: tuple[Path, ...]) -> None:
            super().__init__(allowed_protocols=("file", "data"))
            self.roots = tuple(r.resolve() for r in roots)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not is_allowed_url(url, self.roots):
                logger.warning("PDF: refused to fetch %s", url[:200])
                raise ValueError(f"Refused non-local URL: {url[:200]}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher


def is_allowed_url(url: str, roots: tuple[Path, ...]) -> bool:
    """A ``data:`` URL, or a ``file:`` URL on this machine naming a file under one of ``roots``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return True
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(url2pathname(parts.path)).resolve()
    return any(path == root or root in path.parents for root in roots)


def allowed_roots() -> tuple[Path, ...]:
    """The package (its templates and static files) and the folders of the Arabic fonts."""
    roots = {Path(mowakaba.__file__).resolve().parent}
    roots.update(path.resolve().parent for path, _weight in arabic_font_files())
    return tuple(sorted(roots))


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string."""
    cleaned = text.replace("\r", " ").replace("\n", " ")
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page_number_content() -> str:
    """``content`` for the page number, e.g. "صفحة 2 / 5"; the numbers stay in left-to-right
    order inside an Arabic line."""
    label = _("Page %(number)s")
    out = []
    for i, piece in enumerate(re.split(r"%\(number\)s", label)):
        if i:
            out.append(f'"{LRI}" counter(page) " / " counter(pages) "{PDI}"')
        if piece:
            out.append(_css_string(piece))
    return " ".join(out)


def base_css(*, direction: str, printed_by: str, printed_at: datetime) -> str:
    """Fonts, page box and footer, in the active language."""
    font_faces = "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.resolve().as_uri()}");'
        + (f" font-weight: {weight};" if weight else "") + " }"
        for path, weight in arabic_font_files())
    when = formats.date_format(timezone.localtime(printed_at), "DATETIME_FORMAT")
    footer = " · ".join(p for p in (
        # "09-08" isolated: after Arabic letters the hyphen would otherwise swap the two numbers.
        _("Confidential — Law %(law)s") % {"law": f"{LRI}09-08{PDI}"},
        _("Printed on %(date)s") % {"date": f"{FSI}{when}{PDI}"},
        _("by %(name)s") % {"name": f"{FSI}{printed_by}{PDI}"} if printed_by else "",
    ) if p)
    start, end = ("right", "left") if direction == "rtl" else ("left", "right")
    families = (f'"{FONT_FAMILY}", "Noto Sans", "DejaVu Sans", sans-serif' if direction == "rtl"
                else f'"Noto Sans", "DejaVu Sans", "{FONT_FAMILY}", sans-serif')
    return f"""
{font_faces}
@page {{
  size: A4;
  margin: {PAGE_MARGINS};
  @bottom-{start} {{
    content: {_css_string(footer)};
    font-family: {families}; font-size: 7pt; color: #555; direction: {direction};
    text-align: {start}; width: 75%;
  }}
  @bottom-{end} {{
    content: {_page_number_content()};
    font-family: {families}; font-size: 7pt; color: #555; direction: {direction};
    text-align: {end};
  }}
}}
html {{ font-family: {families}; font-size: 9.5pt; line-height: 1.45; color: #111; }}
"""


def render_pdf(template_name: str, context: dict[str, Any], *, language: str, printed_by: str = "",
               printed_at: datetime | None = None) -> bytes:
    """Render ``template_name`` (which extends ``core/pdf/base.html``) to PDF bytes.

    ``language`` sets the labels, the date formats and the direction; ``printed_by`` and
    ``printed_at`` (default: now) go in the footer of every page.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    with translation.override(language):
        direction = "rtl" if translation.get_language_bidi() else "ltr"
        html = render_to_string(template_name, {
            **context, "pdf_language": translation.get_language(), "pdf_direction": direction})
        css = base_css(direction=direction, printed_by=printed_by, printed_at=printed_at or timezone.now())
    fetcher = _fetcher_class()(allowed_roots())
    font_config = FontConfiguration()
    stylesheet = CSS(string=css, font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher).render(font_config=font_config, stylesheets=[stylesheet])
    pdf: bytes = document.write_pdf()
    return pdf
