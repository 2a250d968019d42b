"""Reading the facts: indicator values for a territory and a period, by month, by child
territory, by disaggregation. Every function takes the actor's scope first and refuses
(404) a territory whose aggregates the actor may not read: the one access policy decides,
through ``Scope.territory_province_ids``.

Queries read ``Fact`` only (a few thousand rows at most, through its indexes), never the
domain tables, whatever the size of the country.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, Q, Sum
from django.http import Http404
from django.utils.translation import get_language

from mowakaba.accounts.scope import Capability, Scope
from mowakaba.territory.models import OrgUnit, Province, Region

from .measures import STOCK_MEASURES
from .models import Fact, Indicator, Level
from .periods import add_months

CHILD_LEVEL: dict[str, str] = {"N": "P", "R": "P", "P": "E"}
KEY_FIELD: dict[str, str | None] = {"E": "org_unit_id", "P": "province_id", "R": "region_id", "N": None}


@dataclass(frozen=True)
class Territory:
    level: str
    id: int | None
    code: str
    name: str
    parent: Territory | None = None
    population: int | None = None

    @property
    def key(self) -> str:
        return f"{self.level}{self.id or ''}"


@dataclass(frozen=True)
class Value:
    num: float | None
    den: float | None
    value: float | None


@dataclass(frozen=True)
class ChildRow:
    territory_id: int
    code: str
    name: str
    num: float | None
    den: float | None
    value: float | None


@dataclass(frozen=True)
class Point:
    period: date
    dim_value: str
    num: float | None
    den: float | None
    value: float | None


def local_name(obj: Any) -> str:
    """A territory's or unit's name in the reader's language (Arabic, else French)."""
    lang = (get_language() or "ar")[:2]
    return str(getattr(obj, "name_ar" if lang == "ar" else "name_fr", "") or getattr(obj, "name_fr", ""))


# ---- the access policy, applied to territories ----------------------------------------------

def require_aggregates(scope: Scope) -> None:
    if not scope.can(Capability.VIEW_AGGREGATES):
        raise Http404


SMALL = 5  # counts under this are hidden from readers who do not work with the records


def shows_exact_counts(scope: Scope) -> bool:
    """People who work with the records see exact counts; everyone else (authority viewers)
    sees small counts hidden, as in the published reports."""
    return scope.can(Capability.VIEW_PERSONS)


def territory(scope: Scope, level: str, territory_id: int | None) -> Territory:
    """The territory, if the actor may read its aggregates; 404 otherwise (same as missing).

    Remembered for the scope's life (one request): every selector of a page asks again."""
    key = f"vigilance.territory:{level}:{territory_id}"
    memo = scope._memo
    if key not in memo:
        try:
            memo[key] = _territory(scope, level, territory_id)
        except Http404:
            memo[key] = None
    found = memo[key]
    if found is None:
        raise Http404
    return found


def _territory(scope: Scope, level: str, territory_id: int | None) -> Territory:
    require_aggregates(scope)
    allowed = scope.territory_province_ids()
    if level == Level.NATIONAL:
        if allowed is not None:
            raise Http404
        return Territory(Level.NATIONAL, None, "MA", _national_name(), None, _national_population())
    if level == Level.REGION:
        region = Region.objects.filter(pk=territory_id or 0).first()
        if region is None:
            raise Http404
        if allowed is not None:
            provinces = set(Province.objects.filter(region=region).values_list("pk", flat=True))
            if not provinces <= allowed:
                raise Http404
        parent = None if allowed is not None else territory(scope, Level.NATIONAL, None)
        return Territory(Level.REGION, region.pk, region.code, local_name(region), parent, region.population_2024)
    if level == Level.PROVINCE:
        province = Province.objects.select_related("region").filter(pk=territory_id or 0).first()
        if province is None or (allowed is not None and province.pk not in allowed):
            raise Http404
        parent = _optional(scope, Level.REGION, province.region_id)
        return Territory(Level.PROVINCE, province.pk, province.code, local_name(province), parent,
                         province.population_2024)
    if level == Level.ESTABLISHMENT:
        unit = OrgUnit.objects.filter(pk=territory_id or 0, kind=OrgUnit.Kind.ESTABLISHMENT).first()
        if unit is None:
            raise Http404
        from .refresh import cached_unit_territories

        prov, _reg = cached_unit_territories().get(unit.pk, (None, None))
        if allowed is not None and prov not in allowed:
            raise Http404
        parent = _optional(scope, Level.PROVINCE, prov) if prov else None
        return Territory(Level.ESTABLISHMENT, unit.pk, unit.code, local_name(unit), parent, None)
    raise Http404


def _optional(scope: Scope, level: str, territory_id: int | None) -> Territory | None:
    try:
        return territory(scope, level, territory_id)
    except Http404:
        return None


def _national_name() -> str:
    from django.utils.translation import gettext

    return gettext("Morocco")


def _national_population() -> int:
    return int(Region.objects.aggregate(s=Sum("population_2024"))["s"] or 0)


def default_territory(scope: Scope) -> tuple[str, int | None]:
    """Where a dashboard opens: the widest territory the actor reads, fitted to the role."""
    require_aggregates(scope)
    allowed = scope.territory_province_ids()
    if allowed is None:
        return Level.NATIONAL, None
    from mowakaba.accounts.models import Role

    if scope.roles & {Role.AGENT, Role.MANAGER, Role.PARTNER_STAFF}:
        units = OrgUnit.objects.filter(scope.units_q(""), kind=OrgUnit.Kind.ESTABLISHMENT).order_by("pk")
        first = units.values_list("pk", flat=True).first()
        if first is not None:
            return Level.ESTABLISHMENT, first
    regions = Region.objects.filter(provinces__isnull=False).distinct()
    for region in regions.filter(provinces__pk__in=allowed).distinct().order_by("code"):
        provinces = set(region.provinces.values_list("pk", flat=True))
        if provinces <= allowed:
            return Level.REGION, region.pk
    if allowed:
        return Level.PROVINCE, min(allowed)
    raise Http404


# ---- reading facts ---------------------------------------------------------------------------

def _facts(level: str, territory_id: int | None) -> Q:
    key = KEY_FIELD[level]
    q = Q(level=level)
    if key is not None:
        q &= Q(**{key: territory_id})
    return q


def _population(t: Territory) -> int | None:
    return t.population or None


def _ratio(num: float | None, den: float | None, factor: int, has_den: bool) -> float | None:
    if num is None:
        return None
    if not has_den:
        return float(num)
    if not den:
        return None
    return factor * float(num) / float(den)


def measure_totals(measures: Iterable[str], *, level: str, territory_id: int | None, start: date, end: date,
                   dim: str = "", dim_value: str | None = None) -> dict[str, float]:
    """Sum of each measure over months [start, end); stocks take their latest month in range."""
    measures = [m for m in set(measures) if m and m != "population"]
    out: dict[str, float] = {}
    flows = [m for m in measures if m not in STOCK_MEASURES]
    stocks = [m for m in measures if m in STOCK_MEASURES]
    base = Fact.objects.filter(_facts(level, territory_id), dim=dim, period__gte=start, period__lt=end)
    if dim_value is not None:
        base = base.filter(dim_value=dim_value)
    if flows:
        for m, s in base.filter(measure__in=flows).values("measure").annotate(s=Sum("value")).values_list(
                "measure", "s"):
            out[m] = float(s or 0)
    for m in stocks:
        last = base.filter(measure=m).aggregate(p=Max("period"))["p"]
        if last is not None:
            out[m] = float(base.filter(measure=m, period=last).aggregate(s=Sum("value"))["s"] or 0)
    return out


def value_of(ind: Indicator, totals: dict[str, float], population: int | None) -> Value:
    num = totals.get(ind.numerator)
    if ind.denominator == "population":
        den: float | None = float(population) if population else None
    elif ind.denominator:
        den = totals.get(ind.denominator)
    else:
        den = None
    if num is None and (ind.denominator == "" or den is not None):
        num = 0.0  # no fact row for the period means nothing happened, not "unknown"
    return Value(num, den, _ratio(num, den, ind.factor, bool(ind.denominator)))


def indicator_value(scope: Scope, ind: Indicator, *, level: str, territory_id: int | None, start: date,
                    end: date, dim: str = "", dim_value: str | None = None) -> Value:
    t = territory(scope, level, territory_id)
    totals = measure_totals([ind.numerator, ind.denominator], level=level, territory_id=territory_id,
                            start=start, end=end, dim=dim, dim_value=dim_value)
    return value_of(ind, totals, _population(t))


def indicator_values(scope: Scope, indicators: Sequence[Indicator], *, level: str, territory_id: int | None,
                     start: date, end: date) -> dict[str, Value]:
    """Several indicators for one territory and period, in one query for the flows."""
    t = territory(scope, level, territory_id)
    measures = {m for ind in indicators for m in (ind.numerator, ind.denominator)}
    totals = measure_totals(measures, level=level, territory_id=territory_id, start=start, end=end)
    return {ind.code: value_of(ind, totals, _population(t)) for ind in indicators}


def monthly(scope: Scope, indicators: Sequence[Indicator], *, level: str, territory_id: int | None,
            start: date, end: date) -> dict[str, list[Point]]:
    """Month-by-month values of several indicators (one query), for time series and sparklines."""
    t = territory(scope, level, territory_id)
    measures = {m for ind in indicators for m in (ind.numerator, ind.denominator) if m and m != "population"}
    rows = (Fact.objects.filter(_facts(level, territory_id), dim="", period__gte=start, period__lt=end,
                                measure__in=measures)
            .values("measure", "period").annotate(s=Sum("value")).values_list("measure", "period", "s"))
    by_month: dict[date, dict[str, float]] = defaultdict(dict)
    for m, p, s in rows:
        by_month[p][m] = float(s or 0)
    months = _months(start, end)
    out: dict[str, list[Point]] = {}
    for ind in indicators:
        pts = []
        for month in months:
            v = value_of(ind, by_month.get(month, {}), _population(t))
            if ind.numerator in STOCK_MEASURES and ind.numerator not in by_month.get(month, {}):
                v = Value(None, None, None)  # no snapshot that month
            pts.append(Point(month, "", v.num, v.den, v.value))
        out[ind.code] = pts
    return out


def _months(start: date, end: date) -> list[date]:
    out = []
    d = start
    while d < end:
        out.append(d)
        d = add_months(d, 1)
    return out


def breakdown(scope: Scope, ind: Indicator, dim: str, *, level: str, territory_id: int | None, start: date,
              end: date) -> list[Point]:
    """The indicator for each value of one disaggregation (by sex, age band, need...)."""
    t = territory(scope, level, territory_id)
    measures = [m for m in (ind.numerator, ind.denominator) if m and m != "population"]
    rows = (Fact.objects.filter(_facts(level, territory_id), dim=dim, period__gte=start, period__lt=end,
                                measure__in=measures)
            .values("measure", "dim_value").annotate(s=Sum("value")).values_list("measure", "dim_value", "s"))
    per: dict[str, dict[str, float]] = defaultdict(dict)
    for m, v, s in rows:
        per[v][m] = float(s or 0)
    out = []
    for v, totals in sorted(per.items()):
        val = value_of(ind, totals, _population(t))
        out.append(Point(start, v, val.num, val.den, val.value))
    return out


def by_children(scope: Scope, ind: Indicator, *, level: str, territory_id: int | None, start: date, end: date,
                child_level: str | None = None) -> list[ChildRow]:
    """The indicator for each territory one level down (regions or provinces of the country,
    provinces of a region, establishments of a province), with names, in one query per measure."""
    territory(scope, level, territory_id)
    child = child_level or CHILD_LEVEL.get(level)
    if child is None:
        return []
    children = _children(level, territory_id, child)
    key = KEY_FIELD[child]
    assert key is not None
    measures = [m for m in (ind.numerator, ind.denominator) if m and m != "population"]
    base = Fact.objects.filter(level=child, dim="", period__gte=start, period__lt=end, measure__in=measures)
    if level == Level.REGION:
        base = base.filter(region_id=territory_id)
    elif level == Level.PROVINCE:
        base = base.filter(province_id=territory_id)
    totals: dict[int, dict[str, float]] = defaultdict(dict)
    flows = [m for m in measures if m not in STOCK_MEASURES]
    for k, m, s in base.filter(measure__in=flows).values(key, "measure").annotate(s=Sum("value")).values_list(
            key, "measure", "s"):
        totals[k][m] = float(s or 0)
    for m in [m for m in measures if m in STOCK_MEASURES]:
        last = base.filter(measure=m).aggregate(p=Max("period"))["p"]
        if last is None:
            continue
        for k, s in base.filter(measure=m, period=last).values(key).annotate(s=Sum("value")).values_list(key, "s"):
            totals[k][m] = float(s or 0)
    out = []
    for c in children:
        v = value_of(ind, totals.get(c.id or 0, {}), c.population)
        out.append(ChildRow(c.id or 0, c.code, c.name, v.num, v.den, v.value))
    return out


def _children(level: str, territory_id: int | None, child: str) -> list[Territory]:
    if child == Level.REGION:
        return [Territory(Level.REGION, r.pk, r.code, local_name(r), None, r.population_2024)
                for r in Region.objects.order_by("code")]
    if child == Level.PROVINCE:
        qs = Province.objects.order_by("code")
        if level == Level.REGION:
            qs = qs.filter(region_id=territory_id or 0)
        return [Territory(Level.PROVINCE, p.pk, p.code, local_name(p), None, p.population_2024) for p in qs]
    if child == Level.ESTABLISHMENT:
        from .refresh import cached_unit_territories

        ids = [pk for pk, (prov, _r) in cached_unit_territories().items() if prov == territory_id]
        units = OrgUnit.objects.filter(pk__in=ids, kind=OrgUnit.Kind.ESTABLISHMENT).order_by("name_fr")
        return [Territory(Level.ESTABLISHMENT, u.pk, u.code, local_name(u), None, None) for u in units]
    return []


def dashboard_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True, on_dashboard=True).order_by("sort_order", "code"))


def last_refresh() -> Any:
    from .models import RefreshRun

    return RefreshRun.objects.filter(finished_at__isnull=False).first()


def hide_small(ind: Indicator, v: Value, exact: bool) -> Value:
    """For readers who do not work with the records: a count under 5, or a rate built on one,
    is hidden (the same rule as the published reports)."""
    if exact:
        return v
    small = [x for x in (v.num, v.den if ind.denominator not in ("", "population") else None)
             if x is not None and 0 < x < SMALL]
    if small:
        return Value(None, None, None)
    return v
