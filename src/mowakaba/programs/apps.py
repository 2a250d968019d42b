from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "mowakaba.programs"
    label = "programs"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from mowakaba.programs.models import Enrolment
        from mowakaba.registry.models import PERSON_REACH
        from mowakaba.registry.services import MOVABLE

        # A person enrolled in an offering (waiting, admitted or passed through it) is visible to
        # the establishment that runs it (see registry.models.person_reach_q).
        PERSON_REACH.append(("programs.Enrolment", "person", "establishment",
                             {"state__in": ["waiting", "admitted", "exited"]}))
        # A merge of two person records carries their enrolments to the kept record.
        MOVABLE.append((Enrolment, "person"))
