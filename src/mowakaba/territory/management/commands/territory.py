from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mowakaba.audit.services import journal_write, origin
from mowakaba.territory.services import territory_load_reference


class Command(BaseCommand):
    help = "Territory reference data. `territory load` loads or refreshes regions, provinces and communes (HCP)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["load"])

    def handle(self, *args: Any, **options: Any) -> None:
        with origin("cli"):
            counts = territory_load_reference()
            journal_write(actor=None, action="territory.load", object_type="territory.region", changes=counts)
        self.stdout.write(
            f"loaded {counts['regions']} regions, {counts['provinces']} provinces, {counts['communes']} communes "
            "(HCP, RGPH 2024/2014, CC BY 4.0)"
        )
