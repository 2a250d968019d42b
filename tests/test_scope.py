"""The access policy itself: who reaches which units, and with which capabilities."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from mowakaba.accounts.models import Assignment, Role
from mowakaba.accounts.scope import NOBODY, SYSTEM, Capability, get_or_404, scope_for_user
from mowakaba.territory.models import OrgUnit


def _establishments(user: Any) -> Any:
    return OrgUnit.objects.visible_to(scope_for_user(user)).filter(kind=OrgUnit.Kind.ESTABLISHMENT)


def test_an_agent_reaches_only_their_establishment(agent_casablanca: Any) -> None:
    units = list(_establishments(agent_casablanca))
    assert len(units) == 1
    assert units[0].assignments.filter(user=agent_casablanca).exists()


def test_a_delegate_reaches_every_establishment_of_their_delegation_and_no_other(delegate_casablanca: Any) -> None:
    delegation = OrgUnit.objects.get(assignments__user=delegate_casablanca)
    mine = set(_establishments(delegate_casablanca).values_list("pk", flat=True))
    expected = set(OrgUnit.objects.filter(kind="establishment", parent=delegation).values_list("pk", flat=True))
    assert mine == expected and mine


def test_a_coordinator_reaches_the_delegations_of_their_coordination(coordinator_casablanca: Any,
                                                                      delegate_tanger: Any) -> None:
    scope = scope_for_user(coordinator_casablanca)
    visible = OrgUnit.objects.visible_to(scope)
    assert visible.filter(assignments__user__username="delegate.casa").exists()
    assert not visible.filter(assignments__user=delegate_tanger).exists()


def test_head_office_reaches_everything(national_admin: Any) -> None:
    assert _establishments(national_admin).count() == OrgUnit.objects.filter(kind="establishment").count()


def test_partner_staff_reach_only_the_establishments_of_their_association(partner_staff: Any) -> None:
    partner_id = Assignment.objects.get(user=partner_staff).partner_id
    units = _establishments(partner_staff)
    assert units.exists()
    assert set(units.values_list("partner_id", flat=True)) == {partner_id}


def test_an_authority_viewer_has_no_capability_that_reaches_a_person(authority_viewer: Any) -> None:
    scope = scope_for_user(authority_viewer)
    assert scope.can(Capability.VIEW_AGGREGATES)
    for cap in (Capability.VIEW_PERSONS, Capability.EDIT_PERSONS, Capability.VIEW_JOURNAL, Capability.APPROVE):
        assert not scope.can(cap)
    # Rows tied to an establishment are filtered to nothing for person-level reads.
    assert OrgUnit.objects.filter(scope.rows_q("pk", Capability.VIEW_PERSONS)).count() == 0


def test_a_system_administrator_keeps_structure_and_accounts_but_never_people(sysadmin: Any) -> None:
    scope = scope_for_user(sysadmin)
    assert scope.can(Capability.MANAGE_USERS) and scope.can(Capability.EDIT_STRUCTURE)
    assert not scope.can(Capability.VIEW_PERSONS)
    assert OrgUnit.objects.filter(scope.rows_q("pk", Capability.VIEW_PERSONS)).count() == 0


def test_no_assignment_means_no_data(db: Any) -> None:
    from mowakaba.accounts.models import User

    lonely = User.objects.create_user("lonely", password="x" * 12)
    scope = scope_for_user(lonely)
    assert not scope.has_any_grant
    assert OrgUnit.objects.visible_to(scope).count() == 0
    assert OrgUnit.objects.visible_to(NOBODY).count() == 0


def test_an_ended_assignment_no_longer_counts(agent_casablanca: Any) -> None:
    from django.utils import timezone

    Assignment.objects.filter(user=agent_casablanca).update(ends_on=timezone.localdate() - timezone.timedelta(days=1))
    assert not scope_for_user(agent_casablanca).has_any_grant


def test_the_system_scope_is_explicit_and_reaches_everything(db: Any) -> None:
    assert OrgUnit.objects.visible_to(SYSTEM).count() == OrgUnit.objects.count()


def test_fetch_and_authorise_is_one_404_for_missing_and_forbidden(agent_tanger: Any,
                                                                   agent_casablanca: Any) -> None:
    qs = OrgUnit.objects.visible_to(scope_for_user(agent_tanger))
    casablanca = OrgUnit.objects.get(assignments__user=agent_casablanca)
    with pytest.raises(Http404):
        get_or_404(qs, pk=casablanca.pk)
    with pytest.raises(Http404):
        get_or_404(qs, pk=10**9)
    with pytest.raises(Http404):
        get_or_404(qs, pk="not-a-number")


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_has_a_capability_set(role: str) -> None:
    from mowakaba.accounts.scope import ROLE_CAPABILITIES

    assert role in ROLE_CAPABILITIES
