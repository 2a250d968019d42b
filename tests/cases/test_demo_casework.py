"""The demo's synthetic casework (``demo/casework.py``) on the session's small institution
(``generate("small", seed=7, persons=600)``): proportions, derived statuses, the personas'
day, consistency with the access policy, the journal as each case's history, the languages
agents write in, and determinism."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from mowakaba.accounts.models import Assignment
from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import ACTION_LABELS, JournalEntry
from mowakaba.cases import selectors
from mowakaba.cases.models import (
    Approval,
    Case,
    Channel,
    ExtremeTrack,
    ListeningSession,
    Placement,
    Review,
    Status,
    Task,
)
from mowakaba.cases.services import status_from
from mowakaba.demo.casework import FULL_HISTORY_DAYS, generate_casework
from mowakaba.referrals.models import LIVE_STATES, Referral, Target
from mowakaba.registry.models import Consent, Person
from mowakaba.territory.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_proportions() -> None:
    persons = Person.objects.filter(pseudonym="").count()
    cases = Case.objects.count()
    with_case = Case.objects.values("person").distinct().count()
    assert 0.35 < with_case / persons < 0.55
    assert 1.0 < cases / with_case < 1.4
    now = timezone.now()
    last_year = Case.objects.filter(opened_at__gte=now - dt.timedelta(days=365)).count()
    assert 0.3 < last_year / persons < 0.55  # 437,000 a year for a million persons nationally
    assert not Case.objects.filter(opened_at__lt=now - dt.timedelta(days=560)).exists()
    older = Case.objects.filter(opened_at__lt=now - dt.timedelta(days=90))
    assert 0.3 < older.filter(closed_at__isnull=False).count() / older.count() < 0.65
    extreme = Case.objects.filter(extreme=True).count()
    assert 0.01 <= extreme / cases <= 0.08
    assert ExtremeTrack.objects.count() == extreme
    referred = Referral.objects.values("case").distinct().count()
    assert 0.2 < referred / cases < 0.42
    channels = Counter(ListeningSession.objects.values_list("channel", flat=True))
    assert channels.most_common(1)[0][0] == Channel.WALK_IN
    assert {Channel.PHONE, Channel.OUTREACH} <= set(channels)
    information = ListeningSession.objects.filter(outcome=ListeningSession.Outcome.INFORMATION, case__isnull=True)
    assert information.filter(person__isnull=False).exists()
    assert information.filter(person__isnull=True).exists()  # anonymous
    pseudonymous = Person.objects.exclude(pseudonym="").filter(given_name_ar="", given_name_lat="")
    assert pseudonymous.filter(cases__isnull=False).exists()
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.FOLLOW_UP, Status.IN_CARE, Status.ASSESSMENT, Status.RECEIVED} <= statuses
    assert Case.objects.filter(closed_at__isnull=False).exclude(closure_reason="").count() == \
        Case.objects.filter(closed_at__isnull=False).count()
    states = Counter(Referral.objects.values_list("status", flat=True))
    assert states.most_common(1)[0][0] == Referral.State.COMPLETED
    assert states[Referral.State.SENT] and states[Referral.State.ACCEPTED]
    today = timezone.localdate()
    open_tasks = Task.objects.filter(done_at__isnull=True, cancelled=False)
    assert Task.objects.filter(due_on__lt=today, done_at__isnull=False).count() > 5 * open_tasks.filter(
        due_on__lt=today).count()  # most past tasks were done


def test_every_status_is_the_derived_one() -> None:
    cases = list(Case.objects.order_by("pk"))
    assert len(cases) > 200
    wrong = [(c.pk, c.status, status_from(c)) for c in cases if status_from(c) != c.status]
    assert wrong == []


def test_agent_casa_has_a_days_work(agent_casablanca: Any) -> None:
    scope = scope_for_user(agent_casablanca)
    open_cases = Case.objects.filter(agent=agent_casablanca, closed_at__isnull=True)
    assert 20 <= open_cases.count() <= 30
    assert Case.objects.filter(agent=agent_casablanca, closed_at__isnull=False).exists()
    mine = selectors.tasks_of(scope, agent_casablanca.pk)
    assert 2 <= len(mine.overdue) <= 5
    assert 2 <= len(mine.today) <= 3
    assert len(mine.upcoming) >= 5
    assert len(mine.deadlines) == 1
    track = mine.deadlines[0]
    assert track.plan_approved_at is None and track.plan_due > timezone.now()
    # Everything on the list is the agent's own and within their scope.
    visible = set(Case.objects.visible_to(scope).values_list("pk", flat=True))
    assert {t.case_id for t in mine.overdue + mine.today + mine.upcoming} <= visible
    assert set(open_cases.values_list("person_id", flat=True)) <= set(
        Person.objects.visible_to(scope).values_list("pk", flat=True))


def test_delegate_and_manager_find_work(delegate_casablanca: Any, manager_casablanca: Any,
                                        partner_staff: Any) -> None:
    pending = selectors.pending_approvals(scope_for_user(delegate_casablanca))
    assert 1 <= pending.count() <= 2
    assert {a.kind for a in pending} <= {Approval.Kind.PLAN, Approval.Kind.PLACEMENT}
    inbox = Referral.objects.inbox_of(scope_for_user(manager_casablanca))
    assert inbox.filter(status=Referral.State.SENT).count() >= 1
    assert inbox.filter(status=Referral.State.ACCEPTED).exists()
    assert Referral.objects.inbox_of(scope_for_user(partner_staff)).filter(status=Referral.State.SENT).exists()


def test_rows_agree_with_their_case_and_the_access_policy() -> None:
    province = dict(OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT).values_list("pk", "commune__province_id"))
    pairs = list(Case.objects.values_list("establishment_id", "person__establishment_id"))
    same = sum(province[a] == province[b] for a, b in pairs)
    assert same / len(pairs) > 0.9
    # The responsible agent works in the establishment holding the case.
    staff = set(Assignment.objects.values_list("user_id", "org_unit_id"))
    agents = list(Case.objects.filter(agent__isnull=False).values_list("agent_id", "establishment_id"))
    assert all(pair in staff for pair in agents)
    # Children carry their case's establishment and person.
    assert not Task.objects.exclude(establishment_id=F("case__establishment_id")).exists()
    assert not Approval.objects.exclude(establishment_id=F("case__establishment_id")).exists()
    assert not Referral.objects.exclude(person_id=F("case__person_id")).exists()
    assert not Referral.objects.exclude(from_establishment_id=F("case__establishment_id")).exists()
    assert not ListeningSession.objects.filter(case__isnull=False).exclude(person_id=F("case__person_id")).exists()
    # Outside the institution only with the person's consent to sharing, given before.
    outside = Referral.objects.filter(target__in=[Target.PARTNER, Target.EXTERNAL])
    assert outside.exists()
    assert not outside.filter(consent__isnull=True).exists()
    assert not outside.exclude(consent__purpose=Consent.Purpose.SHARING).exists()
    assert not outside.exclude(consent__person_id=F("person_id")).exists()
    assert not outside.filter(consent__given_on__gt=F("sent_at__date")).exists()


def test_closed_and_extreme_cases_are_coherent() -> None:
    closed = Case.objects.filter(closed_at__isnull=False)
    assert not Referral.objects.filter(case__in=closed, status__in=LIVE_STATES).exists()
    assert not Task.objects.filter(case__in=closed, done_at__isnull=True, cancelled=False).exists()
    assert not Approval.objects.filter(case__in=closed, decision=Approval.Decision.PENDING).exists()
    assert not Placement.objects.filter(case__in=closed, state__in=[Placement.State.ACTIVE,
                                                                    Placement.State.REQUESTED]).exists()
    for case in closed.filter(extreme=True):
        assert case.approvals.filter(kind=Approval.Kind.CLOSURE, decision=Approval.Decision.APPROVED).exists()
        assert case.extreme_track.closed_at == case.closed_at
    approved = ExtremeTrack.objects.filter(plan_approved_at__isnull=False)
    assert approved.count() > ExtremeTrack.objects.filter(plan_approved_at__isnull=True).count()
    on_time = ExtremeTrack.objects.filter(first_action_at__lte=F("first_action_due")).count()
    assert on_time > ExtremeTrack.objects.filter(first_action_at__gt=F("first_action_due")).count()
    assert not Approval.objects.filter(decided_by_id=F("requested_by_id")).exists()
    # Places taken never exceed an establishment's capacity.
    full = (Placement.objects.filter(state=Placement.State.ACTIVE).values("establishment_id", "establishment__capacity")
            .annotate(n=Count("pk")).filter(establishment__capacity__isnull=False, n__gt=F("establishment__capacity")))
    assert not full.exists()
    # Persons registered before their first contact.
    assert not Case.objects.filter(person__created_at__gt=F("opened_at") + dt.timedelta(seconds=1)).exists()


def test_the_journal_is_indexed_again() -> None:
    """The generator drops the journal's indexes on SQLite while it writes, and builds them again."""
    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, JournalEntry._meta.db_table)
    indexes = {name: c["columns"] for name, c in constraints.items() if c["index"] and not c["primary_key"]}
    assert {i.name for i in JournalEntry._meta.indexes} <= set(indexes)
    assert {("at",), ("actor_id",), ("org_unit_id",)} <= {tuple(cols) for cols in indexes.values()}


def test_foreign_keys_hold() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite check")
    tables = ["cases_case", "cases_listeningsession", "cases_sessionneed", "cases_casegroup", "cases_assessment",
              "cases_extremetrack", "cases_approval", "cases_placement", "cases_goal", "cases_task", "cases_review",
              "cases_transfer", "referrals_referral", "registry_consent", "notifications_notification"]
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"PRAGMA foreign_key_check({table})")
            assert cur.fetchall() == [], table


def test_one_summary_entry_and_the_casework_history() -> None:
    assert JournalEntry.objects.filter(action="demo.generate").count() == 1
    casework = JournalEntry.objects.filter(Q(action__startswith="case.") | Q(action__startswith="referral.")
                                           | Q(action__startswith="plan.") | Q(action__startswith="listening."))
    assert casework.count() > 5 * Case.objects.count()
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.READ).exists()
    assert set(casework.values_list("via", flat=True)) == {"cli"}
    # Actions the services write, each with a label; none in the future, none before its case.
    assert set(JournalEntry.objects.values_list("action", flat=True)) <= set(ACTION_LABELS)
    assert not JournalEntry.objects.filter(at__gt=timezone.now()).exists()
    opened = dict(Case.objects.values_list("pk", "opened_at"))
    for case_id, at in casework.filter(object_type="cases.case").values_list("object_id", "at"):
        assert at >= opened[int(case_id)], case_id
    # Every case has its opening, when it was opened (the whole history for recent cases, below).
    opening = dict(JournalEntry.objects.filter(action="case.open").values_list("object_id", "at"))
    assert opening == {str(pk): at for pk, at in opened.items()}
    # Placed in an establishment; by staff who work there (or above), or by the system.
    assert not casework.filter(org_unit__isnull=True).exists()
    assert not casework.filter(org_unit__kind__in=[OrgUnit.Kind.NATIONAL, OrgUnit.Kind.DELEGATION]).exists()
    assert set(casework.filter(actor__isnull=True).values_list("actor_label", flat=True)) <= {"system"}
    assert not casework.filter(actor__isnull=False).exclude(actor_label=F("actor__username")).exists()


def _recent(prefix: str = "") -> Q:
    """Cases whose whole history is in the journal: those opened in the last FULL_HISTORY_DAYS
    (and every case of the personas' establishments)."""
    return Q(**{f"{prefix}opened_at__gte": timezone.now() - dt.timedelta(days=FULL_HISTORY_DAYS or 10_000)})


def _case_history(case: Case) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("at", "pk"))


def test_a_case_page_tells_its_history(agent_casablanca: Any) -> None:
    mine = Case.objects.filter(agent=agent_casablanca)
    case = max(mine, key=lambda c: c.tasks.filter(done_at__isnull=False).count())
    done = list(case.tasks.filter(done_at__isnull=False).exclude(kind=Task.Kind.REVIEW))
    assert len(done) >= 3
    timeline = selectors.timeline([case.pk], person_id=case.person_id)
    assert timeline
    assert [e.at for e in timeline] == sorted((e.at for e in timeline), reverse=True)  # newest first
    history = _case_history(case)
    first = history[0]
    assert (first.action, first.at, first.actor_id, first.org_unit_id) == (
        "case.open", case.opened_at, case.opened_by_id, case.establishment_id)
    assert first.changes["channel"] == case.sessions.order_by("held_at").first().channel
    # A plan.task_done entry at each done task's time, by who did it (a review is done by plan.review).
    task_done = {e.changes["task"]: e for e in history if e.action == "plan.task_done"}
    for t in done:
        e = task_done[t.pk]
        assert (e.at, e.actor_id, e.changes["kind"]) == (t.done_at, t.done_by_id, t.kind)
    assert [e.at for e in history if e.action == "plan.review"] == sorted(
        Review.objects.filter(case=case).values_list("created_at", flat=True))
    assert {e.changes["goal"] for e in history if e.action == "plan.goal_add"} == set(
        case.goals.values_list("pk", flat=True))
    assert sum(e.action == "case.assess" for e in history) == case.assessments.count()
    assert history[-1].at <= timezone.now()
    shown = {e.action for e in timeline}
    assert {"case.open", "listening.record", "case.assess", "plan.goal_add", "plan.task_add", "plan.task_done",
            "case.status"} <= shown


def test_the_journal_replays_each_status() -> None:
    """The last status change journalled for a case is its status (received when none)."""
    last: dict[str, str] = {}
    for case_id, changes in (JournalEntry.objects.filter(action="case.status").order_by("at", "pk")
                             .values_list("object_id", "changes")):
        assert changes["status"][0] == last.get(case_id, Status.RECEIVED)
        last[case_id] = changes["status"][1]
    full = set(JournalEntry.objects.filter(action="listening.record", object_type="cases.listeningsession",
                                            object_id__in=[str(i) for i in ListeningSession.objects.filter(
                                                case__isnull=False).values_list("pk", flat=True)])
               .values_list("object_id", flat=True))
    cases = Case.objects.filter(sessions__pk__in=[int(i) for i in full]).distinct()
    assert cases.count() > 100
    assert set(Case.objects.filter(_recent()).values_list("pk", flat=True)) <= {c.pk for c in cases}
    wrong = [(c.pk, c.status, last.get(str(c.pk))) for c in cases if last.get(str(c.pk), Status.RECEIVED) != c.status]
    assert wrong == []


def test_referrals_and_extreme_cases_in_the_journal(manager_casablanca: Any) -> None:
    # Journalled on both sides when the destination is an establishment; the timeline shows one line.
    r = Referral.objects.filter(_recent("case__"), to_establishment__isnull=False,
                                status=Referral.State.COMPLETED).first()
    assert r is not None
    sent = JournalEntry.objects.filter(object_type="referrals.referral", object_id=str(r.pk), action="referral.send")
    assert set(sent.values_list("org_unit_id", flat=True)) == {r.from_establishment_id, r.to_establishment_id}
    assert sent.first().changes == {"case": r.case_id, "target": r.target, "to": r.to_establishment.code}
    actions = [e.action for e in selectors.timeline([r.case_id]) if e.object_type == "referrals.referral"
               and e.object_id == str(r.pk)]
    assert sorted(actions) == ["referral.accept", "referral.complete", "referral.send"]
    complete = JournalEntry.objects.filter(object_id=str(r.pk), action="referral.complete").first()
    assert (complete.at, complete.changes["outcome"]) == (r.completed_at, r.outcome)
    # The manager's inbox: what was sent to the centre is in its journal.
    inbox = Referral.objects.inbox_of(scope_for_user(manager_casablanca)).filter(status=Referral.State.SENT)
    for r in inbox:
        assert JournalEntry.objects.filter(object_type="referrals.referral", object_id=str(r.pk),
                                           action="referral.send", org_unit_id=r.to_establishment_id).exists()
    # An extreme case: track, approvals and their decisions.
    track = ExtremeTrack.objects.filter(_recent("case__"), plan_approved_at__isnull=False,
                                        first_action_at__isnull=False).first()
    assert track is not None
    history = {e.action: e for e in _case_history(track.case)}
    assert history["case.extreme_open"].at == track.opened_at
    assert history["case.extreme_first_action"].at == track.first_action_at
    assert history["case.extreme_first_action"].changes == {"late": track.first_action_at > track.first_action_due}
    decided = [e for e in _case_history(track.case) if e.action == "approval.decide"
               and e.changes == {"kind": Approval.Kind.PLAN, "decision": Approval.Decision.APPROVED}]
    assert [(e.at, e.actor_id) for e in decided] == [(track.plan_approved_at, track.plan_approved_by_id)]
    pending = Approval.objects.filter(_recent("case__"), decision=Approval.Decision.PENDING).first()
    assert pending is not None
    requested = [e for e in _case_history(pending.case) if e.action == "approval.request"]
    assert (requested[-1].at, requested[-1].changes) == (pending.requested_at, {"kind": pending.kind})


ARABIC = re.compile("[\u0600-\u06FF]")


def test_agents_write_mostly_arabic_one_language_a_case() -> None:
    titles = list(Task.objects.values_list("case_id", "title"))
    arabic = [bool(ARABIC.search(t)) for _c, t in titles]
    assert 0.6 <= sum(arabic) / len(arabic) <= 0.95  # and some French
    languages: dict[int, set[bool]] = {}
    for (case_id, _t), ar in zip(titles, arabic, strict=True):
        languages.setdefault(case_id, set()).add(ar)
    assert all(len(v) == 1 for v in languages.values())
    goals = list(Case.objects.filter(goals__isnull=False).values_list("goals__text", flat=True))
    assert 0.6 <= sum(bool(ARABIC.search(g)) for g in goals) / len(goals) < 1
    texts = (list(Referral.objects.values_list("reason", flat=True))
             + list(ExtremeTrack.objects.exclude(first_action_note="").values_list("first_action_note", flat=True)))
    assert sum(bool(ARABIC.search(t)) for t in texts) / len(texts) >= 0.6
    assert len(set(titles)) > 40  # variety


def _run(seed: int, now: dt.datetime) -> tuple[Any, ...]:
    """Generate on top of the session's data inside a savepoint, describe what was written, and
    roll it back."""
    before = Case.objects.aggregate(m=Max("pk"))["m"] or 0
    before_journal = JournalEntry.objects.aggregate(m=Max("pk"))["m"] or 0

    class Rollback(Exception):
        pass

    out: tuple[Any, ...] = ()
    try:
        with transaction.atomic():
            counts = generate_casework(seed=seed, now=now)
            counts.pop("casework_seconds")
            new = Case.objects.filter(pk__gt=before)
            out = (
                sorted(counts.items()),
                list(new.order_by("pk").values_list("pk", "person_id", "establishment_id", "agent_id", "opened_at",
                                                    "status", "level", "score", "closed_at", "closure_reason")),
                list(Task.objects.filter(case__in=new).order_by("pk").values_list("case_id", "kind", "due_on",
                                                                                  "done_at", "cancelled")),
                list(Referral.objects.filter(case__in=new).order_by("pk").values_list("case_id", "target", "status",
                                                                                      "to_establishment_id")),
                list(JournalEntry.objects.filter(pk__gt=before_journal).order_by("pk").values_list(
                    "at", "action", "actor_id", "object_id", "org_unit_id", "changes")),
                list(Task.objects.filter(case__in=new).order_by("pk").values_list("title", flat=True)),
            )
            raise Rollback
    except Rollback:
        pass
    return out


def test_same_seed_same_casework() -> None:
    now = timezone.now().replace(microsecond=0)
    first = _run(7, now)
    assert first[1]
    assert _run(7, now) == first
    assert _run(8, now)[1] != first[1]
