"""Users, their roles and where they work. What a role may do is decided in scope.py."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mowakaba.core.models import TimeStamped
from mowakaba.territory.models import OrgUnit, PartnerAssociation, Province, Region


class Role(models.TextChoices):
    AGENT = "agent", _("Field agent")
    MANAGER = "manager", _("Establishment manager")
    DELEGATE = "delegate", _("Provincial delegate")
    COORDINATOR = "coordinator", _("Regional coordinator")
    HEAD_OFFICE = "head_office", _("Head office")
    PARTNER_STAFF = "partner_staff", _("Partner association staff")
    AUTHORITY = "authority", _("Authority viewer")
    DPO = "dpo", _("Data-protection officer")
    SYSADMIN = "sysadmin", _("System administrator")


# The kind of org unit each role is assigned to; authority viewers get a territory instead,
# partner staff their association (and optionally one of its establishments).
ROLE_UNIT_KIND: dict[str, str | None] = {
    Role.AGENT: OrgUnit.Kind.ESTABLISHMENT,
    Role.MANAGER: OrgUnit.Kind.ESTABLISHMENT,
    Role.DELEGATE: OrgUnit.Kind.DELEGATION,
    Role.COORDINATOR: OrgUnit.Kind.COORDINATION,
    Role.HEAD_OFFICE: OrgUnit.Kind.NATIONAL,
    Role.DPO: OrgUnit.Kind.NATIONAL,
    Role.SYSADMIN: OrgUnit.Kind.NATIONAL,
    Role.PARTNER_STAFF: None,
    Role.AUTHORITY: None,
}


class User(AbstractUser):
    full_name_ar = models.CharField(_("full name (Arabic)"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("interface language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        latin = self.get_full_name() or self.username
        if (get_language() or "ar")[:2] == "ar" and self.full_name_ar:
            return self.full_name_ar
        return latin


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active(self, at: datetime | None = None) -> AssignmentQuerySet:
        day = (at or timezone.now()).date()
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Assignment(TimeStamped):
    """A role held somewhere. A user with no active assignment sees no data at all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments",
        verbose_name=_("organisational unit"),
    )
    partner = models.ForeignKey(
        PartnerAssociation, on_delete=models.PROTECT, null=True, blank=True, related_name="staff_assignments",
        verbose_name=_("partner association"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "ends_on"]), models.Index(fields=["org_unit", "role"])]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        where = self.org_unit or self.partner or self.province or self.region or _("national")
        return f"{self.get_role_display()} · {where}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(TimeStamped):
    """A machine's key to the API. Only its hash is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @classmethod
    def issue(cls, *, user: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
        raw = "mwk_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=raw[4:12],
            key_hash=_hash_token(raw),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=_hash_token(raw), revoked=False)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user
