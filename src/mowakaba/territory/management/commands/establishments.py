from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mowakaba.accounts.cli import add_scope_arguments, resolve_scope
from mowakaba.audit.services import origin
from mowakaba.territory.models import OrgUnit
from mowakaba.territory.services import establishments_import


class Command(BaseCommand):
    help = (
        "Establishments. `list` prints code, type, commune code and name (structure data, not personal); "
        "`import FILE.csv --as-user NAME|--system` creates or updates them, all or nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["list", "import"])
        parser.add_argument("file", nargs="?")
        add_scope_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            _actor, scope = resolve_scope(options, required=False)
            qs = (OrgUnit.objects.visible_to(scope).filter(kind=OrgUnit.Kind.ESTABLISHMENT)
                  .select_related("establishment_type", "commune").order_by("code"))
            self.stdout.write("code\ttype\tcommune\tname_fr\tname_ar")
            for u in qs.iterator(chunk_size=2000):
                self.stdout.write(f"{u.code}\t{u.establishment_type.code if u.establishment_type else ''}\t"
                                  f"{u.commune.code if u.commune else ''}\t{u.name_fr}\t{u.name_ar}")
            return
        if not options["file"]:
            raise CommandError("give the CSV file to import")
        actor, scope = resolve_scope(options)
        with origin("cli"):
            report = establishments_import(actor=actor, scope=scope, data=Path(options["file"]).read_bytes())
        for line, problem in report.errors:
            self.stderr.write(f"line {line}: {problem}")
        if not report.ok:
            raise CommandError(f"{len(report.errors)} row(s) in error; nothing was imported")
        self.stdout.write(f"{report.created} created, {report.updated} updated")
