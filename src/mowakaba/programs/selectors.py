"""Reads for programmes: the service directory, an offering's group, outcomes per programme.

No count runs per row: the directory annotates each establishment with correlated subqueries
over the offerings' counters (``admitted_count``, ``waiting_count``, kept by the services) and
the active placements, and the offerings and managers of a page of establishments are fetched in
one query each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from mowakaba.accounts.models import Assignment, Role
from mowakaba.accounts.scope import Capability, Scope
from mowakaba.cases.models import Need, Placement
from mowakaba.programs.models import SUCCESS_OUTCOMES, Enrolment, GroupSession, Offering, Outcome, Programme
from mowakaba.territory.models import OrgUnit

# Establishment types that answer a need even without a programme offering (residential care,
# listening, protection units), alongside the types named by the programmes that answer it.
NEED_TYPES: dict[str, tuple[str, ...]] = {
    Need.SHELTER: ("eps_homeless", "eps_women", "cas", "samu"),
    Need.FOOD: ("eps_homeless", "cas", "samu"),
    Need.DISABILITY: ("coaph", "eps_disability"),
    Need.EMPLOYMENT: ("cfa", "cef", "emf"),
    Need.INCOME: ("emf", "cef", "csp"),
    Need.SCHOOLING: ("cef", "eps_student", "kindergarten"),
    Need.VIOLENCE: ("emf", "ceo", "eps_women"),
    Need.PSYCHO: ("ceo", "emf"),
    Need.FAMILY: ("ceo", "cas", "emf"),
    Need.ELDERLY_CARE: ("eps_elderly", "ups"),
    Need.HEALTH: ("ups", "eps_elderly", "coaph"),
    Need.DOCUMENTS: ("cas", "ups"),
    Need.LEGAL: ("ceo", "emf"),
}


def programmes_for_need(need: str, programmes: Iterable[Programme] | None = None) -> list[Programme]:
    pool = list(programmes) if programmes is not None else list(Programme.objects.filter(active=True))
    return [p for p in pool if need in (p.needs or [])]


def types_for_need(need: str, programmes: Iterable[Programme] | None = None) -> set[str]:
    types = set(NEED_TYPES.get(need, ()))
    for p in programmes_for_need(need, programmes):
        types.update(p.establishment_types or [])
    return types


def _sum(field_name: str) -> Any:
    sub = (Offering.objects.filter(establishment=OuterRef("pk"), active=True).order_by()
           .values("establishment").annotate(s=Sum(field_name)).values("s"))
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def directory(*, region_id: int | None = None, province_id: int | None = None, commune_id: int | None = None,
              need: str = "", type_code: str = "", programme_id: int | None = None, q: str = "",
              with_offerings_only: bool = False) -> QuerySet[OrgUnit]:
    """Active establishments with their capacity figures, filtered by place and need.

    The directory is the institution's public map of its services: no person is named in it, so
    every staff member sees the whole country (agents refer and enrol anywhere)."""
    placed = (Placement.objects.filter(establishment=OuterRef("pk"), state=Placement.State.ACTIVE).order_by()
              .values("establishment").annotate(n=Count("pk")).values("n"))
    offerings = (Offering.objects.filter(establishment=OuterRef("pk"), active=True).order_by()
                 .values("establishment").annotate(n=Count("pk")).values("n"))
    qs = (OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True)
          .select_related("establishment_type", "commune__province__region", "partner")
          .annotate(places=_sum("capacity"), admitted=_sum("admitted_count"), waiting=_sum("waiting_count"),
                    placed=Coalesce(Subquery(placed, output_field=IntegerField()), Value(0)),
                    offerings_n=Coalesce(Subquery(offerings, output_field=IntegerField()), Value(0))))
    if commune_id:
        qs = qs.filter(commune_id=commune_id)
    elif province_id:
        qs = qs.filter(commune__province_id=province_id)
    elif region_id:
        qs = qs.filter(commune__province__region_id=region_id)
    if type_code:
        qs = qs.filter(establishment_type__code=type_code)
    if programme_id:
        qs = qs.filter(pk__in=Offering.objects.filter(programme_id=programme_id, active=True).values("establishment"))
    if need:
        programmes = list(Programme.objects.filter(active=True))
        ids = [p.pk for p in programmes_for_need(need, programmes)]
        qs = qs.filter(Q(establishment_type__code__in=types_for_need(need, programmes))
                       | Q(pk__in=Offering.objects.filter(programme_id__in=ids, active=True).values("establishment")))
    if with_offerings_only:
        qs = qs.filter(pk__in=Offering.objects.filter(active=True).values("establishment"))
    if q:
        qs = qs.filter(Q(name_fr__icontains=q) | Q(name_ar__icontains=q) | Q(code__iexact=q)
                       | Q(commune__name_fr__icontains=q) | Q(commune__name_ar__icontains=q))
    return qs.order_by("commune__province__code", "commune__code", "code")


@dataclass
class DirectoryExtras:
    offerings: dict[int, list[Offering]] = field(default_factory=dict)
    managers: dict[int, list[str]] = field(default_factory=dict)


def directory_extras(units: list[OrgUnit]) -> DirectoryExtras:
    """The offerings and managers of a page of establishments: two queries whatever its length."""
    ids = [u.pk for u in units]
    out = DirectoryExtras()
    for o in (Offering.objects.filter(establishment_id__in=ids, active=True).select_related("programme")
              .order_by("programme__sort_order", "-starts_on")):
        out.offerings.setdefault(o.establishment_id, []).append(o)
    for a in (Assignment.objects.active().filter(org_unit_id__in=ids, role=Role.MANAGER).select_related("user")
              .order_by("pk")):
        if a.org_unit_id is not None:
            out.managers.setdefault(a.org_unit_id, []).append(a.user.display_name)
    return out


def roster(offering: Offering) -> dict[str, list[Enrolment]]:
    """An offering's people: admitted, waiting (in queue order, rank set), and those who left."""
    rows = list(Enrolment.objects.filter(offering=offering).select_related("person", "case")
                .order_by("state", "queue_no", "pk"))
    out: dict[str, list[Enrolment]] = {s: [] for s in Enrolment.State.values}
    for e in rows:
        out[e.state].append(e)
    out["waiting"].sort(key=lambda e: e.queue_no)
    for rank, e in enumerate(out["waiting"], start=1):
        e.rank = rank  # type: ignore[attr-defined]
    return out


def sessions_of(offering: Offering, limit: int = 50) -> list[GroupSession]:
    return list(GroupSession.objects.filter(offering=offering).order_by("-held_on", "-pk")[:limit])


def enrolments_for(scope: Scope, *, state: str = "", programme_id: int | None = None,
                   establishment_id: int | None = None, person_id: int | None = None) -> QuerySet[Enrolment]:
    scope.require(Capability.VIEW_PERSONS)
    qs = (Enrolment.objects.visible_to(scope)
          .select_related("person", "offering__programme", "establishment", "case"))
    if state:
        qs = qs.filter(state=state)
    if programme_id:
        qs = qs.filter(offering__programme_id=programme_id)
    if establishment_id:
        qs = qs.filter(establishment_id=establishment_id)
    if person_id:
        qs = qs.filter(person_id=person_id)
    return qs.order_by("-requested_at", "-pk")


@dataclass
class ProgrammeOutcomes:
    programme: Programme
    enrolled: int = 0
    admitted: int = 0
    waiting: int = 0
    exited: int = 0
    by_outcome: list[tuple[str, str, int, int]] = field(default_factory=list)  # code, label, count, percent
    success: int = 0

    @property
    def success_rate(self) -> int | None:
        return round(100 * self.success / self.exited) if self.exited else None


def outcomes(scope: Scope, programme_ids: Iterable[int] | None = None) -> list[ProgrammeOutcomes]:
    """Counts by state and by outcome for each programme, within what the actor may read as
    aggregates (national roles: the country; others: their territory). One grouped query."""
    programmes = list(Programme.objects.filter(active=True) if programme_ids is None
                      else Programme.objects.filter(pk__in=list(programme_ids)))
    qs = Enrolment.objects.all()
    provinces = scope.territory_province_ids()
    if provinces is not None:
        qs = qs.filter(establishment__commune__province_id__in=provinces)
    rows = (qs.filter(offering__programme_id__in=[p.pk for p in programmes]).order_by()
            .values_list("offering__programme_id", "state", "outcome").annotate(n=Count("pk")))
    result = {p.pk: ProgrammeOutcomes(p) for p in programmes}
    counts: dict[int, dict[str, int]] = {}
    for pid, state, outcome, n in rows:
        r = result[pid]
        r.enrolled += n
        if state == Enrolment.State.ADMITTED:
            r.admitted += n
        elif state == Enrolment.State.WAITING:
            r.waiting += n
        elif state == Enrolment.State.EXITED:
            r.exited += n
            counts.setdefault(pid, {})[outcome] = counts.get(pid, {}).get(outcome, 0) + n
            if outcome in SUCCESS_OUTCOMES:
                r.success += n
    labels = dict(Outcome.choices)
    for pid, by in counts.items():
        r = result[pid]
        r.by_outcome = sorted(((o, str(labels.get(o, o or "—")), n, round(100 * n / r.exited)) for o, n in by.items()),
                              key=lambda t: -t[2])
    return [result[p.pk] for p in programmes]
