"""Authority reports and the open-data tables: what a published document says, already protected.

A report (one territory, one period, Arabic or French) is built here as plain data: tables of
``Cell`` objects (the figure, whether it is hidden and why, the text to print), charts and the
province map as inline SVG, notes. The PDF template and the Excel writer only lay it out, so a
hidden figure cannot come back through one of the two formats.

Disclosure control (``suppression.py``, threshold 5, one set of conventions):

* Counts of the child-territory table come from one *national hierarchy* per measure (regions
  and, inside each region, its provinces, protected together with ``suppress_hierarchy``). Every
  report of every territory and the open-data page take their figures from that same protected
  hierarchy for a given period, so a figure hidden in the national report is hidden in the region
  report too, and two published documents cannot be combined to recover it.
* The territory's own totals (key indicators) are hidden when small, or when the hierarchy hid
  them; a breakdown whose categories add up to the total (sex, age band, vulnerability level,
  programme) is protected as a row with its total, the total hidden when it is hidden elsewhere;
  a breakdown whose categories overlap (a case has several target groups, a session several needs)
  publishes no equation, and each small cell is hidden on its own.
* A rate is published only when its numerator and denominator may be (``is_safe_ratio``).
* Charts and the map draw a hidden figure as missing (hatched), never as zero.

Nothing here reads a person: only ``Fact`` rows, territories and the indicator catalogue.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from mowakaba.accounts.scope import Scope
from mowakaba.territory.models import Province, Region

from . import charts, maps, selectors, suppression
from .models import Fact, Indicator, Level
from .periods import add_months
from .selectors import local_name
from .suppression import (
    COMPLEMENTARY_MARK,
    DEFAULT_THRESHOLD,
    CellStatus,
    SuppressedHierarchy,
    SuppressedSeries,
    is_safe_ratio,
    primary_mark,
    suppress_hierarchy,
    suppress_series,
)

THRESHOLD = DEFAULT_THRESHOLD
#: Counts shown per child territory (and in the open-data regions table), in this order.
CHILD_MEASURES = ("beneficiaries", "sessions", "cases_opened", "enrolments")
OPEN_MEASURES = ("beneficiaries", "sessions", "cases_opened", "enrolments", "training_sessions", "staff_trained")
PERIOD_KINDS = ("month", "quarter", "year")
NOT_RECORDED = _("Not recorded")

Progress = Callable[[int, int], None]


# ---- periods ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Months [start, end) of a calendar month, quarter or year (or the 12 months to a date)."""

    kind: str
    start: date
    end: date

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.start.year}"
        return f"{self.start:%Y-%m}..{add_months(self.end, -1):%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return formats.date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.kind == "quarter":
            return gettext("Quarter %(q)s %(year)s") % {"q": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == "year":
            return gettext("Year %(year)s") % {"year": self.start.year}
        return gettext("%(first)s to %(last)s") % {
            "first": formats.date_format(self.start, "YEAR_MONTH_FORMAT"),
            "last": formats.date_format(add_months(self.end, -1), "YEAR_MONTH_FORMAT")}

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    def previous(self) -> Period:
        n = self.months
        return Period(self.kind, add_months(self.start, -n), self.start)

    @classmethod
    def parse(cls, key: str) -> Period:
        """"2026-10" (a month), "2026-Q3" (a quarter) or "2026" (a year); ValueError otherwise."""
        key = (key or "").strip()
        if len(key) == 4 and key.isdigit():
            start = date(int(key), 1, 1)
            return cls("year", start, date(start.year + 1, 1, 1))
        if len(key) == 7 and key[4:6] == "-Q" and key[:4].isdigit() and key[6] in "1234":
            start = date(int(key[:4]), (int(key[6]) - 1) * 3 + 1, 1)
            return cls("quarter", start, add_months(start, 3))
        if len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit() and 1 <= int(key[5:]) <= 12:
            start = date(int(key[:4]), int(key[5:]), 1)
            return cls("month", start, add_months(start, 1))
        raise ValueError(key)


def period_choices(today: date | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Finished periods first (the current month is incomplete): 24 months, 8 quarters, 3 years."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    months = [Period.parse(f"{add_months(this_month, -k):%Y-%m}") for k in range(1, 25)]
    q_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    quarters = [Period("quarter", add_months(q_start, -3 * k), add_months(q_start, -3 * k + 3)) for k in range(1, 9)]
    years = [Period.parse(str(today.year - k)) for k in range(1, 4)]
    return [
        (gettext("Months"), [(p.key, p.label) for p in months]),
        (gettext("Quarters"), [(p.key, p.label) for p in quarters]),
        (gettext("Years"), [(p.key, p.label) for p in years]),
    ]


def last_full_year(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period.parse(str(today.year - 1))


def last_twelve_months(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    end = today.replace(day=1)
    return Period("12m", add_months(end, -12), end)


# ---- cells and tables ------------------------------------------------------------------------

def fmt_count(v: float) -> str:
    return charts.format_number(float(v))


def fmt_rate(v: float) -> str:
    """About three significant figures (a rate per 1,000 may be 0.013 in a small territory)."""
    return maps.number_formatter()(v)


@dataclass(frozen=True)
class Cell:
    """One published figure. ``value`` is None when hidden or not available."""

    value: float | None
    status: str = "shown"  # "shown" | "primary" | "complementary" | "na"
    text: str = ""

    @property
    def hidden(self) -> bool:
        return self.status in ("primary", "complementary")

    @property
    def export(self) -> Any:
        """What a spreadsheet cell holds: the number, or the same mark as the PDF."""
        if self.value is None:
            return self.text or None
        return int(self.value) if float(self.value).is_integer() else round(float(self.value), 1)


def count_cell(value: int | float | None, status: CellStatus | None = CellStatus.SHOWN,
               distinct_marks: bool = True) -> Cell:
    """A protected count; with ``distinct_marks`` False (the suppression module's choice when "<5"
    itself would give a value away) every hidden figure reads "x"."""
    if status is CellStatus.PRIMARY:
        if not distinct_marks:
            return Cell(None, "primary", COMPLEMENTARY_MARK)
        return Cell(None, "primary", primary_mark(THRESHOLD))
    if status is CellStatus.COMPLEMENTARY:
        return Cell(None, "complementary", COMPLEMENTARY_MARK)
    if value is None:
        return Cell(None, "na", "—")
    return Cell(float(value), "shown", fmt_count(value))


def small(value: float | None) -> bool:
    return value is not None and 0 < value < THRESHOLD


def rate_cell(num: float | None, den: float | None, factor: float, *, check_den: bool = True,
              text: Callable[[float], str] = fmt_rate) -> Cell:
    """A rate, published only when both its counts may be (a hidden count is passed as None)."""
    if num is None or den is None or not den:
        return Cell(None, "na", "—")
    if check_den:
        if not is_safe_ratio(round(num), round(den), THRESHOLD):
            return Cell(None, "primary", primary_mark(THRESHOLD))
    elif small(num):
        return Cell(None, "primary", primary_mark(THRESHOLD))
    v = factor * float(num) / float(den)
    return Cell(v, "shown", text(v))


@dataclass
class Row:
    label: str
    cells: list[Cell]
    total: bool = False
    code: str = ""


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]  # the first one heads the row labels
    rows: list[Row]
    note: str = ""
    # The protected figures as the suppression module returned them (tests read them).
    raw: Any = None

    def export_rows(self) -> list[list[Any]]:
        return [[r.label, *[c.export for c in r.cells]] for r in self.rows]


@dataclass
class Report:
    level: str
    territory_id: int | None
    territory_name: str
    territory_code: str
    level_label: str
    parent_name: str
    population: int | None
    period: Period
    previous: Period
    language: str
    title: str
    generated_at: Any
    refreshed_at: Any
    key_table: Table | None = None
    child_table: Table | None = None
    breakdowns: list[Table] = field(default_factory=list)
    charts: list[tuple[str, SafeString]] = field(default_factory=list)
    map_svg: SafeString = field(default_factory=SafeString)
    map_legend: SafeString = field(default_factory=SafeString)
    map_title: str = ""
    equity: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        out = [t for t in (self.key_table, self.child_table) if t is not None]
        return out + self.breakdowns + self.equity


# ---- the protected national hierarchy of one measure ------------------------------------------

@dataclass(frozen=True)
class Hierarchy:
    """One measure over one period: regions and their provinces, protected together."""

    measure: str
    regions: list[Region]
    provinces: dict[int, list[Province]]  # region id -> its provinces, in code order
    result: SuppressedHierarchy[int]
    original: dict[int, list[list[int]]]  # the counts before protection (audits in tests)

    def national(self) -> Cell:
        t = self.result.national
        return count_cell(t.col_totals[0] if t.col_totals else None,
                          t.col_total_status[0] if t.col_total_status else None, t.distinct_marks)

    def region(self, region_id: int) -> Cell:
        t = self.result.national
        for i, r in enumerate(self.regions):
            if r.pk == region_id:
                return count_cell(t.cells[i][0], t.status[i][0], t.distinct_marks)
        return count_cell(None, None)

    def province(self, province_id: int) -> Cell:
        for r in self.regions:
            block = self.result.regions[r.pk]
            for i, p in enumerate(self.provinces[r.pk]):
                if p.pk == province_id:
                    return count_cell(block.cells[i][0], block.status[i][0], block.distinct_marks)
        return count_cell(None, None)

    def cell(self, level: str, territory_id: int | None) -> Cell:
        if level == Level.NATIONAL:
            return self.national()
        if level == Level.REGION:
            return self.region(territory_id or 0)
        return self.province(territory_id or 0)


@dataclass(frozen=True)
class DimHierarchy:
    """One breakdown (a measure by one dimension) over one period, for every territory at once:
    regions × categories and, inside each region, provinces × categories, protected together.

    So the breakdown of a region and those of its provinces come from one protected table, and
    the region's figure for a category minus its provinces' published figures cannot give a
    hidden one back. Totals are the measure's, as the measure's own hierarchy publishes them
    (``merged``); when that combination would let a small count be worked out (``withheld``),
    the breakdown is published for no territory in that period.
    """

    measure: str
    dim: str
    keys: list[str]
    regions: list[Region]
    provinces: dict[int, list[Province]]
    result: SuppressedHierarchy[int] | None  # None: withheld below the country
    original: dict[int, list[list[int]]]
    overlapping: bool
    # When the territories' breakdowns are withheld: the country's alone, protected as one row
    # with its total (no region or province figure of it is published anywhere then).
    national_only: SuppressedSeries | None = None
    # Overlapping categories (a case in several groups) tie to no total: each category is then its
    # own regions/provinces hierarchy, like a measure.
    per_key: list[Hierarchy] | None = None

    def cells(self, level: str, territory_id: int | None) -> list[Cell] | None:
        if self.per_key is not None:
            return [h.cell(level, territory_id) for h in self.per_key]
        if self.result is None:
            s = self.national_only
            if level != Level.NATIONAL or s is None:
                return None
            return [count_cell(v, st, s.distinct_marks) for v, st in zip(s.values, s.status, strict=True)]
        nat = self.result.national
        dm = nat.distinct_marks
        if level == Level.NATIONAL:
            assert nat.col_totals is not None and nat.col_total_status is not None
            return [count_cell(v, st, dm) for v, st in zip(nat.col_totals, nat.col_total_status, strict=True)]
        for i, r in enumerate(self.regions):
            if level == Level.REGION and r.pk == territory_id:
                return [count_cell(v, st, dm) for v, st in zip(nat.cells[i], nat.status[i], strict=True)]
            if level == Level.PROVINCE:
                block = self.result.regions[r.pk]
                for k, p in enumerate(self.provinces[r.pk]):
                    if p.pk == territory_id:
                        return [count_cell(v, st, dm) for v, st in zip(block.cells[k], block.status[k], strict=True)]
        return None


def _with_totals(table: Any, row_totals: list[tuple[int | None, CellStatus]] | None,
                 grand: tuple[int | None, CellStatus] | None) -> Any:
    """A protected table whose totals are replaced by the figures published elsewhere."""
    changes: dict[str, Any] = {}
    if row_totals is not None:
        changes["row_totals"] = tuple(v for v, _s in row_totals)
        changes["row_total_status"] = tuple(st for _v, st in row_totals)
    if grand is not None:
        changes["grand_total"], changes["grand_total_status"] = grand
    return dataclasses.replace(table, **changes)


class Context:
    """What a build reads more than once: territories and the protected hierarchies."""

    def __init__(self) -> None:
        self.regions = list(Region.objects.order_by("code"))
        provinces = list(Province.objects.order_by("code"))
        self.provinces_of: dict[int, list[Province]] = defaultdict(list)
        for p in provinces:
            self.provinces_of[p.region_id].append(p)
        self.province_by_id = {p.pk: p for p in provinces}
        self._hier: dict[tuple[str, date, date], Hierarchy] = {}
        self._dims: dict[tuple[str, str, date, date], DimHierarchy] = {}

    def hierarchy(self, measure: str, period: Period) -> Hierarchy:
        key = (measure, period.start, period.end)
        if key not in self._hier:
            totals = dict(Fact.objects.filter(measure=measure, level=Level.PROVINCE, dim="",
                                              period__gte=period.start, period__lt=period.end)
                          .values("province_id").annotate(s=Sum("value")).values_list("province_id", "s"))
            regions = [r for r in self.regions if self.provinces_of.get(r.pk)]
            blocks = {r.pk: [[int(totals.get(p.pk) or 0)] for p in self.provinces_of[r.pk]] for r in regions}
            self._hier[key] = Hierarchy(measure, regions, {r.pk: self.provinces_of[r.pk] for r in regions},
                                        suppress_hierarchy(blocks, threshold=THRESHOLD), blocks)
        return self._hier[key]

    def dim_hierarchy(self, measure: str, dim: str, period: Period, *, overlapping: bool,
                      order: Sequence[str] = ()) -> DimHierarchy:
        key = (measure, dim, period.start, period.end)
        if key in self._dims:
            return self._dims[key]
        rows = (Fact.objects.filter(measure=measure, level=Level.PROVINCE, dim=dim, period__gte=period.start,
                                    period__lt=period.end)
                .values("province_id", "dim_value").annotate(s=Sum("value"))
                .values_list("province_id", "dim_value", "s"))
        per: dict[int, dict[str, int]] = defaultdict(dict)
        for prov, value, n in rows:
            if prov is not None:
                per[prov][str(value)] = int(n or 0)
        found = {k for d in per.values() for k in d}
        labels = dim_labels(dim)
        keys = [k for k in order if k in found or (k and k in labels)] or sorted(k for k in labels if k)
        keys += sorted(k for k in found if k not in keys)
        hm = self.hierarchy(measure, period)
        regions = hm.regions
        blocks = {r.pk: [[per[p.pk].get(k, 0) for k in keys] for p in hm.provinces[r.pk]] for r in regions}
        # Categories that do not add up to the measure's total anywhere: no equation ties them.
        if not overlapping:
            overlapping = any(sum(row) != tot[0] for r in regions
                              for row, tot in zip(blocks[r.pk], hm.original[r.pk], strict=True))
        result: SuppressedHierarchy[int] | None = None
        national_only: SuppressedSeries | None = None
        if overlapping:
            per_key = []
            for j, _k in enumerate(keys):
                col = {r.pk: [[row[j]] for row in blocks[r.pk]] for r in regions}
                per_key.append(Hierarchy(measure, regions, hm.provinces, suppress_hierarchy(col, threshold=THRESHOLD),
                                         col))
            self._dims[key] = DimHierarchy(measure, dim, keys, regions, hm.provinces, None, blocks, True,
                                           per_key=per_key)
            return self._dims[key]
        if keys:
            result = self._merge_totals(suppress_hierarchy(blocks, threshold=THRESHOLD), hm, blocks, overlapping)
            if result is None:
                national_only = self._national_only(blocks, keys, hm, overlapping)
        self._dims[key] = DimHierarchy(measure, dim, keys, regions, hm.provinces, result, blocks, overlapping,
                                       national_only)
        return self._dims[key]

    @staticmethod
    def _national_only(blocks: dict[int, list[list[int]]], keys: list[str], hm: Hierarchy,
                       overlapping: bool) -> SuppressedSeries | None:
        values = [sum(row[j] for rows in blocks.values() for row in rows) for j in range(len(keys))]
        nat = hm.national()
        if overlapping or nat.hidden:
            return None
        s = suppress_series(values, total=True, threshold=THRESHOLD)
        return None if s.total_status is None or s.total_status.hidden else s

    @staticmethod
    def _merge_totals(h: SuppressedHierarchy[int], hm: Hierarchy, blocks: dict[int, list[list[int]]],
                      overlapping: bool) -> SuppressedHierarchy[int] | None:
        """The breakdown's tables with the totals as they are really published (the measure's
        hierarchy; none for overlapping categories), audited again; None when a figure could be
        worked out that way."""
        m = hm.result
        hidden = CellStatus.COMPLEMENTARY

        def total(v: int | None, st: CellStatus) -> tuple[int | None, CellStatus]:
            return (None, hidden) if overlapping else (v, st)

        region_totals = [total(m.national.cells[i][0], m.national.status[i][0]) for i in range(len(hm.regions))]
        assert m.national.col_totals is not None and m.national.col_total_status is not None
        national = _with_totals(h.national, region_totals,
                                total(m.national.col_totals[0], m.national.col_total_status[0]))
        regions = {}
        for i, r in enumerate(hm.regions):
            mb = m.regions[r.pk]
            rows = [total(mb.cells[k][0], mb.status[k][0]) for k in range(len(mb.cells))]
            regions[r.pk] = _with_totals(h.regions[r.pk], rows, region_totals[i])
        merged = dataclasses.replace(h, national=national, regions=regions)
        exposed = suppression.audit(merged) + suppression.audit_bounds(blocks, merged)
        if overlapping:
            # the totals of overlapping categories are not published: their own exposure is moot
            exposed = [ref for ref in exposed if ref.kind not in ("row_total", "grand_total")]
        return None if exposed else merged


# ---- labels ----------------------------------------------------------------------------------

def dim_labels(dim: str) -> dict[str, str]:
    if dim == "group":
        from mowakaba.cases.models import TargetGroup

        return {str(k): str(v) for k, v in TargetGroup.choices}
    if dim == "need":
        from mowakaba.cases.models import Need

        return {str(k): str(v) for k, v in Need.choices}
    if dim == "level":
        from mowakaba.cases.models import Level as CaseLevel

        return {str(k): str(v) for k, v in CaseLevel.choices}
    if dim == "sex":
        from mowakaba.registry.models import Sex

        return {str(k): str(v) for k, v in Sex.choices}
    if dim == "programme":
        from mowakaba.programs.models import Programme

        return {p.code: local_name(p) for p in Programme.objects.all()}
    if dim == "theme":
        from mowakaba.training.models import Theme

        return {t.code: local_name(t) for t in Theme.objects.all()}
    return {}


def measure_label(code: str) -> str:
    return str({
        "beneficiaries": _("People served"),
        "sessions": _("Listening sessions"),
        "cases_opened": _("Cases opened"),
        "enrolments": _("Admissions to programmes"),
        "training_sessions": _("Training sessions held"),
        "staff_trained": _("Staff trained"),
    }.get(code, code))


def level_label(level: str) -> str:
    names: dict[str, Any] = {Level.NATIONAL: _("National"), Level.REGION: _("Region"),
                             Level.PROVINCE: _("Province")}
    return str(names.get(level, level))


# ---- sections --------------------------------------------------------------------------------

def _totals(level: str, territory_id: int | None, period: Period, measures: Sequence[str],
            dim: str = "") -> dict[str, float]:
    return selectors.measure_totals(measures, level=level, territory_id=territory_id, start=period.start,
                                    end=period.end, dim=dim)


def indicator_cell(ind: Indicator, totals: dict[str, float], population: int | None,
                   hierarchy_cell: Cell | None) -> Cell:
    """An indicator's published value for a territory: small or otherwise hidden counts stay hidden."""
    num = totals.get(ind.numerator)
    if not ind.denominator:
        if hierarchy_cell is not None and hierarchy_cell.hidden:
            return hierarchy_cell
        value = num or 0.0
        if small(value):
            return count_cell(None, CellStatus.PRIMARY)
        return Cell(value, "shown", fmt_count(value) if float(value).is_integer() else fmt_rate(value))
    if hierarchy_cell is not None and hierarchy_cell.hidden:
        # its numerator is hidden in the published tables: the rate is hidden with the same mark
        return Cell(None, hierarchy_cell.status, hierarchy_cell.text)
    if ind.denominator == "population":
        num = num or 0.0  # no fact row: nobody served in the period
        return rate_cell(num, float(population) if population else None, ind.factor, check_den=False)
    den = totals.get(ind.denominator)
    if ind.unit == Indicator.Unit.DAYS:
        # a mean of days: the count that matters is the denominator (the referrals answered)
        if den is None or not den:
            return Cell(None, "na", "—")
        if small(den):
            return count_cell(None, CellStatus.PRIMARY)
        v = float(num or 0.0) / float(den)
        return Cell(v, "shown", fmt_rate(v))
    return rate_cell(num, den, ind.factor)


def key_indicators(ctx: Context, t: selectors.Territory, period: Period, previous: Period) -> Table:
    indicators = selectors.dashboard_indicators()
    measures = {m for ind in indicators for m in (ind.numerator, ind.denominator)}
    cur = _totals(t.level, t.id, period, list(measures))
    prev = _totals(t.level, t.id, previous, list(measures))
    rows = []
    for ind in indicators:
        hc = hp = None
        if ind.numerator in OPEN_MEASURES:
            hc = ctx.hierarchy(ind.numerator, period).cell(t.level, t.id)
            hp = ctx.hierarchy(ind.numerator, previous).cell(t.level, t.id)
        rows.append(Row(ind.name, [indicator_cell(ind, cur, t.population, hc),
                                   indicator_cell(ind, prev, t.population, hp)], code=ind.code))
    return Table("indicators", gettext("Key indicators"),
                 [gettext("Indicator"), period.label, previous.label], rows,
                 note=gettext("Previous period: the same number of months just before."))


def child_table(ctx: Context, t: selectors.Territory, period: Period, scope: Scope) -> Table | None:
    """Regions of the country or provinces of a region, with the counts from the hierarchy."""
    if t.level == Level.PROVINCE:
        return None
    hier = {m: ctx.hierarchy(m, period) for m in CHILD_MEASURES}
    units: list[tuple[Any, str]]
    if t.level == Level.NATIONAL:
        units = [(r, "R") for r in ctx.regions if ctx.provinces_of.get(r.pk)]
    else:
        units = [(p, "P") for p in ctx.provinces_of.get(t.id or 0, [])]
    rows = []
    for unit, lvl in units:
        cells = [hier[m].cell(lvl, unit.pk) for m in CHILD_MEASURES]
        ben = cells[0]
        cells.append(rate_cell(ben.value, float(unit.population_2024 or 0) or None, 1000, check_den=False)
                     if not ben.hidden else Cell(None, ben.status, ben.text))
        rows.append(Row(local_name(unit), cells, code=unit.code))
    total_cells = [hier[m].cell(t.level, t.id) for m in CHILD_MEASURES]
    ben = total_cells[0]
    total_cells.append(rate_cell(ben.value, float(t.population or 0) or None, 1000, check_den=False)
                       if not ben.hidden else Cell(None, ben.status, ben.text))
    rows.append(Row(gettext("Total"), total_cells, total=True, code=t.code))
    title = gettext("Regions") if t.level == Level.NATIONAL else gettext("Provinces of the region")
    raw = {m: hier[m] for m in CHILD_MEASURES}
    return Table("children", title,
                 [gettext("Territory"), *[measure_label(m) for m in CHILD_MEASURES],
                  gettext("People served per 1,000 inhabitants")], rows,
                 note=gettext("Totals are the sums of the territories listed; a person served in two "
                              "provinces is counted in each, so a total of people served may exceed "
                              "the territory's own figure among the key indicators."),
                 raw=raw)


def breakdown_table(ctx: Context, t: selectors.Territory, period: Period, measure: str, dim: str,
                    title: str, *, overlapping: bool = False, order: Sequence[str] = ()) -> Table:
    """A measure by one dimension for the territory, from the breakdown's national hierarchy
    (``Context.dim_hierarchy``), with the measure's total as everywhere else."""
    dh = ctx.dim_hierarchy(measure, dim, period, overlapping=overlapping, order=order)
    labels = dim_labels(dim)
    headers = [pgettext("breakdown", "Category"), measure_label(measure)]
    total = ctx.hierarchy(measure, period).cell(t.level, t.id)
    cells = dh.cells(t.level, t.id)
    rows: list[Row] = []
    note = ""
    if cells is None:
        note = gettext("This breakdown is not published for this territory and period: with the figures "
                       "published elsewhere, it would let a small count be worked out.")
    else:
        for k, c in zip(dh.keys, cells, strict=True):
            rows.append(Row(labels.get(k, k) or str(NOT_RECORDED), [c], code=k))
        if dh.overlapping:
            note = gettext("A record may fall in several categories: the categories do not add up to the total.")
    rows.append(Row(gettext("Total"), [total], total=True))
    return Table(f"{measure}_{dim}", title, headers, rows, note=note, raw=dh)


def breakdowns(ctx: Context, t: selectors.Territory, period: Period) -> list[Table]:
    from .measures import AGE_BANDS

    return [
        breakdown_table(ctx, t, period, "cases_opened", "group", gettext("Cases opened by target group"),
                        overlapping=True),
        breakdown_table(ctx, t, period, "cases_opened", "level", gettext("Cases opened by vulnerability level"),
                        order=("low", "medium", "high", "extreme", "")),
        breakdown_table(ctx, t, period, "cases_opened", "sex", gettext("Cases opened by sex"), order=("F", "M", "")),
        breakdown_table(ctx, t, period, "cases_opened", "age", gettext("Cases opened by age band"),
                        order=(*AGE_BANDS, "")),
        breakdown_table(ctx, t, period, "sessions", "need", gettext("Listening sessions by need"),
                        overlapping=True),
        breakdown_table(ctx, t, period, "enrolments", "programme", gettext("Admissions by programme")),
    ]


def monthly_chart(ctx: Context, t: selectors.Territory, period: Period, rtl: bool) -> SafeString:
    """Listening sessions month by month over the 12 months to the end of the period.

    Each month's figure is the one the monthly report of the territory publishes (the month's
    national hierarchy), so the chart tells nothing that the reports of those months do not: a
    month hidden there is drawn missing here, and the region's month minus its provinces' gives
    nothing back."""
    start = add_months(period.end, -12)
    months = [add_months(start, k) for k in range(12)]
    values = [ctx.hierarchy("sessions", Period("month", m, add_months(m, 1))).cell(t.level, t.id).value
              for m in months]
    labels = [formats.date_format(m, "m/Y") for m in months]
    return charts.column_chart(labels, [charts.Series(gettext("Listening sessions"), values)],
                               title=gettext("Listening sessions by month (12 months)"), rtl=rtl)


def bar_chart(table: Table | None, rtl: bool, title: str, column: int = 0) -> SafeString:
    if table is None:
        return SafeString("")
    items = [charts.BarItem(r.label, r.cells[column].value) for r in table.rows if not r.total]
    fmt = fmt_rate if table.key == "children" else charts.format_number
    return charts.bar_chart(items, title=title, rtl=rtl, value_format=fmt)


def province_map(ctx: Context, t: selectors.Territory, period: Period, scope: Scope) -> maps.MapResult:
    hier = ctx.hierarchy("beneficiaries", period)
    allowed = scope.territory_province_ids()
    if t.level == Level.NATIONAL:
        drawn = [p for ps in ctx.provinces_of.values() for p in ps]
    elif t.level == Level.REGION:
        drawn = list(ctx.provinces_of.get(t.id or 0, []))
    else:
        prov = ctx.province_by_id.get(t.id or 0)
        drawn = list(ctx.provinces_of.get(prov.region_id, [])) if prov else []
    values: dict[str, float | None] = {}
    for p in drawn:
        if allowed is not None and p.pk not in allowed:
            continue  # a neighbour outside the reader's territory: not ours to show
        c = hier.province(p.pk)
        values[p.code] = (None if c.value is None or not p.population_2024
                          else 1000.0 * c.value / float(p.population_2024))
    highlight = [ctx.province_by_id[t.id].code] if t.level == Level.PROVINCE and t.id in ctx.province_by_id else []
    return maps.choropleth("province", values, only=[p.code for p in drawn],
                           labels={p.code: local_name(p) for p in drawn}, highlight=highlight,
                           title=gettext("People served per 1,000 inhabitants, by province"),
                           max_width="100%")


def _fmt3(v: float) -> str:
    return f"{v:.3f}".replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


def equity_tables(ctx: Context, t: selectors.Territory, period: Period) -> list[Table]:
    """Equity of coverage across provinces (``equity.py``): Gini, Theil T (between and within
    regions for the country) and the provinces furthest behind. Computed on the protected
    province counts only: a hidden province is left out, so nothing hidden leaks through them."""
    if t.level == Level.PROVINCE:
        return []
    from . import equity

    hier = ctx.hierarchy("beneficiaries", period)
    if t.level == Level.REGION:
        provinces = list(ctx.provinces_of.get(t.id or 0, []))
    else:
        provinces = [p for r in ctx.regions for p in ctx.provinces_of.get(r.pk, [])]
    served: list[float | None] = [hier.province(p.pk).value for p in provinces]
    need: list[float | None] = [float(p.population_2024) if p.population_2024 else None for p in provinces]
    kept = sum(1 for s_, n in zip(served, need, strict=True) if s_ is not None and n)
    if kept < 3:
        return []
    coverage = [None if s_ is None or not n else s_ / n for s_, n in zip(served, need, strict=True)]
    g = equity.gini(coverage, need)
    th = equity.theil(served, need, [p.region_id for p in provinces])
    rows: list[Row] = []
    if g.value is not None:
        rows.append(Row(gettext("Gini coefficient of coverage (0 = every province alike)"),
                        [Cell(g.value, "shown", _fmt3(g.value))]))
    if th.total is not None:
        rows.append(Row(gettext("Theil index T (0 = services follow the population exactly)"),
                        [Cell(th.total, "shown", _fmt3(th.total))]))
        if t.level == Level.NATIONAL and th.between is not None and th.within is not None:
            rows.append(Row(gettext("of which between regions"), [Cell(th.between, "shown", _fmt3(th.between))]))
            rows.append(Row(gettext("of which within regions"), [Cell(th.within, "shown", _fmt3(th.within))]))
    note = gettext("Coverage is people served per inhabitant (RGPH 2024). Computed on the %(n)s provinces "
                   "whose count of people served is published; the others are left out.") % {"n": kept}
    out = [Table("equity", gettext("Equity of coverage across provinces"), [gettext("Measure"), gettext("Value")],
                 rows, note=note)] if rows else []
    behind = equity.furthest_behind([(p, s_, n) for p, s_, n in zip(provinces, served, need, strict=True)], 5)
    if behind.rows:
        brows = [Row(local_name(b.unit), [Cell(1000 * b.coverage, "shown", fmt_rate(1000 * b.coverage)),
                                     Cell(b.ratio, "shown", fmt_rate(b.ratio))], code=b.unit.code)
                 for b in behind.rows]
        out.append(Table("behind", gettext("Provinces furthest behind"),
                         [gettext("Province"), gettext("People served per 1,000 inhabitants"),
                          gettext("Ratio to the rate of all the provinces (1 = equal)")], brows,
                         note=gettext("Lowest coverage first, among the provinces whose count is published.")))
    return out


def method_notes() -> list[str]:
    return [
        gettext("Figures are counted from the records of the establishments, month by month, and "
                "pre-aggregated per establishment, province, region and the whole country."),
        gettext("People served are counted once a year per territory, at their first service."),
        gettext("Rates per 1,000 inhabitants use the legal population of the 2024 General Census of "
                "Population and Housing (RGPH 2024, Haut-Commissariat au Plan)."),
        gettext("Small counts: a count from 1 to 4 is not published (shown as %(primary)s). Other "
                "figures are hidden as well (shown as %(comp)s) where they would let a hidden count be "
                "worked out from a total. Zero is shown. A rate is not published when one of its two "
                "counts is hidden or small.") % {"primary": primary_mark(THRESHOLD), "comp": COMPLEMENTARY_MARK},
        gettext("Charts and the map draw a hidden figure as missing (hatched), never as zero."),
        gettext("Reports of different periods overlap in time; figures of the current month are not final."),
    ]


def sources() -> list[str]:
    return [
        gettext("Population: Haut-Commissariat au Plan (HCP), General Census of Population and Housing "
                "2024 (RGPH 2024), legal populations, reused on CC BY 4.0 terms."),
        str(maps.ATTRIBUTION),
        gettext("Activity: Mowakaba, records of the Entraide Nationale's establishments and partners."),
    ]


# ---- the report ------------------------------------------------------------------------------

@contextlib.contextmanager
def _pdf_charts(enabled: bool) -> Iterator[None]:
    for_pdf = getattr(charts, "for_pdf", None)
    if enabled and for_pdf is not None:
        with for_pdf():
            yield
    else:
        yield


def build_report(scope: Scope, level: str, territory_id: int | None, period: Period, *, language: str,
                 progress: Progress | None = None, for_pdf: bool = True) -> Report:
    """The content of an authority report; 404 (from the selectors) outside the actor's scope.

    Call inside ``translation.override(language)``: names and labels come out in that language.
    """
    if level not in (Level.NATIONAL, Level.REGION, Level.PROVINCE):
        from django.http import Http404

        raise Http404
    t = selectors.territory(scope, level, territory_id)
    step = progress or (lambda done, total: None)
    total_steps = 6
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def tick(name: str, done: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 4)
        clock = now
        step(done, total_steps)

    ctx = Context()
    previous = period.previous()
    run = selectors.last_refresh()
    rtl = (language or "")[:2] == "ar"
    title = gettext("Social action report: %(territory)s, %(period)s") % {"territory": t.name, "period": period.label}
    report = Report(level=t.level, territory_id=t.id, territory_name=t.name, territory_code=t.code,
                    level_label=level_label(t.level), parent_name=t.parent.name if t.parent else "",
                    population=t.population, period=period, previous=previous, language=language, title=title,
                    generated_at=timezone.now(), refreshed_at=getattr(run, "finished_at", None))
    step(0, total_steps)
    report.key_table = key_indicators(ctx, t, period, previous)
    tick("indicators", 1)
    report.child_table = child_table(ctx, t, period, scope)
    tick("children", 2)
    report.breakdowns = breakdowns(ctx, t, period)
    tick("breakdowns", 3)
    with _pdf_charts(for_pdf):
        if report.child_table is not None:
            report.charts.append((gettext("People served per 1,000 inhabitants"),
                                  bar_chart(report.child_table, rtl, gettext("People served per 1,000 inhabitants"),
                                            column=len(CHILD_MEASURES))))
        else:
            group = report.breakdowns[0]
            report.charts.append((group.title, bar_chart(group, rtl, group.title)))
        report.charts.append((gettext("Listening sessions by month, over the 12 months to the end of the period"),
                              monthly_chart(ctx, t, period, rtl)))
        tick("charts", 4)
        m = province_map(ctx, t, period, scope)
    report.map_svg, report.map_legend, report.map_title = m.svg, m.legend_html, gettext(
        "People served per 1,000 inhabitants, by province")
    tick("map", 5)
    report.equity = equity_tables(ctx, t, period)
    report.notes, report.sources = method_notes(), sources()
    tick("equity", 6)
    report.timings = timings
    return report


def suppression_legend() -> list[tuple[str, str]]:
    return [
        (primary_mark(THRESHOLD), gettext("a count from 1 to 4, not published")),
        (COMPLEMENTARY_MARK, gettext("hidden so that a small count cannot be worked out from a total")),
        ("—", gettext("no value (no denominator, or nothing to compute)")),
    ]


SheetSpec = tuple[str, list[str], list[list[Any]]]


def report_sheets(report: Report) -> tuple[str, list[str], list[list[Any]], list[SheetSpec]]:
    """The Excel workbook of a report: a cover sheet, one sheet per table, the method."""
    cover: list[list[Any]] = [
        [gettext("Report"), report.title],
        [gettext("Territory"), report.territory_name],
        [gettext("Level"), report.level_label],
        [gettext("Period"), report.period.label],
        [gettext("Previous period"), report.previous.label],
        [gettext("Population (RGPH 2024)"), report.population],
        [gettext("Generated on"), report.generated_at],
        [gettext("Figures refreshed on"), report.refreshed_at],
    ]
    more: list[SheetSpec] = []
    for i, t in enumerate(report.tables, start=1):
        rows = t.export_rows()
        if t.note:
            rows += [[], [t.note]]
        more.append((f"{i} {t.title}", t.headers, rows))
    method = [[n] for n in report.notes] + [[]] + [[s] for s in report.sources] + [[]]
    method += [[f"{mark}: {text}"] for mark, text in suppression_legend()]
    more.append((gettext("Method"), [gettext("Method and sources")], method))
    return gettext("Report"), [gettext("Item"), gettext("Value")], cover, more


def report_xlsx(report: Report) -> bytes:
    from mowakaba.core.xlsx import workbook_bytes

    title, headers, rows, more = report_sheets(report)
    return workbook_bytes(title, headers, rows, language=report.language, more=more)


def report_pdf(report: Report, *, printed_by: str) -> bytes:
    from mowakaba.core.pdf import render_pdf

    return render_pdf("vigilance/pdf/report.html", {"report": report, "legend": suppression_legend()},
                      language=report.language, printed_by=printed_by)


# ---- open data -------------------------------------------------------------------------------

@dataclass
class OpenData:
    period: Period
    regions: Table
    breakdowns: list[Table]
    notes: list[str]
    sources: list[str]
    refreshed_at: Any

    @property
    def tables(self) -> list[Table]:
        return [self.regions, *self.breakdowns]


def open_data(period: Period) -> OpenData:
    """National and regional aggregates, protected like the reports (same hierarchies), no scope:
    nothing below the region is published here."""
    from mowakaba.accounts.scope import SYSTEM

    ctx = Context()
    hier = {m: ctx.hierarchy(m, period) for m in OPEN_MEASURES}
    national = selectors.territory(SYSTEM, Level.NATIONAL, None)
    rows: list[Row] = []
    units: list[tuple[Any, str]] = [(r, "R") for r in ctx.regions if ctx.provinces_of.get(r.pk)]
    for unit, lvl in units:
        cells = [hier[m].cell(lvl, unit.pk) for m in OPEN_MEASURES]
        ben = cells[0]
        cells.insert(1, rate_cell(ben.value, float(unit.population_2024 or 0) or None, 1000, check_den=False)
                     if not ben.hidden else Cell(None, ben.status, ben.text))
        rows.append(Row(local_name(unit), cells, code=unit.code))
    cells = [hier[m].national() for m in OPEN_MEASURES]
    ben = cells[0]
    cells.insert(1, rate_cell(ben.value, float(national.population or 0) or None, 1000, check_den=False)
                 if not ben.hidden else Cell(None, ben.status, ben.text))
    rows.append(Row(gettext("Morocco"), cells, total=True, code="MA"))
    headers = [gettext("Region"), measure_label("beneficiaries"), gettext("People served per 1,000 inhabitants"),
               *[measure_label(m) for m in OPEN_MEASURES[1:]]]
    regions = Table("regions", gettext("Regions"), headers, rows,
                    note=gettext("National figures are the sums of the regions."),
                    raw={m: hier[m] for m in OPEN_MEASURES})
    tables = [
        breakdown_table(ctx, national, period, "sessions", "need", gettext("Listening sessions by need"),
                        overlapping=True),
        breakdown_table(ctx, national, period, "cases_opened", "group", gettext("Cases opened by target group"),
                        overlapping=True),
        breakdown_table(ctx, national, period, "enrolments", "programme", gettext("Admissions by programme")),
        breakdown_table(ctx, national, period, "training_sessions", "theme",
                        gettext("Training sessions held by theme")),
    ]
    run = selectors.last_refresh()
    return OpenData(period, regions, tables, method_notes(), sources(), getattr(run, "finished_at", None))


def open_data_rows(data: OpenData) -> list[list[Any]]:
    """The long CSV: one line per published figure (hidden ones carry their mark)."""
    out: list[list[Any]] = []
    for t in data.tables:
        for r in t.rows:
            for h, c in zip(t.headers[1:], r.cells, strict=False):
                out.append([t.title, r.code, r.label, h, c.export])
    return out


def open_data_xlsx(data: OpenData, language: str) -> bytes:
    from mowakaba.core.xlsx import workbook_bytes

    more = [(t.title, t.headers, t.export_rows()) for t in data.breakdowns]
    method = [[n] for n in data.notes] + [[]] + [[s] for s in data.sources] + [[str(LICENCE)]]
    more.append((gettext("Method"), [gettext("Method and sources")], method))
    return workbook_bytes(data.regions.title, data.regions.headers, data.regions.export_rows(),
                          language=language, more=more)


LICENCE: str | Promise = _(
    "Licence: these aggregates may be reused freely, including commercially, provided the source is "
    "cited: \"Entraide Nationale, Mowakaba open data\", with the date of extraction (Open Licence, in the "
    "spirit of CC BY 4.0). Census populations: HCP, RGPH 2024.")
