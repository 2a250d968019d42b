"""Writes to accounts: users, assignments, API tokens. Each is journalled."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mowakaba.accounts.models import ROLE_UNIT_KIND, ApiToken, Assignment, Role, User
from mowakaba.accounts.scope import Capability, Scope
from mowakaba.audit.services import journal_write
from mowakaba.territory.models import OrgUnit, PartnerAssociation, Province, Region


def _check_assignment(role: str, org_unit: OrgUnit | None, partner: PartnerAssociation | None,
                      region: Region | None, province: Province | None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    kind = ROLE_UNIT_KIND[role]
    if role == Role.PARTNER_STAFF:
        if partner is None:
            raise ValidationError({"partner": [_("Partner staff must be attached to their association.")]})
        if org_unit is not None and org_unit.partner_id != partner.pk:
            raise ValidationError({"org_unit": [_("This establishment is not run by that association.")]})
    elif role == Role.AUTHORITY:
        if region is None and province is None:
            raise ValidationError({"province": [_("An authority viewer needs a region or a province.")]})
    elif kind is not None and (org_unit is None or org_unit.kind != kind):
        raise ValidationError({"org_unit": [
            _("This role must be assigned to a unit of kind: %(kind)s.") % {"kind": OrgUnit.Kind(kind).label}
        ]})


@transaction.atomic
def user_create(*, actor: Any, scope: Scope, username: str, password: str, first_name: str = "",
                last_name: str = "", full_name_ar: str = "", email: str = "", language: str = "ar",
                role: str, org_unit: OrgUnit | None = None, partner: PartnerAssociation | None = None,
                region: Region | None = None, province: Province | None = None) -> User:
    scope.require(Capability.MANAGE_USERS)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("This username is already taken.")]})
    _check_assignment(role, org_unit, partner, region, province)
    from django.contrib.auth.password_validation import validate_password

    user = User(username=username, first_name=first_name, last_name=last_name, full_name_ar=full_name_ar,
                email=email, language=language)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    a = Assignment.objects.create(user=user, role=role, org_unit=org_unit, partner=partner, region=region,
                                  province=province)
    journal_write(actor=actor, action="user.create", obj=user, org_unit_id=org_unit.pk if org_unit else None,
                  changes={"role": role, "assignment": str(a)})
    return user


@transaction.atomic
def assignment_end(*, actor: Any, scope: Scope, assignment_id: int) -> Assignment:
    from datetime import timedelta

    from django.utils import timezone

    scope.require(Capability.MANAGE_USERS)
    a = Assignment.objects.select_for_update().get(pk=assignment_id)
    a.ends_on = timezone.localdate() - timedelta(days=1)
    a.save(update_fields=["ends_on", "updated_at"])
    journal_write(actor=actor, action="assignment.end", obj=a, org_unit_id=a.org_unit_id)
    return a


def token_issue(*, actor: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, for example the machine that will use it.")]})
    token, raw = ApiToken.issue(user=actor, name=name)
    journal_write(actor=actor, action="token.issue", obj=token, kind="auth")
    return token, raw


def token_revoke(*, actor: User, token_id: int) -> None:
    token = ApiToken.objects.filter(user=actor, pk=token_id).first()
    if token is None:
        from django.http import Http404

        raise Http404
    token.revoked = True
    token.save(update_fields=["revoked", "updated_at"])
    journal_write(actor=actor, action="token.revoke", obj=token, kind="auth")
