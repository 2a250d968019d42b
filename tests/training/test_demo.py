"""The demo's year of training: plausible proportions, and sessions for the demo personas."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mowakaba.accounts.models import User
from mowakaba.accounts.scope import SYSTEM
from mowakaba.demo.training import NATIONAL_ACCOUNTS, PLAN_PEOPLE, PLAN_SESSIONS
from mowakaba.training import selectors
from mowakaba.training.models import Attendance, Participant, Status, TrainingSession

TODAY = dt.date.today()


@pytest.mark.django_db
def test_the_demo_year_follows_the_plan_in_proportion_to_the_staff() -> None:
    ratio = User.objects.count() / NATIONAL_ACCOUNTS
    held = TrainingSession.objects.held(TODAY)
    assert abs(held.count() - PLAN_SESSIONS * ratio) <= max(6, 0.15 * PLAN_SESSIONS * ratio)
    people = Attendance.objects.filter(present=True).values("participant__user").distinct().count()
    assert 0.6 * PLAN_PEOPLE * ratio <= people <= 1.2 * PLAN_PEOPLE * ratio
    assert Participant.objects.filter(evaluated_at__isnull=False).exists()
    everywhere = selectors.totals(SYSTEM, year=TODAY.year)
    assert everywhere.overall.sessions > 0 and everywhere.overall.satisfaction is not None


@pytest.mark.django_db
def test_the_demo_personas_have_sessions_to_work_with(agent_casablanca: Any, delegate_casablanca: Any) -> None:
    from mowakaba.accounts.scope import scope_for_user

    mine = selectors.my_trainings(agent_casablanca)
    assert any(p.session.status == Status.OPEN for p in mine)  # registered in an upcoming session
    assert selectors.open_for(agent_casablanca)  # and another one is open to join
    organised = selectors.sessions_for(scope_for_user(delegate_casablanca), year=None)
    running = [s for s in organised if s.status == Status.HELD and s.starts_on < TODAY <= s.ends_on]
    assert running, "a session running today, whose attendance the delegate records"
    assert not Attendance.objects.filter(participant__session=running[0], day=TODAY).exists()
