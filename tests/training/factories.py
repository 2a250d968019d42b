"""Small builders for training tests: a session of the Casablanca delegation, staff to fill it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mowakaba.accounts.models import Assignment, Role, User
from mowakaba.accounts.scope import scope_for_user
from mowakaba.territory.models import OrgUnit
from mowakaba.training import services as ts
from mowakaba.training.models import Theme, TrainingSession


def unit_of(user: Any) -> OrgUnit:
    return OrgUnit.objects.get(assignments__user=user)


def session_of(organiser_user: Any, *, starts_in: int = 10, days: int = 2, capacity: int = 30,
               theme: str = "child_protection", **extra: Any) -> TrainingSession:
    start = dt.date.today() + dt.timedelta(days=starts_in)
    data = {"theme_id": Theme.objects.get(code=theme).pk, "title": "Protection de l'enfance — module 1",
            "starts_on": start, "ends_on": start + dt.timedelta(days=days - 1), "trainer_name": "Dr. Amina Berrada",
            "place_text": "Salle de réunion de la délégation", "capacity": capacity, **extra}
    return ts.session_create(actor=organiser_user, scope=scope_for_user(organiser_user),
                             organiser_id=unit_of(organiser_user).pk, data=data)


def staff_of(unit: OrgUnit, n: int, prefix: str = "staff") -> list[User]:
    """``n`` new agents assigned to establishments under ``unit`` (bulk)."""
    establishment = (OrgUnit.objects.filter(path__startswith=unit.path, kind=OrgUnit.Kind.ESTABLISHMENT)
                     .order_by("pk").first())
    assert establishment is not None
    users = User.objects.bulk_create([User(username=f"{prefix}.{unit.pk}.{i}", first_name=f"Agent{i:02d}",
                                           last_name="Test", full_name_ar=f"عون {i}") for i in range(n)])
    Assignment.objects.bulk_create([Assignment(user=u, role=Role.AGENT, org_unit=establishment) for u in users])
    return users


def move_dates(session: TrainingSession, starts_in: int) -> TrainingSession:
    """Shift a session in time (tests of its life), without going through the service."""
    length = session.ends_on - session.starts_on
    session.starts_on = dt.date.today() + dt.timedelta(days=starts_in)
    session.ends_on = session.starts_on + length
    TrainingSession.objects.filter(pk=session.pk).update(starts_on=session.starts_on, ends_on=session.ends_on)
    return session
