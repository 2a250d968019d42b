"""Builders for partner tests: the Casablanca delegation, its associations, a convention."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mowakaba.accounts.models import User
from mowakaba.accounts.scope import scope_for_user
from mowakaba.partners import services
from mowakaba.partners.models import Convention, rib_key
from mowakaba.territory.models import OrgUnit, PartnerAssociation


def valid_rib(first22: str = "0077800001234567890123") -> str:
    return first22 + f"{rib_key(first22):02d}"


def delegate() -> tuple[User, Any]:
    user = User.objects.get(username="delegate.casa")
    return user, scope_for_user(user)


def casablanca_delegation() -> OrgUnit:
    return OrgUnit.objects.get(assignments__user__username="delegate.casa")


def own_association() -> PartnerAssociation:
    """The association partner.casa works for."""
    return PartnerAssociation.objects.get(staff_assignments__user__username="partner.casa")


def other_casablanca_association() -> PartnerAssociation:
    """Another association of Casablanca: the delegate sees it, partner.casa must not."""
    own = own_association()
    other = PartnerAssociation.objects.filter(province_id=own.province_id).exclude(pk=own.pk).order_by("pk").first()
    assert other is not None
    return other


def convention(association: PartnerAssociation | None = None, *, signed: bool = False, starts_in: int = -30,
               days: int = 365, amount: str = "120000", reports: int = 0) -> Convention:
    """A convention of the Casablanca delegation, in two tranches; signed when asked."""
    user, scope = delegate()
    today = timezone.localdate()
    start = today + timedelta(days=starts_in)
    conv = services.convention_create(
        actor=user, scope=scope, unit_id=casablanca_delegation().pk,
        association_id=(association or other_casablanca_association()).pk,
        data={"subject": "Gestion du centre", "starts_on": start, "ends_on": start + timedelta(days=days),
              "amount": amount}, obligations=["Tenir une comptabilité", "Accueillir 40 femmes"])
    half = Decimal(amount) / 2
    services.tranche_add(actor=user, scope=scope, convention_id=conv.pk, planned_on=start, planned_amount=half)
    services.tranche_add(actor=user, scope=scope, convention_id=conv.pk, planned_on=start + timedelta(days=180),
                         planned_amount=half)
    for i in range(reports):
        services.report_add(actor=user, scope=scope, convention_id=conv.pk, kind="activity" if i % 2 == 0 else
                            "financial", due_on=start + timedelta(days=90 * (i + 1)))
    if signed:
        services.convention_sign(actor=user, scope=scope, convention_id=conv.pk, signed_on=min(today, start))
    conv.refresh_from_db()
    return conv


def day(offset: int) -> date:
    return timezone.localdate() + timedelta(days=offset)
