"""The demo's synthetic casework (``demo/casework.py``) on the session's small institution
(``generate("small", seed=7, persons=600)``): proportions, derived statuses, the personas'
day, consistency with the access policy, and determinism."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from mowakaba.accounts.models import Assignment
from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.cases import selectors
from mowakaba.cases.models import (
    Approval,
    Case,
    Channel,
    ExtremeTrack,
    ListeningSession,
    Placement,
    Status,
    Task,
)
from mowakaba.cases.services import status_from
from mowakaba.demo.casework import generate_casework
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


def test_one_journal_entry_for_the_whole_demo() -> None:
    assert JournalEntry.objects.filter(action="demo.generate").count() == 1
    assert not JournalEntry.objects.filter(Q(action__startswith="case.") | Q(action__startswith="referral.")).exists()


def _run(seed: int, now: dt.datetime) -> tuple[Any, ...]:
    """Generate on top of the session's data inside a savepoint, describe what was written, and
    roll it back."""
    before = Case.objects.aggregate(m=Max("pk"))["m"] or 0

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
