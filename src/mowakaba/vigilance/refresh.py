"""Writing the facts: a full rebuild, or the recent months only (the incremental refresh).

``refresh_recent`` recomputes the current and the previous month (late entries land there)
every few minutes from ``mowakaba serve``; a dashboard is then at most a few minutes behind
the records, and never counts them itself. ``refresh_full`` rebuilds every month since the
first record, as a background job with a progress bar (or from the CLI).

A measure's months are replaced inside one transaction: a reader sees the old counts or the
new ones, never a half-written month.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from mowakaba.territory.models import OrgUnit

from .measures import MEASURES, STOCK_MEASURES, LevelRow, Row, month_start
from .models import Fact, RefreshRun
from .periods import add_months

Progress = Callable[[int, int, str], None]
BATCH = 5000


def unit_territories() -> dict[int, tuple[int | None, int | None]]:
    """Establishment id → (province id, region id), for every unit that has a commune; the
    units without one take the province of their delegation."""
    out: dict[int, tuple[int | None, int | None]] = {}
    rows = OrgUnit.objects.values_list("pk", "kind", "parent_id", "commune__province_id",
                                       "commune__province__region_id")
    parents: dict[int, int | None] = {}
    for pk, _kind, parent, commune_prov, reg in rows:
        parents[pk] = parent
        if commune_prov is not None:
            out[pk] = (commune_prov, reg)
    delegation_province = dict(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.DELEGATION, provinces__isnull=False)
        .values_list("pk", "provinces__pk").order_by("pk", "provinces__code"))
    from mowakaba.territory.models import Province

    region_of = dict(Province.objects.values_list("pk", "region_id"))
    for pk, up in parents.items():
        if pk in out:
            continue
        # Walk up to the delegation (at most three steps in the structure).
        node: int | None = up
        for _ in range(4):
            if node is None:
                break
            if node in delegation_province:
                deleg_prov = delegation_province[node]
                out[pk] = (deleg_prov, region_of.get(deleg_prov))
                break
            node = parents.get(node)
    return out


_CACHE: dict[str, tuple[float, dict[int, tuple[int | None, int | None]]]] = {}
CACHE_SECONDS = 300


def cached_unit_territories() -> dict[int, tuple[int | None, int | None]]:
    """``unit_territories`` remembered for five minutes per process, for the pages: the
    structure changes rarely, and a new establishment has no facts before the next refresh."""
    now = time.monotonic()
    hit = _CACHE.get("units")
    if hit is None or now - hit[0] > CACHE_SECONDS:
        hit = (now, unit_territories())
        _CACHE["units"] = hit
    return hit[1]


def _roll_up(rows: Iterable[Row], territories: dict[int, tuple[int | None, int | None]]) -> list[Fact]:
    """Sum establishment rows into establishment, province, region and national facts."""
    acc: dict[tuple[str, date, int | None, int | None, int | None, str, str], int] = defaultdict(int)
    for month, unit, prov, dim, value, n in rows:
        if not n:
            continue
        reg: int | None = None
        if unit is not None:
            prov, reg = territories.get(unit, (None, None))
            acc[("E", month, unit, prov, reg, dim, value)] += n
        elif prov is not None:
            reg = _region_of(prov)
        if prov is not None:
            acc[("P", month, None, prov, reg, dim, value)] += n
        if reg is not None:
            acc[("R", month, None, None, reg, dim, value)] += n
        acc[("N", month, None, None, None, dim, value)] += n
    return [Fact(level=lv, period=m, org_unit_id=u, province_id=p, region_id=r, dim=d, dim_value=v, value=n)
            for (lv, m, u, p, r, d, v), n in acc.items()]


_REGIONS: dict[int, int] = {}


def _region_of(province_id: int) -> int | None:
    if not _REGIONS:
        from mowakaba.territory.models import Province

        _REGIONS.update(Province.objects.values_list("pk", "region_id"))
    return _REGIONS.get(province_id)


def _level_facts(rows: Iterable[LevelRow], territories: dict[int, tuple[int | None, int | None]]) -> list[Fact]:
    out: list[Fact] = []
    for level, month, key, dim, value, n in rows:
        f = Fact(level=level, period=month, dim=dim, dim_value=value, value=n)
        if level == "E" and key is not None:
            f.org_unit_id = key
            f.province_id, f.region_id = territories.get(key, (None, None))
        elif level == "P":
            f.province_id, f.region_id = key, _region_of(key) if key is not None else None
        elif level == "R":
            f.region_id = key
        out.append(f)
    return out


def refresh_measure(code: str, *, first: date, end: date, today: date,
                    territories: dict[int, tuple[int | None, int | None]]) -> int:
    """Recompute one measure for the months in [first, end); returns the number of fact rows."""
    measure = MEASURES[code]
    if measure.kind == "distinct":
        assert measure.level_rows is not None
        facts = _level_facts(measure.level_rows(first, end, today), territories)
    else:
        assert measure.rows is not None
        facts = _roll_up(measure.rows(first, end, today), territories)
    with transaction.atomic():
        old = Fact.objects.filter(measure=code, period__gte=first, period__lt=end)
        if code in STOCK_MEASURES:
            # A snapshot belongs to the month it was taken in; earlier months keep theirs.
            old = old.filter(period=month_start(today))
        old.delete()
        _insert(code, facts)
    return len(facts)


def _insert(code: str, facts: list[Fact]) -> None:
    """Plain INSERTs of many rows per statement: model instances and ``bulk_create`` cost more
    in Python than the database spends writing (millions of rows at the national scale)."""
    table = Fact._meta.db_table
    columns = ("measure", "period", "level", "org_unit_id", "province_id", "region_id", "dim", "dim_value", "value")
    postgres = connection.vendor == "postgresql"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    rows = [(code, f.period if postgres else f.period.isoformat(), f.level, f.org_unit_id, f.province_id,
             f.region_id, f.dim, f.dim_value, f.value) for f in facts]
    with connection.cursor() as cur:
        for i in range(0, len(rows), BATCH):
            cur.executemany(sql, rows[i:i + BATCH])


def first_month() -> date:
    """The month of the oldest record that any measure counts."""
    from mowakaba.cases.models import Case, ListeningSession

    candidates = [
        ListeningSession.objects.aggregate(m=Min("held_at"))["m"],
        Case.objects.aggregate(m=Min("opened_at"))["m"],
    ]
    days = [month_start(c) for c in candidates if c is not None]
    return min(days) if days else month_start(timezone.localdate())


def refresh(*, first: date, end: date, kind: str, progress: Progress | None = None,
            job_id: int | None = None, measures: Iterable[str] | None = None) -> RefreshRun:
    today = timezone.localdate()
    run = RefreshRun.objects.create(kind=kind, started_at=timezone.now(), first_period=first,
                                    last_period=add_months(end, -1), job_id=job_id)
    territories = unit_territories()
    codes = list(measures or MEASURES)
    timings: dict[str, float] = {}
    total_rows = 0
    for i, code in enumerate(codes):
        if progress:
            progress(i, len(codes), code)
        t0 = time.perf_counter()
        total_rows += refresh_measure(code, first=first, end=end, today=today, territories=territories)
        timings[code] = round(time.perf_counter() - t0, 3)
    if progress:
        progress(len(codes), len(codes), "")
    if kind == RefreshRun.Kind.FULL and connection.vendor in ("sqlite", "postgresql"):
        with connection.cursor() as cur:
            cur.execute("ANALYZE vigilance_fact")
    run.finished_at = timezone.now()
    run.rows = total_rows
    run.timings = timings
    run.save(update_fields=["finished_at", "rows", "timings"])
    return run


def refresh_full(*, progress: Progress | None = None, job_id: int | None = None) -> RefreshRun:
    today = timezone.localdate()
    return refresh(first=first_month(), end=add_months(month_start(today), 1), kind=RefreshRun.Kind.FULL,
                   progress=progress, job_id=job_id)


def refresh_recent(*, months: int = 2, progress: Progress | None = None) -> RefreshRun:
    """The current month and the one before (records entered late land there)."""
    this_month = month_start(timezone.localdate())
    return refresh(first=add_months(this_month, -(months - 1)), end=add_months(this_month, 1),
                   kind=RefreshRun.Kind.RECENT, progress=progress)
