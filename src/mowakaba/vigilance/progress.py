"""Progress of the action plan: each target against what was expected by today, from the facts.

For each target the actor may read (``planning.selectors``; a target outside the scope is not
shown at all), over the plan's year to date:

* **actual**: the indicator for the target's territory from 1 January to the first day of the
  next month (the current month's facts are refreshed every few minutes);
* **expected to date**:
  - a *count* (an indicator without denominator) with the *linear* profile accrues evenly:
    ``value × days elapsed ÷ days in the year`` (days elapsed counts today);
  - a *rate* (a percentage or ratio of two measures) is a level to hold all year: expected =
    the target itself; a count per 1,000 inhabitants accrues like a count;
  - the *year-end* profile (a count of units opened, a survey) expects the value only at the
    end of the year: before that there is no expected value and no status ("—");
* **percent of expected**: ``actual ÷ expected × 100``;
* **status** (red / amber / green), from the score ``actual ÷ expected`` — or
  ``expected ÷ actual`` when lower is better (``Indicator.higher_is_better`` False, e.g. days
  to answer a referral), so that 10 % above a "lower is better" target scores like 10 % below
  a "higher is better" one: green at ``GREEN_AT`` (95 %) or more, amber from ``AMBER_AT``
  (80 %) up to 95 %, red below 80 %. Nothing expected yet (0) is green unless a "lower is
  better" value is already above it;
* **year-end projection** at the current run rate: a count extrapolated ``actual ÷ share of
  the year elapsed``; a rate stays at its current level;
* **drill-down**: a national target shows its regions' (or provinces') contributions when the
  objective has region (or province) targets for the same indicator, and a regional target
  its provinces'; each child with its own target gets its own expected value and status. Such
  a target is then shown in its parent's drill-down rather than on a row of its own, and the
  page narrowed to that region or province (``territory``) shows it with its own drill-down.

Functions take the date ("today") as a parameter: tests freeze it by passing one.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from django.http import Http404

from mowakaba.accounts.scope import Scope
from mowakaba.planning import selectors as plan_selectors
from mowakaba.planning.models import ActionPlan, Axis, Objective, Target

from . import selectors
from .models import Indicator, Level

Status = Literal["green", "amber", "red", "none"]

#: Score (actual ÷ expected, inverted when lower is better) from which a target is green.
GREEN_AT = 0.95
#: Score from which a target is amber (below it: red).
AMBER_AT = 0.80

STATUSES: tuple[Status, ...] = ("green", "amber", "red", "none")


# ---- pure arithmetic (no database) -------------------------------------------------------------

def days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def year_window(year: int, today: date) -> tuple[date, date, date, float]:
    """(start, end, as of, share of the year elapsed) for the plan's year seen on ``today``.

    ``end`` is the first day of the month after ``as of``: facts are monthly."""
    start = date(year, 1, 1)
    if today.year > year:
        return start, date(year + 1, 1, 1), date(year, 12, 31), 1.0
    if today.year < year:
        return start, start, start, 0.0
    end = date(year + 1, 1, 1) if today.month == 12 else date(year, today.month + 1, 1)
    elapsed = (today - start).days + 1
    return start, end, today, elapsed / days_in_year(year)


def is_rate(ind: Indicator) -> bool:
    """A level to hold (a ratio of two measures), not a count that accrues. A count per
    inhabitant (denominator "population", fixed over the year) accrues like the count."""
    return bool(ind.denominator) and ind.denominator != "population"


def expected_to_date(value: float, *, profile: str, fraction: float, rate: bool) -> float | None:
    if profile == Target.Profile.YEAR_END:
        return value if fraction >= 1.0 else None
    if rate:
        return value if fraction > 0 else None
    return value * fraction


def rag(actual: float | None, expected: float | None, *, higher_is_better: bool = True) -> Status:
    if actual is None or expected is None:
        return "none"
    if expected <= 0:
        return "green" if higher_is_better or actual <= 0 else "red"
    # Lower is better: the ratio is turned round, so that 10 % over scores like 10 % under.
    inverted = math.inf if actual <= 0 else expected / actual
    score = actual / expected if higher_is_better else inverted
    if score >= GREEN_AT:
        return "green"
    if score >= AMBER_AT:
        return "amber"
    return "red"


def percent_of(actual: float | None, expected: float | None) -> float | None:
    if actual is None or expected is None or expected <= 0:
        return None
    return 100.0 * actual / expected


def projection(actual: float | None, *, fraction: float, rate: bool) -> float | None:
    if actual is None or fraction <= 0:
        return None
    return actual if rate else actual / fraction


# ---- results -----------------------------------------------------------------------------------

@dataclass
class Measured:
    """What every row of the page shows, for a target or a child territory."""

    name: str
    target: float | None
    actual: float | None
    expected: float | None
    percent: float | None
    status: Status
    projection: float | None
    level: str = Level.NATIONAL
    territory_id: int | None = None
    # How the page prints the numbers (a ``floatformat`` argument): whole numbers for counts,
    # up to one decimal for rates (two for values under 1).
    fmt: str = "-2g"

    @property
    def key(self) -> str:
        """The territory as the page's ``t`` parameter: "N", "R12", "P34"."""
        return f"{self.level}{self.territory_id or ''}"


@dataclass
class TargetProgress(Measured):
    obj: Target | None = None
    indicator: Indicator | None = None
    baseline: float | None = None
    rate: bool = False
    children: list[Measured] = field(default_factory=list)


@dataclass
class ObjectiveProgress:
    objective: Objective
    targets: list[TargetProgress]


@dataclass
class AxisProgress:
    axis: Axis
    objectives: list[ObjectiveProgress]
    counts: dict[str, int]


@dataclass
class PlanProgress:
    plan: ActionPlan
    start: date
    end: date
    as_of: date
    fraction: float
    axes: list[AxisProgress]
    counts: dict[str, int]

    @property
    def targets(self) -> list[TargetProgress]:
        return [t for a in self.axes for o in a.objectives for t in o.targets]


def _measure(name: str, value: float | None, actual: float | None, *, ind: Indicator, profile: str,
             fraction: float, level: str, territory_id: int | None) -> Measured:
    rate = is_rate(ind)
    expected = expected_to_date(value, profile=profile, fraction=fraction, rate=rate) if value is not None else None
    return Measured(name=name, target=value, actual=actual, expected=expected, percent=percent_of(actual, expected),
                    status=rag(actual, expected, higher_is_better=ind.higher_is_better),
                    projection=projection(actual, fraction=fraction, rate=rate), level=level,
                    territory_id=territory_id, fmt=_fmt(ind, value))


def _fmt(ind: Indicator, value: float | None) -> str:
    if not ind.denominator:
        return "0g"  # a count: whole numbers
    return "-2g" if value is not None and abs(value) < 1 else "-1g"


def _territory_id(t: Target) -> int | None:
    if t.territory == Target.Scope.REGION:
        return t.region_id
    if t.territory == Target.Scope.PROVINCE:
        return t.province_id
    return None


def target_progress(scope: Scope, t: Target, *, start: date, end: date, fraction: float,
                    siblings: list[Target] | None = None,
                    known: dict[tuple[int, str, int], selectors.Value] | None = None) -> TargetProgress:
    """One target's progress; ``siblings`` are the plan's other targets (for the drill-down),
    ``known`` values already read in bulk (see ``_bulk_actuals``).

    A reader who does not work with the records (an authority viewer) does not see a count
    under 5, nor a rate built on one (``selectors.hide_small``, as on the dashboards): the
    actual value is then unknown, and so are the status and the projection."""
    ind = t.indicator
    tid = _territory_id(t)
    key = (t.indicator_id, t.territory, tid or 0)
    if known is not None and key in known:
        v = known[key]
    else:
        v = selectors.indicator_value(scope, ind, level=t.territory, territory_id=tid, start=start, end=end)
    actual = selectors.hide_small(ind, v, selectors.shows_exact_counts(scope)).value
    if end <= start:
        actual = None  # a future year: nothing measured yet
    m = _measure(plan_selectors.territory_label(t), t.value, actual, ind=ind, profile=t.profile, fraction=fraction,
                 level=t.territory, territory_id=tid)
    out = TargetProgress(**m.__dict__, obj=t, indicator=ind, baseline=t.baseline, rate=is_rate(ind))
    if siblings and end > start:
        out.children = _children(scope, t, siblings, start=start, end=end, fraction=fraction)
    return out


def _children(scope: Scope, t: Target, siblings: list[Target], *, start: date, end: date, fraction: float
              ) -> list[Measured]:
    same = [s for s in siblings if s.indicator_id == t.indicator_id and s.pk != t.pk]
    child_level: str | None = None
    wanted: dict[int, Target] = {}
    if t.territory == Target.Scope.NATIONAL:
        regional = {s.region_id: s for s in same if s.territory == Target.Scope.REGION and s.region_id}
        provincial = {s.province_id: s for s in same if s.territory == Target.Scope.PROVINCE and s.province_id}
        if regional:
            child_level, wanted = Level.REGION, regional
        elif provincial:
            child_level, wanted = Level.PROVINCE, provincial
    elif t.territory == Target.Scope.REGION:
        provincial = {s.province_id: s for s in same if s.territory == Target.Scope.PROVINCE and s.province_id}
        if provincial:
            child_level, wanted = Level.PROVINCE, provincial
    if child_level is None:
        return []
    try:
        rows = selectors.by_children(scope, t.indicator, level=t.territory, territory_id=_territory_id(t),
                                     start=start, end=end, child_level=child_level)
    except Http404:
        return []
    exact = selectors.shows_exact_counts(scope)
    out = []
    for row in rows:
        child = wanted.get(row.territory_id)
        actual = selectors.hide_small(t.indicator, selectors.Value(row.num, row.den, row.value), exact).value
        out.append(_measure(row.name, child.value if child else None, actual, ind=t.indicator,
                            profile=child.profile if child else t.profile, fraction=fraction, level=child_level,
                            territory_id=row.territory_id))
    # The territories with their own target first, then the others by what they reached.
    out.sort(key=lambda c: (c.target is None, -(c.actual or 0)))
    return out


def _bulk_actuals(scope: Scope, targets: list[Target], *, start: date, end: date
                  ) -> dict[tuple[int, str, int], selectors.Value]:
    """For an actor who reads the whole country, the regional and provincial targets of one
    indicator are read in one query (every region or province at once) instead of one each:
    a national plan has a target per province."""
    if end <= start or scope.territory_province_ids() is not None:
        return {}
    groups: dict[tuple[int, str], Indicator] = {}
    for t in targets:
        if t.territory in (Target.Scope.REGION, Target.Scope.PROVINCE):
            groups[(t.indicator_id, t.territory)] = t.indicator
    out: dict[tuple[int, str, int], selectors.Value] = {}
    for (ind_id, level), ind in groups.items():
        for row in selectors.by_children(scope, ind, level=Level.NATIONAL, territory_id=None, start=start, end=end,
                                         child_level=level):
            out[(ind_id, level, row.territory_id)] = selectors.Value(row.num, row.den, row.value)
    return out


def in_territory(t: Target, territory: str) -> bool:
    """Whether target ``t`` lies in the territory ``territory`` ("N", "R12", "P34") or below it."""
    level, pk = territory[:1], int(territory[1:] or 0)
    if level == Target.Scope.NATIONAL:
        return True
    if level == Target.Scope.REGION:
        return (t.territory == Target.Scope.REGION and t.region_id == pk) or (
            t.territory == Target.Scope.PROVINCE and t.province is not None and t.province.region_id == pk)
    if level == Target.Scope.PROVINCE:
        return t.territory == Target.Scope.PROVINCE and t.province_id == pk
    return False


def nested(t: Target, others: list[Target]) -> bool:
    """Whether ``t`` appears in the drill-down of a wider target of the same objective and
    indicator (see ``_children``): a region under the national target, a province under its
    region's target, or under the national target when the indicator has no regional target."""
    same = [o for o in others if o.indicator_id == t.indicator_id and o.pk != t.pk]
    national = any(o.territory == Target.Scope.NATIONAL for o in same)
    if t.territory == Target.Scope.REGION:
        return national
    if t.territory == Target.Scope.PROVINCE:
        regional = [o for o in same if o.territory == Target.Scope.REGION]
        if any(o.region_id == (t.province.region_id if t.province else None) for o in regional):
            return True
        return national and not regional
    return False


def plan_progress(scope: Scope, plan: ActionPlan, *, today: date, territory: str = "N",
                  flat: bool = False) -> PlanProgress:
    """The visible targets of the plan in ``territory`` ("N" = all, "R12", "P34"), grouped by
    axis → objective, with counts per status.

    A target that appears in the drill-down of a wider one of its objective (a region's under
    the national target) is shown there, not again on its own row; ``flat`` shows every target
    on its row and no drill-down (the Excel file)."""
    start, end, as_of, fraction = year_window(plan.year, today)
    tree = plan_selectors.plan_tree(scope, plan, keep_empty=False)
    ids = {t.pk for t in plan_selectors.visible_targets(scope, plan) if in_territory(t, territory)}
    # Per objective: its targets in the territory, and those shown on a row of their own.
    shown: dict[int, tuple[list[Target], list[Target]]] = {}
    for node in tree:
        for onode in node.objectives:
            mine = [t for t in onode.targets if t.pk in ids]
            shown[onode.objective.pk] = (mine, mine if flat else [t for t in mine if not nested(t, mine)])
    known = _bulk_actuals(scope, [t for _m, rows in shown.values() for t in rows], start=start, end=end)
    axes: list[AxisProgress] = []
    total: Counter[str] = Counter()
    for node in tree:
        counts: Counter[str] = Counter()
        objectives = []
        for onode in node.objectives:
            mine, own_rows = shown[onode.objective.pk]
            rows = []
            for t in own_rows:
                try:
                    p = target_progress(scope, t, start=start, end=end, fraction=fraction,
                                        siblings=None if flat else mine, known=known)
                except Http404:
                    continue  # a territory the vigilance selectors refuse: not shown
                rows.append(p)
                counts[p.status] += 1
            if rows:
                objectives.append(ObjectiveProgress(onode.objective, rows))
        if objectives:
            axes.append(AxisProgress(node.axis, objectives, {s: counts.get(s, 0) for s in STATUSES}))
            total.update(counts)
    return PlanProgress(plan, start, end, as_of, fraction, axes, {s: total.get(s, 0) for s in STATUSES})


def export_rows(progress: PlanProgress) -> list[list[Any]]:
    """One row per target (and per child territory when not flat), for the Excel download."""
    rows: list[list[Any]] = []
    for a in progress.axes:
        for o in a.objectives:
            for t in o.targets:
                base = [f"{a.axis.number}. {a.axis.name}", f"{a.axis.number}.{o.objective.number} {o.objective.name}",
                        t.indicator.name if t.indicator else ""]
                rows.append(base + _numbers(t, t.baseline))
                for c in t.children:
                    rows.append(base + _numbers(c, None, child=True))
    return rows


def _numbers(m: Measured, baseline: float | None, *, child: bool = False) -> list[Any]:
    def r(v: float | None) -> float | None:
        return None if v is None or not math.isfinite(v) else round(v, 1)

    return [("↳ " if child else "") + m.name, r(m.target), r(baseline), r(m.actual), r(m.expected), r(m.percent),
            str(status_label(m.status)), r(m.projection)]


def status_label(status: str) -> str:
    from .charts import status_word

    return status_word(status)  # type: ignore[arg-type]
