"""The yearly action plan: strategic axes, objectives, targets per indicator and territory.

A target names an indicator (a row of ``vigilance.Indicator``) and a territory (the whole
country, a region or a province) and a value for the plan's year. Progress is read from the
pre-aggregated facts by the vigilance app; this app only keeps the plan.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mowakaba.core.models import TimeStamped
from mowakaba.territory.models import Province, Region


class _Named(models.Model):
    name_ar = models.CharField(_("name (Arabic)"), max_length=250)
    name_fr = models.CharField(_("name (French)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "ar")[:2]
        return str(getattr(self, f"name_{lang}", "") or self.name_fr)


class ActionPlan(_Named, TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")
        ARCHIVED = "archived", _("Archived")

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=[MinValueValidator(2000)])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    adopted_at = models.DateTimeField(_("adopted on"), null=True, blank=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")


class Axis(_Named, TimeStamped):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="axes", verbose_name=_("action plan"))
    number = models.PositiveSmallIntegerField(_("number"))

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="axis_number_unique")]
        verbose_name = _("strategic axis")
        verbose_name_plural = _("strategic axes")


class Objective(_Named, TimeStamped):
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("axis"))
    number = models.PositiveSmallIntegerField(_("number"))

    class Meta:
        ordering = ["axis", "number"]
        constraints = [models.UniqueConstraint(fields=["axis", "number"], name="objective_number_unique")]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")


class Target(TimeStamped):
    """A value to reach over the plan's year for one indicator in one territory."""

    class Scope(models.TextChoices):
        NATIONAL = "N", _("National")
        REGION = "R", _("Region")
        PROVINCE = "P", _("Province")

    class Profile(models.TextChoices):
        # How the yearly value is expected to accrue: evenly (pro rata of the days gone), or
        # all at once at the end of the year (a count of new units opened, a survey).
        LINEAR = "linear", _("Evenly over the year")
        YEAR_END = "year_end", _("At the end of the year")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="targets",
                                  verbose_name=_("objective"))
    indicator = models.ForeignKey("vigilance.Indicator", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("indicator"))
    territory = models.CharField(_("territory"), max_length=1, choices=Scope.choices, default=Scope.NATIONAL)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("region"))
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("province"))
    value = models.FloatField(_("target"), validators=[MinValueValidator(0)])
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    profile = models.CharField(_("profile"), max_length=10, choices=Profile.choices, default=Profile.LINEAR)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["objective", "pk"]
        indexes = [models.Index(fields=["indicator", "territory"])]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.territory} {self.value}"
