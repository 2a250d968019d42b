"""Social vigilance: indicators as data, pre-aggregated facts, alerts with a life.

Dashboards never count the domain tables when a page is opened. ``Fact`` rows hold the
counts, month by month, per establishment (level E) and per province, region and the
whole country (levels P, R, N), computed directly at each level so that distinct counts
(people served) stay right. ``refresh.py`` writes them, ``selectors.py`` reads them.

Nothing here identifies a person: a fact is a count, an alert names a territory and a
number. The indicator definitions are rows, so head office can add one (a new ratio of
two measures, another factor) without a release.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mowakaba.core.models import TimeStamped
from mowakaba.territory.models import OrgUnit, Province


class Level(models.TextChoices):
    ESTABLISHMENT = "E", _("Establishment")
    PROVINCE = "P", _("Province")
    REGION = "R", _("Region")
    NATIONAL = "N", _("National")


class Fact(models.Model):
    """One count: a measure, a month, a territory, optionally one disaggregation."""

    measure = models.CharField(max_length=40)
    period = models.DateField()  # first day of the month
    level = models.CharField(max_length=1, choices=Level.choices)
    # The territory of the row; which column is set depends on the level (E sets all three).
    org_unit_id = models.IntegerField(null=True)
    province_id = models.IntegerField(null=True)
    region_id = models.IntegerField(null=True)
    dim = models.CharField(max_length=12, default="", blank=True)  # "" = the total
    dim_value = models.CharField(max_length=40, default="", blank=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        # Every dashboard query is "one measure, one level, a range of months", narrowed by a
        # territory: one index per way of narrowing, with the month last for the range.
        indexes = [
            models.Index(fields=["measure", "level", "dim", "period"], name="fact_level"),
            models.Index(fields=["measure", "region_id", "level", "dim", "period"], name="fact_region"),
            models.Index(fields=["measure", "province_id", "level", "dim", "period"], name="fact_province"),
            models.Index(fields=["measure", "org_unit_id", "dim", "period"], name="fact_unit"),
        ]
        verbose_name = _("aggregated count")
        verbose_name_plural = _("aggregated counts")

    def __str__(self) -> str:
        return f"{self.measure} {self.period:%Y-%m} {self.level} {self.dim}={self.dim_value}: {self.value}"


class Indicator(TimeStamped):
    """An indicator as data: factor × numerator ÷ denominator, over any territory and period."""

    class Unit(models.TextChoices):
        COUNT = "count", _("number")
        PERCENT = "percent", _("per cent")
        PER_1000 = "per_1000", _("per 1,000 inhabitants")
        DAYS = "days", _("days")
        RATIO = "ratio", _("ratio")

    class Theme(models.TextChoices):
        REACH = "reach", _("Reach")
        CASEWORK = "casework", _("Casework")
        ORIENTATION = "orientation", _("Orientation")
        PROGRAMMES = "programmes", _("Programmes")
        CAPACITY = "capacity", _("Capacity and staff")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_ar = models.TextField(_("definition (Arabic)"), blank=True)
    description_fr = models.TextField(_("definition (French)"), blank=True)
    description_en = models.TextField(_("definition (English)"), blank=True)
    numerator = models.CharField(_("numerator"), max_length=40)
    # "" = no denominator (a count); "population" = the census population of the territory.
    denominator = models.CharField(_("denominator"), max_length=40, blank=True)
    factor = models.PositiveIntegerField(_("factor"), default=1)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.COUNT)
    dims: models.JSONField[Any, Any] = models.JSONField(_("disaggregations"), default=list, blank=True)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    theme = models.CharField(_("theme"), max_length=12, choices=Theme.choices, default=Theme.REACH)
    on_dashboard = models.BooleanField(_("shown on dashboards"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "ar")[:2]
        return str(getattr(self, f"name_{lang}", "") or self.name_fr)

    @property
    def description(self) -> str:
        lang = (get_language() or "ar")[:2]
        return str(getattr(self, f"description_{lang}", "") or self.description_fr)


class RefreshRun(models.Model):
    """One refresh of the facts: what it covered, how long it took, per measure."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full")
        RECENT = "recent", _("Recent months")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    first_period = models.DateField(null=True, blank=True)
    last_period = models.DateField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    timings: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("indicator refresh")
        verbose_name_plural = _("indicator refreshes")

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, scope: Any) -> AlertQuerySet:
        """Alerts of the provinces whose aggregates the actor reads (the one access policy)."""
        from mowakaba.accounts.scope import Capability

        if not scope.can(Capability.VIEW_AGGREGATES):
            return self.none()
        provinces = scope.territory_province_ids()
        if provinces is None:
            return self
        return self.filter(province_id__in=provinces)


class Alert(TimeStamped):
    """A signal that needs a person's attention, with its life: new → acknowledged → action
    taken → closed. It names a territory and numbers, never a person."""

    class Kind(models.TextChoices):
        SURGE_SESSIONS = "surge_sessions", _("Surge of listening sessions")
        SURGE_CASES = "surge_cases", _("Surge of new cases")
        EXTREME_DEADLINES = "extreme_late", _("Extreme cases past their deadline")
        REFERRALS_UNANSWERED = "referrals_late", _("Referrals left unanswered")
        FOLLOWUPS_OVERDUE = "followups_late", _("Follow-ups overdue")
        REPORTS_LATE = "reports_late", _("Convention reports late")
        COVERAGE_LOW = "coverage_low", _("Coverage far below the national rate")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ACTION_TAKEN = "action_taken", _("Action taken")
        CLOSED = "closed", _("Closed")

    class Severity(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.WARNING)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("establishment"))
    # What the signal is about beyond the territory, e.g. the need of a surge ("" when none).
    subject = models.CharField(_("about"), max_length=40, blank=True)
    period_start = models.DateField(_("period"))
    observed = models.FloatField(_("observed"))
    expected = models.FloatField(_("expected"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=40)
    # How it was computed, for the page: baseline weeks, seasonal factor, the series drawn...
    explanation: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    # One alert per signal: the detector runs again and again, it must not pile up copies.
    key = models.CharField(max_length=120, unique=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    action_at = models.DateTimeField(null=True, blank=True)
    action_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    action_note = models.TextField(_("action taken"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closure_note = models.TextField(_("closing note"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["province", "status", "-created_at"], name="alert_province_status"),
            models.Index(fields=["status", "-created_at"], name="alert_status"),
            models.Index(fields=["kind", "status"], name="alert_kind"),
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.province_id} {self.period_start}"


class AlertEvent(models.Model):
    """Who did what on an alert, in order (the alert's own history, shown on its page)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    status = models.CharField(max_length=12, choices=Alert.Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["alert", "at"])]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.status} {self.at}"


class CoverageFact(models.Model):
    """People served in one need group and one territory over one period, counted by their
    commune of residence (``coverage.coverage_refresh`` writes them; ``coverage`` reads them
    beside the census need estimates). A count, never a person."""

    # "12m" = the twelve months up to the refresh date; "2025", "2026"… = a calendar year.
    period = models.CharField(max_length=8)
    level = models.CharField(max_length=1)  # "N", "R", "P", "C" (HCP levels, as NeedEstimate)
    code = models.CharField(max_length=14, blank=True)  # HCP code, "" for the country
    group = models.CharField(max_length=24)  # a need group of territory.need.GROUPS
    served = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["group", "level", "period"], name="coverage_group_level")]
        verbose_name = _("people served per need group")
        verbose_name_plural = _("people served per need group")

    def __str__(self) -> str:
        return f"{self.group} {self.period} {self.level}{self.code}: {self.served}"
