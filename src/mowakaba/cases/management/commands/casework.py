"""`mowakaba casework tick`: the periodic deadline check (escalations, reminders, overdue tasks).

Idempotent: run it from cron every few minutes, or let `mowakaba serve` run it with `--every`.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand

from mowakaba.audit.services import origin
from mowakaba.cases.services import tick


class Command(BaseCommand):
    help = ("Casework housekeeping. `tick`: escalate missed deadlines of extreme cases, remind unanswered "
            "referrals, notify overdue follow-ups; each once. `--every SECONDS` repeats until stopped.")

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
