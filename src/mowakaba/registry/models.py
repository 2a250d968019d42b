"""The registry: one record per person, with documents, phones, consent, family links.

What is collected is what the work needs (Law 09-08, proportionality): names in either script,
sex, a date or year of birth, where the person lives, identity documents with their verification
status, consent per purpose. Health data (disability) is sensitive and shown only to roles that
see people. A person may start pseudonymous (a listening session before they give a name).

Search does not scan this table: ``NameKey`` rows (one per name token, one per pair of tokens,
phonetic keys that Arabic and Latin spellings share) are written with the person and looked up
by exact index, see ``registry/search.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mowakaba.core.models import TimeStamped
from mowakaba.territory.models import Commune, OrgUnit

if TYPE_CHECKING:
    from mowakaba.accounts.scope import Scope


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")
    ABANDONED = "abandoned", _("Abandoned by spouse")


class Education(models.TextChoices):
    NONE = "none", _("No schooling")
    PRESCHOOL = "preschool", _("Preschool")
    PRIMARY = "primary", _("Primary")
    MIDDLE = "middle", _("Middle school")
    SECONDARY = "secondary", _("Secondary")
    HIGHER = "higher", _("Higher education")
    VOCATIONAL = "vocational", _("Vocational training")
    LITERACY = "literacy", _("Literacy programme")


class Disability(models.TextChoices):
    NONE = "", _("None declared")
    MOTOR = "motor", _("Motor")
    VISUAL = "visual", _("Visual")
    HEARING = "hearing", _("Hearing")
    MENTAL = "mental", _("Mental / intellectual")
    PSYCHIC = "psychic", _("Psychological")
    MULTIPLE = "multiple", _("Multiple")
    OTHER = "other", _("Other")


# Other ways a person's file reaches an establishment, registered by the apps that own them
# (cases: the establishment holding a case; referrals: the establishment a live referral was sent
# to). Each entry: (model label, lookup from that model to the person, lookup to its OrgUnit,
# extra filter). The registry cannot import those apps; they append here in AppConfig.ready().
PERSON_REACH: list[tuple[str, str, str, dict[str, Any]]] = []


def person_reach_extra(scope: Scope, capability: Any) -> list[tuple[QuerySet[Any], str]]:
    """The registered reaches as (rows in scope, lookup to their person) pairs. Empty for
    national scopes, which reach everyone through ``rows_q`` already, and for scopes without
    the capability."""
    from django.apps import apps

    if not scope.rows_q("establishment", capability) or not scope.can(capability):
        return []
    out = []
    for label, person_field, unit_field, extra in PERSON_REACH:
        model = apps.get_model(label)
        out.append((model._default_manager.filter(scope.rows_q(unit_field, capability), **extra), person_field))
    return out


def person_reach_q(scope: Scope, capability: Any, prefix: str = "") -> Q:
    """Rows of Person the scope reaches: through the registering establishment, or any
    registered reach. Each reach is one ``pk IN (SELECT person_id ...)`` semi-join.

    ``prefix`` applies the same rule to a model that points at a person ("person__")."""
    q = scope.rows_q(f"{prefix}establishment", capability)
    for rows, person_field in person_reach_extra(scope, capability):
        # Never empty here: the scope is not national, so rows_q is a real filter.
        q |= Q(**{f"{prefix}pk__in": rows.values(person_field)})
    return q


def persons_reached(scope: Scope, capability: Any, person_ids: set[int]) -> set[int]:
    """Which of ``person_ids`` a registered reach gives the scope (for search: candidates found
    across the registry, then kept only if reached). Each reach is read on its person index,
    and its establishment compared with the units the access policy grants."""
    from django.apps import apps

    from mowakaba.territory.models import OrgUnit

    if not person_ids or not PERSON_REACH or not scope.can(capability):
        return set()
    units = set(OrgUnit.objects.filter(scope.rows_q("pk", capability)).values_list("pk", flat=True))
    found: set[int] = set()
    for label, person_field, unit_field, extra in PERSON_REACH:
        model = apps.get_model(label)
        rows = model._default_manager.filter(**{f"{person_field}__in": person_ids - found}, **extra)
        found.update(pid for pid, unit in rows.values_list(person_field, unit_field) if unit in units)
    return found


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, scope: Scope) -> PersonQuerySet:
        from mowakaba.accounts.scope import Capability

        return self.filter(person_reach_q(scope, Capability.VIEW_PERSONS), merged_into__isnull=True)

    def editable_by(self, scope: Scope) -> PersonQuerySet:
        from mowakaba.accounts.scope import Capability

        return self.filter(person_reach_q(scope, Capability.EDIT_PERSONS), merged_into__isnull=True)


class Person(TimeStamped):
    external_ref = models.CharField(_("external reference"), max_length=64, blank=True, db_index=True)
    establishment = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="persons", verbose_name=_("responsible establishment")
    )
    pseudonym = models.CharField(
        _("pseudonym"), max_length=80, blank=True,
        help_text=_("For a first contact before the person gives a name; complete the record later."),
    )
    given_name_ar = models.CharField(_("given name (Arabic)"), max_length=80, blank=True)
    family_name_ar = models.CharField(_("family name (Arabic)"), max_length=80, blank=True)
    father_name_ar = models.CharField(_("father's name (Arabic)"), max_length=80, blank=True)
    given_name_lat = models.CharField(_("given name (Latin)"), max_length=80, blank=True)
    family_name_lat = models.CharField(_("family name (Latin)"), max_length=80, blank=True)
    father_name_lat = models.CharField(_("father's name (Latin)"), max_length=80, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=120, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True, db_index=True)
    birth_year_only = models.BooleanField(_("only the year is known"), default=False)
    marital_status = models.CharField(_("marital status"), max_length=10, choices=MaritalStatus.choices, blank=True)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    disability = models.CharField(_("disability"), max_length=10, choices=Disability.choices, blank=True)
    disability_card = models.CharField(_("disability card number"), max_length=40, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    locality = models.CharField(_("locality / neighbourhood"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A registration made although likely matches were shown: kept for the duplicate review.
    created_despite_matches = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["establishment", "-created_at"]),
            models.Index(fields=["-created_at"]),
            models.Index(fields=["commune", "birth_year"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(given_name_ar="") & Q(family_name_ar="") & Q(given_name_lat="")
                            & Q(family_name_lat="") & Q(pseudonym="")),
                name="person_has_a_name_or_pseudonym",
            ),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.display_name

    @property
    def record_no(self) -> str:
        """The number agents quote on the phone: derived from the id, so it costs no write."""
        return record_number(self.pk) if self.pk else ""

    @property
    def name_ar(self) -> str:
        return " ".join(p for p in (self.given_name_ar, self.family_name_ar) if p)

    @property
    def name_lat(self) -> str:
        return " ".join(p for p in (self.given_name_lat, self.family_name_lat) if p)

    @property
    def is_pseudonymous(self) -> bool:
        return not (self.name_ar or self.name_lat)

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.is_pseudonymous:
            return f"« {self.pseudonym} »"
        if (get_language() or "ar")[:2] == "ar":
            return self.name_ar or self.name_lat
        return self.name_lat or self.name_ar

    def full_names(self) -> list[str]:
        """Every full form of the name, for matching: Arabic and Latin, with and without the father."""
        out = []
        for given, family, father in (
            (self.given_name_ar, self.family_name_ar, self.father_name_ar),
            (self.given_name_lat, self.family_name_lat, self.father_name_lat),
        ):
            if given or family:
                out.append(" ".join(p for p in (given, father, family) if p))
        return out


def record_number(pk: int) -> str:
    return f"MWK-{pk:07d}"


def parse_record_number(text: str) -> int | None:
    import re

    m = re.fullmatch(r"\s*MWK-?0*(\d{1,12})\s*", text or "", re.I)
    return int(m.group(1)) if m else None


class NameKey(models.Model):
    """A phonetic key of a person's name, for exact-index search and duplicate blocking.

    ``kind`` "t" is one token (``mhmd``), "p" a sorted pair of tokens (``alwy|mhmd``): a pair
    is rare, so a two-word query is one selective index probe instead of a scan.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=80)
    kind = models.CharField(max_length=1)

    class Meta:
        indexes = [models.Index(fields=["key", "person"])]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="namekey_unique_per_person")]

    def __str__(self) -> str:
        return self.key


class NameVocabulary(models.Model):
    """Distinct token keys and how many persons carry each: typo tolerance and rarity."""

    key = models.CharField(max_length=80, unique=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} ({self.count})"


class Phone(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone number"), max_length=20, db_index=True)  # E.164, +2126…
    label = models.CharField(_("label"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")

    def __str__(self) -> str:
        return self.number


class IdentityDocument(TimeStamped):
    class Kind(models.TextChoices):
        CIN = "cin", _("National identity card (CNIE)")
        BIRTH = "birth", _("Birth certificate / civil-status record")
        FAMILY_BOOK = "family_book", _("Family booklet")
        RSU = "rsu", _("RSU identifier")
        IDCS = "idcs", _("Digital civil and social identifier (IDCS)")
        DISABILITY = "disability", _("Disability card")
        RESIDENCE = "residence", _("Residence card (foreign national)")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DECLARED = "declared", _("Declared, not seen")
        SEEN = "seen", _("Document seen")
        VERIFIED = "verified", _("Verified with the issuer")
        DISPUTED = "disputed", _("Disputed")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=40)
    status = models.CharField(_("verification"), max_length=10, choices=Status.choices, default=Status.DECLARED)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "number"])]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Consent(TimeStamped):
    class Purpose(models.TextChoices):
        LISTENING = "listening", _("Listening and case work")
        SHARING = "sharing", _("Sharing with partners for a referral")
        PHOTO = "photo", _("Photo or testimony")
        RELATIVES = "relatives", _("Data about relatives")
        RESEARCH = "research", _("Anonymised statistics and research")

    class Method(models.TextChoices):
        ORAL = "oral", _("Oral, read aloud and acknowledged")
        WRITTEN = "written", _("Written and signed")
        GUARDIAN = "guardian", _("Given by the legal guardian")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how it was given"), max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "purpose"])]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return self.get_purpose_display()

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


class Household(TimeStamped):
    establishment = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("label"), max_length=120, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.label or f"#{self.pk}"


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    GUARDIAN = "guardian", _("Guardian / kafil")
    OTHER = "other", _("Other relative")


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    relation = models.CharField(_("relation to the head"), max_length=10, choices=Relation.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "person"], name="member_once_per_household")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id}"


class DuplicatePair(TimeStamped):
    """A pair proposed by the duplicate scan, and what a supervisor decided."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        NOT_SAME = "not_same", _("Not the same person")
        MERGED = "merged", _("Merged")

    left = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons: models.JSONField[Any, Any] = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["left", "right"], name="duplicate_pair_once")]
        indexes = [models.Index(fields=["status", "-score"])]

    def __str__(self) -> str:
        return f"pair {self.pk} ({self.score:.2f})"


class MergeRecord(models.Model):
    """A merge as it happened: which rows moved and which gaps were filled, so it can be undone."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    moved: models.JSONField[Any, Any] = models.JSONField(default=dict)
    filled: models.JSONField[Any, Any] = models.JSONField(default=dict)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"merge {self.merged_id} -> {self.kept_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    import uuid
    from pathlib import Path

    # A random name: the file's own name may carry the person's name, and paths are guessable.
    return f"persons/{instance.person_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"


class Attachment(TimeStamped):
    """A photo or a scanned document. Stored outside the public static/media URLs and served
    only through a view that asks the access policy and journals the read."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Scanned document")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    label = models.CharField(_("label"), max_length=120, blank=True)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.label or self.get_kind_display()
