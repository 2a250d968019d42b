"""Charts drawn on the server as inline SVG strings, for dashboards and PDF reports.

Why our own SVG and not a charting library: dashboards must answer in 150 ms of server time,
the charts are simple (bars, columns, lines, sparklines, progress), and nothing may be fetched
by the page. A 75-bar chart takes about a millisecond here (see docs/charts.md for timings).

Every function returns a ``SafeString`` holding one ``<svg>`` element:

* ``role="img"``, ``aria-label`` and ``<title>`` (the chart's title), a ``<desc>`` with the
  numbers in words for screen readers (the dashboard shows the same numbers as a table too);
* ``viewBox`` with ``width="100%"`` (the chart scales with its container, capped by a
  ``max-width`` so that text keeps a sensible size on a wide screen);
* no script, no external reference, no id (two charts on one page cannot clash), the page's
  font (``font-family="inherit"``), colours hard-coded from the Okabe-Ito palette, which stays
  distinguishable with the common colour-vision deficiencies; status is never told by colour
  alone (words, hatching, dashes);
* every label XML-escaped (labels are names from the database), characters that XML forbids
  dropped;
* numbers wrapped in LRI…PDI (U+2066/U+2069) so they stay left to right inside Arabic, labels in
  FSI…PDI (U+2068) so a French name in an Arabic chart (or the reverse) keeps its own direction.
  Anchors (``text-anchor``) are physical: the root sets ``direction="ltr"`` whatever the
  language, because a browser reads ``text-anchor="start"`` as "right edge" under an inherited
  ``dir="rtl"`` and the mirroring is done here, once, on coordinates;
* deterministic: the same input gives the same bytes.

Right to left (``rtl=True``): bar charts are mirrored (labels on the right, bars grow leftwards),
legends and titles start on the right, the value axis moves to the right side. The time axis
keeps running left to right, as in the Arabic publications of statistical offices (HCP, ESCWA)
and in spreadsheet charts: numbers and dates are written left to right in Arabic too, and the
Arabic and French versions of a report then show the same picture.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

NNBSP = "\u202f"  # narrow no-break space: the thousands separator of French and Moroccan Arabic
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"

# Okabe-Ito: distinguishable with deuteranopia, protanopia and tritanopia.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
BAR = "#0072B2"
HIGHLIGHT = "#D55E00"  # vermillion: 3.9:1 against white, unlike orange (2.2:1)
TEXT = "#1F2328"
MUTED = "#57606A"
GRID = "#D8DEE4"
AXIS = "#8C959F"
MISSING_BG = "#F3F4F6"
MISSING_INK = "#9AA1A9"
BAND = "#DCEAF7"
STATUS_FILL = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00", "none": "#9AA1A9"}
STATUS_INK = {"green": "#00684A", "amber": "#8A5A00", "red": "#A8410A", "none": "#57606A"}

WIDTH = 400  # viewBox width of the full-size charts; 12-unit text stays ~10 px on a 360 px phone
MAX_WIDTH = "36rem"  # and ~18 px at most on a wide screen
FONT = 12
_INLINE = "display:inline-block;vertical-align:middle"  # a sparkline sits in a sentence or a cell
CHAR_W = 0.56 * FONT  # average advance of a Latin or Arabic letter at FONT, for truncation

Status = Literal["green", "amber", "red", "none"]
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class BarItem:
    label: str
    value: float | None  # None: suppressed or missing, drawn as "—", never as a zero bar
    href: str | None = None
    note: str = ""
    highlight: bool = False


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | None]


def format_number(value: float) -> str:
    """``12 345`` (narrow no-break space), ``12 345,6`` with one decimal when not whole."""
    if not math.isfinite(value):
        return "—"
    rounded = round(value)
    if abs(value - rounded) < 1e-9:
        return f"{rounded:,}".replace(",", NNBSP)
    text = f"{value:,.1f}"
    whole, _dot, decimals = text.rpartition(".")
    return whole.replace(",", NNBSP) + str(formats.get_format("DECIMAL_SEPARATOR")) + decimals


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Ticks at 1, 2 or 5 × 10^k covering [low, high], about ``count`` intervals."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m for m in (1.0, 2.0, 5.0, 10.0) if raw / magnitude <= m + 1e-9) * magnitude
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) + 0.0 for i in range(first, last + 1)]


# --- low-level writing -------------------------------------------------------------------------

def _esc(text: str) -> str:
    text = _XML_INVALID.sub("", str(text))
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _n(x: float) -> str:
    out = f"{x:.1f}"
    return "0.0" if out == "-0.0" else out


def _num(text: str) -> str:
    """A number: a left-to-right isolate, escaped."""
    if _PDF.get():
        return _esc(text)
    return f"{LRI}{_esc(text)}{PDI}"


def _label(text: str) -> str:
    """A name: an isolate taking its direction from its first strong letter, escaped."""
    if _PDF.get():
        return _esc(visual_text(text))
    return f"{FSI}{_esc(text)}{PDI}"


def _join(parts: Sequence[str], rtl: bool) -> str:
    """Pieces of one text in reading order; in PDF mode the visual order is ours to give."""
    return " ".join(reversed(parts) if rtl and _PDF.get() else parts)


# --- PDF mode ----------------------------------------------------------------------------------
# WeasyPrint (70) draws SVG text one character at a time, in logical order from left to right:
# Arabic comes out unjoined and backwards (isolated letter forms, word read mirrored), and the
# font is taken literally from ``font-family`` ("inherit" is not inherited from the page). In PDF
# mode the charts write Arabic as it must look: presentation forms (initial, medial, final,
# isolated, lam-alef) in visual order, and name the PDF's fonts. The picture is right; the PDF's
# text layer then holds presentation forms in visual order (search and copy of chart labels are
# poorer: the report's tables carry the same names as real text).

_PDF: ContextVar[bool] = ContextVar("mowakaba_charts_pdf", default=False)
PDF_FONTS_RTL = '"Mowakaba Arabic", "Noto Sans Arabic", "Noto Sans", "DejaVu Sans", sans-serif'
PDF_FONTS_LTR = '"Noto Sans", "DejaVu Sans", "Mowakaba Arabic", "Noto Sans Arabic", sans-serif'
_MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")
_ALEFS = "\u0622\u0623\u0625\u0627"
_MARKS = (LRI, FSI, PDI)
_ISOLATE = re.compile(f"[{LRI}{FSI}]([^{LRI}{FSI}{PDI}]*){PDI}")


@contextlib.contextmanager
def for_pdf() -> Iterator[None]:
    """Charts drawn inside this block are for WeasyPrint (see the note above)::

        with charts.for_pdf():
            context["chart"] = charts.bar_chart(...)
    """
    token = _PDF.set(True)
    try:
        yield
    finally:
        _PDF.reset(token)


@functools.cache
def _forms() -> dict[tuple[str, str], str]:
    """(letter or lam+alef, form) → presentation form, read from Unicode's decompositions."""
    table: dict[tuple[str, str], str] = {}
    for cp in (*range(0xFB50, 0xFC00), *range(0xFE70, 0xFF00)):
        m = re.fullmatch(r"<(initial|medial|final|isolated)> ((?:[0-9A-F]{4} ?)+)",
                         unicodedata.decomposition(chr(cp)))
        if m:
            base = "".join(chr(int(h, 16)) for h in m.group(2).split())
            if len(base) == 1 or (cp >= 0xFEF5 and base[0] == "\u0644"):
                table.setdefault((base, m.group(1)), chr(cp))
    return table


def _shape(text: str) -> str:
    """Arabic letters replaced by their contextual presentation forms (logical order kept)."""
    forms = _forms()
    chars = [c for c in text if unicodedata.category(c) != "Mn"]  # vowel marks: none in names

    def dual(c: str) -> bool:
        return c == "\u0640" or (c, "medial") in forms

    def joining(c: str) -> bool:
        return dual(c) or (c, "final") in forms

    out: list[str] = []
    i = 0
    while i < len(chars):
        c = chars[i]
        prev_joins = bool(out) and i > 0 and dual(chars[i - 1])
        if c == "\u0644" and i + 1 < len(chars) and chars[i + 1] in _ALEFS:
            out.append(forms.get((c + chars[i + 1], "final" if prev_joins else "isolated"), c + chars[i + 1]))
            i += 2
            continue
        if joining(c):
            next_joins = dual(c) and i + 1 < len(chars) and joining(chars[i + 1])
            form = {(True, True): "medial", (True, False): "final", (False, True): "initial",
                    (False, False): "isolated"}[(prev_joins, next_joins)]
            out.append(forms.get((c, form), forms.get((c, "isolated"), c)))
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _strength(c: str) -> str:
    kind = unicodedata.bidirectional(c)
    if kind in ("R", "AL"):
        return "R"
    if kind in ("L", "EN", "AN"):
        return "L"
    return "N"


@functools.lru_cache(maxsize=4096)  # a report draws the same names in several charts
def visual_text(text: str) -> str:
    """``text`` shaped and in visual (left-to-right drawing) order, its direction taken from
    its first strong letter outside isolates. Enough bidi for names, months and sentences with
    numbers: a run of Latin letters or digits inside Arabic stays left to right, an LRI…PDI
    isolate is kept whole (left to right) and placed as a neutral, as the Unicode algorithm
    does; brackets are mirrored in Arabic runs."""
    units: list[tuple[str, str, bool]] = []  # (text, strength, is an isolate kept whole)
    pos = 0
    for m in _ISOLATE.finditer(text):
        units.extend((c, _strength(c), False) for c in text[pos:m.start()] if c not in _MARKS)
        inner = m.group(1)
        units.append((inner if m.group(0)[0] == LRI else visual_text(inner), "N", True))
        pos = m.end()
    units.extend((c, _strength(c), False) for c in text[pos:] if c not in _MARKS)
    if not any(k == "R" for _t, k, _a in units):
        return "".join(t for t, _k, _a in units)
    base = next((k for _t, k, atom in units if k != "N" and not atom), "L")
    resolved = []
    for i, (_t, k, _a) in enumerate(units):  # a neutral between two letters of one direction takes it
        if k == "N":
            before = next((units[j][1] for j in range(i - 1, -1, -1) if units[j][1] != "N"), base)
            after = next((units[j][1] for j in range(i + 1, len(units)) if units[j][1] != "N"), base)
            k = before if before == after else base
        resolved.append(k)
    runs: list[tuple[str, list[tuple[str, bool]]]] = []
    for (t, _k, atom), k in zip(units, resolved, strict=True):
        if runs and runs[-1][0] == k:
            runs[-1][1].append((t, atom))
        else:
            runs.append((k, [(t, atom)]))
    drawn = []
    for k, pieces in runs:
        merged: list[tuple[str, bool]] = []  # letters between isolates joined, to be shaped
        for t, atom in pieces:
            if merged and not atom and not merged[-1][1]:
                merged[-1] = (merged[-1][0] + t, False)
            else:
                merged.append((t, atom))
        if k == "R":
            drawn.append("".join(t if atom else _shape(t)[::-1].translate(_MIRRORED)
                                 for t, atom in reversed(merged)))
        else:
            drawn.append("".join(t for t, _atom in merged))
    return "".join(reversed(drawn) if base == "R" else drawn)


def _plain(text: str) -> str:
    return text.replace(LRI, "").replace(FSI, "").replace(PDI, "")


def _truncate(text: str, width: float, size: float = FONT) -> str:
    limit = max(int(width / (0.56 * size)), 4)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: float = FONT,
          fill: str = TEXT, bold: bool = False, halo: bool = False) -> str:
    """``content`` is already escaped and wrapped (``_num``/``_label``). ``halo``: a white
    outline under the letters, for a value that a reference line may cross (browsers only:
    WeasyPrint ignores ``paint-order`` and would draw the outline over the letters)."""
    weight = ' font-weight="bold"' if bold else ""
    if halo and not _PDF.get():
        weight += ' stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{_n(size)}" '
            f'fill="{fill}"{weight}>{content}</text>')


def _hatch(x: float, y: float, w: float, h: float) -> str:
    """A light grey box with diagonal hatching: "no value here". Lines are drawn one by one
    (no ``<pattern>``: it needs an id, and ids would clash between charts on one page)."""
    d = []
    c = -h + 2.5
    while c < w:
        # the line through (x + c, y + h) and (x + c + h, y), clipped to the box
        xs, xe = max(x + c, x), min(x + c + h, x + w)
        d.append(f"M{_n(xs)} {_n(y + h - (xs - x - c))}L{_n(xe)} {_n(y + h - (xe - x - c))}")
        c += 5.0
    return (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{MISSING_BG}"/>'
            f'<path d="{"".join(d)}" stroke="{MISSING_INK}" stroke-width="0.8" fill="none"/>')


def _svg(kind: str, width: float, height: float, title: str, body: Sequence[str], desc: str = "",
         max_width: str = MAX_WIDTH, display: str = "display:block", rtl: bool = False) -> SafeString:
    t = _esc(title)
    fonts = _esc(PDF_FONTS_RTL if rtl else PDF_FONTS_LTR) if _PDF.get() else "inherit"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="mw-chart mw-chart-{kind}" role="img" '
            f'aria-label="{t}" viewBox="0 0 {_n(width)} {_n(height)}" width="100%" '
            f'preserveAspectRatio="xMidYMid meet" font-family="{fonts}" direction="ltr" '
            f'style="max-width:{max_width};height:auto;{display};overflow:visible">'
            f"<title>{t}</title>")
    if desc:
        head += f"<desc>{_esc(desc)}</desc>"
    return mark_safe(head + "".join(body) + "</svg>")  # every piece escaped above


def _safe_href(href: str | None) -> str | None:
    if not href:
        return None
    scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", href)
    if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
        return None  # javascript:, data: … never from a drill-down
    return _esc(href)


class _Mirror:
    """Physical x positions, mirrored when right to left."""

    def __init__(self, width: float, rtl: bool) -> None:
        self.width, self.rtl = width, rtl

    def x(self, x: float) -> float:
        return self.width - x if self.rtl else x

    def rect_x(self, x: float, w: float) -> float:
        return self.width - x - w if self.rtl else x

    def anchor(self, anchor: str) -> str:
        if not self.rtl:
            return anchor
        return {"start": "end", "end": "start"}.get(anchor, anchor)


def _legend(entries: Sequence[tuple[str, str, bool]], *, y: float, width: float, rtl: bool,
            pad: float) -> tuple[list[str], float]:
    """Swatch and name for each (name, colour, dashed) entry, flowing from the start side,
    wrapping to more lines. Returns the pieces and the height used."""
    m = _Mirror(width, rtl)
    out: list[str] = []
    x, line = pad, 0
    for name, colour, dashed in entries:
        shown = _truncate(name, width / 2)
        w = 18 + len(shown) * CHAR_W * 11 / FONT + 12
        if x > pad and x + w > width - pad:
            x, line = pad, line + 1
        cy = y + line * 16 + 6
        if dashed:
            out.append(f'<line x1="{_n(m.x(x))}" y1="{_n(cy)}" x2="{_n(m.x(x + 14))}" y2="{_n(cy)}" '
                       f'stroke="{colour}" stroke-width="2" stroke-dasharray="4 2"/>')
        else:
            out.append(f'<rect x="{_n(m.rect_x(x, 12))}" y="{_n(cy - 5)}" width="12" height="10" '
                       f'rx="2" fill="{colour}"/>')
        out.append(_text(m.x(x + 18), cy + 4, _label(shown), anchor=m.anchor("start"), size=11,
                         fill=TEXT))
        x += w
    return out, (line + 1) * 16 + 4


def _no_data(kind: str, title: str, rtl: bool, width: float = WIDTH) -> SafeString:
    return _svg(kind, width, 40, title, rtl=rtl, body=[
        _hatch(0, 4, width, 32),
        _text(width / 2, 24, _label(_("No data")), anchor="middle", fill=MUTED)])


def _finite(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _present(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


# --- bar chart ---------------------------------------------------------------------------------

def bar_chart(items: Sequence[BarItem], *, title: str,
              value_format: Callable[[float], str] = format_number, rtl: bool = False,
              max_items: int | None = None, reference: float | None = None,
              reference_label: str = "") -> SafeString:
    """Horizontal bars, one per item, label at the start side and value at the bar's end.

    ``reference`` draws a dashed vertical line (for example the national rate) labelled with
    ``reference_label``; ``max_items`` keeps the first items and says how many were left out;
    an item with ``href`` is a link (drill-down); ``highlight`` colours the bar and bolds its
    label (the territory being looked at among its peers).
    """
    shown = list(items[:max_items] if max_items is not None else items)
    hidden = len(items) - len(shown)
    if not shown:
        return _no_data("bar", title, rtl)
    width, pad, row, bar_h = WIDTH, 4.0, 22.0, 14.0
    label_w, value_w = width * 0.34, 66.0
    x0, x1 = pad + label_w + 6, width - pad - value_w
    values = _finite([i.value for i in shown])
    if reference is not None and math.isfinite(reference):
        values.append(reference)
    ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]) or 1.0, 4)
    lo, hi = ticks[0], ticks[-1]

    def sx(v: float) -> float:
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    m = _Mirror(width, rtl)
    has_ref = reference is not None and math.isfinite(reference)
    top = 6.0 + (18.0 if has_ref else 0.0)
    plot_h = len(shown) * row
    axis_y = top + plot_h
    height = axis_y + 20 + (18 if hidden else 0)
    out: list[str] = []
    for t in ticks:  # grid and tick labels under the bars
        gx = m.x(sx(t))
        out.append(f'<line x1="{_n(gx)}" y1="{_n(top - 2)}" x2="{_n(gx)}" y2="{_n(axis_y)}" '
                   f'stroke="{GRID}" stroke-width="{1 if t == 0 else 0.6}"/>')
        out.append(_text(gx, axis_y + 13, _num(value_format(t)), anchor="middle", size=10, fill=MUTED))
    zero = sx(max(lo, 0.0))
    desc: list[str] = []
    ref_desc = ""
    # under the bars and values (which carry a white halo), over the grid
    if has_ref:
        rx = m.x(sx(float(reference)))  # type: ignore[arg-type]
        out.append(f'<line x1="{_n(rx)}" y1="{_n(top - 4)}" x2="{_n(rx)}" y2="{_n(axis_y)}" '
                   f'stroke="{TEXT}" stroke-width="1.2" stroke-dasharray="4 3" class="mw-reference"/>')
        ref_text = _join([*([_label(reference_label)] if reference_label else []),
                          _num(value_format(float(reference)))], rtl)  # type: ignore[arg-type]
        # the label runs from the line towards the value side, where there is room
        anchor = "end" if sx(float(reference)) > (x0 + x1) / 2 else "start"  # type: ignore[arg-type]
        out.append(_text(rx + (-3 if m.anchor(anchor) == "end" else 3), top - 8, ref_text,
                         anchor=m.anchor(anchor), size=10, fill=TEXT))
        ref_desc = f"{reference_label} {value_format(float(reference))}".strip()  # type: ignore[arg-type]
    for k, item in enumerate(shown):
        y = top + k * row
        cy = y + row / 2
        piece = []
        label = _truncate(item.label, label_w)
        piece.append(_text(m.x(x0 - 6), cy + 4, _label(label), anchor=m.anchor("end"),
                           bold=item.highlight))
        note = f'<tspan fill="{MUTED}" font-size="10">{_label(item.note)}</tspan>' if item.note else ""
        if _present(item.value):
            v = float(item.value)  # type: ignore[arg-type]
            a, b = sorted((zero, sx(v)))
            piece.append(f'<rect x="{_n(m.rect_x(a, b - a))}" y="{_n(cy - bar_h / 2)}" '
                         f'width="{_n(b - a)}" height="{_n(bar_h)}" '
                         f'fill="{HIGHLIGHT if item.highlight else BAR}" class="mw-bar"/>')
            shown_value = value_format(v)
            piece.append(_text(m.x(max(b, zero) + 4), cy + 4, _join([_num(shown_value), note][:1 + bool(note)], rtl),
                               anchor=m.anchor("start"), bold=item.highlight, halo=has_ref))
        else:
            shown_value = _("no value (suppressed or missing)")
            marker_w = 22.0  # a short hatched box at zero, not a bar: "no value" at a glance
            piece.append(f'<g class="mw-missing">{_hatch(m.rect_x(zero, marker_w), cy - bar_h / 2, marker_w, bar_h)}'
                         "</g>")
            piece.append(_text(m.x(zero + marker_w + 4), cy + 4, _join(["—", note][:1 + bool(note)], rtl),
                               anchor=m.anchor("start"),
                               fill=MUTED))
        tip = f"{item.label}: {shown_value}" + (f" ({item.note})" if item.note else "")
        desc.append(tip)
        inner = f"<title>{_esc(tip)}</title>" + "".join(piece)
        href = _safe_href(item.href)
        out.append(f'<a href="{href}" class="mw-row">{inner}</a>' if href
                   else f'<g class="mw-row">{inner}</g>')
    if ref_desc:
        desc.append(ref_desc)
    if hidden:
        out.append(_text(m.x(x0), height - 4, _label(_("and %(count)s more") % {
            "count": f"{LRI}{value_format(hidden)}{PDI}"}), anchor=m.anchor("start"), size=10, fill=MUTED))
    return _svg("bar", width, height, title, out, "; ".join(desc), rtl=rtl)


# --- columns and lines over time ---------------------------------------------------------------

class _TimeFrame:
    """Plot area of a chart over periods: value axis on the start side (right when rtl), time
    left to right in both directions."""

    def __init__(self, periods: Sequence[str], low: float, high: float, *, rtl: bool,
                 top: float, value_format: Callable[[float], str], centred: bool) -> None:
        self.width, self.pad, self.axis_w = float(WIDTH), 4.0, 44.0
        self.plot_h = 150.0
        self.top = top
        self.bottom = top + self.plot_h
        self.height = self.bottom + 22
        self.rtl = rtl
        if rtl:
            self.x0, self.x1 = self.pad + 6, self.width - self.pad - self.axis_w
        else:
            self.x0, self.x1 = self.pad + self.axis_w, self.width - self.pad - 6
        self.n = len(periods)
        self.periods = periods
        self.centred = centred
        self.label_w = max((len(p) for p in periods), default=1) * 5.6 + 6
        if not centred:  # the last point sits on the plot's edge: room for its centred label
            inset = max(min(self.label_w / 2, 34.0), 6.0)
            if rtl:
                self.x0 = self.pad + inset
            else:
                self.x1 = self.width - self.pad - inset
        self.ticks = nice_ticks(low, high, 4)
        self.lo, self.hi = self.ticks[0], self.ticks[-1]
        self.value_format = value_format

    @property
    def slot(self) -> float:
        return (self.x1 - self.x0) / max(self.n, 1)

    def px(self, i: int) -> float:
        """Centre of period ``i``: middle of its slot for columns; for lines the first and last
        periods sit on the plot's edges."""
        if self.centred or self.n == 1:
            return self.x0 + (i + 0.5) * self.slot
        return self.x0 + i * (self.x1 - self.x0) / (self.n - 1)

    def py(self, v: float) -> float:
        return self.bottom - (v - self.lo) / (self.hi - self.lo) * self.plot_h

    def axes(self) -> list[str]:
        out = []
        for t in self.ticks:
            y = self.py(t)
            out.append(f'<line x1="{_n(self.x0)}" y1="{_n(y)}" x2="{_n(self.x1)}" y2="{_n(y)}" '
                       f'stroke="{AXIS if t == 0 else GRID}" stroke-width="{1 if t == 0 else 0.6}"/>')
            if self.rtl:
                out.append(_text(self.x1 + 4, y + 3.5, _num(self.value_format(t)), anchor="start",
                                 size=10, fill=MUTED))
            else:
                out.append(_text(self.x0 - 4, y + 3.5, _num(self.value_format(t)), anchor="end",
                                 size=10, fill=MUTED))
        # period labels, thinned so they never overlap; the latest period is always labelled
        widest = self.label_w
        spacing = (self.x1 - self.x0) / max(self.n - (0 if self.centred else 1), 1)
        every = max(1, math.ceil(widest / max(spacing, 1e-9)))
        for i in range(self.n - 1, -1, -every):
            x = self.px(i)
            out.append(_text(x, self.bottom + 14, _label(self.periods[i]), anchor="middle", size=10,
                             fill=MUTED))
        return out


def column_chart(periods: Sequence[str], series: Sequence[Series], *, title: str,
                 value_format: Callable[[float], str] = format_number, rtl: bool = False,
                 stacked: bool = False) -> SafeString:
    """Columns per period (counts by month): one series, several side by side, or stacked.

    A period without a value for a series shows a hatched slot, not an empty one that would
    read as zero.
    """
    n = len(periods)
    if not n or not series:
        return _no_data("column", title, rtl)
    if stacked:
        sums = [sum(max(v, 0.0) for v in _finite([s.values[i] if i < len(s.values) else None
                                                  for s in series])) for i in range(n)]
        top_value = max(sums, default=0.0)
    else:
        top_value = max(_finite([v for s in series for v in s.values[:n]]), default=0.0)
    legend: list[str] = []
    legend_h = 0.0
    if len(series) > 1:
        legend, legend_h = _legend([(s.name, PALETTE[k % len(PALETTE)], False)
                                    for k, s in enumerate(series)], y=2, width=WIDTH, rtl=rtl, pad=4)
    f = _TimeFrame(periods, 0.0, top_value or 1.0, rtl=rtl, top=legend_h + 8,
                   value_format=value_format, centred=True)
    out = [*legend, *f.axes()]
    group = f.slot * 0.72
    lanes = 1 if stacked else len(series)
    lane_w = group / lanes
    desc = []
    for i, period in enumerate(periods):
        left = f.px(i) - group / 2
        base = 0.0
        parts = []
        for k, s in enumerate(series):
            v = s.values[i] if i < len(s.values) else None
            colour = PALETTE[k % len(PALETTE)]
            lane_x = left if stacked else left + k * lane_w
            if not _present(v):
                if not stacked:
                    out.append(f'<g class="mw-missing">{_hatch(lane_x, f.top, lane_w, f.plot_h)}</g>')
                parts.append(f"{s.name} —")
                continue
            value = float(v)  # type: ignore[arg-type]
            y_from = f.py(base if stacked else 0.0)
            y_to = f.py((base if stacked else 0.0) + max(value, 0.0))
            if stacked:
                base += max(value, 0.0)
            tip = f"{period} · {s.name}: {value_format(value)}"
            parts.append(f"{s.name} {value_format(value)}")
            out.append(f'<rect x="{_n(lane_x + (0.5 if lanes > 1 else 0))}" y="{_n(y_to)}" '
                       f'width="{_n(max(lane_w - (1 if lanes > 1 else 0), 0.5))}" '
                       f'height="{_n(y_from - y_to)}" fill="{colour}" class="mw-bar">'
                       f"<title>{_esc(tip)}</title></rect>")
        if stacked and all(not _present(s.values[i] if i < len(s.values) else None) for s in series):
            out.append(f'<g class="mw-missing">{_hatch(left, f.top, group, f.plot_h)}</g>')
        desc.append(f"{period}: " + ", ".join(parts))
    return _svg("column", f.width, f.height, title, out, "; ".join(desc), rtl=rtl)


def stacked_columns(periods: Sequence[str], series: Sequence[Series], *, title: str,
                    value_format: Callable[[float], str] = format_number,
                    rtl: bool = False) -> SafeString:
    """Columns per period with the series stacked (for example cases by vulnerability level)."""
    return column_chart(periods, series, title=title, value_format=value_format, rtl=rtl, stacked=True)


def _path(points: Sequence[tuple[float, float] | None]) -> tuple[str, list[tuple[float, float]]]:
    """An SVG path through the points, broken at each None; also the isolated points (no
    neighbour), which a path alone would not show."""
    d: list[str] = []
    lonely: list[tuple[float, float]] = []
    for i, p in enumerate(points):
        if p is None:
            continue
        before = i > 0 and points[i - 1] is not None
        after = i + 1 < len(points) and points[i + 1] is not None
        d.append(f"{'L' if before else 'M'}{_n(p[0])} {_n(p[1])}")
        if not before and not after:
            lonely.append(p)
    return "".join(d), lonely


def line_chart(periods: Sequence[str], series: Sequence[Series], *, title: str,
               target: Sequence[float | None] | None = None, target_label: str = "",
               value_format: Callable[[float], str] = format_number, rtl: bool = False) -> SafeString:
    """Lines over periods, an optional target trajectory (dashed), a marker and the value at
    each series' last point. Missing values break the line (no drop to zero)."""
    n = len(periods)
    if not n or not series:
        return _no_data("line", title, rtl)
    values = _finite([v for s in series for v in s.values[:n]] + list(target or [])[:n])
    low = min([0.0, *values])
    high = max([*values, 0.0]) or 1.0
    entries = [(s.name, PALETTE[k % len(PALETTE)], False) for k, s in enumerate(series)]
    if target is not None:
        entries.append((target_label or _("Target"), TEXT, True))
    legend: list[str] = []
    legend_h = 0.0
    if len(entries) > 1:
        legend, legend_h = _legend(entries, y=2, width=WIDTH, rtl=rtl, pad=4)
    f = _TimeFrame(periods, low, high, rtl=rtl, top=legend_h + 10, value_format=value_format,
                   centred=False)
    out = [*legend, *f.axes()]
    desc = []
    if target is not None:
        pts = [(f.px(i), f.py(float(v))) if _present(v) else None  # type: ignore[arg-type]
               for i, v in enumerate(list(target)[:n])]
        d, _lonely = _path(pts)
        if d:
            out.append(f'<path d="{d}" fill="none" stroke="{TEXT}" stroke-width="1.4" '
                       f'stroke-dasharray="5 3" class="mw-target"/>')
    labels: list[tuple[float, float, str, str]] = []
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        vals = list(s.values[:n])
        pts = [(f.px(i), f.py(float(v))) if _present(v) else None  # type: ignore[arg-type]
               for i, v in enumerate(vals)]
        d, lonely = _path(pts)
        if d:
            out.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2" '
                       f'stroke-linejoin="round" stroke-linecap="round" class="mw-line"/>')
        for x, y in lonely:
            out.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2" fill="{colour}"/>')
        last = max((i for i, p in enumerate(pts) if p is not None), default=None)
        if last is not None:
            x, y = pts[last]  # type: ignore[misc]
            value = float(vals[last])  # type: ignore[arg-type]
            tip = f"{s.name} · {periods[last]}: {value_format(value)}"
            out.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}" stroke="#fff" '
                       f'stroke-width="1.5" class="mw-last"><title>{_esc(tip)}</title></circle>')
            labels.append((x, y, value_format(value), colour))
        desc.append(f"{s.name}: " + ", ".join(
            f"{p} {value_format(float(v)) if _present(v) else '—'}"  # type: ignore[arg-type]
            for p, v in zip(periods, vals, strict=False)))
    # values of the last points, above them, pushed apart so they do not overlap
    labels.sort(key=lambda t: t[1])
    placed: list[float] = []
    for x, y, text, colour in labels:
        ly = y - 7
        if placed and ly < placed[-1] + 12:
            ly = placed[-1] + 12
        placed.append(ly)
        out.append(_text(x - 5, max(ly, 10.0), _num(text), anchor="end", size=10.5, fill=colour, bold=True))
    if target is not None:
        desc.append((target_label or _("Target")) + ": " + ", ".join(
            f"{p} {value_format(float(v)) if _present(v) else '—'}"  # type: ignore[arg-type]
            for p, v in zip(periods, target, strict=False)))
    return _svg("line", f.width, f.height, title, out, "; ".join(desc), rtl=rtl)


# --- sparkline ---------------------------------------------------------------------------------

def sparkline(values: Sequence[float | None], *, highlight_last: bool = True,
              band: tuple[float, float] | None = None, marks: Sequence[int] = (),
              title: str = "", value_format: Callable[[float], str] = format_number,
              rtl: bool = False) -> SafeString:
    """A small line for an alert's explanation: the expected range shaded (``band``), the
    alert weeks marked (``marks``, indexes into ``values``) and the latest value dotted."""
    width, height, pad = 120.0, 30.0, 3.5
    n = len(values)
    present = _finite(values)
    last = max((i for i, v in enumerate(values) if _present(v)), default=None)
    if not title:
        title = _("Trend over %(count)s periods, latest value %(value)s") % {
            "count": n, "value": value_format(float(values[last])) if last is not None else "—"}  # type: ignore[arg-type]
    if not present:
        return _svg("sparkline", width, height, title,
                    [_hatch(0, 4, width, height - 8)], max_width="10em", display=_INLINE, rtl=rtl)
    low, high = min(present), max(present)
    if band is not None:
        low, high = min(low, band[0]), max(high, band[1])
    if high == low:
        low, high = low - 1, high + 1

    def px(i: int) -> float:
        return pad + (i * (width - 2 * pad) / (n - 1) if n > 1 else (width - 2 * pad) / 2)

    def py(v: float) -> float:
        return height - pad - (v - low) / (high - low) * (height - 2 * pad)

    out = []
    if band is not None:
        y_hi, y_lo = py(max(band)), py(min(band))
        out.append(f'<rect x="{_n(pad)}" y="{_n(y_hi)}" width="{_n(width - 2 * pad)}" '
                   f'height="{_n(max(y_lo - y_hi, 0.5))}" fill="{BAND}" class="mw-band"/>')
    pts = [(px(i), py(float(v))) if _present(v) else None  # type: ignore[arg-type]
           for i, v in enumerate(values)]
    d, lonely = _path(pts)
    if d:
        out.append(f'<path d="{d}" fill="none" stroke="{BAR}" stroke-width="1.5" '
                   f'stroke-linejoin="round" class="mw-line"/>')
    for x, y in lonely:
        out.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="1.5" fill="{BAR}"/>')
    for i in sorted(set(marks)):
        p = pts[i] if 0 <= i < n else None
        if p is not None:
            out.append(f'<circle cx="{_n(p[0])}" cy="{_n(p[1])}" r="3" fill="{HIGHLIGHT}" '
                       f'stroke="#fff" stroke-width="1" class="mw-mark"/>')
    if highlight_last and last is not None and last not in marks:
        x, y = pts[last]  # type: ignore[misc]
        out.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" fill="{TEXT}" class="mw-last"/>')
    desc = ", ".join(value_format(float(v)) if _present(v) else "—" for v in values)  # type: ignore[arg-type]
    return _svg("sparkline", width, height, title, out, desc, max_width="10em", display=_INLINE, rtl=rtl)


# --- progress ----------------------------------------------------------------------------------

def status_word(status: Status) -> str:
    return {"green": _("On track"), "amber": _("Slightly behind"), "red": _("Behind"),
            "none": _("No status")}[status]


def progress_bar(value: float, target: float, *, status: Status, label: str,
                 expected: float | None = None, rtl: bool = False,
                 value_format: Callable[[float], str] = format_number) -> SafeString:
    """Progress of ``value`` towards ``target`` (a yearly target), coloured by its red / amber /
    green ``status`` and with the status in words; ``expected`` (the pro-rata target to date)
    is a black tick on the bar. Fills from the right when ``rtl``."""
    width, pad = float(WIDTH), 4.0
    m = _Mirror(width, rtl)
    full = max(target, value, expected or 0.0, 1e-9)
    x0, x1 = pad, width - pad

    def sx(v: float) -> float:
        return x0 + max(v, 0.0) / full * (x1 - x0)

    percent = value / target * 100 if target > 0 else None
    numbers = _("%(value)s of %(target)s") % {"value": f"{LRI}{value_format(value)}{PDI}",
                                               "target": f"{LRI}{value_format(target)}{PDI}"}
    if percent is not None:
        numbers += f" · {LRI}{percent:.0f}{NNBSP}%{PDI}"
    out = [
        _text(m.x(x0), 14, _label(_truncate(label, width * 0.62)), anchor=m.anchor("start"), bold=True),
        _text(m.x(x1), 14, _label(status_word(status)), anchor=m.anchor("end"),
              fill=STATUS_INK.get(status, MUTED), bold=True),
        f'<rect x="{_n(x0)}" y="21" width="{_n(x1 - x0)}" height="10" rx="5" fill="#E5E7EB"/>',
    ]
    if value > 0:
        w = sx(value) - x0
        out.append(f'<rect x="{_n(m.rect_x(x0, w))}" y="21" width="{_n(w)}" height="10" rx="5" '
                   f'fill="{STATUS_FILL.get(status, MUTED)}" class="mw-progress"/>')
    out.append(_text(m.x(x0), 46, _label(numbers), anchor=m.anchor("start"), size=11, fill=TEXT))
    desc = f"{label}: {_plain(numbers)}; {status_word(status)}"
    if expected is not None and math.isfinite(expected):
        ex = m.x(sx(expected))
        out.append(f'<line x1="{_n(ex)}" y1="17" x2="{_n(ex)}" y2="35" stroke="{TEXT}" '
                   f'stroke-width="2" class="mw-expected"/>')
        exp_text = _("expected to date %(value)s") % {"value": f"{LRI}{value_format(expected)}{PDI}"}
        out.append(_text(m.x(x1), 46, _label(exp_text), anchor=m.anchor("end"), size=11, fill=MUTED))
        desc += f"; {_plain(exp_text)}"
    return _svg("progress", width, 52, label, out, desc, rtl=rtl)
