"""Casework benchmark: an agent's day at a stated scale, in-process and under concurrent load.

    .venv/bin/python benchmarks/casework.py --scale national [--db var/bench/casework-national.sqlite3]

The database is var/bench/casework-SCALE.sqlite3 (or ``--db``, or the PostgreSQL of
DATABASE_URL). It is reused when it already holds casework (``--fresh`` drops it). Otherwise
it is built: at the national scale from a copy of the registry benchmark's database
(var/bench/registry.sqlite3, a million persons) when there is one, with only the casework
generated on top (timed alone); else the whole demo at that scale. ``--rebuild`` builds
everything from scratch.

Then:

* server time (in-process, Django's test client, no network): p50/p95 over ``--requests``
  requests per target, round-robin over several agents from different provinces that hold open
  cases, for their task list (/cases/tasks/), one of their case files (/cases/<id>/) and the API
  list of their tasks (GET /api/cases/tasks/mine);
* load: gunicorn (``--workers`` workers, 4 threads each, as ``mowakaba serve`` runs it) on a
  free loopback port against the same database, ``--concurrency`` logged-in clients (one
  session each, keep-alive connections) requesting the task list and case files for
  ``--duration`` seconds: requests per second, p50/p95 latency, errors.

The load generator runs on the same machine as the server, so both share its CPUs.
Prints JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from common import copy_db, has_table, pct, remove_db

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
SCALE_PERSONS = {"small": 3_000, "province": 50_000, "national": 1_000_000}






def _persons(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return int(con.execute("SELECT count(*) FROM registry_person").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0




def prepare(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """Choose, copy or build the database; set up Django. Returns what was done and the URL."""
    BENCH.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MOWAKABA_VAR", str(BENCH))
    os.environ["HTTPS"] = "0"
    os.environ["MOWAKABA_PLAIN_STATIC"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mowakaba.settings")
    info: dict[str, Any] = {}
    plan = "reuse"
    if os.environ.get("DATABASE_URL") and not args.db:
        url = os.environ["DATABASE_URL"]
        plan = "rebuild" if args.rebuild or args.fresh else "check"
    else:
        db = Path(args.db) if args.db else BENCH / f"casework-{args.scale}.sqlite3"
        url = f"sqlite:///{db.resolve()}"
        os.environ["DATABASE_URL"] = url
        registry_db = BENCH / "registry.sqlite3"
        if args.rebuild or args.fresh:
            remove_db(db)
        if has_table(db, "cases_case"):
            plan = "reuse"
        elif (args.scale == "national" and not args.rebuild and registry_db.exists()
              and _persons(registry_db) >= SCALE_PERSONS["national"]):
            remove_db(db)
            info["copy_seconds"] = copy_db(registry_db, db)  # a consistent copy, WAL included
            info["copied_from"] = str(registry_db.relative_to(ROOT))
            plan = "casework-only"
        else:
            remove_db(db)
            plan = "rebuild"
        info["database_file"] = str(db)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mowakaba.cases.models import Case

    if plan == "check":
        call_command("migrate", verbosity=0)
        plan = "reuse" if Case.objects.exists() else "rebuild"
    if plan == "rebuild" and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    info["migrate_seconds"] = round(time.perf_counter() - t, 1)

    def say(msg: str) -> None:
        print(f"  {msg}", file=sys.stderr, flush=True)

    if plan == "rebuild":
        from mowakaba.demo.services import generate

        t = time.perf_counter()
        counts = generate(args.scale, progress=say)
        info["generate_seconds"] = round(time.perf_counter() - t, 1)
        info["generated"] = counts
    elif plan == "casework-only":
        from mowakaba.audit.services import journal_write
        from mowakaba.demo.casework import generate_casework

        counts = generate_casework(progress=say)
        info["generated"] = counts
        journal_write(actor=None, action="demo.generate", object_type="demo",
                      object_repr=f"casework on scale={args.scale}", changes=counts)
    info["database"] = plan
    return info, url


def rows_now() -> dict[str, int]:
    from django.utils import timezone

    from mowakaba.cases.models import Approval, Case, ListeningSession, Task
    from mowakaba.referrals.models import Referral
    from mowakaba.registry.models import Person

    now = timezone.now()
    return {
        "persons": Person.objects.count(),
        "cases": Case.objects.count(),
        "open_cases": Case.objects.filter(closed_at__isnull=True).count(),
        "cases_opened_last_365_days": Case.objects.filter(opened_at__gte=now - timezone.timedelta(days=365)).count(),
        "listening_sessions": ListeningSession.objects.count(),
        "tasks": Task.objects.count(),
        "open_tasks": Task.objects.filter(done_at__isnull=True, cancelled=False).count(),
        "referrals": Referral.objects.count(),
        "pending_approvals": Approval.objects.filter(decision=Approval.Decision.PENDING).count(),
    }


def personas(n: int) -> list[dict[str, Any]]:
    """agent.casa, then in each of the provinces with the most open cases the agent holding the
    most open cases there (a heavy but real caseload)."""
    from django.db.models import Count

    from mowakaba.accounts.models import Assignment, Role, User
    from mowakaba.cases.models import Case, Task

    agents = set(Assignment.objects.filter(role=Role.AGENT).values_list("user_id", flat=True))
    rows = (Case.objects.filter(closed_at__isnull=True, agent__isnull=False)
            .values_list("agent_id", "establishment__commune__province_id", "establishment__commune__province__name_fr")
            .annotate(n=Count("pk")).order_by("-n"))
    by_province: dict[int, tuple[int, str, int]] = {}
    province_total: dict[int, int] = {}
    for agent_id, province, name, count in rows:
        province_total[province] = province_total.get(province, 0) + count
        if agent_id in agents and province not in by_province:
            by_province[province] = (agent_id, name, count)
    chosen: list[tuple[int, str]] = []
    casa = User.objects.filter(username="agent.casa").values_list("pk", flat=True).first()
    if casa is not None:
        chosen.append((casa, "Casablanca (demo persona)"))
    for province in sorted(province_total, key=lambda p: -province_total[p]):
        if len(chosen) >= n:
            break
        if province in by_province and by_province[province][0] not in {c[0] for c in chosen}:
            chosen.append((by_province[province][0], by_province[province][1]))
    out = []
    for user_id, where in chosen:
        open_cases = list(Case.objects.filter(agent_id=user_id, closed_at__isnull=True)
                          .order_by("pk").values_list("pk", flat=True))
        out.append({"user_id": user_id, "username": User.objects.get(pk=user_id).username, "province": where,
                    "open_cases": len(open_cases),
                    "open_tasks": Task.objects.filter(assignee_id=user_id, done_at__isnull=True,
                                                      cancelled=False).count(),
                    "case_ids": open_cases})
    return out


def server_time(people: list[dict[str, Any]], requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from mowakaba.accounts.models import User

    setup_test_environment()
    rng = random.Random(5)
    clients = []
    for p in people:
        c = Client()
        c.force_login(User.objects.get(pk=p["user_id"]))
        clients.append(c)
    targets = {
        "task_list": lambda i: "/cases/tasks/",
        "case_page": lambda i: f"/cases/{rng.choice(people[i]['case_ids'])}/",
        "api_tasks_mine": lambda i: "/api/cases/tasks/mine",
    }
    out: dict[str, Any] = {}
    for label, url_for in targets.items():
        timings: list[float] = []
        statuses: dict[int, int] = {}
        queries: list[int] = []
        for c in clients[:1]:
            c.get(url_for(0))  # warm caches (templates, translations) once per target
        for i in range(requests):
            k = i % len(clients)
            url = url_for(k)
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = clients[k].get(url)
                timings.append((time.perf_counter() - start) * 1000)
            queries.append(len(ctx.captured_queries))
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        out[label] = {"requests": requests, "p50_ms": round(statistics.median(timings), 1),
                      "p95_ms": round(pct(timings, 95), 1), "max_ms": round(max(timings), 1),
                      "queries_max": max(queries), "statuses": statuses}
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _session_cookie(user_id: int) -> str:
    from django.conf import settings
    from django.test import Client

    from mowakaba.accounts.models import User

    c = Client()
    c.force_login(User.objects.get(pk=user_id))
    return f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"


def _session_cpu_seconds(sid: int) -> float:
    """CPU time (user + system) of every process in a session: gunicorn's master and workers."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # field 6 of stat: the session id
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def load(people: list[dict[str, Any]], *, url: str, workers: int, concurrency: int, duration: float
         ) -> dict[str, Any]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "HTTPS": "0", "MOWAKABA_PLAIN_STATIC": "1",
           "DJANGO_SETTINGS_MODULE": "mowakaba.settings"}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    cmd = [gunicorn, "mowakaba.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", "4", "--log-level", "warning", "--graceful-timeout", "5"]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/accounts/login/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        cookies = [_session_cookie(p["user_id"]) for p in people]
        lock = threading.Lock()
        latencies: dict[str, list[float]] = {"task_list": [], "case_page": []}
        errors: dict[str, int] = {}
        stop_at = time.monotonic() + duration

        def client(k: int) -> None:
            rng = random.Random(k)
            person = people[k % len(people)]
            headers = {"Cookie": cookies[k % len(people)], "Host": "127.0.0.1"}
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            n = 0
            while time.monotonic() < stop_at:
                label = "task_list" if n % 2 == 0 else "case_page"
                path = "/cases/tasks/" if label == "task_list" else f"/cases/{rng.choice(person['case_ids'])}/"
                n += 1
                start = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    elapsed = (time.perf_counter() - start) * 1000
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    continue
                with lock:
                    if status == 200:
                        latencies[label].append(elapsed)
                    else:
                        errors[str(status)] = errors.get(str(status), 0) + 1
            conn.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(concurrency)]
        started = time.monotonic()
        cpu_server, cpu_clients = _session_cpu_seconds(server.pid), time.process_time()
        load_before = os.getloadavg()[0]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.monotonic() - started
        cpu_server = _session_cpu_seconds(server.pid) - cpu_server
        cpu_clients = time.process_time() - cpu_clients
        every = latencies["task_list"] + latencies["case_page"]
        n = max(1, len(every) + sum(errors.values()))
        return {
            "server": f"gunicorn, {workers} workers x 4 threads", "clients": concurrency,
            "seconds": round(elapsed, 1), "requests_ok": len(every), "errors": errors,
            "rps": round(len(every) / elapsed, 1),
            "p50_ms": round(statistics.median(every), 1) if every else None,
            "p95_ms": round(pct(every, 95), 1),
            # What the machine gave: CPU seconds per wall second, for the server and for this
            # process's client threads; the rest went to other processes of the machine.
            "server_cpu_ms_per_request": round(cpu_server * 1000 / n, 1),
            "server_cpus_busy": round(cpu_server / elapsed, 2),
            "client_cpus_busy": round(cpu_clients / elapsed, 2),
            "machine_load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "by_page": {k: {"requests": len(v), "p50_ms": round(statistics.median(v), 1) if v else None,
                            "p95_ms": round(pct(v, 95), 1)} for k, v in latencies.items()},
        }
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="province", choices=list(SCALE_PERSONS))
    ap.add_argument("--db", default="", help="SQLite file to use (reused when it holds casework)")
    ap.add_argument("--fresh", action="store_true",
                    help="do not reuse a casework database (national: casework on a copy of the registry's)")
    ap.add_argument("--rebuild", action="store_true", help="build the whole database from scratch")
    ap.add_argument("--requests", type=int, default=120, help="in-process requests per target")
    ap.add_argument("--agents", type=int, default=6, help="agent personas, from different provinces")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (4 threads each)")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent clients for the load test")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    ap.add_argument("--no-load", action="store_true", help="skip the gunicorn load test")
    ap.add_argument("--output", default="")
    args = ap.parse_args()

    info, url = prepare(args)
    from django.db import connection

    people = personas(args.agents)
    report: dict[str, Any] = {
        "benchmark": "casework",
        "scale": args.scale,
        "database": connection.vendor,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "setup": info,
        "rows": rows_now(),
        "agents": [{k: v for k, v in p.items() if k != "case_ids"} for p in people],
        "server_time": server_time(people, args.requests),
    }
    if not args.no_load:
        connection.close()
        report["load"] = load(people, url=url, workers=args.workers, concurrency=args.concurrency,
                              duration=args.duration)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")


if __name__ == "__main__":
    main()
