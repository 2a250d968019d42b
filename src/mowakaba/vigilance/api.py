"""Indicators over the API: definitions, values for a territory and a period, the territories
one level down, month-by-month series. Figures only, never a person; the same access policy and
the same small-count rule as the dashboards."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from mowakaba.accounts.scope import scope_of

from . import selectors
from .api_alerts import router as alerts_router
from .models import Indicator
from .periods import add_months, parse_period

router = Router(tags=["vigilance"])
router.add_router("/", alerts_router)


class IndicatorOut(Schema):
    code: str
    name: str
    description: str
    numerator: str
    denominator: str
    factor: int
    unit: str
    dims: list[str]
    higher_is_better: bool


class ValueOut(Schema):
    indicator: str
    numerator: float | None
    denominator: float | None
    value: float | None


class TerritoryValues(Schema):
    level: str
    territory_id: int | None
    code: str
    name: str
    period_start: date
    period_end: date
    values: list[ValueOut]


class ChildOut(Schema):
    territory_id: int
    code: str
    name: str
    numerator: float | None
    denominator: float | None
    value: float | None


class PointOut(Schema):
    period: date
    numerator: float | None
    denominator: float | None
    value: float | None


def _indicator(code: str) -> Indicator:
    ind = Indicator.objects.filter(code=code, active=True).first()
    if ind is None:
        raise Http404
    return ind


@router.get("/indicators", response=list[IndicatorOut])
def indicators(request: HttpRequest) -> list[Indicator]:
    selectors.require_aggregates(scope_of(request))
    return list(Indicator.objects.filter(active=True))


@router.get("/values", response=TerritoryValues)
def values(request: HttpRequest, level: str = "N", territory: int | None = None,
           period: str = "12m") -> dict[str, object]:
    """Every active indicator for one territory (level N, R, P or E) and period (12m, ytd, last_year, month)."""
    scope = scope_of(request)
    t = selectors.territory(scope, level, territory)
    p = parse_period(period, timezone.localdate())
    inds = list(Indicator.objects.filter(active=True))
    exact = selectors.shows_exact_counts(scope)
    vals = selectors.indicator_values(scope, inds, level=level, territory_id=territory, start=p.start, end=p.end)
    out = []
    for ind in inds:
        v = selectors.hide_small(ind, vals[ind.code], exact)
        out.append({"indicator": ind.code, "numerator": v.num, "denominator": v.den, "value": v.value})
    return {"level": t.level, "territory_id": t.id, "code": t.code, "name": t.name, "period_start": p.start,
            "period_end": p.end, "values": out}


@router.get("/children", response=list[ChildOut])
def children(request: HttpRequest, indicator: str, level: str = "N", territory: int | None = None,
             period: str = "12m") -> list[dict[str, object]]:
    """One indicator for each territory one level down (provinces of the country or of a region,
    establishments of a province)."""
    scope = scope_of(request)
    ind = _indicator(indicator)
    p = parse_period(period, timezone.localdate())
    exact = selectors.shows_exact_counts(scope)
    rows = selectors.by_children(scope, ind, level=level, territory_id=territory, start=p.start, end=p.end)
    out = []
    for r in rows:
        v = selectors.hide_small(ind, selectors.Value(r.num, r.den, r.value), exact)
        out.append({"territory_id": r.territory_id, "code": r.code, "name": r.name, "numerator": v.num,
                    "denominator": v.den, "value": v.value})
    return out


@router.get("/series", response=list[PointOut])
def series(request: HttpRequest, indicator: str, level: str = "N", territory: int | None = None,
           months: int = 24) -> list[dict[str, object]]:
    """Month by month, the last ``months`` months (at most 120) up to this one."""
    scope = scope_of(request)
    ind = _indicator(indicator)
    end = add_months(timezone.localdate().replace(day=1), 1)
    start = add_months(end, -max(1, min(months, 120)))
    exact = selectors.shows_exact_counts(scope)
    pts = selectors.monthly(scope, [ind], level=level, territory_id=territory, start=start, end=end)[ind.code]
    out: list[dict[str, object]] = []
    for pt in pts:
        v = selectors.hide_small(ind, selectors.Value(pt.num, pt.den, pt.value), exact)
        out.append({"period": pt.period, "numerator": v.num, "denominator": v.den, "value": v.value})
    return out
