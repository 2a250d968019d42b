"""`mowakaba serve`: the web server and a background worker, side by side, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform on 127.0.0.1:$PORT (default 8000) with gunicorn, plus one db_worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        env = dict(os.environ)
        # Plain HTTP on loopback: no HTTPS redirect or secure-only cookies for this server.
        env.setdefault("HTTPS", "0")
        env.setdefault("DJANGO_SETTINGS_MODULE", "mowakaba.settings")
        bind = f"{options['host']}:{options['port']}"
        web = [sys.executable, "-m", "gunicorn", "mowakaba.wsgi:application", "--bind", bind,
               "--workers", str(options["workers"]), "--threads", "4", "--access-logfile", "-",
               "--graceful-timeout", "5"]
        procs = [subprocess.Popen(web, env=env)]
        if not options["no_worker"]:
            worker = [sys.executable, "-m", "mowakaba", "db_worker", "--interval", "1"]
            procs.append(subprocess.Popen(worker, env=env))
            # Casework deadlines: escalations and reminders every five minutes (idempotent).
            ticker = [sys.executable, "-m", "mowakaba", "casework", "tick", "--every", "300"]
            procs.append(subprocess.Popen(ticker, env=env, stdout=subprocess.DEVNULL))
            # Partner conventions: calendar statuses and late-report reminders, hourly (idempotent).
            partners = [sys.executable, "-m", "mowakaba", "partners", "tick", "--every", "3600"]
            procs.append(subprocess.Popen(partners, env=env, stdout=subprocess.DEVNULL))
            # Vigilance: this month's and last month's counts, then the alert rules, every five minutes.
            vigilance = [sys.executable, "-m", "mowakaba", "vigilance", "tick", "--every", "300"]
            procs.append(subprocess.Popen(vigilance, env=env, stdout=subprocess.DEVNULL))
        self.stdout.write(self.style.SUCCESS(f"Mowakaba is at http://{bind}/  (Ctrl-C to stop)"))

        def stop(*_: Any) -> None:
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                try:
                    procs[0].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
