"""What the benchmarks share: percentiles, the reusable SQLite files, a timed request, its summary."""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))] if s else 0.0


def has_table(db: Path, table: str) -> bool:
    """Whether the SQLite file exists and ``table`` has a row (read-only, never creates the file)."""
    if not db.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return bool(con.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone())
        finally:
            con.close()
    except sqlite3.Error:
        return False


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def copy_db(source: Path, db: Path) -> float:
    """Copy an SQLite database with the backup API (consistent even with a WAL); returns seconds."""
    t = time.perf_counter()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(str(db))
    src.backup(dst)
    dst.close()
    src.close()
    return round(time.perf_counter() - t, 1)


def timed(client: Any, url: str, method: str = "GET", data: dict[str, str] | None = None) -> tuple[float, int, int]:
    """One request through Django's test client: milliseconds, status, number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url) if method == "GET" else client.post(url, data or {})
        ms = (time.perf_counter() - start) * 1000
    return ms, response.status_code, len(ctx.captured_queries)


def summary(timings: list[float], statuses: list[int], queries: list[int]) -> dict[str, Any]:
    counts: dict[int, int] = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    return {"requests": len(timings), "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(pct(timings, 95), 1), "max_ms": round(max(timings), 1),
            "queries_max": max(queries), "statuses": counts}


def run_get(client: Any, urls: list[str], requests: int) -> dict[str, Any]:
    """``requests`` GETs rotating over ``urls`` (after one to warm templates and caches), summarised."""
    client.get(urls[0])
    timings, statuses, queries = [], [], []
    for i in range(requests):
        ms, status, n = timed(client, urls[i % len(urls)])
        timings.append(ms)
        statuses.append(status)
        queries.append(n)
    return summary(timings, statuses, queries)
