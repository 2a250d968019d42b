from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mowakaba.audit.services import origin
from mowakaba.demo.services import DEMO_LOGINS, DEMO_PASSWORD, SCALES, generate
from mowakaba.territory.models import OrgUnit


class Command(BaseCommand):
    help = "Build a synthetic institution (structure, partners, staff) at a given scale."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            self.print_logins()
            return
        if OrgUnit.objects.exists():
            if options["if_empty"]:
                self.stdout.write("the database already has data; demo data not loaded")
                self.print_logins()
                return
            raise CommandError("the database already has an institution; use a fresh database for demo data")
        with origin("cli"):
            counts = generate(options["scale"], seed=options["seed"],
                              progress=lambda msg: self.stdout.write(f"  … {msg}"))
        self.stdout.write(self.style.SUCCESS(
            "demo institution built: " + ", ".join(f"{v} {k}" for k, v in counts.items())
        ))
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write("\nDemo logins (password for all: " + DEMO_PASSWORD + "):")
        for username, role, _where, note in DEMO_LOGINS:
            self.stdout.write(f"  {username:<18} {role.label!s:<28} {note}")
