"""Morocco's territory (HCP census units) and the institution's structure, both as data.

Territory: Region > Province (prefecture or province) > Commune, with census populations.
Structure: OrgUnit rows form one tree, national > coordination > delegation > establishment.
Coordinations cover regions and delegations cover provinces through many-to-many links, so a
reorganisation (10 coordinations in the seed year, 12 later) is a data change, not a release.

Every OrgUnit keeps a materialised ``path`` ("/1/4/37/") so that "this unit and everything
under it" is one indexed prefix query, whatever the depth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mowakaba.core.models import BilingualName, TimeStamped

if TYPE_CHECKING:
    from mowakaba.accounts.scope import Scope


class Region(BilingualName):
    code = models.CharField(_("HCP code"), max_length=2, unique=True)
    population_2024 = models.PositiveIntegerField(_("population 2024"), default=0)
    households_2024 = models.PositiveIntegerField(_("households 2024"), default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(BilingualName):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        PREFECTURE = "prefecture", _("Prefecture")

    code = models.CharField(_("HCP code"), max_length=6, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    population_2024 = models.PositiveIntegerField(_("population 2024"), default=0)
    population_2014 = models.PositiveIntegerField(_("population 2014"), default=0)
    households_2024 = models.PositiveIntegerField(_("households 2024"), default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province or prefecture")
        verbose_name_plural = _("provinces and prefectures")


class Commune(BilingualName):
    class Kind(models.TextChoices):
        URBAN = "urban", _("Urban")
        RURAL = "rural", _("Rural")

    code = models.CharField(_("HCP code"), max_length=14, unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("province")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    population_2024 = models.PositiveIntegerField(_("population 2024"), default=0)
    population_2014 = models.PositiveIntegerField(_("population 2014"), null=True, blank=True)
    households_2024 = models.PositiveIntegerField(_("households 2024"), default=0)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["province", "name_fr"])]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")


class PartnerAssociation(TimeStamped):
    """An association that runs establishments under a convention with the institution.

    Kept here, beside the structure, because an establishment's manager is part of the
    structure and partner staff are scoped by it; conventions and subsidies come later
    in their own app and point at this row.
    """

    name = models.CharField(_("name"), max_length=250)
    name_ar = models.CharField(_("name (Arabic)"), max_length=250, blank=True)
    registration_number = models.CharField(_("registration receipt number"), max_length=60, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    representative = models.CharField(_("legal representative"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner association")
        verbose_name_plural = _("partner associations")

    def __str__(self) -> str:
        from mowakaba.core.models import localized_name

        return localized_name(self.name, self.name_ar)


class EstablishmentType(TimeStamped):
    """An establishment type (DOMAIN.md §2) as data, so head office can add one without a release."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=12, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subtypes", verbose_name=_("family")
    )
    residential = models.BooleanField(_("takes people in residence"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("establishment type")
        verbose_name_plural = _("establishment types")

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        lang = (get_language() or "ar")[:2]
        return {"ar": self.name_ar, "fr": self.name_fr}.get(lang, self.name_en)

    def __str__(self) -> str:
        return self.name


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def visible_to(self, scope: Scope) -> OrgUnitQuerySet:
        """Units the actor may see: their subtrees, plus the ancestors that frame them."""
        return self.filter(scope.orgunit_q())

    def establishments(self) -> OrgUnitQuerySet:
        return self.filter(kind=OrgUnit.Kind.ESTABLISHMENT)

    def subtree_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        return self.filter(path__startswith=unit.path)


class OrgUnit(TimeStamped):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("Head office")
        COORDINATION = "coordination", _("Regional coordination")
        DELEGATION = "delegation", _("Provincial delegation")
        ESTABLISHMENT = "establishment", _("Establishment")

    class Manager(models.TextChoices):
        INSTITUTION = "institution", _("Entraide Nationale")
        PARTNER = "partner", _("Partner association")

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, db_index=True)
    code = models.CharField(_("code"), max_length=30, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=250)
    name_ar = models.CharField(_("name (Arabic)"), max_length=250)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent unit")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # Coordinations cover regions; delegations cover provinces. Empty for other kinds.
    regions = models.ManyToManyField(
        Region, blank=True, related_name="coordinations", verbose_name=_("regions covered")
    )
    provinces = models.ManyToManyField(
        Province, blank=True, related_name="delegations", verbose_name=_("provinces covered")
    )
    # Establishment fields.
    establishment_type = models.ForeignKey(
        EstablishmentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("type")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="establishments",
        verbose_name=_("commune"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    managed_by = models.CharField(
        _("managed by"), max_length=12, choices=Manager.choices, default=Manager.INSTITUTION
    )
    partner = models.ForeignKey(
        PartnerAssociation, on_delete=models.PROTECT, null=True, blank=True, related_name="establishments",
        verbose_name=_("partner association"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Optimistic lock: a save that started from an older version is refused, not merged silently.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"]),
            models.Index(fields=["partner", "kind"]),
            models.Index(fields=["establishment_type", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(managed_by="partner") | Q(partner__isnull=False),
                name="orgunit_partner_when_partner_managed",
            ),
        ]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")

    @property
    def name(self) -> str:
        from mowakaba.core.models import localized_name

        return localized_name(self.name_fr, self.name_ar)

    def __str__(self) -> str:
        return self.name

    @property
    def is_establishment(self) -> bool:
        return self.kind == self.Kind.ESTABLISHMENT

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p][:-1]

    def ancestors(self) -> QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")


class ReferenceLoad(models.Model):
    """Provenance of the census reference data: which package version was loaded, and when."""

    source = models.CharField(max_length=60)
    version = models.CharField(max_length=30)
    loaded_at = models.DateTimeField(auto_now_add=True)
    counts: models.JSONField[Any, Any] = models.JSONField(default=dict)
    attribution = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-loaded_at"]
        verbose_name = _("reference data load")
        verbose_name_plural = _("reference data loads")

    def __str__(self) -> str:
        return f"{self.source} {self.version}"


class CensusLevel(models.TextChoices):
    NATIONAL = "N", _("National")
    REGION = "R", _("Region")
    PROVINCE = "P", _("Province")
    COMMUNE = "C", _("Commune")


class CensusProfile(models.Model):
    """One territory's census indicators as published by HCP (RGPH), for one sex ("all",
    "female", "male"): the fields the need estimates and the vulnerability index use, kept as
    published (rates in per cent, counts in people or households). A cell HCP did not publish is
    absent from ``values``: missing, never zero."""

    level = models.CharField(max_length=1, choices=CensusLevel.choices)
    code = models.CharField(max_length=14, blank=True)  # HCP code; "" for the country
    sex = models.CharField(max_length=6, default="all")
    year = models.PositiveSmallIntegerField(default=2024)
    values: models.JSONField[Any, Any] = models.JSONField(default=dict)
    source = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "code", "sex", "year"], name="census_profile_unique")]
        verbose_name = _("census profile")
        verbose_name_plural = _("census profiles")

    def __str__(self) -> str:
        return f"{self.level}{self.code} {self.sex} {self.year}"


class NeedEstimate(models.Model):
    """An estimated target population of one territory (people or households), with its
    uncertainty where the method has one, computed from the census profile at load time."""

    level = models.CharField(max_length=1, choices=CensusLevel.choices)
    code = models.CharField(max_length=14, blank=True)
    group = models.CharField(max_length=24)
    year = models.PositiveSmallIntegerField(default=2024)
    value = models.FloatField(null=True)  # None: a census cell it needs is missing
    low = models.FloatField(null=True)
    high = models.FloatField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "code", "group", "year"], name="need_estimate_unique")]
        indexes = [models.Index(fields=["group", "level", "year"], name="need_group_level")]
        verbose_name = _("need estimate")
        verbose_name_plural = _("need estimates")

    def __str__(self) -> str:
        return f"{self.group} {self.level}{self.code}: {self.value}"


class VulnerabilityScheme(models.Model):
    """The territorial vulnerability index's method as data: which census indicators, their
    weights and direction. Advisory, for territories only: never applied to a person."""

    name = models.CharField(_("name"), max_length=120)
    # [{"field": "illiteracy_rate_15_plus", "weight": 2, "higher_is_worse": true, "sex": "all"}, ...]
    components: models.JSONField[Any, Any] = models.JSONField(_("components"), default=list)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vulnerability index method")
        verbose_name_plural = _("vulnerability index methods")

    def __str__(self) -> str:
        return self.name
