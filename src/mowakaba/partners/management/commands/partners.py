"""`mowakaba partners tick`: statuses that follow the calendar, and reminders of late reports.

Idempotent: run it from cron, or let `mowakaba serve` run it with `--every`.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand

from mowakaba.audit.services import origin
from mowakaba.partners.services import tick


class Command(BaseCommand):
    help = ("Partner conventions housekeeping. `tick`: move signed conventions to running on their start date, "
            "close ended ones whose reports are all in, remind once about each late report.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["tick"])
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds (0: once)")

    def handle(self, *args: Any, **options: Any) -> None:
        every = max(0, int(options["every"]))
        while True:
            with origin("job"):
                counts = tick()
            self.stdout.write(json.dumps(counts))
            self.stdout.flush()
            if not every:
                return
            time.sleep(every)
