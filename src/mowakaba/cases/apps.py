from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "mowakaba.cases"
    label = "cases"
    verbose_name = _("Casework")

    def ready(self) -> None:
        # A person is also visible to those who hold one of their cases (see registry.models).
        from mowakaba.registry.models import PERSON_REACH

        PERSON_REACH.append(("cases.Case", "person", "establishment", {}))
        PERSON_REACH.append(("cases.Transfer", "case__person", "to_establishment", {"status": "pending"}))
