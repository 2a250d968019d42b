"""Vigilance benchmark: indicator refresh, dashboards, alert tick and report at a stated scale.

    .venv/bin/python benchmarks/vigilance.py --scale national [--db var/bench/vigilance-national.sqlite3]

The database is var/bench/vigilance-SCALE.sqlite3 (or ``--db``, or the PostgreSQL of
DATABASE_URL). It is reused when it already holds records (``--fresh`` drops it). Otherwise it
is a copy of the programmes benchmark's database of that scale (or the casework one), which
holds the national demo's people, cases, tasks, referrals, enrolments and training; or, when
there is none, the whole demo at that scale.

Measured:

* ``refresh_full``: every measure recomputed for every month since the first record (what the
  "Recompute all figures" job does), with the time of each measure;
* ``refresh_recent``: the current and previous month (what ``mowakaba serve`` does every five
  minutes);
* dashboards, server time in process (Django's test client), p50/p95 over ``--requests``
  requests each, rotating over indicators and periods: national (head office), region
  (coordinator of Casablanca-Settat), province (delegate of Casablanca), establishment (manager);
* ``alerts_tick``: all alert rules over the whole country;
* ``report``: an authority report (PDF and Excel) for the country and for a province.

Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

from common import copy_db, has_table, remove_db, run_get

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
INDICATORS = ["beneficiaries", "beneficiaries_per_1000", "cases_opened", "referral_completion_rate",
              "followups_on_time_rate", "sessions", "enrolments", "occupancy_rate"]
PERIODS = ["12m", "ytd", "last_year", "month"]








def prepare(args: argparse.Namespace) -> dict[str, Any]:
    BENCH.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MOWAKABA_VAR", str(BENCH))
    os.environ["HTTPS"] = "0"
    os.environ["MOWAKABA_PLAIN_STATIC"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mowakaba.settings")
    info: dict[str, Any] = {}
    plan = "check"
    if not (os.environ.get("DATABASE_URL") and not args.db):
        db = Path(args.db) if args.db else BENCH / f"vigilance-{args.scale}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{db.resolve()}"
        if args.fresh:
            remove_db(db)
        if has_table(db, "cases_case"):
            plan = "reuse"
        else:
            source = next((s for s in (BENCH / f"programs-{args.scale}.sqlite3",
                                       BENCH / f"casework-{args.scale}.sqlite3") if has_table(s, "cases_case")), None)
            remove_db(db)
            if source is not None:
                info["copy_seconds"] = copy_db(source, db)
                info["copied_from"] = str(source.relative_to(ROOT))
                plan = "copied"
            else:
                plan = "rebuild"
        info["database_file"] = str(db)

    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    info["migrate_seconds"] = round(time.perf_counter() - t, 1)
    from mowakaba.cases.models import Case

    if plan == "check":
        plan = "reuse" if Case.objects.exists() else "rebuild"

    def say(msg: str) -> None:
        print(f"  {msg}", file=sys.stderr, flush=True)

    if plan == "rebuild":
        from mowakaba.demo.services import generate

        t = time.perf_counter()
        info["generated"] = generate(args.scale, progress=say)
        info["generate_seconds"] = round(time.perf_counter() - t, 1)
    try:  # the action plan of the demo, when the database predates it
        from mowakaba.demo.planning import generate_plan
        from mowakaba.planning.models import ActionPlan

        if not ActionPlan.objects.exists():
            info["plan"] = generate_plan(seed=7, progress=say)
    except ImportError:
        pass
    from mowakaba.territory.models import CensusProfile

    if not CensusProfile.objects.exists():  # a database made before the census load existed
        from mowakaba.territory.need import census_load

        t = time.perf_counter()
        info["census"] = census_load()
        info["census_seconds"] = round(time.perf_counter() - t, 1)
    info["database"] = plan
    return info


def rows_now() -> dict[str, int]:
    from mowakaba.cases.models import Case, ListeningSession, Task
    from mowakaba.programs.models import Enrolment
    from mowakaba.referrals.models import Referral
    from mowakaba.registry.models import Person
    from mowakaba.territory.models import OrgUnit
    from mowakaba.vigilance.models import Fact

    return {
        "persons": Person.objects.count(),
        "establishments": OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT).count(),
        "listening_sessions": ListeningSession.objects.count(),
        "cases": Case.objects.count(),
        "tasks": Task.objects.count(),
        "referrals": Referral.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "facts": Fact.objects.count(),
    }


def refresh_times() -> dict[str, Any]:
    from mowakaba.vigilance.refresh import refresh_full, refresh_recent

    t = time.perf_counter()
    full = refresh_full()
    full_s = time.perf_counter() - t
    t = time.perf_counter()
    recent = refresh_recent()
    recent_s = time.perf_counter() - t
    return {"refresh_full": {"seconds": round(full_s, 1), "facts": full.rows,
                             "months": f"{full.first_period:%Y-%m}..{full.last_period:%Y-%m}",
                             "per_measure_seconds": full.timings},
            "refresh_recent": {"seconds": round(recent_s, 2), "facts": recent.rows}}




def dashboard_times(requests: int) -> dict[str, Any]:
    from django.test import Client

    from mowakaba.accounts.models import User
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.vigilance import selectors

    out: dict[str, Any] = {}
    for label, username in (("national", "headoffice"), ("region", "coordinator.casa"),
                            ("province", "delegate.casa"), ("establishment", "manager.casa")):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        level, pk = selectors.default_territory(scope_for_user(user))
        base = {"N": "/vigilance/n/", "R": f"/vigilance/r/{pk}/", "P": f"/vigilance/p/{pk}/",
                "E": f"/vigilance/e/{pk}/"}[level]
        client = Client()
        client.force_login(user)
        urls = [f"{base}?period={PERIODS[i % len(PERIODS)]}&ind={ind}" for i, ind in enumerate(INDICATORS * 2)]
        out[label] = {"url": base, **run_get(client, urls, requests)}
    return out


def coverage_times(requests: int) -> dict[str, Any]:
    """Issue 7: people served per need group (the refresh), then the coverage pages: the
    national table with the province map, a region with its communes' map, the commune-level
    vulnerability map of the whole country, and a siting page."""
    from django.test import Client

    from mowakaba.accounts.models import User
    from mowakaba.territory.models import Commune, Region
    from mowakaba.vigilance.coverage import coverage_refresh

    t = time.perf_counter()
    counts = coverage_refresh()
    out: dict[str, Any] = {"coverage_refresh": {"seconds": round(time.perf_counter() - t, 1),
                                                "rows": counts.get("rows", counts)}}
    region = Region.objects.get(code="06").pk
    commune = Commune.objects.filter(province__code="06.141").order_by("code").first()
    groups = ["disability", "age_60", "children_out_of_school", "illiterate_women"]
    targets = {
        "coverage_national": ("headoffice", [f"/vigilance/coverage/?group={g}" for g in groups]),
        "coverage_region_communes": ("coordinator.casa",
                                     [f"/vigilance/coverage/?group={g}&level=R&id={region}" for g in groups]),
        "vulnerability_communes_national": ("headoffice", ["/vigilance/coverage/vulnerability/?level=C"]),
        "siting": ("headoffice", [f"/vigilance/coverage/siting/{commune.pk}/" if commune else "/"]),
    }
    for label, (username, urls) in targets.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        out[label] = {"url": urls[0], **run_get(client, urls, requests)}
    return out


def alerts_time() -> dict[str, Any]:
    try:
        from mowakaba.vigilance.alerts import alerts_tick
    except ImportError:
        return {}
    t = time.perf_counter()
    counts = alerts_tick()
    return {"seconds": round(time.perf_counter() - t, 1), "counts": counts}


def report_time() -> dict[str, Any]:
    """An authority report's content, PDF and Excel, for the country and for Casablanca, in Arabic."""
    from django.utils import timezone, translation

    from mowakaba.accounts.scope import SYSTEM
    from mowakaba.territory.models import Province
    from mowakaba.vigilance import reports
    period = reports.Period.parse(str(timezone.localdate().year - 1))  # last calendar year
    out: dict[str, Any] = {}
    for label, level, pk in (("national", "N", None), ("province", "P", Province.objects.get(code="06.141").pk)):
        with translation.override("ar"):
            t = time.perf_counter()
            report = reports.build_report(SYSTEM, level, pk, period, language="ar")
            content = time.perf_counter() - t
            t = time.perf_counter()
            pdf = reports.report_pdf(report, printed_by="bench")
            pdf_s = time.perf_counter() - t
            t = time.perf_counter()
            xlsx = reports.report_xlsx(report)
            xlsx_s = time.perf_counter() - t
        out[label] = {"content_seconds": round(content, 2), "pdf_seconds": round(pdf_s, 2),
                      "xlsx_seconds": round(xlsx_s, 2), "total_seconds": round(content + pdf_s + xlsx_s, 2),
                      "pdf_kb": len(pdf) // 1024, "xlsx_kb": len(xlsx) // 1024}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="province", choices=["small", "province", "national"])
    ap.add_argument("--db", default="", help="SQLite file to use (reused when it holds records)")
    ap.add_argument("--fresh", action="store_true", help="start again from a copy of the programmes database")
    ap.add_argument("--requests", type=int, default=60, help="in-process requests per dashboard")
    ap.add_argument("--output", default="")
    ap.add_argument("--skip-refresh", action="store_true", help="keep the facts as they are (no refresh timing)")
    ap.add_argument("--only-coverage", action="store_true", help="only the coverage refresh and pages (issue 7)")
    args = ap.parse_args()

    info = prepare(args)
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    report: dict[str, Any] = {
        "benchmark": "vigilance",
        "scale": args.scale,
        "database": connection.vendor,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "setup": info,
    }

    def save() -> str:
        report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
        if args.output:  # after every phase: a long run that fails later keeps what it measured
            Path(args.output).write_text(text + "\n")
        return text

    if args.only_coverage:
        report["coverage"] = coverage_times(args.requests)
        print(save())
        return
    if not args.skip_refresh:
        report.update(refresh_times())
        save()
    report["rows"] = rows_now()
    report["dashboards"] = dashboard_times(args.requests)
    save()
    report["report"] = report_time()
    save()
    report["coverage"] = coverage_times(args.requests)
    save()
    report["alerts_tick"] = alerts_time()
    print(save())


if __name__ == "__main__":
    main()
