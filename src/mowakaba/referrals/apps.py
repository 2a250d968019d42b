from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "mowakaba.referrals"
    label = "referrals"
    verbose_name = _("Orientation")

    def ready(self) -> None:
        # The receiving establishment sees the person it was sent, while the referral is live.
        from mowakaba.referrals.models import Referral
        from mowakaba.registry.models import PERSON_REACH
        from mowakaba.registry.services import MOVABLE

        # A merge of two person records carries their referrals to the kept record.
        MOVABLE.append((Referral, "person"))

        PERSON_REACH.append(
            ("referrals.Referral", "person", "to_establishment", {"status__in": ["sent", "accepted", "completed"]})
        )
