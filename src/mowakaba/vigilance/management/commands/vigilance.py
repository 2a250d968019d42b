"""`mowakaba vigilance <action>`: social-vigilance commands.

`detect --input counts.csv` (a stable, machine interface): reads `unit,period_start,count` (one row
per unit and ISO week, period_start = the week's Monday) and writes to stdout
`unit,period_start,count,expected,score`, one row per week where the surge detector raises an
alarm, sorted by unit then week. Same detector as the live alerts (`vigilance/detector.py`); no
database is touched. Bad input: a message on stderr naming the line, exit status 2, nothing on stdout.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Social vigilance. `detect`: statistical surge detection on weekly counts from a CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        detect = sub.add_parser(
            "detect", help="alarm weeks of weekly counts per unit (CSV in, CSV out)",
            description="Read unit,period_start,count; write unit,period_start,count,expected,score "
                        "for each alarm week, sorted by unit then week.")
        detect.add_argument("--input", required=True, help="CSV file of counts, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"handle_{action}")(**options)

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
