"""THE access policy. Every page, API endpoint, export, job and CLI command asks it.

A ``Scope`` is built once per request (``ScopeMiddleware``) or job (``scope_for_user`` from the
stored requester) from the actor's active assignments. It answers two questions:

* **where**: which org units, and therefore which rows, the actor reaches. Each scoped model
  says once how it reaches its establishment (``visible_to(scope)`` on its queryset), and that
  method calls ``scope.units_q(...)``. Nothing else filters by territory.
* **what**: which capabilities the actor's roles carry (``scope.can(Capability.X)``).

A row outside the scope is answered exactly like a row that does not exist: ``get_or_404``
raises ``Http404`` for both. There is no flag that turns this off; system jobs use the explicit
``SYSTEM`` scope, and the CLI demands ``--as-user`` or ``--system``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from mowakaba.accounts.models import Assignment, Role
from mowakaba.territory.models import OrgUnit

if TYPE_CHECKING:
    from mowakaba.accounts.models import User


class Capability(enum.StrEnum):
    VIEW_PERSONS = "view_persons"  # row-level data about people
    EDIT_PERSONS = "edit_persons"
    APPROVE = "approve"  # supervisor decisions: revoking referrals, reassigning cases
    APPROVE_EXTREME = "approve_extreme"  # the delegate's approval of extreme plans, placements, closures
    SUPERVISE = "supervise"  # team views, caseloads
    EDIT_STRUCTURE = "edit_structure"  # establishments and the units under one's own
    IMPORT_STRUCTURE = "import_structure"  # CSV import of the structure
    MANAGE_USERS = "manage_users"
    VIEW_JOURNAL = "view_journal"
    VIEW_ACCESS_LOG = "view_access_log"  # the data-protection officer's view of reads
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_PARTNERS = "view_partners"  # partner associations and their conventions, in one's territory
    MANAGE_CONVENTIONS = "manage_conventions"  # conventions, tranches, reports, visits; the full RIB


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.AGENT: frozenset({C.VIEW_PERSONS, C.EDIT_PERSONS, C.VIEW_AGGREGATES, C.VIEW_PARTNERS}),
    Role.MANAGER: frozenset(
        {C.VIEW_PERSONS, C.EDIT_PERSONS, C.APPROVE, C.SUPERVISE, C.EDIT_STRUCTURE, C.VIEW_JOURNAL, C.VIEW_AGGREGATES,
         C.VIEW_PARTNERS}
    ),
    Role.DELEGATE: frozenset(
        {C.VIEW_PERSONS, C.EDIT_PERSONS, C.APPROVE, C.APPROVE_EXTREME, C.SUPERVISE, C.EDIT_STRUCTURE,
         C.VIEW_JOURNAL, C.VIEW_AGGREGATES, C.VIEW_PARTNERS, C.MANAGE_CONVENTIONS}
    ),
    Role.COORDINATOR: frozenset(
        {C.VIEW_PERSONS, C.APPROVE, C.APPROVE_EXTREME, C.SUPERVISE, C.EDIT_STRUCTURE, C.VIEW_JOURNAL, C.VIEW_AGGREGATES,
         C.VIEW_PARTNERS, C.MANAGE_CONVENTIONS}
    ),
    Role.HEAD_OFFICE: frozenset(
        {C.VIEW_PERSONS, C.SUPERVISE, C.EDIT_STRUCTURE, C.IMPORT_STRUCTURE, C.VIEW_JOURNAL, C.VIEW_AGGREGATES,
         C.VIEW_PARTNERS, C.MANAGE_CONVENTIONS}
    ),
    # Partner staff see their own association (and its conventions) only: see own_partner_q.
    Role.PARTNER_STAFF: frozenset({C.VIEW_PERSONS, C.EDIT_PERSONS, C.VIEW_AGGREGATES, C.VIEW_PARTNERS}),
    # Aggregates only: an authority viewer has no capability that reaches a person.
    Role.AUTHORITY: frozenset({C.VIEW_AGGREGATES}),
    Role.DPO: frozenset({C.VIEW_PERSONS, C.VIEW_JOURNAL, C.VIEW_ACCESS_LOG, C.VIEW_AGGREGATES}),
    # Administrators keep the structure and the accounts, never people's files.
    Role.SYSADMIN: frozenset({C.EDIT_STRUCTURE, C.IMPORT_STRUCTURE, C.MANAGE_USERS, C.VIEW_JOURNAL}),
}

# Roles whose row-level reach is the whole country.
NATIONAL_ROLES = frozenset({Role.HEAD_OFFICE, Role.DPO, Role.SYSADMIN})


@dataclass(frozen=True)
class Grant:
    """One assignment, resolved: a role and where it reaches."""

    role: str
    national: bool = False
    unit_paths: tuple[str, ...] = ()
    partner_id: int | None = None
    region_ids: tuple[int, ...] = ()
    province_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    grants: tuple[Grant, ...] = ()
    is_system: bool = False
    # Resolved once from the grants.
    _caps: frozenset[Capability] = field(default=frozenset(), repr=False)
    # Answers computed once per scope (a scope lives for one request or one job): the
    # territory of aggregates is read many times by a dashboard.
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    # ---- what ---------------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def can(self, capability: Capability) -> bool:
        return self.is_system or capability in self._caps

    def require(self, capability: Capability) -> None:
        """Refuse with 404, not 403: a page one may not use does not exist for them."""
        if not self.can(capability):
            raise Http404

    @property
    def is_national(self) -> bool:
        return self.is_system or any(g.national for g in self.grants)

    @property
    def has_any_grant(self) -> bool:
        return self.is_system or bool(self.grants)

    # ---- where --------------------------------------------------------------------------
    def _grants_with(self, capability: Capability | None) -> list[Grant]:
        if capability is None:
            return list(self.grants)
        return [g for g in self.grants if capability in ROLE_CAPABILITIES.get(g.role, frozenset())]

    def units_q(self, prefix: str = "", capability: Capability | None = None) -> Q:
        """A filter on an ``OrgUnit`` relation reached through ``prefix``.

        ``prefix`` is the lookup path from the queried model to its OrgUnit ("" when querying
        OrgUnit itself, "establishment__" for a case). With ``capability``, only the grants that
        carry it count: a DPO's national grant lets them read the journal everywhere, but an
        authority viewer's territory never reaches a person.
        """
        if self.is_system:
            return Q()
        grants = self._grants_with(capability)
        if any(g.national for g in grants):
            return Q()
        q = Q(pk__in=[])  # matches nothing: no grant, no rows
        for g in grants:
            for path in g.unit_paths:
                q |= Q(**{f"{prefix}path__startswith": path})
            if g.partner_id is not None:
                q |= Q(**{f"{prefix}partner_id": g.partner_id})
            if g.province_ids:
                q |= Q(**{f"{prefix}commune__province_id__in": g.province_ids})
            if g.region_ids:
                q |= Q(**{f"{prefix}commune__province__region_id__in": g.region_ids})
        return q

    def orgunit_q(self) -> Q:
        """Which org units the actor reaches at all (structure pages, pickers)."""
        return self.units_q("")

    def rows_q(self, via: str, capability: Capability = Capability.VIEW_PERSONS) -> Q:
        """A filter for rows that belong to an establishment through the FK ``via``.

        Written as ``via IN (SELECT id FROM orgunit WHERE ...)`` so that it stays one
        indexed semi-join on PostgreSQL and SQLite, with no join multiplying rows.
        """
        if self.is_system or (self.can(capability) and any(
            g.national for g in self._grants_with(capability)
        )):
            return Q()
        if not self.can(capability):
            return Q(pk__in=[])
        units = OrgUnit.objects.filter(self.units_q("", capability)).values("pk")
        return Q(**{f"{via}__in": units})

    def own_partner_q(self, via: str) -> Q:
        """Rows of the association(s) the actor works for as partner staff, through the FK ``via``
        to ``PartnerAssociation`` ("pk" when querying the association itself).

        A partner grant names its association, or one of its establishments (then the association
        is that establishment's manager). Matches nothing for everyone else.
        """
        q = Q(pk__in=[])
        for g in self.grants:
            if g.role != Role.PARTNER_STAFF:
                continue
            if g.partner_id is not None:
                q |= Q(**{via: g.partner_id})
            for path in g.unit_paths:
                q |= Q(**{f"{via}__in": OrgUnit.objects.filter(path__startswith=path, partner__isnull=False)
                          .values("partner_id")})
        return q

    def territory_province_ids(self) -> frozenset[int] | None:
        """Provinces whose aggregates the actor may read; None means the whole country."""
        if self.is_national:
            return None
        if "territory" not in self._memo:
            self._memo["territory"] = self._territory_province_ids()
        return self._memo["territory"]

    def _territory_province_ids(self) -> frozenset[int]:
        ids: set[int] = set()
        from mowakaba.territory.models import Province

        for g in self.grants:
            ids.update(g.province_ids)
            if g.region_ids:
                ids.update(Province.objects.filter(region_id__in=g.region_ids).values_list("pk", flat=True))
            for path in g.unit_paths:
                unit_ids = OrgUnit.objects.filter(path__startswith=path)
                ids.update(
                    Province.objects.filter(delegations__in=unit_ids).values_list("pk", flat=True)
                )
                ids.update(
                    Province.objects.filter(region__coordinations__in=unit_ids).values_list("pk", flat=True)
                )
                ids.update(
                    unit_ids.filter(commune__isnull=False).values_list("commune__province_id", flat=True)
                )
            if g.partner_id is not None:
                ids.update(
                    OrgUnit.objects.filter(partner_id=g.partner_id, commune__isnull=False).values_list(
                        "commune__province_id", flat=True
                    )
                )
        return frozenset(ids)


def any_of(*filters: Q) -> Q:
    """OR of access filters. An empty ``Q()`` means "everything" here, but Django drops an
    empty Q from an OR (``Q() | x == x``), which would narrow instead of widen: say it explicitly."""
    if any(not f for f in filters):
        return Q()
    out = Q(pk__in=[])
    for f in filters:
        out |= f
    return out


SYSTEM = Scope(user_id=None, is_system=True)
NOBODY = Scope(user_id=None)


def _grant_for(a: Assignment) -> Grant | None:
    if a.role in NATIONAL_ROLES:
        return Grant(role=a.role, national=True)
    if a.role == Role.PARTNER_STAFF:
        if a.org_unit is not None and a.org_unit.partner_id == a.partner_id:
            return Grant(role=a.role, unit_paths=(a.org_unit.path,))
        if a.partner_id is not None:
            return Grant(role=a.role, partner_id=a.partner_id)
        return None
    if a.role == Role.AUTHORITY:
        if a.province_id:
            return Grant(role=a.role, province_ids=(a.province_id,))
        if a.region_id:
            return Grant(role=a.role, region_ids=(a.region_id,))
        if a.org_unit is not None and a.org_unit.kind == OrgUnit.Kind.NATIONAL:
            return Grant(role=a.role, national=True)
        return None
    if a.org_unit is None or not a.org_unit.path:
        return None
    if a.org_unit.kind == OrgUnit.Kind.NATIONAL:
        return Grant(role=a.role, national=True)
    return Grant(role=a.role, unit_paths=(a.org_unit.path,))


def scope_for_user(user: User | Any | None) -> Scope:
    """Build the scope of a person from their active assignments (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    assignments = Assignment.objects.active().filter(user_id=user.pk).select_related("org_unit")
    grants = tuple(g for g in (_grant_for(a) for a in assignments) if g is not None)
    caps: set[Capability] = set()
    for g in grants:
        caps |= ROLE_CAPABILITIES.get(g.role, frozenset())
    return Scope(user_id=user.pk, grants=grants, _caps=frozenset(caps))


M = TypeVar("M", bound=Model)


def get_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch and authorise in one call: missing and out-of-scope rows are the same 404.

    ``queryset`` must already be narrowed by ``visible_to(scope)``.
    """
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def scope_of(request: Any) -> Scope:
    scope = getattr(request, "scope", None)
    if scope is None:
        scope = scope_for_user(getattr(request, "user", None))
        request.scope = scope
    return scope


def describe(scope: Scope) -> Iterable[str]:
    """Short human-readable list of grants, for the profile page and logs."""
    for g in scope.grants:
        yield f"{g.role}:{'national' if g.national else ','.join(g.unit_paths) or g.partner_id}"
