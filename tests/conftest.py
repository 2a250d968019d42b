"""Test set-up: one synthetic institution per session, personas named by what they may see.

The demo generator (scale "small") builds the whole structure once; each test runs inside a
transaction that is rolled back, so the institution is shared and never altered between tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from mowakaba.demo.services import generate

    with django_db_blocker.unblock():
        generate("small", seed=7, persons=600)
        from mowakaba.vigilance.refresh import refresh_full

        refresh_full()  # the dashboards read pre-aggregated facts, as after `mowakaba vigilance refresh`
        from mowakaba.vigilance.coverage import coverage_refresh

        coverage_refresh()


def _user(username: str) -> Any:
    from mowakaba.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def agent_casablanca(db: Any) -> Any:
    return _user("agent.casa")


@pytest.fixture
def manager_casablanca(db: Any) -> Any:
    return _user("manager.casa")


@pytest.fixture
def delegate_casablanca(db: Any) -> Any:
    return _user("delegate.casa")


@pytest.fixture
def coordinator_casablanca(db: Any) -> Any:
    return _user("coordinator.casa")


@pytest.fixture
def agent_tanger(db: Any) -> Any:
    return _user("agent.tanger")


@pytest.fixture
def delegate_tanger(db: Any) -> Any:
    return _user("delegate.tanger")


@pytest.fixture
def national_admin(db: Any) -> Any:
    return _user("headoffice")


@pytest.fixture
def partner_staff(db: Any) -> Any:
    return _user("partner.casa")


@pytest.fixture
def authority_viewer(db: Any) -> Any:
    return _user("authority.casa")


@pytest.fixture
def dpo(db: Any) -> Any:
    return _user("dpo")


@pytest.fixture
def sysadmin(db: Any) -> Any:
    return _user("admin")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def as_user() -> Any:
    return client_for
