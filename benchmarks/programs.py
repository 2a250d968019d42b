"""Programmes benchmark: the service directory and the group attendance sheet at a stated scale.

    .venv/bin/python benchmarks/programs.py --scale province [--db var/bench/programs-province.sqlite3]

The database is var/bench/programs-SCALE.sqlite3 (or ``--db``, or the PostgreSQL of
DATABASE_URL). It is reused when it already holds programme offerings (``--fresh`` drops it).
Otherwise it is a copy of the casework benchmark's database of that scale
(var/bench/casework-SCALE.sqlite3) with the demo's programmes generated on top (timed alone),
or, when there is none, the whole demo at that scale.

Then, server time (in-process, Django's test client, no network), p50/p95 over ``--requests``
requests per target:

* ``directory``: /programs/?region=…&province=…&need=… as agent.casa, round-robin over the most
  populous provinces and the needs programmes answer (the full page: filters, annotated
  establishments, their offerings and managers);
* ``sheet_get`` / ``sheet_post`` / ``sheet_get_post``: the attendance sheet of a group of
  ``--group`` admitted people (the demo's literacy group near agent.casa, topped up to that size
  inside the benchmark's transaction), opened and recorded by its centre's staff, one new
  session per POST (everyone marked, about one in seven absent).

Everything the sheet writes is rolled back at the end: the database is left as found.
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

from common import copy_db, has_table, pct, remove_db, run_get, summary, timed

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
NEEDS = ["schooling", "employment", "shelter", "elderly_care", "disability", "income"]








def prepare(args: argparse.Namespace) -> dict[str, Any]:
    BENCH.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MOWAKABA_VAR", str(BENCH))
    os.environ["HTTPS"] = "0"
    os.environ["MOWAKABA_PLAIN_STATIC"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mowakaba.settings")
    info: dict[str, Any] = {}
    plan = "check"
    if not (os.environ.get("DATABASE_URL") and not args.db):
        db = Path(args.db) if args.db else BENCH / f"programs-{args.scale}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{db.resolve()}"
        source = BENCH / f"casework-{args.scale}.sqlite3"
        if args.fresh:
            remove_db(db)
        if has_table(db, "programs_offering"):
            plan = "reuse"
        elif has_table(source, "cases_case"):
            remove_db(db)
            info["copy_seconds"] = copy_db(source, db)
            info["copied_from"] = str(source.relative_to(ROOT))
            plan = "programmes-only"
        else:
            remove_db(db)
            plan = "rebuild"
        info["database_file"] = str(db)

    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    info["migrate_seconds"] = round(time.perf_counter() - t, 1)
    from mowakaba.cases.models import Case
    from mowakaba.programs.models import Offering

    if plan == "check":
        plan = "reuse" if Offering.objects.exists() else "programmes-only" if Case.objects.exists() else "rebuild"
    elif plan == "programmes-only" and Offering.objects.exists():
        plan = "copied"  # the casework database was built by a demo that already has programmes

    def say(msg: str) -> None:
        print(f"  {msg}", file=sys.stderr, flush=True)

    if plan == "rebuild":
        from mowakaba.demo.services import generate

        t = time.perf_counter()
        info["generated"] = generate(args.scale, progress=say)
        info["generate_seconds"] = round(time.perf_counter() - t, 1)
    elif plan == "programmes-only":
        from mowakaba.demo.programs import generate_programmes
        from mowakaba.demo.services import refresh_statistics

        info["generated"] = generate_programmes(progress=say)
        refresh_statistics()
    info["database"] = plan
    return info


def rows_now() -> dict[str, int]:
    from mowakaba.programs.models import Attendance, Enrolment, GroupSession, Offering
    from mowakaba.registry.models import Person
    from mowakaba.territory.models import OrgUnit

    return {
        "persons": Person.objects.count(),
        "establishments": OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT).count(),
        "offerings": Offering.objects.count(),
        "active_offerings": Offering.objects.filter(active=True).count(),
        "enrolments": Enrolment.objects.count(),
        "waiting": Enrolment.objects.filter(state=Enrolment.State.WAITING).count(),
        "group_sessions": GroupSession.objects.count(),
        "attendance": Attendance.objects.count(),
    }






def directory_time(requests: int) -> dict[str, Any]:
    from django.test import Client

    from mowakaba.accounts.models import User
    from mowakaba.territory.models import Province

    provinces = list(Province.objects.order_by("-population_2024").values_list("pk", "region_id", "name_fr")[:8])
    client = Client()
    client.force_login(User.objects.get(username="agent.casa"))
    urls = [f"/programs/?region={r}&province={p}&need={NEEDS[i % len(NEEDS)]}"
            for i, (p, r, _n) in enumerate(provinces * len(NEEDS))]
    return {**run_get(client, urls, requests), "provinces": [n for _p, _r, n in provinces]}


def sheet_time(requests: int, group: int) -> dict[str, Any]:
    from django.db import transaction
    from django.db.models import F
    from django.test import Client
    from django.utils import timezone

    from mowakaba.accounts.models import Assignment, Role, User
    from mowakaba.programs.models import Enrolment, GroupSession, Offering

    rng = random.Random(11)
    home = Assignment.objects.filter(user__username="agent.casa").values_list("org_unit__parent_id", flat=True)[0]
    found = (GroupSession.objects.filter(establishment__parent_id=home, held_on=timezone.localdate())
             .order_by("pk").first())
    off = found.offering if found else Offering.objects.filter(active=True).order_by("-admitted_count").first()
    assert off is not None
    out: dict[str, Any] = {"offering": off.pk, "programme": off.programme.code}
    with transaction.atomic():
        short = group - off.admitted_count
        if short > 0:  # top the group up (rolled back with the rest)
            taken = Enrolment.objects.filter(state__in=["waiting", "admitted"]).values("person_id")
            from mowakaba.registry.models import Person

            extra = list(Person.objects.filter(establishment__parent_id=off.establishment.parent_id)
                         .exclude(pk__in=taken).values_list("pk", flat=True)[:short])
            now = timezone.now() - timezone.timedelta(days=30)
            Enrolment.objects.bulk_create([
                Enrolment(offering=off, establishment_id=off.establishment_id, person_id=pk, state="admitted",
                          requested_at=now, admitted_at=now) for pk in extra])
            Offering.objects.filter(pk=off.pk).update(admitted_count=F("admitted_count") + len(extra))
        people = list(Enrolment.objects.filter(offering=off, state="admitted").values_list("pk", flat=True))
        out["group"] = len(people)
        staff = (Assignment.objects.filter(org_unit_id=off.establishment_id, role__in=[Role.MANAGER, Role.AGENT])
                 .order_by("-role", "pk").values_list("user_id", flat=True).first())
        client = Client()
        client.force_login(User.objects.get(pk=staff))
        url = f"/programs/offerings/{off.pk}/attendance/"
        client.get(url)
        gets: list[float] = []
        posts: list[float] = []
        both: list[float] = []
        statuses: list[int] = []
        queries: dict[str, list[int]] = {"get": [], "post": []}
        for _ in range(requests):
            ms_get, s1, q1 = timed(client, url)
            marks = {f"m{pk}": "absent" if rng.random() < 0.15 else "present" for pk in people}
            ms_post, s2, q2 = timed(client, url, "POST", {**marks, "topic": "bench"})
            gets.append(ms_get)
            posts.append(ms_post)
            both.append(ms_get + ms_post)
            statuses += [s1, s2]
            queries["get"].append(q1)
            queries["post"].append(q2)
        out["sheet_get"] = summary(gets, [200] * len(gets), queries["get"])
        out["sheet_post"] = summary(posts, [302] * len(posts), queries["post"])
        out["sheet_get_post"] = {"requests": len(both), "p50_ms": round(statistics.median(both), 1),
                                 "p95_ms": round(pct(both, 95), 1), "max_ms": round(max(both), 1)}
        out["statuses"] = {s: statuses.count(s) for s in sorted(set(statuses))}
        out["sessions_written"] = GroupSession.objects.filter(offering=off, topic="bench").count()
        transaction.set_rollback(True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="province", choices=["small", "province", "national"])
    ap.add_argument("--db", default="", help="SQLite file to use (reused when it holds offerings)")
    ap.add_argument("--fresh", action="store_true", help="do not reuse a programmes database")
    ap.add_argument("--requests", type=int, default=100, help="in-process requests per target")
    ap.add_argument("--group", type=int, default=30, help="people on the attendance sheet")
    ap.add_argument("--output", default="")
    args = ap.parse_args()

    info = prepare(args)
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    report: dict[str, Any] = {
        "benchmark": "programs",
        "scale": args.scale,
        "database": connection.vendor,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "setup": info,
        "rows": rows_now(),
        "directory": directory_time(args.requests),
        "attendance_sheet": sheet_time(args.requests, args.group),
    }
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")


if __name__ == "__main__":
    main()
