from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "mowakaba.cases"
    label = "cases"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from mowakaba.cases.models import Case, ListeningSession
        from mowakaba.registry.models import PERSON_REACH
        from mowakaba.registry.services import MOVABLE

        # A person is also visible to those who hold one of their cases, and to the receiving
        # side of a pending transfer of it (see registry.models.person_reach_q).
        PERSON_REACH.append(("cases.Case", "person", "establishment", {}))
        PERSON_REACH.append(("cases.Transfer", "case__person", "to_establishment", {"status": "pending"}))
        # A merge of two person records carries their casework to the kept record.
        MOVABLE.extend([(ListeningSession, "person"), (Case, "person")])
