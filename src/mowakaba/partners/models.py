"""Partner associations (their full legal identity) and the conventions the institution signs
with them: tranches of the subsidy, obligations, reports due, evaluation visits.

The association row itself (name, receipt number, seat province, representative, contact) lives
in ``territory`` because an establishment's manager is part of the structure and partner staff
are scoped by it. What only this app needs (receipt date and authority, domains, provinces
covered, bank identity) is a 1:1 ``PartnerProfile`` here: see docs/architecture.md.

A convention's ``status`` is stored so that lists filter on an index, but nothing types it:
``services.convention_refresh`` derives it from dates and actions (``status_from``).

Access (``visible_to``): a convention belongs to the unit of the institution that signed it (a
delegation, a coordination or the head office), so ``scope.rows_q("unit", VIEW_PARTNERS)``
reaches it from that unit up; partner staff reach the conventions of their own association
(``scope.own_partner_q``) and nothing else.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from mowakaba.core.models import TimeStamped
from mowakaba.territory.models import OrgUnit, PartnerAssociation, Province

if TYPE_CHECKING:
    from mowakaba.accounts.scope import Scope

USER = settings.AUTH_USER_MODEL


# ---- RIB (relevé d'identité bancaire, Morocco) ----------------------------------------------


def rib_digits(value: str) -> str:
    return "".join(ch for ch in str(value or "") if not ch.isspace() and ch != "-")


def rib_key(first22: str) -> int:
    """The two-digit key of a Moroccan RIB: 97 - (bank, city and account as one number × 100) mod 97,
    so that the 24 digits read as one number are a multiple of 97."""
    return 97 - (int(first22) * 100) % 97


def validate_rib(value: str) -> None:
    digits = rib_digits(value)
    if not digits:
        return
    if len(digits) != 24 or not digits.isdigit():
        raise ValidationError(_("A RIB has 24 digits: bank (3), city (3), account (16) and key (2)."),
                              code="rib_length")
    if int(digits[22:]) != rib_key(digits[:22]):
        raise ValidationError(_("This RIB's key does not match its digits: check the number."), code="rib_key")


def rib_masked(value: str) -> str:
    """Only the bank code and the last four digits: enough to recognise an account."""
    digits = rib_digits(value)
    if len(digits) != 24:
        return "•" * len(digits)
    return f"{digits[:3]} ••• •••••••••••• {digits[18:22]} ••"


def rib_grouped(value: str) -> str:
    d = rib_digits(value)
    return f"{d[:3]} {d[3:6]} {d[6:22]} {d[22:]}" if len(d) == 24 else d


# ---- the association's identity ----------------------------------------------------------


class Domain(models.TextChoices):
    WOMEN = "women", _("Women's empowerment")
    CHILDHOOD = "childhood", _("Childhood")
    DISABILITY = "disability", _("Disability")
    ELDERLY = "elderly", _("Elderly people")
    SCHOOLING = "schooling", _("School support")
    TRAINING = "training", _("Vocational training")
    LITERACY = "literacy", _("Literacy")
    PRESCHOOL = "preschool", _("Preschool")
    HOMELESS = "homeless", _("Homeless people")
    VIOLENCE = "violence", _("Victims of violence")
    HEALTH = "health", _("Health")


def association_reach_q(scope: Scope) -> models.Q:
    """The associations an actor sees (on ``PartnerAssociation``): those that run an establishment
    in their units, whose seat or covered provinces fall in a delegation they reach, or that are
    party to a convention of their units; partner staff their own association only."""
    from mowakaba.accounts.scope import Capability, any_of

    cap = Capability.VIEW_PARTNERS
    if not scope.can(cap):
        return models.Q(pk__in=[])
    if _partner_only(scope):
        return scope.own_partner_q("pk")
    units = scope.rows_q("pk", cap)
    if not units:  # national or system
        return models.Q()
    reach = OrgUnit.objects.filter(units)
    provinces = Province.objects.filter(delegations__in=reach.filter(kind=OrgUnit.Kind.DELEGATION)).values("pk")
    return any_of(
        scope.own_partner_q("pk"),
        models.Q(pk__in=reach.filter(partner__isnull=False).values("partner_id")),
        models.Q(province_id__in=provinces),
        models.Q(pk__in=PartnerProfile.objects.filter(provinces__in=provinces).values("association_id")),
        models.Q(pk__in=Convention.objects.filter(unit__in=reach.values("pk")).values("association_id")),
    )


def _partner_only(scope: Scope) -> bool:
    from mowakaba.accounts.models import Role

    return bool(scope.grants) and all(g.role == Role.PARTNER_STAFF for g in scope.grants)


def associations_visible_to(scope: Scope) -> models.QuerySet[PartnerAssociation]:
    return PartnerAssociation.objects.filter(association_reach_q(scope))


class PartnerProfile(TimeStamped):
    """What completes an association's legal identity, one row per association."""

    association = models.OneToOneField(PartnerAssociation, on_delete=models.CASCADE, related_name="profile",
                                       verbose_name=_("partner association"))
    receipt_date = models.DateField(_("registration receipt date"), null=True, blank=True)
    receipt_authority = models.CharField(_("authority that issued the receipt"), max_length=200, blank=True,
                                         help_text=_("The local authority that delivered the final receipt."))
    representative_role = models.CharField(_("representative's office"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    domains: models.JSONField[Any, Any] = models.JSONField(_("domains of action"), default=list, blank=True)
    provinces = models.ManyToManyField(Province, blank=True, related_name="+", verbose_name=_("territory covered"))
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    rib = models.CharField(_("RIB"), max_length=24, blank=True, validators=[validate_rib])
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("association profile")
        verbose_name_plural = _("association profiles")

    def __str__(self) -> str:
        return str(self.association)

    def domain_labels(self) -> list[str]:
        labels = dict(Domain.choices)
        return [str(labels.get(d, d)) for d in self.domains or []]


# ---- conventions ------------------------------------------------------------------------------


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    RUNNING = "running", _("Running")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class ConventionQuerySet(models.QuerySet["Convention"]):
    def visible_to(self, scope: Scope) -> ConventionQuerySet:
        from mowakaba.accounts.scope import Capability, any_of

        if _partner_only(scope):
            return self.filter(scope.own_partner_q("association_id"))
        return self.filter(any_of(scope.rows_q("unit", Capability.VIEW_PARTNERS),
                                  scope.own_partner_q("association_id")))

    def managed_by(self, scope: Scope) -> ConventionQuerySet:
        """Conventions the actor may change: those of their units, with MANAGE_CONVENTIONS."""
        from mowakaba.accounts.scope import Capability

        if not scope.can(Capability.MANAGE_CONVENTIONS):
            return self.none()
        return self.filter(scope.rows_q("unit", Capability.MANAGE_CONVENTIONS))


class Convention(TimeStamped):
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("signed for the institution by"))
    association = models.ForeignKey(PartnerAssociation, on_delete=models.PROTECT, related_name="conventions",
                                    verbose_name=_("partner association"))
    subject = models.TextField(_("object"))
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    amount = models.DecimalField(_("total amount (MAD)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    obligations: models.JSONField[Any, Any] = models.JSONField(_("obligations"), default=list, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    suspension_reason = models.TextField(_("reason for suspension"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "reference"]
        indexes = [
            models.Index(fields=["association", "status"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "ends_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="convention_ends_after_start"),
        ]
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_editable(self) -> bool:
        return self.status != Status.CLOSED


class Tranche(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("number"))
    planned_on = models.DateField(_("planned date"))
    planned_amount = models.DecimalField(_("planned amount (MAD)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.DecimalField(_("paid amount (MAD)"), max_digits=12, decimal_places=2, null=True,
                                      blank=True)
    condition = models.CharField(_("condition"), max_length=250, blank=True)

    class Meta:
        ordering = ["convention", "number"]
        constraints = [models.UniqueConstraint(fields=["convention", "number"], name="tranche_number_once")]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")

    def __str__(self) -> str:
        return f"{self.convention_id}/{self.number}"


class Report(models.Model):
    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Activity report")
        FINANCIAL = "financial", _("Financial report")

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period = models.CharField(_("period covered"), max_length=60, blank=True)
    due_on = models.DateField(_("due on"))
    submitted_on = models.DateField(_("received on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Set when the late reminder was sent: the periodic tick sends it once.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["convention", "due_on", "kind"]
        indexes = [models.Index(fields=["submitted_on", "reminded_at", "due_on"])]
        verbose_name = _("report due")
        verbose_name_plural = _("reports due")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    def is_late(self, today: Any) -> bool:
        return self.submitted_on is None and self.due_on < today


class Criterion(TimeStamped):
    """One line of the evaluation grid, as data: head office tunes weights without a release."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        lang = (get_language() or "ar")[:2]
        return {"ar": self.name_ar, "fr": self.name_fr}.get(lang, self.name_en)

    def __str__(self) -> str:
        return self.name


# Each criterion is marked 0 (absent) to 4 (excellent).
MAX_MARK = 4


class Visit(TimeStamped):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visit date"))
    visitor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("visitor"))
    score = models.DecimalField(_("score (out of 100)"), max_digits=5, decimal_places=1)
    recommendations = models.TextField(_("recommendations"), blank=True)

    class Meta:
        ordering = ["convention", "-visited_on"]
        verbose_name = _("evaluation visit")
        verbose_name_plural = _("evaluation visits")

    def __str__(self) -> str:
        return f"{self.visited_on} {self.score}"


class VisitMark(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="marks")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    mark = models.PositiveSmallIntegerField(_("mark"))
    # The weight used, kept so that a later change of the grid does not rewrite old scores.
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "criterion"], name="visit_mark_once")]

    def __str__(self) -> str:
        return f"{self.criterion_id}={self.mark}"
