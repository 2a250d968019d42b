"""`mowakaba vigilance <action>`: social-vigilance commands.

`detect --input counts.csv` (a stable, machine interface): reads `unit,period_start,count` (one row
per unit and ISO week, period_start = the week's Monday) and writes to stdout
`unit,period_start,count,expected,score`, one row per week where the surge detector raises an
alarm, sorted by unit then week. Same detector as the live alerts (`vigilance/detector.py`); no
database is touched. Bad input: a message on stderr naming the line, exit status 2, nothing on stdout.
"""

from __future__ import annotations

import io
import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("Social vigilance. `detect`: statistical surge detection on weekly counts from a CSV; `refresh`: the "
            "pre-aggregated counts; `tick`: recent counts and the alert rules.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        detect = sub.add_parser(
            "detect", help="alarm weeks of weekly counts per unit (CSV in, CSV out)",
            description="Read unit,period_start,count; write unit,period_start,count,expected,score "
                        "for each alarm week, sorted by unit then week.")
        detect.add_argument("--input", required=True, help="CSV file of counts, or - for standard input")
        refresh = sub.add_parser(
            "refresh", help="recompute the pre-aggregated counts behind the dashboards",
            description="By default the current and previous month; --full rebuilds every month since the first "
                        "record; --if-empty does a full rebuild only when nothing was ever computed.")
        refresh.add_argument("--full", action="store_true", help="every month since the first record")
        refresh.add_argument("--if-empty", action="store_true", help="a full rebuild only if never computed")
        tick = sub.add_parser(
            "tick", help="recent months' counts, then every alert rule (idempotent; `serve` runs it)",
            description="Refresh the current and previous month (or everything the first time), then run the "
                        "alert rules once; with --every N, again every N seconds.")
        tick.add_argument("--every", type=int, default=0, help="repeat every N seconds (0: once)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"handle_{action}")(**options)

    def handle_refresh(self, *, full: bool = False, if_empty: bool = False, **options: Any) -> None:
        from mowakaba.vigilance.models import RefreshRun
        from mowakaba.vigilance.refresh import refresh_full, refresh_recent

        if if_empty and RefreshRun.objects.filter(finished_at__isnull=False).exists():
            self.stdout.write("already computed")
            return

        def progress(done: int, total: int, measure: str) -> None:
            if measure:
                self.stderr.write(f"  {done + 1}/{total} {measure}")

        run = refresh_full(progress=progress) if (full or if_empty) else refresh_recent(progress=progress)
        from mowakaba.vigilance.coverage import coverage_refresh

        coverage_refresh()  # people served per need group, by commune of residence (issue 7)
        seconds = round(sum(run.timings.values()), 1)
        self.stdout.write(json.dumps({"kind": run.kind, "facts": run.rows, "seconds": seconds,
                                      "months": f"{run.first_period}..{run.last_period}"}))

    def handle_tick(self, *, every: int = 0, **options: Any) -> None:
        from mowakaba.audit.services import origin
        from mowakaba.vigilance.alerts import alerts_tick
        from mowakaba.vigilance.coverage import coverage_refresh
        from mowakaba.vigilance.models import RefreshRun
        from mowakaba.vigilance.refresh import refresh_full, refresh_recent

        every = max(0, int(every))
        while True:
            with origin("job"):
                first = not RefreshRun.objects.filter(finished_at__isnull=False).exists()
                run = refresh_full() if first else refresh_recent()
                if first or _coverage_is_old():
                    coverage_refresh()
                counts = alerts_tick()
            self.stdout.write(json.dumps({"refresh": run.kind, "facts": run.rows, "alerts": counts}))
            self.stdout.flush()
            if not every:
                return
            time.sleep(every)

    def handle_detect(self, *, input: str, **options: Any) -> None:
        # Imported here: the detector is plain Python and `detect` must not need anything else.
        from mowakaba.vigilance.detector import DetectorInputError, detect_csv

        buffer = io.StringIO()
        try:
            if input == "-":
                stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
                detect_csv(stdin, buffer)
            else:
                with open(input, encoding="utf-8-sig", newline="") as stream:
                    detect_csv(stream, buffer)
        except OSError as exc:
            raise CommandError(f"cannot read {input}: {exc.strerror or exc}", returncode=2) from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{input}: not UTF-8 text ({exc.reason})", returncode=2) from None
        except DetectorInputError as exc:
            raise CommandError(f"{input}: {exc}", returncode=2) from None
        # Written only once the whole input has been read and checked: no partial output.
        self.stdout.write(buffer.getvalue(), ending="")


def _coverage_is_old() -> bool:
    """Coverage counts people over a year: once an hour is often enough (18 s at the national scale)."""
    from datetime import timedelta

    from django.utils import timezone

    from mowakaba.vigilance.coverage import computed_at

    at = computed_at()
    return at is None or timezone.now() - at > timedelta(hours=1)
