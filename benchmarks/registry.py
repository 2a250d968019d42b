"""Registry benchmark: search latency and recall, the duplicate scan, against a plain baseline.

    .venv/bin/python benchmarks/registry.py --persons 1000000 [--queries 1000]

Builds a fresh database (SQLite under var/bench/, or the PostgreSQL of DATABASE_URL, emptied),
the demo institution and N synthetic persons with planted duplicates written as agents write
them (other script, transliteration variants, typos, missing father's name). Then:

* search: p50/p95 over mixed queries (Latin variants, Arabic, Latin query for an Arabic-only
  record, CIN, phone) as the head-office persona, and recall@10 of the planted person;
* baseline: the same name queries through a plain database search (SQLite LIKE on both tokens,
  PostgreSQL pg_trgm similarity), its latency and recall, and the ratio;
* duplicate scan: wall time, precision and recall on the planted pairs; peak memory.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from common import pct

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))




def connect(keep: bool) -> None:
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MOWAKABA_VAR", str(bench_dir))
    os.environ["HTTPS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mowakaba.settings")
    if not os.environ.get("DATABASE_URL"):
        db = bench_dir / "registry.sqlite3"
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()


def setup(persons: int) -> dict[str, Any]:
    connect(keep=False)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    from mowakaba.demo.services import generate

    t0 = time.perf_counter()
    counts = generate("national", persons=persons,
                      progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True))
    counts["generate_seconds"] = round(time.perf_counter() - t0, 1)
    return counts


def queries(n: int, seed: int = 11) -> list[tuple[str, str, set[int]]]:
    """(kind, query, expected person ids) built from planted records."""
    from mowakaba.demo.persons import _arabic_variant, _latin_variant
    from mowakaba.registry.models import IdentityDocument, Person, Phone

    rng = random.Random(seed)
    max_pk = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    out: list[tuple[str, str, set[int]]] = []
    while len(out) < n:
        p = Person.objects.filter(pk__gte=rng.randint(1, max_pk)).order_by("pk").first()
        if p is None or p.external_ref.endswith("-D"):
            continue
        twins = set(Person.objects.filter(external_ref__in=[p.external_ref, p.external_ref + "-D"])
                    .values_list("pk", flat=True))
        roll = rng.random()
        # Half of the name queries carry the year of birth, as agents type it ("… 1975").
        year = f" {p.birth_year}" if p.birth_year and rng.random() < 0.5 else ""
        if roll < 0.35 and p.given_name_lat:
            q = " ".join(_latin_variant(rng, x) for x in (p.given_name_lat, p.family_name_lat))
            out.append(("latin_variant" + ("+year" if year else ""), q + year, twins))
        elif roll < 0.65 and p.given_name_ar:
            q = " ".join(_arabic_variant(rng, x) for x in (p.given_name_ar, p.family_name_ar))
            out.append(("arabic" + ("+year" if year else ""), q + year, twins))
        elif roll < 0.8 and p.given_name_ar and not p.given_name_lat:
            from mowakaba.demo.names import FAMILY, FEMALE_GIVEN, MALE_GIVEN

            lat = {ar: la for la, ar in (*MALE_GIVEN, *FEMALE_GIVEN, *FAMILY)}
            q = f"{lat.get(p.family_name_ar, '')} {lat.get(p.given_name_ar, '')}".strip()  # swapped order
            if q:
                out.append(("cross_script_swapped" + ("+year" if year else ""), q + year, twins))
        elif roll < 0.9:
            cin = IdentityDocument.objects.filter(person=p, kind="cin").values_list("number", flat=True).first()
            if cin:
                out.append(("cin", cin, twins))
        else:
            phone = Phone.objects.filter(person=p).values_list("number", flat=True).first()
            if phone:
                out.append(("phone", "0" + phone[4:], twins))
    return out


def baseline_search(q: str) -> list[int]:
    from django.db import connection
    from django.db.models import Q

    from mowakaba.registry.models import Person

    toks = [t for t in q.split() if len(t) > 1 and not t.isdigit()][:2]
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id FROM registry_person WHERE "
                "(given_name_lat || ' ' || family_name_lat || ' ' || given_name_ar || ' ' || family_name_ar) %% %s "
                "ORDER BY similarity(given_name_lat || ' ' || family_name_lat || ' ' || given_name_ar || ' ' || "
                "family_name_ar, %s) DESC LIMIT 10", [q, q])
            return [r[0] for r in cur.fetchall()]
    cond = Q()
    for t in toks:
        cond &= (Q(given_name_lat__icontains=t) | Q(family_name_lat__icontains=t) | Q(given_name_ar__contains=t)
                 | Q(family_name_ar__contains=t))
    return list(Person.objects.filter(cond).values_list("pk", flat=True)[:10])


def scan_report() -> dict[str, Any]:
    from mowakaba.registry.duplicates import scan
    from mowakaba.registry.models import DuplicatePair, Person

    t = time.perf_counter()
    result = scan(progress=lambda d, tot, m: print(f"\r  scan {m} {d}/{tot}", end="", file=sys.stderr))
    scan_seconds = time.perf_counter() - t
    print(file=sys.stderr)
    refs = dict(Person.objects.values_list("pk", "external_ref"))
    planted = {r[:-2] for r in refs.values() if r.endswith("-D")}
    proposed = DuplicatePair.objects.values_list("left_id", "right_id")
    tp = 0
    hit_groups = set()
    n_prop = 0
    for a, b in proposed.iterator(chunk_size=10000):
        n_prop += 1
        ra, rb = refs.get(a, ""), refs.get(b, "")
        base_a, base_b = ra.removesuffix("-D"), rb.removesuffix("-D")
        if base_a == base_b and base_a in planted:
            tp += 1
            hit_groups.add(base_a)

    return {
        **result, "scan_seconds": round(scan_seconds, 1), "planted": len(planted), "proposed": n_prop,
        "precision_on_planted": round(tp / max(1, n_prop), 4) if n_prop else None,
        "recall_on_planted": round(len(hit_groups) / max(1, len(planted)), 4),
        "note": "precision counts only planted pairs as true; namesakes the generator made by chance count as false",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--baseline-queries", type=int, default=100)
    ap.add_argument("--output", default="")
    ap.add_argument("--search-only", action="store_true",
                    help="reuse the database of the previous run and time the searches alone")
    ap.add_argument("--scan-only", action="store_true",
                    help="reuse the database of the previous run and time the duplicate scan alone")
    args = ap.parse_args()
    if args.scan_only:
        connect(keep=True)
        report = {"benchmark": "registry duplicate scan", "duplicates": scan_report(),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
        print(json.dumps(report, indent=2))
        return

    if args.search_only:
        connect(keep=True)
        counts: dict[str, Any] = {"reused_database": True}
    else:
        counts = setup(args.persons)
    from django.db import connection

    from mowakaba.accounts.models import User
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.registry.search import search

    scope = scope_for_user(User.objects.get(username="headoffice"))
    qs = queries(args.queries)
    search(scope, "warm up the vocabulary")
    times: list[float] = []
    found = 0
    per_kind: dict[str, list[int]] = {}
    for kind, q, expected in qs:
        t = time.perf_counter()
        hits = search(scope, q, limit=10)
        times.append((time.perf_counter() - t) * 1000)
        ok = bool(expected & {h.person.pk for h in hits})
        found += ok
        per_kind.setdefault(kind, []).append(int(ok))

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    name_qs = [x for x in qs if x[0].split("+")[0] in {"latin_variant", "arabic", "cross_script_swapped"}]
    name_qs = name_qs[: args.baseline_queries]
    base_times: list[float] = []
    base_found = 0
    for _kind, q, expected in name_qs:
        t = time.perf_counter()
        ids = baseline_search(q)
        base_times.append((time.perf_counter() - t) * 1000)
        base_found += bool(expected & set(ids))

    duplicates_report = {} if args.search_only else scan_report()

    report = {
        "benchmark": "registry",
        "database": connection.vendor,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "scale": counts,
        "search": {
            "queries": len(qs), "p50_ms": round(statistics.median(times), 2), "p95_ms": round(pct(times, 95), 2),
            "recall_at_10": round(found / len(qs), 4),
            "recall_at_10_by_kind": {k: round(sum(v) / len(v), 4) for k, v in per_kind.items()},
        },
        "baseline": {
            "method": "pg_trgm similarity" if connection.vendor == "postgresql" else "SQLite LIKE on both tokens",
            "queries": len(name_qs), "p50_ms": round(statistics.median(base_times), 2) if base_times else None,
            "p95_ms": round(pct(base_times, 95), 2),
            "recall_at_10": round(base_found / max(1, len(name_qs)), 4),
            "p95_ratio_baseline_over_ours": round(pct(base_times, 95) / max(pct(times, 95), 0.01), 1),
        },
        "duplicates": duplicates_report,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")


if __name__ == "__main__":
    main()
