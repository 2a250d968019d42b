"""Programmes, their offerings at establishments, enrolments with a waiting list, group sessions
and attendance.

* ``Programme`` is the catalogue, as data (school support, literacy, women's economic
  empowerment…): who it is for (target groups, eligibility) and which needs it answers.
* ``Offering`` is a programme run at one establishment for a season, with a capacity and its
  opening hours. It keeps two counters, ``admitted_count`` and ``waiting_count``, written by the
  services in the same transaction as the enrolment they count, so that the directory never
  counts rows per establishment.
* ``Enrolment`` is one person in one offering: waiting (with a queue number; the rank is the
  position among those waiting), admitted, exited (with reason and outcome) or withdrawn before
  admission. It carries the establishment of the offering (the access policy's
  ``rows_q("establishment")``) and the one that sent it (``referrer``: the case's
  establishment), so that the agent who enrolled someone elsewhere still sees what became of it.
* ``GroupSession`` and ``Attendance``: one register per session for the whole group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mowakaba.core.models import TimeStamped, localized_name
from mowakaba.registry.models import Person
from mowakaba.territory.models import OrgUnit

if TYPE_CHECKING:
    from mowakaba.accounts.scope import Scope

USER = settings.AUTH_USER_MODEL


class Programme(TimeStamped):
    """One programme of the catalogue. Target groups, needs and establishment types are lists of
    codes (``cases.models.TargetGroup``, ``cases.models.Need``, ``EstablishmentType.code``)."""

    class SexRule(models.TextChoices):
        ANY = "", _("Any")
        FEMALE = "F", _("Women and girls only")
        MALE = "M", _("Men and boys only")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    needs = models.JSONField(_("needs answered"), default=list, blank=True)
    establishment_types = models.JSONField(_("establishment types"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=SexRule.choices, blank=True, default="")
    disability_required = models.BooleanField(_("for people with a disability"), default=False)
    criteria = models.TextField(_("other eligibility criteria"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized_name(self.name_fr, self.name_ar)

    @property
    def target_group_labels(self) -> list[str]:
        from mowakaba.cases.models import TargetGroup

        labels = dict(TargetGroup.choices)
        return [str(labels.get(g, g)) for g in self.target_groups or []]

    @property
    def need_labels(self) -> list[str]:
        from mowakaba.cases.models import Need

        labels = dict(Need.choices)
        return [str(labels.get(n, n)) for n in self.needs or []]


class OfferingQuerySet(models.QuerySet["Offering"]):
    def visible_to(self, scope: Scope) -> OfferingQuerySet:
        """Offerings whose group (the people in it) the actor may see: those of their establishments."""
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q("establishment", Capability.VIEW_PERSONS))

    def editable_by(self, scope: Scope) -> OfferingQuerySet:
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q("establishment", Capability.EDIT_PERSONS))


class Offering(TimeStamped):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="offerings",
                                  verbose_name=_("programme"))
    establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="offerings",
                                      verbose_name=_("establishment"))
    season = models.CharField(_("season"), max_length=20, help_text=_("For example 2025-2026 or winter 2025."))
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    schedule = models.CharField(_("schedule and opening hours"), max_length=200, blank=True)
    active = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Kept by the services in the enrolment's transaction (see the module docstring).
    admitted_count = models.PositiveIntegerField(default=0, editable=False)
    waiting_count = models.PositiveIntegerField(default=0, editable=False)
    next_queue_no = models.PositiveIntegerField(default=1, editable=False)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["establishment", "active"]),
            models.Index(fields=["programme", "active"]),
        ]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")

    def __str__(self) -> str:
        return f"{self.programme} — {self.season}"

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.admitted_count)

    @property
    def full(self) -> bool:
        return self.admitted_count >= self.capacity


class ExitReason(models.TextChoices):
    COMPLETED = "completed", _("Programme completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    MOVED = "moved", _("Moved away")
    TRANSFERRED = "transferred", _("Moved to another programme")
    EXCLUDED = "excluded", _("Excluded by the establishment")
    OTHER = "other", _("Other reason")


class Outcome(models.TextChoices):
    PASSED_YEAR = "passed_year", _("Passed the school year")
    RETURNED_TO_SCHOOL = "returned_school", _("Returned to school")
    CERTIFICATE = "certificate", _("Certificate obtained")
    INCOME = "income", _("Income-generating activity started")
    EMPLOYED = "employed", _("Found a job")
    LITERATE = "literate", _("Can read and write")
    HOUSED = "housed", _("Housed or back with family")
    NONE = "none", _("No result")


# Outcomes that count as a success in a programme's rates.
SUCCESS_OUTCOMES = frozenset({Outcome.PASSED_YEAR, Outcome.RETURNED_TO_SCHOOL, Outcome.CERTIFICATE,
                              Outcome.INCOME, Outcome.EMPLOYED, Outcome.LITERATE, Outcome.HOUSED})


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def visible_to(self, scope: Scope) -> EnrolmentQuerySet:
        """At the actor's establishments, or sent from them (a case's referring centre)."""
        from mowakaba.accounts.scope import Capability, any_of

        return self.filter(any_of(scope.rows_q("establishment", Capability.VIEW_PERSONS),
                                  scope.rows_q("referrer", Capability.VIEW_PERSONS)))

    def managed_by(self, scope: Scope) -> EnrolmentQuerySet:
        """Those the actor may admit, exit or mark present: the running establishment's side only."""
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q("establishment", Capability.EDIT_PERSONS))


class Enrolment(TimeStamped):
    class State(models.TextChoices):
        WAITING = "waiting", _("On the waiting list")
        ADMITTED = "admitted", _("Admitted")
        EXITED = "exited", _("Left the programme")
        WITHDRAWN = "withdrawn", _("Withdrawn before admission")

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="enrolments",
                                 verbose_name=_("offering"))
    # Denormalised from the offering: the access policy filters on one indexed column.
    establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    referrer = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("sent by"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments",
                               verbose_name=_("person"))
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="enrolments", verbose_name=_("case"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    queue_no = models.PositiveIntegerField(_("queue number"), default=0)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True)
    admitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    admission_reason = models.TextField(_("reason for admitting out of turn"), blank=True)
    capacity_override = models.TextField(_("reason for exceeding capacity"), blank=True)
    exited_on = models.DateField(_("exit date"), null=True, blank=True)
    exit_reason = models.CharField(_("reason for leaving"), max_length=12, choices=ExitReason.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    exit_note = models.TextField(_("exit note"), blank=True)
    # Attendance counters, kept by session_record_attendance.
    sessions_marked = models.PositiveIntegerField(default=0, editable=False)
    sessions_present = models.PositiveIntegerField(default=0, editable=False)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["offering", "state", "queue_no"]),
            models.Index(fields=["establishment", "state"]),
            models.Index(fields=["referrer", "state"]),
            models.Index(fields=["person", "state"]),
            models.Index(fields=["state", "outcome"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["offering", "person"], condition=Q(state__in=["waiting", "admitted"]),
                                    name="enrolment_live_once"),
        ]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")

    def __str__(self) -> str:
        return f"{self.offering_id}:{self.person_id} {self.state}"

    @property
    def attendance_rate(self) -> int | None:
        if not self.sessions_marked:
            return None
        return round(100 * self.sessions_present / self.sessions_marked)


class GroupSessionQuerySet(models.QuerySet["GroupSession"]):
    def visible_to(self, scope: Scope) -> GroupSessionQuerySet:
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q("establishment", Capability.VIEW_PERSONS))


class GroupSession(TimeStamped):
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="sessions",
                                 verbose_name=_("offering"))
    establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    present_count = models.PositiveIntegerField(default=0, editable=False)
    marked_count = models.PositiveIntegerField(default=0, editable=False)

    objects = GroupSessionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["offering", "-held_on"]), models.Index(fields=["establishment", "-held_on"])]
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"

    @property
    def attendance_rate(self) -> int | None:
        if not self.marked_count:
            return None
        return round(100 * self.present_count / self.marked_count)


class Attendance(models.Model):
    class Mark(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="marks")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="marks")
    mark = models.CharField(_("attendance"), max_length=8, choices=Mark.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once")]
        indexes = [models.Index(fields=["enrolment", "mark"])]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return self.mark


def as_dict(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}
