"""Reads for casework pages and the API: case lists, task lists, supervisor views, inbox,
timelines. Each starts from the access policy and runs a fixed number of queries whatever the
number of rows (checked in tests with ``django_assert_max_num_queries``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from mowakaba.accounts.scope import Capability, Scope
from mowakaba.audit.models import JournalEntry
from mowakaba.cases.models import (
    OPEN_STATUSES,
    Approval,
    Case,
    CaseGroup,
    ExtremeTrack,
    Status,
    Task,
    Transfer,
)


def cases_for(scope: Scope, *, status: str = "", level: str = "", agent_id: int | None = None,
              mine_of: int | None = None, extreme: bool | None = None, group: str = "",
              establishment_id: int | None = None,
              q: str = "") -> QuerySet[Case]:
    """The case list: newest first, filtered on indexed columns."""
    qs = Case.objects.visible_to(scope).select_related("person", "establishment", "agent")
    if status == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if agent_id:
        qs = qs.filter(agent_id=agent_id)
    if mine_of:
        qs = qs.filter(agent_id=mine_of)
    if extreme is not None:
        qs = qs.filter(extreme=extreme)
    if group:
        qs = qs.filter(pk__in=CaseGroup.objects.filter(group=group).values("case_id"))
    if establishment_id:
        qs = qs.filter(establishment_id=establishment_id)
    if q:
        from mowakaba.cases.models import parse_case_number

        pk = parse_case_number(q)
        if pk is not None:
            qs = qs.filter(pk=pk)
        else:
            from mowakaba.registry import search as person_search

            ids = [h.person.pk for h in person_search.search(scope, q, limit=50)]
            qs = qs.filter(person_id__in=ids)
    return qs.order_by("-opened_at", "-pk")


@dataclass
class TaskList:
    overdue: list[Task]
    today: list[Task]
    upcoming: list[Task]
    deadlines: list[ExtremeTrack]


def _open_tasks(scope: Scope) -> QuerySet[Task]:
    return Task.objects.visible_to(scope).filter(done_at__isnull=True, cancelled=False)


def tasks_of(scope: Scope, user_id: int, *, today: date | None = None, horizon_days: int = 14,
             limit: int = 100) -> TaskList:
    """An agent's own list: overdue, due today, upcoming (two weeks), plus the individual-
    treatment deadlines of the cases they hold. Four indexed queries."""
    today = today or timezone.localdate()
    base = (_open_tasks(scope).filter(assignee_id=user_id)
            .select_related("case", "case__person").order_by("due_on", "pk"))
    overdue = list(base.filter(due_on__lt=today)[:limit])
    due_today = list(base.filter(due_on=today)[:limit])
    upcoming = list(base.filter(due_on__gt=today, due_on__lte=today + timedelta(days=horizon_days))[:limit])
    deadlines = list(
        ExtremeTrack.objects.filter(case__agent_id=user_id, closed_at__isnull=True, case__closed_at__isnull=True)
        .filter(Q(first_action_at__isnull=True) | Q(plan_approved_at__isnull=True))
        .filter(case__in=Case.objects.visible_to(scope))
        .select_related("case", "case__person").order_by("first_action_due")[:limit]
    )
    return TaskList(overdue=overdue, today=due_today, upcoming=upcoming, deadlines=deadlines)


def team_overdue(scope: Scope, *, today: date | None = None) -> QuerySet[Task]:
    """Supervisor view: overdue tasks in the territory, oldest first."""
    scope.require(Capability.SUPERVISE)
    today = today or timezone.localdate()
    return (_open_tasks(scope).filter(due_on__lt=today, case__closed_at__isnull=True)
            .select_related("case", "assignee", "establishment").order_by("due_on", "pk"))


def caseload(scope: Scope, *, today: date | None = None) -> list[dict[str, Any]]:
    """Open cases, extreme cases and overdue tasks per agent, within the territory. Two grouped
    queries, merged in Python."""
    scope.require(Capability.SUPERVISE)
    today = today or timezone.localdate()
    rows = (Case.objects.visible_to(scope).filter(closed_at__isnull=True)
            .values("agent_id", "agent__first_name", "agent__last_name", "agent__username", "agent__full_name_ar")
            .annotate(open=Count("pk"), extreme=Count("pk", filter=Q(extreme=True)),
                      referred=Count("pk", filter=Q(status=Status.REFERRED)))
            .order_by("-open")[:500])
    arabic = (get_language() or "ar")[:2] == "ar"
    late = dict(_open_tasks(scope).filter(due_on__lt=today, case__closed_at__isnull=True)
                .values_list("assignee_id").annotate(n=Count("pk")).values_list("assignee_id", "n"))
    out = []
    for r in rows:
        latin = f"{r['agent__first_name']} {r['agent__last_name']}".strip() or r["agent__username"] or "—"
        # The same rule as User.display_name: Arabic readers see the Arabic name when there is one.
        name = r["agent__full_name_ar"] if arabic and r["agent__full_name_ar"] else latin
        out.append({"agent_id": r["agent_id"], "name": name, "open": r["open"], "extreme": r["extreme"],
                    "referred": r["referred"], "overdue": late.get(r["agent_id"], 0)})
    return out


def pending_approvals(scope: Scope) -> QuerySet[Approval]:
    scope.require(Capability.APPROVE_EXTREME)
    return (Approval.objects.filter(scope.rows_q("establishment", Capability.APPROVE_EXTREME),
                                    decision=Approval.Decision.PENDING)
            .select_related("case", "case__person", "establishment", "requested_by", "placement__establishment")
            .order_by("requested_at", "pk"))


def late_deadlines(scope: Scope, *, now: datetime | None = None) -> QuerySet[ExtremeTrack]:
    """Extreme cases whose first action or plan deadline has passed, within the territory."""
    now = now or timezone.now()
    return (ExtremeTrack.objects.filter(closed_at__isnull=True, case__in=Case.objects.visible_to(scope))
            .filter(Q(first_action_at__isnull=True, first_action_due__lt=now)
                    | Q(plan_approved_at__isnull=True, plan_due__lt=now))
            .select_related("case", "case__agent", "case__establishment").order_by("first_action_due"))


def incoming_transfers(scope: Scope) -> QuerySet[Transfer]:
    return (Transfer.incoming.visible_to(scope).filter(status=Transfer.State.PENDING)
            .select_related("case", "case__person", "from_establishment", "requested_by").order_by("created_at"))


def status_counts(scope: Scope) -> dict[str, int]:
    rows = Case.objects.visible_to(scope).values_list("status").annotate(n=Count("pk"))
    counts = {s: 0 for s in Status.values}
    counts.update({s: n for s, n in rows})
    counts["open"] = sum(counts[s] for s in OPEN_STATUSES)
    return counts


def timeline(case_ids: list[int], *, person_id: int | None = None, limit: int = 200) -> list[JournalEntry]:
    """Everything that happened on these cases (and on the person's record): the journal is the
    timeline, so nothing is written twice. Reads (kind=read) are left to the access log."""
    from mowakaba.referrals.models import Referral

    ref_ids = [str(i) for i in Referral.objects.filter(case_id__in=case_ids).values_list("pk", flat=True)]
    q = Q(object_type="cases.case", object_id__in=[str(i) for i in case_ids])
    q |= Q(object_type="referrals.referral", object_id__in=ref_ids)
    if person_id is not None:
        q |= Q(object_type="registry.person", object_id=str(person_id))
        sessions = [str(i) for i in _sessions_of(person_id)]
        q |= Q(object_type="cases.listeningsession", object_id__in=sessions)
    # One referral journals each action twice (sending and receiving side, same actor and
    # changes, maybe a second apart): keep one line per referral action. Nothing else is written
    # twice, so nothing else is merged (two tasks added in the same second are two lines).
    entries = (JournalEntry.objects.filter(q).exclude(kind=JournalEntry.Kind.READ)
               .select_related("actor").order_by("-at", "-pk")[: limit * 2])
    seen: set[tuple[str, str, int | None, str]] = set()
    out: list[JournalEntry] = []
    for e in entries:
        if e.object_type == "referrals.referral":
            key = (e.object_id, e.action, e.actor_id, json.dumps(e.changes, sort_keys=True, default=str))
            if key in seen:
                continue
            seen.add(key)
        out.append(e)
    return out[:limit]


def _sessions_of(person_id: int) -> list[int]:
    from mowakaba.cases.models import ListeningSession

    return list(ListeningSession.objects.filter(person_id=person_id).values_list("pk", flat=True)[:500])
