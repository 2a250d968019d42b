"""`make bench`: server-side timings at a stated scale, printed as JSON.

It builds a fresh database (an SQLite file under var/bench/, or the PostgreSQL database named
by DATABASE_URL, which it empties first), generates the demo institution at ``--scale``, then
times the main pages and API lists in-process with Django's test client (server time, no
network). Figures are p50/p95 over repeated requests by several personas.

    .venv/bin/python benchmarks/run.py --scale national [--repeat 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small", choices=["small", "province", "national"])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--persons", type=int, default=0,
                        help="persons in the registry (the registry has its own benchmark: registry.py)")
    parser.add_argument("--output", default="", help="also write the JSON to this file")
    args = parser.parse_args()

    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MOWAKABA_VAR", str(bench_dir))
    os.environ["HTTPS"] = "0"
    os.environ["MOWAKABA_PLAIN_STATIC"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mowakaba.settings")
    if not os.environ.get("DATABASE_URL"):
        db = bench_dir / f"bench-{args.scale}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)

    from mowakaba.accounts.models import User
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.demo.services import generate
    from mowakaba.territory.models import OrgUnit

    t0 = time.perf_counter()
    counts = generate(args.scale, persons=args.persons)
    demo_seconds = time.perf_counter() - t0

    personas = ["agent.casa", "delegate.casa", "coordinator.casa", "headoffice", "partner.casa", "authority.casa"]
    clients = {}
    for name in personas:
        c = Client()
        c.force_login(User.objects.get(username=name))
        clients[name] = c
    unit_id = OrgUnit.objects.get(assignments__user__username="agent.casa").pk

    targets = {
        "home": "/",
        "establishments_list": "/territory/units/",
        "establishments_filtered": "/territory/units/?type=cef&managed_by=partner",
        "establishment_page": f"/territory/units/{unit_id}/",
        "journal": "/journal/",
        "api_units": "/api/territory/units",
        "api_me": "/api/me",
    }
    results: dict[str, Any] = {}
    for label, url in targets.items():
        timings: list[float] = []
        statuses: set[int] = set()
        for i in range(args.repeat):
            client = clients[personas[i % len(personas)]]
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            statuses.add(response.status_code)
        results[label] = {
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 95), 2),
            "max_ms": round(max(timings), 2),
            "statuses": sorted(statuses),
        }

    scope_times = []
    users = list(User.objects.filter(username__in=personas))
    for _ in range(args.repeat):
        for u in users:
            start = time.perf_counter()
            scope_for_user(u)
            scope_times.append((time.perf_counter() - start) * 1000)

    report = {
        "benchmark": "foundation",
        "scale": args.scale,
        "database": connection.vendor,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "demo": {**counts, "seconds": round(demo_seconds, 2)},
        "requests_per_target": args.repeat,
        "server_time": results,
        "scope_build": {"p50_ms": round(statistics.median(scope_times), 3),
                        "p95_ms": round(percentile(scope_times, 95), 3)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
