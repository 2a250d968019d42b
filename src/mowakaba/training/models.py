"""Staff training: a catalogue of themes, sessions, their participants, attendance per day and
the participants' evaluations.

Training is about staff, not beneficiaries. A session belongs to its organising unit (head
office, a coordination, a delegation, or an establishment for in-house sessions); organisers
are those whose grant reaches that unit with the ``SUPERVISE`` capability (managers, delegates,
coordinators, head office), so ``visible_to`` is the access policy's ``rows_q("organiser")``.
Every staff member also reaches their own participations ("My trainings"); authority viewers
reach only the totals.

A session's status is derived from its dates and two stamps (registration opened, cancelled,
closed), never typed: see ``TrainingSession.status_on``. ``region`` and ``province`` are copied
from the organising unit when the session is created so that the totals group on indexed
columns without walking the structure.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mowakaba.accounts.scope import Capability
from mowakaba.core.models import TimeStamped
from mowakaba.territory.models import OrgUnit, Province, Region

if TYPE_CHECKING:
    from mowakaba.accounts.scope import Scope

USER = settings.AUTH_USER_MODEL
# Organising training is supervision of staff: the roles that carry it (manager, delegate,
# coordinator, head office) are the organisers, each within their own unit and below.
ORGANISE = Capability.SUPERVISE


class Theme(TimeStamped):
    """A training theme, as data: head office adds one without a release."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("training theme")
        verbose_name_plural = _("training themes")

    @property
    def name(self) -> str:
        lang = (get_language() or "ar")[:2]
        return {"ar": self.name_ar, "fr": self.name_fr}.get(lang, self.name_en)

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for registration")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


def session_code(pk: int) -> str:
    """The session's reference, printed on certificates and exports; derived from the id."""
    return f"FOR-{pk:06d}"


class SessionQuerySet(models.QuerySet["TrainingSession"]):
    def visible_to(self, scope: Scope) -> SessionQuerySet:
        """Sessions the actor organises: their unit's and those of the units below it."""
        return self.filter(scope.rows_q("organiser", ORGANISE))

    def with_status(self, status: str, today: date | None = None) -> SessionQuerySet:
        """The rows whose derived status is ``status`` on ``today`` (the rule of ``status_on``)."""
        day = today or timezone.localdate()
        live = Q(cancelled_at__isnull=True, closed_at__isnull=True)
        by_status = {
            Status.CANCELLED: Q(cancelled_at__isnull=False),
            Status.CLOSED: Q(cancelled_at__isnull=True, closed_at__isnull=False),
            Status.HELD: live & Q(starts_on__lte=day),
            Status.OPEN: live & Q(starts_on__gt=day, registration_opened_at__isnull=False),
            Status.PLANNED: live & Q(starts_on__gt=day, registration_opened_at__isnull=True),
        }
        return self.filter(by_status[Status(status)])

    def held(self, today: date | None = None) -> SessionQuerySet:
        """Sessions that took place (or are taking place): started and not cancelled."""
        return self.filter(cancelled_at__isnull=True, starts_on__lte=today or timezone.localdate())


class TrainingSession(TimeStamped):
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("theme"))
    title = models.CharField(_("title"), max_length=250)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    trainer = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="trainings_given",
        verbose_name=_("trainer (staff member)"),
    )
    trainer_name = models.CharField(_("trainer (from outside)"), max_length=200, blank=True)
    place = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("place"),
    )
    place_text = models.CharField(_("place (other)"), max_length=250, blank=True)
    organiser = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("organising unit"),
    )
    # Copied from the organiser when the session is created (see the module docstring).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("region"))
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("province"))
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    registration_opened_at = models.DateTimeField(_("registration opened"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [
            models.Index(fields=["organiser", "starts_on"]),
            models.Index(fields=["starts_on"]),
            models.Index(fields=["province", "starts_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="training_ends_after_start"),
        ]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"

    @property
    def code(self) -> str:
        return session_code(self.pk or 0)

    def status_on(self, today: date) -> Status:
        """Cancelled and closed are decisions; otherwise the dates decide: once the first day has
        come the session is held; before, it is open once the organiser opened registration."""
        if self.cancelled_at is not None:
            return Status.CANCELLED
        if self.closed_at is not None:
            return Status.CLOSED
        if self.starts_on <= today:
            return Status.HELD
        if self.registration_opened_at is not None:
            return Status.OPEN
        return Status.PLANNED

    @property
    def status(self) -> Status:
        return self.status_on(timezone.localdate())

    @property
    def trainer_label(self) -> str:
        return self.trainer.display_name if self.trainer else self.trainer_name

    @property
    def place_label(self) -> str:
        return self.place.name if self.place else self.place_text

    def days(self) -> list[date]:
        from datetime import timedelta

        return [self.starts_on + timedelta(days=i) for i in range((self.ends_on - self.starts_on).days + 1)]


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def visible_to(self, scope: Scope) -> ParticipantQuerySet:
        """One's own participations, and those of the sessions one organises."""
        from mowakaba.accounts.scope import any_of

        organised = scope.rows_q("session__organiser", ORGANISE)
        own = Q(user_id=scope.user_id) if scope.user_id else Q(pk__in=[])
        return self.filter(any_of(organised, own))


class Participant(TimeStamped):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="participants",
                                verbose_name=_("training session"))
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("staff member"))
    registered_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Set when the registration went beyond the capacity: the organiser's written reason.
    over_capacity_reason = models.CharField(_("reason for exceeding the capacity"), max_length=300, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    usefulness = models.PositiveSmallIntegerField(
        _("usefulness for the work"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    evaluated_at = models.DateTimeField(_("evaluated on"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["session", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="training_one_registration")]
        indexes = [models.Index(fields=["user", "session"])]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id}"

    @property
    def certificate_number(self) -> str:
        """Printed on the certificate; the same number every time it is printed."""
        year = self.session.starts_on.year
        return f"CERT-{year}-{self.pk:06d}"


class Attendance(models.Model):
    """One participant on one day of the session: present or absent (no row: not recorded)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendance",
                                    verbose_name=_("participant"))
    day = models.DateField(_("day"))
    present = models.BooleanField(_("present"), default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "day"], name="training_one_mark_per_day")]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.participant_id}:{self.day}:{int(self.present)}"
