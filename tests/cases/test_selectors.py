"""Reads for casework pages: task lists, caseloads, approval queues, late deadlines, transfers
inbox, status counts, case lists and the timeline. Each is scoped by the access policy and runs
a bounded number of queries whatever the number of rows."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from mowakaba.audit.models import JournalEntry
from mowakaba.cases import selectors as sel
from mowakaba.cases import services as cs
from mowakaba.cases.models import Case, ExtremeTrack, Status
from mowakaba.referrals import services as rs
from tests.cases.factories import (
    agents_of,
    approved_plan,
    assess,
    close,
    days,
    establishment_elsewhere,
    extreme_case,
    goal,
    home,
    internal_establishment,
    open_case,
    scope,
    send_internal,
    task,
)


@pytest.fixture
def agent(agent_casablanca: Any) -> Any:
    return agent_casablanca


def ids(rows: Any, among: Any = None) -> list[int]:
    """Primary keys in order; with ``among``, only those (the shared institution may hold casework
    of its own, so each test looks at the rows it made)."""
    keep = None if among is None else {getattr(x, "pk", x) for x in among}
    return [r.pk for r in rows if keep is None or r.pk in keep]


def of_case(tasks: list[Any], case: Case) -> list[int]:
    return [t.pk for t in tasks if t.case_id == case.pk]


COUNTS = ("open", "extreme", "referred", "overdue")


def loads(sc: Any) -> dict[int, dict[str, int]]:
    return {r["agent_id"]: {k: r[k] for k in COUNTS} for r in sel.caseload(sc, today=days(0))}


def delta(after: dict[str, int], before: dict[str, int] | None) -> dict[str, int]:
    return {k: after[k] - (before or {}).get(k, 0) for k in after}


# ---- an agent's task list ------------------------------------------------------------------


def test_tasks_of_groups_open_tasks_into_overdue_today_and_the_next_two_weeks(agent: Any,
                                                                              manager_casablanca: Any) -> None:
    c = open_case(agent, held_at=timezone.now() - timedelta(days=10))
    overdue = [task(agent, c, due_on=days(-5)), task(agent, c, due_on=days(-1))]
    today = task(agent, c, due_on=days(0))
    upcoming = [task(agent, c, due_on=days(3)), task(agent, c, due_on=days(14))]
    task(agent, c, due_on=days(15))  # beyond the horizon
    task(agent, c, due_on=days(0), assignee_id=manager_casablanca.pk)  # someone else's
    done = task(agent, c, due_on=days(-2))
    cs.task_done(actor=agent, scope=scope(agent), task_id=done.pk)
    cancelled = task(agent, c, due_on=days(1))
    cs.task_cancel(actor=agent, scope=scope(agent), task_id=cancelled.pk, reason="Inutile")

    mine = sel.tasks_of(scope(agent), agent.pk, limit=10_000)
    assert of_case(mine.overdue, c) == ids(overdue)  # oldest first
    assert of_case(mine.today, c) == [today.pk]
    assert of_case(mine.upcoming, c) == ids(upcoming)
    assert of_case(mine.deadlines, c) == []
    assert of_case(sel.tasks_of(scope(manager_casablanca), manager_casablanca.pk, limit=10_000).today, c) != []
    # A day later, today's task is overdue.
    tomorrow = sel.tasks_of(scope(agent), agent.pk, today=days(1), limit=10_000)
    assert of_case(tomorrow.overdue, c) == [*ids(overdue), today.pk]


def test_tasks_of_lists_the_deadlines_of_the_extreme_cases_held_until_both_are_met(
        agent: Any, delegate_casablanca: Any) -> None:
    x = extreme_case(agent)

    def deadlines() -> list[int]:
        return of_case(sel.tasks_of(scope(agent), agent.pk, limit=10_000).deadlines, x)

    assert deadlines() == [ExtremeTrack.objects.get(case=x).pk]
    cs.extreme_first_action(actor=agent, scope=scope(agent), case_id=x.pk, note="Abri trouvé")
    assert len(deadlines()) == 1  # the plan is still due
    approved_plan(agent, delegate_casablanca, x)
    assert deadlines() == []


def test_tasks_of_never_reaches_outside_the_scope(agent: Any, agent_tanger: Any) -> None:
    c = open_case(agent)
    task(agent, c)
    extreme_case(agent)
    theirs = sel.tasks_of(scope(agent_tanger), agent.pk)
    assert (theirs.overdue, theirs.today, theirs.upcoming, theirs.deadlines) == ([], [], [], [])


# ---- supervisors -----------------------------------------------------------------------------


def test_caseload_counts_open_extreme_referred_and_overdue_per_agent(agent: Any, manager_casablanca: Any,
                                                                     delegate_tanger: Any) -> None:
    casa = home(agent)
    before = loads(scope(manager_casablanca))
    old = open_case(agent, held_at=timezone.now() - timedelta(days=10))
    task(agent, old, due_on=days(-3))
    task(agent, old, due_on=days(-1))
    task(agent, old, due_on=days(2))
    extreme_case(agent)
    referred = open_case(agent)
    send_internal(agent, referred, internal_establishment(casa))
    closed = open_case(agent)
    task(agent, closed, due_on=days(0))
    close(agent, closed)
    open_case(manager_casablanca)

    after = loads(scope(manager_casablanca))
    assert delta(after[agent.pk], before.get(agent.pk)) == {"open": 3, "extreme": 1, "referred": 1, "overdue": 2}
    assert delta(after[manager_casablanca.pk], before.get(manager_casablanca.pk)) == {
        "open": 1, "extreme": 0, "referred": 0, "overdue": 0}
    rows = sel.caseload(scope(manager_casablanca))
    # Arabic readers (the default) see the Arabic name, like User.display_name.
    assert next(r for r in rows if r["agent_id"] == agent.pk)["name"] == (
        agent.full_name_ar or f"{agent.first_name} {agent.last_name}")
    assert [r["open"] for r in rows] == sorted((r["open"] for r in rows), reverse=True)  # busiest first
    assert not {agent.pk, manager_casablanca.pk} & set(loads(scope(delegate_tanger)))
    with pytest.raises(Http404):
        sel.caseload(scope(agent))


def test_team_overdue_lists_late_tasks_of_open_cases_in_the_territory(agent: Any, manager_casablanca: Any,
                                                                      delegate_tanger: Any) -> None:
    c = open_case(agent, held_at=timezone.now() - timedelta(days=10))
    late = [task(agent, c, due_on=days(-4)), task(agent, c, due_on=days(-1), assignee_id=manager_casablanca.pk)]
    task(agent, c, due_on=days(0))
    assert of_case(list(sel.team_overdue(scope(manager_casablanca))), c) == ids(late)
    assert not sel.team_overdue(scope(delegate_tanger)).filter(case=c).exists()
    with pytest.raises(Http404):
        sel.team_overdue(scope(agent))


def test_pending_approvals_are_scoped_to_the_supervisors_territory(
        agent: Any, agent_tanger: Any, delegate_casablanca: Any, delegate_tanger: Any,
        coordinator_casablanca: Any, manager_casablanca: Any, national_admin: Any) -> None:
    def submit(actor: Any) -> int:
        x = extreme_case(actor)
        goal(actor, x)
        return cs.extreme_plan_submit(actor=actor, scope=scope(actor), case_id=x.pk).pk

    casa_plan, tanger_plan = submit(agent), submit(agent_tanger)
    decided = approved_plan(agent, delegate_casablanca, extreme_case(agent)).pk
    mine = [casa_plan, tanger_plan, decided]
    assert ids(sel.pending_approvals(scope(delegate_casablanca)), mine) == [casa_plan]
    assert ids(sel.pending_approvals(scope(coordinator_casablanca)), mine) == [casa_plan]
    assert ids(sel.pending_approvals(scope(delegate_tanger)), mine) == [tanger_plan]
    for nobody in (agent, manager_casablanca, national_admin):
        with pytest.raises(Http404):
            sel.pending_approvals(scope(nobody))


def test_late_deadlines_lists_missed_first_actions_and_plans_in_the_territory(
        agent: Any, manager_casablanca: Any, delegate_casablanca: Any, delegate_tanger: Any) -> None:
    x = extreme_case(agent)
    track = ExtremeTrack.objects.get(case=x)
    m = scope(manager_casablanca)

    def late(sc: Any, now: datetime) -> bool:
        return sel.late_deadlines(sc, now=now).filter(pk=track.pk).exists()

    assert not late(m, track.first_action_due - timedelta(minutes=1))
    assert late(m, track.first_action_due + timedelta(minutes=1))
    assert not late(scope(delegate_tanger), track.plan_due + timedelta(days=1))
    cs.extreme_first_action(actor=agent, scope=scope(agent), case_id=x.pk, note="Fait")
    assert not late(m, track.first_action_due + timedelta(minutes=1))
    assert late(m, track.plan_due + timedelta(minutes=1))
    approved_plan(agent, delegate_casablanca, x)
    assert not late(m, track.plan_due + timedelta(days=1))


def test_incoming_transfers_are_the_receiving_sides_inbox(agent: Any) -> None:
    to, receiver = establishment_elsewhere(home(agent))
    c = open_case(agent)
    t = cs.transfer_request(actor=agent, scope=scope(agent), case_id=c.pk, to_establishment_id=to.pk,
                            reason="Déménagement")
    assert ids(sel.incoming_transfers(scope(receiver)), [t]) == [t.pk]
    assert not sel.incoming_transfers(scope(agent)).filter(pk=t.pk).exists()
    cs.transfer_decide(actor=receiver, scope=scope(receiver), transfer_id=t.pk, accept=False, reason="Non")
    assert not sel.incoming_transfers(scope(receiver)).filter(pk=t.pk).exists()


def test_status_counts_count_what_the_scope_reaches(agent: Any, agent_tanger: Any) -> None:
    before, theirs = sel.status_counts(scope(agent)), sel.status_counts(scope(agent_tanger))
    open_case(agent)
    open_case(agent, channel="police")
    assess(agent, open_case(agent))
    close(agent, open_case(agent))
    counts = delta(sel.status_counts(scope(agent)), before)
    assert counts == {**{s: 0 for s in Status.values}, "received": 1, "reported": 1, "assessment": 1, "closed": 1,
                      "open": 3}
    assert sel.status_counts(scope(agent_tanger)) == theirs


def test_cases_for_filters_on_status_level_agent_extreme_group_and_number(agent: Any, manager_casablanca: Any,
                                                                          agent_tanger: Any) -> None:
    a = open_case(agent, groups=["woman"])
    b = extreme_case(agent, groups=["child"])
    c = open_case(manager_casablanca)
    close(agent, d := open_case(agent))
    sc, mine = scope(agent), [a, b, c, d]
    assert ids(sel.cases_for(sc), mine) == [d.pk, c.pk, b.pk, a.pk]  # newest first
    assert set(ids(sel.cases_for(sc, status="open"), mine)) == {a.pk, b.pk, c.pk}
    assert ids(sel.cases_for(sc, status="closed"), mine) == [d.pk]
    assert ids(sel.cases_for(sc, level="extreme"), mine) == ids(sel.cases_for(sc, extreme=True), mine) == [b.pk]
    assert ids(sel.cases_for(sc, mine_of=manager_casablanca.pk), mine) == [c.pk]
    assert ids(sel.cases_for(sc, agent_id=agent.pk, status="open"), mine) == [b.pk, a.pk]
    assert ids(sel.cases_for(sc, group="woman"), mine) == [a.pk]
    assert ids(sel.cases_for(sc, establishment_id=home(agent).pk), mine) == [d.pk, c.pk, b.pk, a.pk]
    assert ids(sel.cases_for(sc, q=b.number)) == [b.pk]
    assert ids(sel.cases_for(sc, q=str(b.pk))) == [b.pk]
    assert not sel.cases_for(scope(agent_tanger)).filter(pk__in=[a.pk, b.pk, c.pk, d.pk]).exists()


# ---- timeline --------------------------------------------------------------------------------------


@pytest.fixture
def journal_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[Iterator[datetime]], None]:
    """Set the time stamped on journal entries, to make 'the same second' deterministic."""
    field = JournalEntry._meta.get_field("at")

    def use(times: Iterator[datetime]) -> None:
        monkeypatch.setattr(field, "_get_default", lambda: next(times))

    return use


def test_the_timeline_shows_each_referral_action_once(agent: Any, journal_clock: Any) -> None:
    # A referral journals each action twice (one entry per side). The two entries may fall in two
    # different seconds; here every entry does, and each action must still show once.
    start = timezone.now().replace(microsecond=999_000)
    journal_clock(start + timedelta(seconds=n) for n in itertools.count())
    casa = home(agent)
    c = open_case(agent)
    neighbour = internal_establishment(casa)
    receiver = agents_of(neighbour)[0]
    r = send_internal(agent, c, neighbour)
    rs.referral_accept(actor=receiver, scope=scope(receiver), referral_id=r.pk)
    rs.referral_complete(actor=receiver, scope=scope(receiver), referral_id=r.pk, outcome="served")
    cs.case_read(actor=agent, scope=scope(agent), case_id=c.pk)
    lines = sel.timeline([c.pk], person_id=c.person_id)
    referral_lines = [e.action for e in lines if e.object_type == "referrals.referral"]
    assert sorted(referral_lines) == ["referral.accept", "referral.complete", "referral.send"]
    assert JournalEntry.objects.filter(object_type="referrals.referral", object_id=str(r.pk)).count() == 6
    actions = {e.action for e in lines}
    assert {"case.open", "case.status", "listening.record", "person.register"} <= actions
    assert "case.read" not in actions  # reads belong to the access log
    assert [e.at for e in lines] == sorted((e.at for e in lines), reverse=True)  # newest first


def test_the_timeline_keeps_two_actions_done_in_the_same_second(agent: Any, journal_clock: Any) -> None:
    # BUG fixed: entries were merged on (record, action, second), so two tasks added in the same
    # second showed as one.
    c = open_case(agent)
    journal_clock(itertools.repeat(timezone.now().replace(microsecond=0)))
    task(agent, c, title="Appeler l'école")
    task(agent, c, title="Visiter le logement")
    assert [e.action for e in sel.timeline([c.pk])].count("plan.task_add") == 2


def test_the_timeline_respects_its_limit(agent: Any) -> None:
    c = open_case(agent)
    for n in range(6):
        task(agent, c, title=f"Tâche {n}")
    assert len(sel.timeline([c.pk], limit=4)) == 4


# ---- query counts over many rows -------------------------------------------------------------------


@pytest.fixture
def many_cases(agent: Any, manager_casablanca: Any) -> list[Case]:
    """About thirty cases in one centre, with tasks in every group, a few extreme, a few referred."""
    casa = home(agent)
    neighbour = internal_establishment(casa)
    out = []
    for n in range(30):
        actor = agent if n % 3 else manager_casablanca
        c = open_case(actor, held_at=timezone.now() - timedelta(days=20), groups=["woman"])
        for due in (-2, 0, 5):
            task(actor, c, due_on=days(due + n % 2))
        if n % 10 == 0:
            assess(actor, c, protection="immediate_danger")
        elif n % 7 == 0:
            send_internal(actor, c, neighbour)
        out.append(c)
    return out


def test_tasks_of_runs_four_queries_whatever_the_number_of_tasks(agent: Any, many_cases: list[Case],
                                                                 django_assert_max_num_queries: Any) -> None:
    sc = scope(agent)
    with django_assert_max_num_queries(4):
        mine = sel.tasks_of(sc, agent.pk)
        names = [t.case.person.display_name for t in (*mine.overdue, *mine.today, *mine.upcoming)]
        names += [d.case.person.display_name for d in mine.deadlines]
    assert len(mine.overdue) >= 20 and mine.today and mine.upcoming and mine.deadlines and all(names)


def test_caseload_runs_two_queries_whatever_the_number_of_cases(manager_casablanca: Any, many_cases: list[Case],
                                                                django_assert_max_num_queries: Any) -> None:
    sc = scope(manager_casablanca)
    with django_assert_max_num_queries(2):
        load = sel.caseload(sc)
    assert sum(r["open"] for r in load) >= 30 and sum(r["overdue"] for r in load) >= 30


def test_the_case_list_runs_one_query_whatever_the_number_of_cases(agent: Any, many_cases: list[Case],
                                                                   django_assert_max_num_queries: Any) -> None:
    sc = scope(agent)
    with django_assert_max_num_queries(1):
        rows = [(c.number, c.person.display_name, c.establishment.name, c.agent and c.agent.username)
                for c in sel.cases_for(sc, status="open", group="woman")]
    assert len(rows) >= 30


def test_pending_approvals_and_late_deadlines_run_one_query_each(delegate_casablanca: Any, many_cases: list[Case],
                                                                 django_assert_max_num_queries: Any) -> None:
    for c in many_cases[::10]:
        holder = c.agent
        goal(holder, c)
        cs.extreme_plan_submit(actor=holder, scope=scope(holder), case_id=c.pk)
    sc = scope(delegate_casablanca)
    with django_assert_max_num_queries(1):
        queue = [(a.case.number, a.case.person.display_name, a.establishment.name, a.requested_by.username)
                 for a in sel.pending_approvals(sc)]
    assert len(queue) >= 3
    with django_assert_max_num_queries(1):
        late = [(t.case.number, t.case.agent and t.case.agent.username, t.case.establishment.name)
                for t in sel.late_deadlines(sc, now=timezone.now() + timedelta(days=5))]
    assert len(late) >= 3


def test_status_counts_are_one_grouped_query(agent: Any, many_cases: list[Case],
                                             django_assert_max_num_queries: Any) -> None:
    sc = scope(agent)
    with django_assert_max_num_queries(1):
        counts = sel.status_counts(sc)
    assert counts["open"] >= 30 and counts[Status.REFERRED] >= 1
