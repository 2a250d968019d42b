"""Orientation (التوجيه): a case refers its person to an internal establishment or programme, a
partner association's establishment, or an outside service, and sees the answer come back.

The loop: sent → accepted / declined (with a reason) → completed (with an outcome), or revoked
by a supervisor, or expired when nobody answered. When the receiving side has no account (an
outside hospital, a court), the referring agent records its answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mowakaba.cases.models import Case
from mowakaba.core.models import TimeStamped
from mowakaba.registry.models import Person
from mowakaba.territory.models import OrgUnit, PartnerAssociation

if TYPE_CHECKING:
    from mowakaba.accounts.scope import Scope

USER = settings.AUTH_USER_MODEL


class Target(models.TextChoices):
    INTERNAL = "internal", _("An establishment of the institution")
    PARTNER = "partner", _("A partner association")
    EXTERNAL = "external", _("An outside service")


class Sector(models.TextChoices):
    HEALTH = "health", _("Health")
    JUSTICE = "justice", _("Justice")
    SCHOOL = "school", _("Education")
    EMPLOYMENT = "employment", _("Employment (ANAPEC)")
    CIVIL = "civil", _("Civil status and documents")
    SOCIAL = "social", _("Social services")
    SECURITY = "security", _("Police or gendarmerie")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    SERVED = "served", _("Service provided")
    PARTLY = "partly", _("Partly provided")
    ENROLLED = "enrolled", _("Enrolled in a programme")
    ADMITTED = "admitted", _("Admitted to the establishment")
    NOT_SHOWN = "not_shown", _("The person did not come")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible after all")


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, scope: Scope) -> ReferralQuerySet:
        """The sending side (through the case's establishment) and the receiving side."""
        from mowakaba.accounts.scope import Capability, any_of

        return self.filter(any_of(scope.rows_q("from_establishment", Capability.VIEW_PERSONS),
                                  scope.rows_q("to_establishment", Capability.VIEW_PERSONS)))

    def inbox_of(self, scope: Scope) -> ReferralQuerySet:
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q("to_establishment", Capability.VIEW_PERSONS))

    def sent_by(self, scope: Scope) -> ReferralQuerySet:
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q("from_establishment", Capability.VIEW_PERSONS))


class Referral(TimeStamped):
    class State(models.TextChoices):
        SENT = "sent", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")
        REVOKED = "revoked", _("Revoked")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    from_establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="referrals_sent")
    target = models.CharField(_("referred to"), max_length=8, choices=Target.choices)
    to_establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="referrals_received", verbose_name=_("establishment"))
    to_partner = models.ForeignKey(PartnerAssociation, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("partner association"))
    external_service = models.CharField(_("outside service"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices, blank=True)
    need = models.CharField(_("need"), max_length=14, blank=True)
    reason = models.TextField(_("what is asked"))
    status = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SENT)
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"))
    answer_due = models.DateField(_("answer expected by"))
    answered_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    revoked_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The consent that allowed sharing outside the institution (None for internal referrals).
    consent = models.ForeignKey("registry.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ReferralQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["to_establishment", "status", "-sent_at"]),
            models.Index(fields=["from_establishment", "status", "-sent_at"]),
            models.Index(fields=["case", "status"]),
            models.Index(fields=["status", "answer_due"]),
            models.Index(fields=["person"]),
        ]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"REF-{self.pk:07d}" if self.pk else "REF"

    @property
    def number(self) -> str:
        return str(self)

    @property
    def is_live(self) -> bool:
        return self.status in (self.State.SENT, self.State.ACCEPTED)

    @property
    def destination(self) -> str:
        if self.to_establishment_id and self.to_establishment is not None:
            return self.to_establishment.name
        if self.to_partner_id and self.to_partner is not None:
            return self.to_partner.name
        return self.external_service


LIVE_STATES = (Referral.State.SENT, Referral.State.ACCEPTED)
