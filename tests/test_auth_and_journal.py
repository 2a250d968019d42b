"""Sign-in (Argon2, throttling, expiry) and the append-only journal."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from mowakaba.accounts.models import User
from mowakaba.audit.models import JournalEntry
from mowakaba.audit.services import journal_write


def test_passwords_are_hashed_with_argon2(db: Any) -> None:
    user = User.objects.create_user("newcomer", password="a-long-password-1")
    assert user.password.startswith("argon2")


def test_a_successful_sign_in_is_journalled(agent_casablanca: Any) -> None:
    agent_casablanca.set_password("a-long-password-1")
    agent_casablanca.save()
    response = Client().post(reverse("accounts:login"), {"username": "agent.casa", "password": "a-long-password-1"})
    assert response.status_code == 302
    assert JournalEntry.objects.filter(action="auth.login", actor=agent_casablanca).exists()


def test_a_wrong_password_gets_a_clear_message_in_arabic(agent_casablanca: Any) -> None:
    html = Client().post(reverse("accounts:login"), {"username": "agent.casa", "password": "nope"}).content.decode()
    assert "كلمة المرور" in html


@override_settings(AXES_FAILURE_LIMIT=3)
def test_logins_are_throttled_after_repeated_failures(agent_casablanca: Any) -> None:
    agent_casablanca.set_password("a-long-password-1")
    agent_casablanca.save()
    client = Client()
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "agent.casa", "password": "wrong"})
    locked = client.post(reverse("accounts:login"), {"username": "agent.casa", "password": "a-long-password-1"})
    assert locked.status_code == 429
    assert "15" in locked.content.decode()


def test_sessions_expire_after_the_absolute_lifetime(agent_casablanca: Any) -> None:
    client = Client()
    client.force_login(agent_casablanca)
    session = client.session
    session["auth_started_at"] = 0  # signed in at the epoch: far past any lifetime
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_idle_sessions_expire(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE <= 4 * 3600 and settings.SESSION_SAVE_EVERY_REQUEST


def test_the_journal_refuses_updates_and_deletes_in_code(db: Any) -> None:
    entry = journal_write(actor=None, action="test.thing", object_type="test")
    entry.action = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        JournalEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionError):
        JournalEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_itself_refuses_to_rewrite_the_journal(db: Any) -> None:
    entry = journal_write(actor=None, action="test.thing", object_type="test")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_journalentry SET action = 'forged' WHERE id = %s", [entry.pk])
    assert JournalEntry.objects.get(pk=entry.pk).action == "test.thing"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row DELETE is blocked by trigger on PostgreSQL only")
def test_postgresql_refuses_to_delete_journal_rows(db: Any) -> None:
    entry = journal_write(actor=None, action="test.thing", object_type="test")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_journalentry WHERE id = %s", [entry.pk])


def test_the_journal_page_shows_only_the_readers_territory(delegate_tanger: Any, delegate_casablanca: Any) -> None:
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.territory.models import OrgUnit
    from mowakaba.territory.services import orgunit_update
    from tests.conftest import client_for

    unit = OrgUnit.objects.get(assignments__user__username="agent.casa")
    orgunit_update(actor=delegate_casablanca, scope=scope_for_user(delegate_casablanca), unit_id=unit.pk,
                   expected_version=1, capacity=12)
    casa_html = client_for(delegate_casablanca).get(reverse("audit:journal")).content.decode()
    tanger_html = client_for(delegate_tanger).get(reverse("audit:journal")).content.decode()
    assert unit.name_ar in casa_html
    assert unit.name_ar not in tanger_html
