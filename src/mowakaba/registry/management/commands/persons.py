from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from mowakaba.accounts.cli import add_scope_arguments, resolve_scope
from mowakaba.audit.services import origin
from mowakaba.registry.importer import persons_import


class Command(BaseCommand):
    help = ("Persons. `import FILE.csv --establishment CODE (--as-user NAME | --system)`: bulk import; rows in "
            "error are reported on stderr with their line and reason, the rest is imported.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument("file")
        parser.add_argument("--establishment", required=True, help="establishment code (see `establishments list`)")
        add_scope_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor, scope = resolve_scope(options, required=False)
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"no such file: {path}")

        def progress(done: int, line: int) -> None:
            sys.stderr.write(f"\r  {done:,} imported (line {line:,})")
            sys.stderr.flush()

        try:
            with origin("cli"):
                result = persons_import(actor=actor, scope=scope, path=path,
                                        establishment_code=options["establishment"], progress=progress)
        except Http404 as exc:
            raise CommandError(str(exc) or "establishment not found in your territory") from exc
        sys.stderr.write("\n")
        for line, reason in result.errors:
            self.stderr.write(f"line {line}: {reason}")
        self.stdout.write(f"{result.imported} imported, {len(result.errors)} rows in error, {result.seconds} s")
