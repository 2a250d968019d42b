"""Helpers that build casework quickly, always through the services (never by writing rows by
hand), plus ``world``: a snapshot of everything a casework action may write, so that a refused
action can be shown to have changed nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from mowakaba.accounts.models import Assignment, Role, User
from mowakaba.accounts.scope import Scope, scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.cases import services as cs
from mowakaba.cases.models import (
    Approval,
    Assessment,
    Case,
    CaseGroup,
    ExtremeTrack,
    Goal,
    ListeningSession,
    Placement,
    Review,
    SessionNeed,
    Task,
    Transfer,
)
from mowakaba.notifications.models import Notification
from mowakaba.referrals import services as rs
from mowakaba.referrals.models import Referral
from mowakaba.registry import services as registry
from mowakaba.registry.models import Consent, Person
from mowakaba.territory.models import OrgUnit

_seq = itertools.count(1)

# The lowest answer of every question: score 0, level "low".
LOW_ANSWERS: dict[str, str] = {
    "family": "with_family", "resources": "sufficient", "housing": "stable", "health": "good",
    "disability": "none", "schooling": "not_applicable", "documents": "complete", "rsu": "registered",
    "protection": "none",
}


def answers(**overrides: str) -> dict[str, str]:
    return {**LOW_ANSWERS, **overrides}


def scope(user: Any) -> Scope:
    return scope_for_user(user)


def home(user: Any) -> OrgUnit:
    """The establishment where a front-line user (agent, manager) works."""
    return OrgUnit.objects.get(assignments__user=user, kind=OrgUnit.Kind.ESTABLISHMENT,
                               assignments__role__in=[Role.AGENT, Role.MANAGER])


def user(username: str) -> User:
    return User.objects.get(username=username)


def pseudonym() -> dict[str, str]:
    return {"pseudonym": f"Personne test {next(_seq)}"}


# ---- listening and cases ------------------------------------------------------------------


def listening(actor: Any, *, open_case: bool = True, consent_given: bool = True,
              new_person: dict[str, Any] | None = None, person_id: int | None = None, case_id: int | None = None,
              establishment_id: int | None = None,
              channel: str = "walk_in", urgency: str = "normal", needs: Iterable[str] = ("shelter",),
              groups: Iterable[str] = (), held_at: datetime | None = None, **data: Any) -> ListeningSession:
    """``listening_record`` with sensible defaults: a walk-in, consent given, a new pseudonymous
    person when the session opens a case and names nobody."""
    if new_person is None and person_id is None and case_id is None and open_case:
        new_person = pseudonym()
    return cs.listening_record(
        actor=actor, scope=scope(actor), establishment_id=establishment_id or home(actor).pk,
        data={"channel": channel, "urgency": urgency, **({"held_at": held_at} if held_at else {}), **data},
        needs=needs, person_id=person_id, new_person=new_person, consent_given=consent_given,
        open_case=open_case, case_id=case_id, groups=groups,
    )


def open_case(actor: Any, **kwargs: Any) -> Case:
    session = listening(actor, **kwargs)
    assert session.case is not None
    return Case.objects.get(pk=session.case_id)


def assess(actor: Any, case: Case, *, level: str = "", override_reason: str = "", **answer_overrides: str
           ) -> Assessment:
    return cs.assessment_record(actor=actor, scope=scope(actor), case_id=case.pk, answers=answers(**answer_overrides),
                                level=level, override_reason=override_reason)


def extreme_case(actor: Any, **kwargs: Any) -> Case:
    """A case that reached the extreme level (immediate danger), its individual-treatment track open."""
    case = open_case(actor, **kwargs)
    assess(actor, case, protection="immediate_danger")
    case.refresh_from_db()
    assert case.extreme
    return case


def goal(actor: Any, case: Case, text: str = "Hébergement stable") -> Goal:
    return cs.goal_add(actor=actor, scope=scope(actor), case_id=case.pk, text=text)


def task(actor: Any, case: Case, *, kind: str = "action", title: str = "Appeler la famille",
         due_on: date | None = None, assignee_id: int | None = None, goal_id: int | None = None) -> Task:
    return cs.task_add(actor=actor, scope=scope(actor), case_id=case.pk, kind=kind, title=title,
                       due_on=due_on or timezone.localdate(), assignee_id=assignee_id, goal_id=goal_id)


def approved_plan(actor: Any, approver: Any, case: Case) -> Approval:
    """An extreme case's plan, written by ``actor`` and approved by ``approver``."""
    goal(actor, case)
    approval = cs.extreme_plan_submit(actor=actor, scope=scope(actor), case_id=case.pk)
    return cs.approval_decide(actor=approver, scope=scope(approver), approval_id=approval.pk, approve=True)


def close(actor: Any, case: Case, *, reason: str = "goals_met", outcome: str = "improved"
          ) -> tuple[Case, Approval | None]:
    case.refresh_from_db()
    return cs.case_close(actor=actor, scope=scope(actor), case_id=case.pk, expected_version=case.version,
                         reason=reason, outcome=outcome)


def sharing_consent(actor: Any, case: Case) -> Consent:
    return registry.consent_record(actor=actor, scope=scope(actor), person_id=case.person_id, purpose="sharing",
                                   method="oral")


# ---- places and people ---------------------------------------------------------------------


def agents_of(unit: OrgUnit | int) -> list[User]:
    pk = unit.pk if isinstance(unit, OrgUnit) else unit
    return list(User.objects.filter(assignments__in=Assignment.objects.active().filter(
        org_unit_id=pk, role=Role.AGENT)).order_by("pk"))


def internal_establishment(near: OrgUnit, *, with_agent: bool = True) -> OrgUnit:
    """Another establishment of the institution (not partner-run) in the same delegation."""
    qs = OrgUnit.objects.filter(parent_id=near.parent_id, kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                partner__isnull=True).exclude(pk=near.pk).order_by("pk")
    if with_agent:
        qs = qs.filter(assignments__role=Role.AGENT)
    return qs.distinct().first()  # type: ignore[return-value]


def establishment_elsewhere(than: OrgUnit) -> tuple[OrgUnit, User]:
    """An active establishment of the institution in another province, with an active agent
    assignment: (the establishment, its agent)."""
    assert than.commune is not None
    unit = (OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True, partner__isnull=True,
                                   assignments__in=Assignment.objects.active().filter(role=Role.AGENT))
            .exclude(commune__province_id=than.commune.province_id).order_by("pk").distinct().first())
    assert unit is not None
    return unit, agents_of(unit)[0]


def partner_establishment(partner_user: Any) -> OrgUnit:
    """An establishment run by the partner association a partner-staff user works for."""
    partner_id = Assignment.objects.active().filter(user=partner_user).values_list("partner_id", flat=True).first()
    return OrgUnit.objects.filter(partner_id=partner_id, kind=OrgUnit.Kind.ESTABLISHMENT, active=True).order_by(
        "pk").first()  # type: ignore[return-value]


def other_partner_establishment(partner_user: Any, near: OrgUnit) -> OrgUnit:
    """An establishment in the same delegation run by *another* association."""
    mine = partner_establishment(partner_user).partner_id
    return OrgUnit.objects.filter(parent_id=near.parent_id, kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                  partner__isnull=False).exclude(partner_id=mine).order_by("pk").first()  # type: ignore[return-value]


def send_internal(actor: Any, case: Case, to: OrgUnit, reason: str = "Hébergement d'urgence") -> Referral:
    return rs.referral_send(actor=actor, scope=scope(actor), case_id=case.pk, target="internal",
                            to_establishment_id=to.pk, reason=reason)


# ---- nothing changed ----------------------------------------------------------------------------


def _rows(model: Any, **where: Any) -> list[tuple[Any, ...]]:
    fields = [f.attname for f in model._meta.concrete_fields]
    return list(model.objects.filter(**where).order_by("pk").values_list(*fields)) if where else []


COUNTED = (Case, ListeningSession, SessionNeed, CaseGroup, Assessment, ExtremeTrack, Approval, Placement, Goal,
           Task, Review, Transfer, Referral, Notification, JournalEntry, Person, Consent)


def world(case: Case | int | None = None) -> dict[str, Any]:
    """Everything a casework action can write: the count of each table, and, for a case, every
    field of the case and of its tracks, approvals, placements, goals, tasks, transfers and
    referrals. Two equal snapshots mean the action changed nothing."""
    snap: dict[str, Any] = {m._meta.label: m.objects.count() for m in COUNTED}
    snap["notifications"] = list(Notification.objects.order_by("pk").values_list("pk", "user_id", "kind", "read_at"))
    if case is not None:
        pk = case.pk if isinstance(case, Case) else case
        snap["case"] = _rows(Case, pk=pk)
        for model in (ExtremeTrack, Approval, Placement, Goal, Task, Transfer, Referral, Assessment, Review):
            snap[model._meta.label + ":rows"] = _rows(model, case_id=pk)
    return snap


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)
