"""Casework: listening sessions, cases, assessments, the extreme-vulnerability track, approvals,
placements, accompaniment plans, follow-ups, reviews and transfers.

A case's ``status`` is a stored column so that lists filter on an index, but no form or API
writes it: ``services.case_refresh`` derives it from what happened (sessions, assessments,
referrals, plan, placements, follow-ups, closure) after every action. See ``status_from``.

Everything here reaches its territory through ``establishment`` (the one holding the case), so
each queryset's ``visible_to(scope)`` is the access policy's ``rows_q("establishment")``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mowakaba.core.models import TimeStamped
from mowakaba.registry.models import Person
from mowakaba.territory.models import Commune, OrgUnit

if TYPE_CHECKING:
    from mowakaba.accounts.scope import Scope

USER = settings.AUTH_USER_MODEL


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone call")
    OUTREACH = "outreach", _("Outreach round")
    AUTHORITY = "authority", _("Report from a local authority")
    POLICE = "police", _("Report from the police or gendarmerie")
    HOSPITAL = "hospital", _("Report from a hospital")
    SCHOOL = "school", _("Report from a school")
    PARTNER = "partner", _("Referral from a partner")
    FAMILY = "family", _("Family or neighbours")


# Channels through which someone else reports the person: the case starts as "reported" until
# an agent has met or spoken to the person.
REPORT_CHANNELS = frozenset({Channel.AUTHORITY, Channel.POLICE, Channel.HOSPITAL, Channel.SCHOOL,
                             Channel.PARTNER, Channel.FAMILY})


class Need(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    FOOD = "food", _("Food")
    HEALTH = "health", _("Health care")
    DISABILITY = "disability", _("Disability support")
    SCHOOLING = "schooling", _("Schooling")
    DOCUMENTS = "documents", _("Identity and civil-status documents")
    VIOLENCE = "violence", _("Violence")
    FAMILY = "family", _("Family conflict")
    EMPLOYMENT = "employment", _("Employment and training")
    INCOME = "income", _("Income")
    LEGAL = "legal", _("Legal aid")
    PSYCHO = "psycho", _("Psychological support")
    ELDERLY_CARE = "elderly_care", _("Care of an elderly person")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    # Ordered by the database as text; sort lists with URGENCY_RANK instead.
    LIFE = "life", _("Life-threatening")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


URGENCY_RANK: dict[str, int] = {"life": 0, "high": 1, "normal": 2}


class TargetGroup(models.TextChoices):
    WOMAN = "woman", _("Woman in difficulty")
    CHILD = "child", _("Child in difficulty")
    DISABILITY = "disability", _("Person with a disability")
    ELDERLY = "elderly", _("Elderly person")
    NO_SUPPORT = "no_support", _("Person without family support")
    HOMELESS = "homeless", _("Homeless person")
    VIOLENCE = "violence", _("Victim of violence")
    YOUTH = "youth", _("Young person at risk")


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    EXTREME = "extreme", _("Extreme")


LEVEL_ORDER = [Level.LOW, Level.MEDIUM, Level.HIGH, Level.EXTREME]


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    RECEIVED = "received", _("Received")
    ASSESSMENT = "assessment", _("Under assessment")
    REFERRED = "referred", _("Referred")
    IN_CARE = "in_care", _("In care")
    PLACED = "placed", _("Placed")
    FOLLOW_UP = "follow_up", _("Under follow-up")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [s for s in Status if s != Status.CLOSED]


def case_number(pk: int) -> str:
    """The case number quoted on the phone and printed on the file; derived from the id."""
    return f"DOS-{pk:07d}"


def parse_case_number(text: str) -> int | None:
    t = text.strip().upper().replace(" ", "")
    if t.startswith("DOS-"):
        t = t[4:]
    return int(t) if t.isdigit() and len(t) <= 10 else None


# ---- listening ----------------------------------------------------------------------------


class ListeningQuerySet(models.QuerySet["ListeningSession"]):
    def visible_to(self, scope: Scope) -> ListeningQuerySet:
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q("establishment", Capability.VIEW_PERSONS))


class ListeningSession(TimeStamped):
    class Outcome(models.TextChoices):
        CASE_OPENED = "case_opened", _("A case was opened")
        ADDED_TO_CASE = "added_to_case", _("Added to an existing case")
        INFORMATION = "information", _("Information given, no case")

    establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("establishment"))
    agent = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("agent"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="listening_sessions", verbose_name=_("person"))
    case = models.ForeignKey("Case", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="sessions", verbose_name=_("case"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=160, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("commune"))
    reported_by = models.CharField(_("reported by"), max_length=160, blank=True,
                                   help_text=_("Who reported the situation, when it is a report."))
    account = models.TextField(_("the person's account"), blank=True)
    urgency = models.CharField(_("urgency"), max_length=6, choices=Urgency.choices, default=Urgency.NORMAL)
    consent_given = models.BooleanField(_("consent to listening and case work"), default=False)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)

    objects = ListeningQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["establishment", "-held_at"]),
            models.Index(fields=["-held_at"]),
            models.Index(fields=["person"]),
        ]
        verbose_name = _("listening session")
        verbose_name_plural = _("listening sessions")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.held_at:%Y-%m-%d}"


class SessionNeed(models.Model):
    """One expressed need per row, so that vigilance counts sessions per need on an index."""

    session = models.ForeignKey(ListeningSession, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(max_length=14, choices=Need.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "need"], name="session_need_once")]
        indexes = [models.Index(fields=["need", "session"])]

    def __str__(self) -> str:
        return self.get_need_display()


class EstablishmentScopedQuerySet(models.QuerySet[Any]):
    """For the child tables that carry the establishment of their case (tasks, approvals,
    transfers): one indexed filter instead of a join through the case."""

    via = "establishment"

    def visible_to(self, scope: Scope) -> Any:
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q(self.via, Capability.VIEW_PERSONS))


class IncomingTransferQuerySet(EstablishmentScopedQuerySet):
    via = "to_establishment"


# ---- cases ----------------------------------------------------------------------------------


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, scope: Scope) -> CaseQuerySet:
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q("establishment", Capability.VIEW_PERSONS))

    def editable_by(self, scope: Scope) -> CaseQuerySet:
        from mowakaba.accounts.scope import Capability

        return self.filter(scope.rows_q("establishment", Capability.EDIT_PERSONS))

    def open(self) -> CaseQuerySet:
        return self.filter(closed_at__isnull=True)


class Case(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person"))
    establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="cases",
                                      verbose_name=_("responsible establishment"))
    agent = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
                              verbose_name=_("responsible agent"))
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    urgency = models.CharField(_("urgency"), max_length=6, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED,
                              editable=False)
    # The current level: the latest assessment's, or the agent's override. Empty before any.
    level = models.CharField(_("vulnerability level"), max_length=8, choices=Level.choices, blank=True,
                             editable=False)
    score = models.PositiveSmallIntegerField(_("vulnerability score"), null=True, blank=True, editable=False)
    extreme = models.BooleanField(_("individual treatment of extreme vulnerability"), default=False,
                                  editable=False)
    summary = models.TextField(_("summary"), blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closure_reason = models.CharField(_("reason for closure"), max_length=16, blank=True, editable=False)
    closure_outcome = models.CharField(_("outcome"), max_length=16, blank=True, editable=False)
    closure_note = models.TextField(_("closing note"), blank=True, editable=False)
    reopened_count = models.PositiveSmallIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["establishment", "status", "-opened_at"]),
            models.Index(fields=["agent", "status"]),
            models.Index(fields=["status", "-opened_at"]),
            models.Index(fields=["person", "-opened_at"]),
            models.Index(fields=["extreme", "status"]),
            models.Index(fields=["level", "status"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return case_number(self.pk) if self.pk else ""

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals of the plan met")
    REFERRED_OUT = "referred_out", _("Taken in charge by another service")
    MOVED = "moved", _("Moved away")
    NO_CONTACT = "no_contact", _("Lost contact")
    REFUSED = "refused", _("The person declined further help")
    DECEASED = "deceased", _("Deceased")
    DUPLICATE = "duplicate", _("Opened by mistake or duplicate")


class ClosureOutcome(models.TextChoices):
    IMPROVED = "improved", _("Situation improved")
    STABLE = "stable", _("Situation stable")
    REINTEGRATED = "reintegrated", _("Reintegrated (family, school, work)")
    PLACED = "placed", _("Placed in an establishment")
    UNCHANGED = "unchanged", _("No change")
    WORSE = "worse", _("Situation worse")


class CaseGroup(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="groups")
    group = models.CharField(max_length=10, choices=TargetGroup.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "group"], name="case_group_once")]
        indexes = [models.Index(fields=["group", "case"])]

    def __str__(self) -> str:
        return self.get_group_display()


# ---- assessment -----------------------------------------------------------------------------


class AssessmentScheme(TimeStamped):
    """The questions' weights and the level thresholds, as data: the head office tunes them
    without a release. Exactly one scheme is active; each assessment keeps the one it used."""

    name = models.CharField(_("name"), max_length=120)
    weights = models.JSONField(_("weights"), default=dict)
    thresholds = models.JSONField(_("thresholds"), default=dict)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")

    def __str__(self) -> str:
        return self.name


class Assessment(TimeStamped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="+")
    assessed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("assessed on"))
    answers = models.JSONField(_("answers"), default=dict)
    notes = models.TextField(_("notes"), blank=True)
    score = models.PositiveSmallIntegerField(_("score"))
    computed_level = models.CharField(_("computed level"), max_length=8, choices=Level.choices)
    level = models.CharField(_("level retained"), max_length=8, choices=Level.choices)
    override_reason = models.TextField(_("reason for a different level"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "-created_at"])]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.assessed_on} {self.level}"


# ---- individual treatment of extreme vulnerability ------------------------------------------


class ExtremeTrack(TimeStamped):
    """Individual treatment: opened when a case reaches the extreme level. The clock starts at
    opening; deadlines come from settings (MOWAKABA_EXTREME_FIRST_ACTION_HOURS, ..._PLAN_HOURS)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="extreme_track")
    opened_at = models.DateTimeField(_("opened at"))
    first_action_due = models.DateTimeField(_("first action due"))
    first_action_at = models.DateTimeField(_("first action taken"), null=True, blank=True)
    first_action_note = models.TextField(_("first action"), blank=True)
    plan_due = models.DateTimeField(_("plan due"))
    conference_at = models.DateTimeField(_("case conference held"), null=True, blank=True)
    conference_note = models.TextField(_("case conference note"), blank=True)
    plan_submitted_at = models.DateTimeField(_("plan submitted"), null=True, blank=True)
    plan_approved_at = models.DateTimeField(_("plan approved"), null=True, blank=True)
    plan_approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Escalations already raised, so that the periodic check raises each one once.
    first_action_escalated_at = models.DateTimeField(null=True, blank=True)
    plan_escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["first_action_at", "first_action_due"]),
            models.Index(fields=["plan_approved_at", "plan_due"]),
        ]
        verbose_name = _("individual treatment")
        verbose_name_plural = _("individual treatments")

    def __str__(self) -> str:
        return f"{self.case_id}"


class Approval(TimeStamped):
    """A decision asked of a supervisor (the provincial delegate for extreme cases). The
    requester can never decide their own request."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Individual treatment plan")
        PLACEMENT = "placement", _("Placement in an establishment")
        CLOSURE = "closure", _("Closure of an extreme case")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    # Denormalised from the case so that a supervisor's queue filters on one index.
    establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    request_note = models.TextField(_("request"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = EstablishmentScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["establishment", "decision", "requested_at"]),
            models.Index(fields=["case", "kind", "decision"]),
        ]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_decision_display()})"


class Placement(TimeStamped):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        ACTIVE = "active", _("In place")
        REFUSED = "refused", _("Refused")
        ENDED = "ended", _("Ended")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="placements",
                                      verbose_name=_("establishment"))
    kind = models.CharField(_("kind"), max_length=10, blank=True, choices=[
        ("temporary", _("Temporary")), ("permanent", _("Permanent"))], default="temporary")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    approval = models.OneToOneField(Approval, on_delete=models.PROTECT, null=True, blank=True, related_name="placement")
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    capacity_override = models.TextField(_("reason for exceeding capacity"), blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["establishment", "state"]), models.Index(fields=["case", "state"])]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.establishment_id} {self.state}"


# ---- accompaniment ----------------------------------------------------------------------------


class Goal(TimeStamped):
    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        MET = "met", _("Met")
        DROPPED = "dropped", _("Dropped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("goal"), max_length=300)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["case", "state"])]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text


class Task(TimeStamped):
    """Something to do on a case by a date: a plan action, a follow-up visit or call, a review.

    One table for all of them so that an agent's task list (due today, overdue, upcoming) and a
    supervisor's overdue view are each a single indexed query.
    """

    class Kind(models.TextChoices):
        ACTION = "action", _("Action")
        VISIT = "visit", _("Follow-up visit")
        CALL = "call", _("Follow-up call")
        MEETING = "meeting", _("Meeting at the centre")
        REVIEW = "review", _("Plan review")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks",
                             verbose_name=_("goal"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("what"), max_length=300)
    assignee = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks",
                                 verbose_name=_("who"))
    due_on = models.DateField(_("by"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    cancelled = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = EstablishmentScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_on"]),
            models.Index(fields=["establishment", "done_at", "due_on"]),
            models.Index(fields=["case", "due_on"]),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.done_at is None and not self.cancelled


class Review(TimeStamped):
    """A periodic review of the plan: where things stand, and when to look again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.TextField(_("assessment of progress"))
    next_review_on = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "-reviewed_on"])]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return str(self.reviewed_on)


class Transfer(TimeStamped):
    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting the receiving side")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    to_establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("receiving establishment"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    # Visible to the receiving side (its inbox); the sending side reaches it through the case.
    objects = models.Manager()
    incoming = IncomingTransferQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["to_establishment", "status"]), models.Index(fields=["case", "status"])]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_establishment_id}"
