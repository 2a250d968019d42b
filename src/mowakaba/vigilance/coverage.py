"""Coverage: people served in each need group ÷ the census estimate of that group, per territory.

**Served** is the same as the ``beneficiaries`` measure: a listening session held with the person,
a case opened for them, or an admission to a programme, within the period. Each person counts
once per territory and period, in their **commune of residence** (``Person.commune``), hence once
in its province, region and the country. A person whose commune is not recorded counts in the
province of their responsible establishment (the one that holds their file, ``Person.establishment``)
and above, never in a commune: commune figures are thus a lower bound where communes are missing,
and the province figures stay exact and additive.

The groups (codes of ``territory.need.GROUPS``):

- ``disability``: a disability recorded on the person (``Person.disability`` not blank);
- ``age_60`` / ``age_75``: aged 60+ / 75+ in the year of their last service in the period
  (``year - birth_year``; exact for a calendar year, up to a year off for the 12-month window);
- ``children_out_of_school``: children aged 6 to 11 at admission to a schooling programme
  (``SCHOOLING_PROGRAMMES``: school support, dropout prevention, schooling of disabled children);
- ``illiterate_women``: women admitted to the literacy programme (aged 15+ at admission, or with no
  year of birth: the programme itself is for people aged 15 and more);
- the household groups (basic dwellings and slums, no running water) have no matching service:
  their coverage is "not measured".

**Coverage** = served ÷ need (per cent). **Gap** in people, two readings: ``gap`` = need − served
(the people not reached if everyone in the group were to be served), and ``gap_national`` =
need × national coverage rate − served when positive (the people a territory is behind the
national rate: what it would take to reach the country's average).

``coverage_refresh`` writes ``CoverageFact`` rows for three periods ("12m" and the current and
previous calendar years) with a handful of GROUP BY queries, whatever the size of the country;
the pages read those rows beside ``NeedEstimate`` (one or two queries per table or map).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import Count, F, IntegerField, Q, Sum, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from mowakaba.accounts.scope import Scope
from mowakaba.territory.models import Commune, OrgUnit, Province, Region

from . import selectors
from .measures import local, within
from .models import CoverageFact
from .selectors import SMALL, Territory

SCHOOLING_PROGRAMMES = ("school-support", "dropout-prevention", "disability-schooling")
LITERACY_PROGRAMMES = ("literacy",)
MEASURED = ("disability", "age_60", "age_75", "children_out_of_school", "illiterate_women")
PERIOD_12M = "12m"
RADII = (10, 20, 40)
DEFAULT_RADIUS = 20


# ---- periods ---------------------------------------------------------------------------------

def periods(today: date) -> list[tuple[str, date, date]]:
    """(code, start, end) with ``end`` exclusive: the 12 months up to today, this year, last year."""
    end = today + timedelta(days=1)
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + timedelta(days=1)
    return [(PERIOD_12M, start, end),
            (str(today.year), date(today.year, 1, 1), end),
            (str(today.year - 1), date(today.year - 1, 1, 1), date(today.year, 1, 1))]


def period_codes(today: date | None = None) -> list[str]:
    return [p[0] for p in periods(today or timezone.localdate())]


# ---- the refresh -----------------------------------------------------------------------------

# (commune id or None, establishment id when the commune is None, {group: count})
Bucket = tuple[int | None, int | None]


def _served_sql(start: date, end: date) -> tuple[str, list[Any]]:
    """One row per person served in [start, end) with the latest year they were served in."""
    from mowakaba.cases.models import Case, ListeningSession
    from mowakaba.programs.models import Enrolment

    parts = []
    for model, when, extra in ((ListeningSession, "held_at", {"person__isnull": False}),
                               (Case, "opened_at", {}), (Enrolment, "admitted_at", {})):
        qs = (model.objects.filter(**within(when, start, end), **extra)
              .annotate(_y=local(model, when, "year")).order_by().values_list("person_id", "_y"))
        parts.append(qs)
    union = parts[0].union(*parts[1:], all=True)
    sql, params = union.query.sql_with_params()
    return (f"SELECT u.person_id AS person_id, MAX(u._y) AS y FROM ({sql}) u GROUP BY u.person_id",
            list(params))


def _people_counts(start: date, end: date) -> dict[Bucket, dict[str, int]]:
    """disability, age_60, age_75: one query over the people served in the period."""
    from mowakaba.registry.models import Person

    served, params = _served_sql(start, end)
    person = connection.ops.quote_name(Person._meta.db_table)
    sql = (f"SELECT p.commune_id, CASE WHEN p.commune_id IS NULL THEN p.establishment_id END, "
           f"SUM(CASE WHEN p.disability <> '' THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN p.birth_year IS NOT NULL AND s.y - p.birth_year >= 60 THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN p.birth_year IS NOT NULL AND s.y - p.birth_year >= 75 THEN 1 ELSE 0 END) "
           f"FROM ({served}) s JOIN {person} p ON p.id = s.person_id "
           f"GROUP BY p.commune_id, CASE WHEN p.commune_id IS NULL THEN p.establishment_id END")
    out: dict[Bucket, dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for commune, unit, dis, a60, a75 in cur.fetchall():
            b = (commune, unit)
            out[b]["disability"] = int(dis or 0)
            out[b]["age_60"] = int(a60 or 0)
            out[b]["age_75"] = int(a75 or 0)
    return out


def _admission_counts(start: date, end: date, group: str) -> dict[Bucket, int]:
    """children_out_of_school, illiterate_women: distinct people admitted to the programmes."""
    from mowakaba.programs.models import Enrolment

    qs = Enrolment.objects.filter(**within("admitted_at", start, end)).annotate(
        _y=local(Enrolment, "admitted_at", "year"))
    if group == "children_out_of_school":
        qs = qs.filter(offering__programme__code__in=SCHOOLING_PROGRAMMES,
                       person__birth_year__gte=F("_y") - 11, person__birth_year__lte=F("_y") - 6)
    else:
        qs = qs.filter(Q(person__birth_year__isnull=True) | Q(person__birth_year__lte=F("_y") - 15),
                       offering__programme__code__in=LITERACY_PROGRAMMES, person__sex="F")
    unit = When_(When(person__commune__isnull=True, then=F("person__establishment_id")), default=Value(None),
                 output_field=IntegerField())
    rows = (qs.order_by().annotate(_u=unit).values("person__commune_id", "_u")
            .annotate(_n=Count("person_id", distinct=True)).values_list("person__commune_id", "_u", "_n"))
    return {(c, u): int(n) for c, u, n in rows}


def _keys() -> tuple[dict[int, tuple[str, int]], dict[int, tuple[str, int]], dict[int, str]]:
    communes = {pk: (code, prov) for pk, code, prov in Commune.objects.values_list("pk", "code", "province_id")}
    provinces = {pk: (code, reg) for pk, code, reg in Province.objects.values_list("pk", "code", "region_id")}
    regions = dict(Region.objects.values_list("pk", "code"))
    return communes, provinces, regions


def coverage_refresh(*, today: date | None = None) -> dict[str, Any]:
    """Recompute every CoverageFact (all groups, levels and periods); returns counts and timings."""
    from .refresh import unit_territories

    today = today or timezone.localdate()
    t0 = time.perf_counter()
    communes, provinces, regions = _keys()
    units = unit_territories()
    acc: dict[tuple[str, str, str, str], int] = defaultdict(int)
    timings: dict[str, float] = {}

    def add(period: str, bucket: Bucket, group: str, n: int) -> None:
        if not n:
            return
        commune, unit = bucket
        prov: int | None = None
        if commune is not None and commune in communes:
            code, prov = communes[commune]
            acc[(period, "C", code, group)] += n
        elif unit is not None:
            prov = units.get(unit, (None, None))[0]
        if prov is not None and prov in provinces:
            pcode, reg = provinces[prov]
            acc[(period, "P", pcode, group)] += n
            if reg in regions:
                acc[(period, "R", regions[reg], group)] += n
        acc[(period, "N", "", group)] += n

    for code, start, end in periods(today):
        t1 = time.perf_counter()
        for bucket, counts in _people_counts(start, end).items():
            for group, n in counts.items():
                add(code, bucket, group, n)
        for group in ("children_out_of_school", "illiterate_women"):
            for bucket, n in _admission_counts(start, end, group).items():
                add(code, bucket, group, n)
        timings[code] = round(time.perf_counter() - t1, 3)

    now = timezone.now()
    rows = [CoverageFact(period=p, level=lv, code=c, group=g, served=n, computed_at=now)
            for (p, lv, c, g), n in acc.items()]
    with transaction.atomic():  # readers see the old figures or the new ones, never half
        CoverageFact.objects.all().delete()
        CoverageFact.objects.bulk_create(rows, batch_size=2000)
    return {"rows": len(rows), "seconds": round(time.perf_counter() - t0, 3), "timings": timings}


# ---- reading ---------------------------------------------------------------------------------

def groups() -> dict[str, Any]:
    from mowakaba.territory.need import GROUPS

    return dict(GROUPS)


def measured(group: str) -> bool:
    return group in MEASURED


def computed_at() -> Any:
    return CoverageFact.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()


@dataclass(frozen=True)
class CoverageRow:
    level: str
    id: int | None
    code: str
    name: str
    need: float | None
    low: float | None
    high: float | None
    served: int | None  # None: hidden (fewer than 5) or not measured
    hidden: bool
    coverage: float | None  # per cent
    gap: float | None  # need - served (people not reached)
    gap_national: float | None  # need x national rate - served, when positive
    province_id: int | None = None

    @property
    def coverage_text(self) -> str:
        return percent(self.coverage)


def percent(v: float | None) -> str:
    """About three significant figures (0.031 %, 2.4 %, 65 %): coverages of a few per thousand
    are common and must not all read "0.0 %"."""
    if v is None:
        return "—"
    from .maps import number_formatter

    return f"{number_formatter()(v)}\u202f%"


@dataclass(frozen=True)
class CoverageTable:
    territory: Territory
    group: str
    period: str
    measured: bool
    total: CoverageRow
    national: CoverageRow
    rows: list[CoverageRow] = field(default_factory=list)
    child_level: str | None = None

    @property
    def national_rate(self) -> float | None:
        return self.national.coverage

    def ranking(self) -> list[CoverageRow]:
        """Furthest behind first: the lowest coverage (rows without a figure last)."""
        return sorted(self.rows, key=lambda r: (r.coverage is None, r.coverage or 0.0, -(r.need or 0)))


def _needs(group: str, level: str, codes: Iterable[str] | None) -> dict[str, Any]:
    from mowakaba.territory.need import estimates

    return dict(estimates(group, level, codes))


def _served(group: str, level: str, period: str, codes: Iterable[str] | None) -> dict[str, int]:
    qs = CoverageFact.objects.filter(group=group, level=level, period=period)
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return dict(qs.values_list("code", "served"))


def make_row(level: str, pk: int | None, code: str, name: str, need: Any, served: int | None, *,
             exact: bool, is_measured: bool, national_rate: float | None,
             province_id: int | None = None) -> CoverageRow:
    value = getattr(need, "value", None)
    low = getattr(need, "low", None)
    high = getattr(need, "high", None)
    if not is_measured:
        return CoverageRow(level, pk, code, name, value, low, high, None, False, None, None, None, province_id)
    n = served or 0
    if not exact and 0 < n < SMALL:
        return CoverageRow(level, pk, code, name, value, low, high, None, True, None, None, None, province_id)
    cov = 100.0 * n / value if value else None
    gap = max(value - n, 0.0) if value is not None else None
    behind = None
    if value is not None and national_rate is not None:
        behind = max(value * national_rate / 100.0 - n, 0.0)
    return CoverageRow(level, pk, code, name, value, low, high, n, False, cov, gap, behind, province_id)


def _national(group: str, period: str, exact: bool, memo: dict[str, Any] | None = None) -> CoverageRow:
    """The country's row; its rate is the reference of every "behind the national rate" gap
    (computed on the exact counts: the national count is never small)."""
    is_measured = measured(group)
    key = f"coverage.national:{group}:{period}"
    if memo is not None and key in memo:
        need, served = memo[key]
    else:
        need = _needs(group, "N", [""]).get("")
        served = _served(group, "N", period, [""]).get("", 0) if is_measured else None
        if memo is not None:
            memo[key] = (need, served)
    row = make_row("N", None, "", str(selectors._national_name()), need, served, exact=True,
                   is_measured=is_measured, national_rate=None)
    rate = row.coverage
    return make_row("N", None, "", row.name, need, served, exact=exact, is_measured=is_measured, national_rate=rate)


def _children(level: str, territory_id: int | None, child: str) -> list[tuple[int, str, str, int | None]]:
    """(pk, code, name, province id) of the territories one level down, in code order."""
    if child == "R":
        return [(r.pk, r.code, selectors.local_name(r), None) for r in Region.objects.order_by("code")]
    if child == "P":
        qs = Province.objects.order_by("code")
        if level == "R":
            qs = qs.filter(region_id=territory_id or 0)
        return [(p.pk, p.code, selectors.local_name(p), p.pk) for p in qs]
    if child == "C":
        cqs = Commune.objects.order_by("code")
        if level == "P":
            cqs = cqs.filter(province_id=territory_id or 0)
        elif level == "R":
            cqs = cqs.filter(province__region_id=territory_id or 0)
        return [(c.pk, c.code, selectors.local_name(c), c.province_id) for c in cqs]
    return []


CHILD: dict[str, str] = {"N": "R", "R": "P", "P": "C"}


def coverage_table(scope: Scope, group: str, *, level: str, territory_id: int | None, period: str = PERIOD_12M,
                   child_level: str | None = None) -> CoverageTable:
    """The coverage of ``group`` in a territory and in each territory one level down (the country:
    regions, or provinces with ``child_level="P"``; a region: its provinces, or its communes; a
    province: its communes). 404 when the actor may not read the territory's aggregates."""
    if group not in groups():
        raise Http404
    t = selectors.territory(scope, level, territory_id)
    exact = selectors.shows_exact_counts(scope)
    is_measured = measured(group)
    national = _national(group, period, exact, scope._memo)
    rate = _national(group, period, True, scope._memo).coverage
    child = child_level or CHILD.get(level)
    if child is not None and child not in ("R", "P", "C"):
        child = None
    kids = _children(level, territory_id, child) if child else []
    rows: list[CoverageRow] = []
    if child:
        # the whole level at the national scale: no list of codes in the query
        codes = None if level == "N" else [k[1] for k in kids]
        needs = _needs(group, child, codes)
        served = _served(group, child, period, codes) if is_measured else {}
        rows = [make_row(child, pk, code, name, needs.get(code), served.get(code, 0), exact=exact,
                         is_measured=is_measured, national_rate=rate, province_id=prov)
                for pk, code, name, prov in kids]
    if level == "N":
        total = national
    else:
        code = t.code
        need = _needs(group, level, [code]).get(code)
        n = _served(group, level, period, [code]).get(code, 0) if is_measured else None
        total = make_row(level, t.id, code, t.name, need, n, exact=exact, is_measured=is_measured, national_rate=rate)
    return CoverageTable(t, group, period, is_measured, total, national, rows, child)


# ---- communes --------------------------------------------------------------------------------

def commune_territory(scope: Scope, commune_pk: int) -> tuple[Commune, Territory]:
    """A commune and its province's territory, if the actor reads that province; 404 otherwise."""
    commune = Commune.objects.select_related("province").filter(pk=commune_pk).first()
    if commune is None:
        selectors.require_aggregates(scope)
        raise Http404
    province = selectors.territory(scope, "P", commune.province_id)
    return commune, Territory("C", commune.pk, commune.code, selectors.local_name(commune), province,
                              commune.population_2024 or None)


# ---- siting ----------------------------------------------------------------------------------

EARTH_KM = 6371.0


def _lonlat(x: float, y: float, meta: dict[str, Any]) -> tuple[float, float]:
    """Back from the shapes' plane to degrees. The shapes are projected equirectangularly
    (tools/build_shapes.py: x = (lon - lon0)·cos(lat0)·k, y = (lat1 - lat)·k), so this is exact
    up to the integer rounding of the label point (a few hundred metres at the commune scale)."""
    proj = meta["projection"]
    k = float(proj["units_per_degree"])
    lon = x / (k * math.cos(math.radians(float(proj["lat0"])))) + float(proj["lon0"])
    lat = float(proj["lat1"]) - y / k
    return lon, lat


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def communes_within(code: str, radius_km: float) -> dict[str, float]:
    """HCP code -> distance in km between label points, for the communes within ``radius_km``
    of commune ``code`` (itself at 0). Label points are points inside each commune's shape, not
    population centres: distances are "as the crow flies" between two points of the communes,
    a proxy for access, not travel time."""
    from . import maps

    lay = maps.layer("commune")
    shape = lay.shapes.get(code)
    if shape is None:
        return {code: 0.0}
    here = _lonlat(*shape.label, lay.meta)
    out: dict[str, float] = {}
    for other, s in lay.shapes.items():
        d = 0.0 if other == code else _km(here, _lonlat(*s.label, lay.meta))
        if d <= radius_km:
            out[other] = round(d, 1)
    return out


@dataclass(frozen=True)
class NearbyCommune:
    id: int
    code: str
    name: str
    province_id: int
    distance: float
    readable: bool  # its province's aggregates are readable by the actor
    rows: dict[str, CoverageRow]


@dataclass(frozen=True)
class Place:
    establishment: OrgUnit
    commune_code: str
    distance: float
    type_name: str
    residential: bool
    residential_capacity: int | None
    places: int
    admitted: int
    waiting: int
    programmes: list[str]

    @property
    def occupancy(self) -> float | None:
        return 100.0 * self.admitted / self.places if self.places else None


@dataclass(frozen=True)
class Siting:
    commune: Commune
    territory: Territory
    radius: int
    period: str
    communes: list[NearbyCommune]
    unmet: dict[str, float | None]  # group -> sum of need - served over the readable communes
    need: dict[str, float | None]
    served: dict[str, int | None]
    places: list[Place]
    outside: int  # communes within the radius whose province the actor does not read

    @property
    def total_places(self) -> int:
        return sum(p.places for p in self.places)

    @property
    def total_admitted(self) -> int:
        return sum(p.admitted for p in self.places)

    @property
    def total_waiting(self) -> int:
        return sum(p.waiting for p in self.places)

    @property
    def occupancy(self) -> float | None:
        return 100.0 * self.total_admitted / self.total_places if self.total_places else None


def siting(scope: Scope, commune_pk: int, *, radius: int = DEFAULT_RADIUS, period: str = PERIOD_12M) -> Siting:
    """The unmet need in and around a commune (communes within ``radius`` km) for every group, and
    the capacity of the establishments there. Communes of provinces the actor does not read are
    counted (``outside``) but not shown."""
    commune, t = commune_territory(scope, commune_pk)
    if radius not in RADII:
        radius = DEFAULT_RADIUS
    exact = selectors.shows_exact_counts(scope)
    near = communes_within(commune.code, radius)
    allowed = scope.territory_province_ids()
    objs = list(Commune.objects.filter(code__in=list(near)).values_list("pk", "code", "name_fr", "name_ar",
                                                                           "province_id"))
    readable = [o for o in objs if allowed is None or o[4] in allowed]
    codes = [o[1] for o in readable]
    all_groups = list(groups())
    per_group: dict[str, dict[str, CoverageRow]] = {}
    served_by: dict[str, dict[str, int]] = {}
    for g in all_groups:
        is_measured = measured(g)
        rate = _national(g, period, True, scope._memo).coverage
        needs = _needs(g, "C", codes)
        served = served_by[g] = _served(g, "C", period, codes) if is_measured and codes else {}
        per_group[g] = {code: make_row("C", None, code, code, needs.get(code), served.get(code, 0), exact=exact,
                                       is_measured=is_measured, national_rate=rate) for code in codes}
    lang_ar = (get_language() or "ar")[:2] == "ar"
    nearby = [NearbyCommune(pk, code, (ar if lang_ar and ar else fr), prov, near[code], True,
                            {g: per_group[g][code] for g in all_groups})
              for pk, code, fr, ar, prov in readable]
    nearby.sort(key=lambda c: (c.distance, c.code))
    need: dict[str, float | None] = {}
    served_sum: dict[str, int | None] = {}
    unmet: dict[str, float | None] = {}
    for g in all_groups:
        rows = [c.rows[g] for c in nearby]
        vals = [r.need for r in rows if r.need is not None]
        need[g] = sum(vals) if vals else None
        if not measured(g):
            served_sum[g] = None
            unmet[g] = None
            continue
        # hidden rows (fewer than 5) are summed from the facts: the total is not small
        n = sum(served_by[g].values())
        served_sum[g] = n if exact or n == 0 or n >= SMALL else None
        total = need[g]
        unmet[g] = max(total - n, 0.0) if total is not None else None
    return Siting(commune, t, radius, period, nearby, unmet, need, served_sum,
                  capacity_near({c.code: c.distance for c in nearby}), len(objs) - len(readable))


def capacity_near(distances: dict[str, float]) -> list[Place]:
    """The active establishments of these communes, with their places in open programme
    offerings (admitted, waiting) and, for residential ones, their residential capacity."""
    from mowakaba.programs.models import Offering

    units = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                         commune__code__in=list(distances))
                 .select_related("establishment_type", "commune"))
    offers: dict[int, dict[str, Any]] = defaultdict(lambda: {"places": 0, "admitted": 0, "waiting": 0, "progs": []})
    rows = (Offering.objects.filter(active=True, establishment__in=[u.pk for u in units])
            .values("establishment_id", "programme__name_fr", "programme__name_ar")
            .annotate(c=Sum("capacity"), a=Sum("admitted_count"), w=Sum("waiting_count")))
    lang_ar = (get_language() or "ar")[:2] == "ar"
    for r in rows:
        o = offers[r["establishment_id"]]
        o["places"] += int(r["c"] or 0)
        o["admitted"] += int(r["a"] or 0)
        o["waiting"] += int(r["w"] or 0)
        o["progs"].append(r["programme__name_ar"] if lang_ar and r["programme__name_ar"] else r["programme__name_fr"])
    out = []
    for u in units:
        o = offers[u.pk]
        et = u.establishment_type
        residential = bool(et and et.residential)
        code = u.commune.code if u.commune else ""
        out.append(Place(u, code, distances.get(code, 0.0), et.name if et else "", residential,
                         u.capacity if residential else None, o["places"], o["admitted"], o["waiting"],
                         sorted(o["progs"])))
    out.sort(key=lambda p: (p.distance, p.establishment.name))
    return out


# ---- the maps' values ------------------------------------------------------------------------

def map_values(rows: Sequence[CoverageRow], what: str) -> dict[str, float | None]:
    """code -> coverage (per cent) or unmet need (people), for a choropleth."""
    if what == "unmet":
        return {r.code: r.gap for r in rows}
    return {r.code: r.coverage for r in rows}
