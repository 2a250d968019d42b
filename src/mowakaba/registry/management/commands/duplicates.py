from __future__ import annotations

import csv
import sys
from typing import Any

from django.core.management.base import BaseCommand

from mowakaba.audit.services import journal_write, origin
from mowakaba.registry.duplicates import scan
from mowakaba.registry.models import DuplicatePair


class Command(BaseCommand):
    help = ("Duplicates. `scan`: the same scan as the background job, with its progress on the terminal. "
            "`export --output pairs.csv`: record_id_a,record_id_b,score for every pair proposed at the default "
            "threshold (external references, or record numbers when a record has none).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["scan", "export"])
        parser.add_argument("--output", default="-")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "scan":
            def progress(done: int, total: int, message: str) -> None:
                if total:
                    sys.stderr.write(f"\r  {message}: {done:,}/{total:,} ({done * 100 // max(total, 1)}%)")
                else:
                    sys.stderr.write(f"\n  {message}")
                sys.stderr.flush()

            with origin("cli"):
                result = scan(progress=progress)
                journal_write(actor=None, action="duplicates.scan", object_type="registry.duplicatepair",
                              changes=result)
            sys.stderr.write("\n")
            self.stdout.write(f"{result['compared']} pairs compared, {result['proposed']} proposed, "
                              f"{result['seconds']} s")
            return
        # stdout or a file the command closes itself
        out = sys.stdout if options["output"] == "-" else open(  # noqa: SIM115
            options["output"], "w", newline="", encoding="utf-8")
        try:
            writer = csv.writer(out)
            writer.writerow(["record_id_a", "record_id_b", "score"])
            pairs = (DuplicatePair.objects.exclude(status=DuplicatePair.Status.NOT_SAME)
                     .values_list("left_id", "left__external_ref", "right_id", "right__external_ref", "score")
                     .order_by("-score", "left_id", "right_id"))
            for lid, lref, rid, rref, score in pairs.iterator(chunk_size=5000):
                writer.writerow([lref or f"MWK-{lid:07d}", rref or f"MWK-{rid:07d}", f"{score:.4f}"])
        finally:
            if out is not sys.stdout:
                out.close()
        with origin("cli"):
            journal_write(actor=None, action="duplicates.export", object_type="registry.duplicatepair",
                          kind="export", changes={"output": options["output"]})
