"""The API: schema and docs served locally, session and token auth, the same access policy."""

from __future__ import annotations

from typing import Any

from django.test import Client

from mowakaba.accounts.models import ApiToken
from mowakaba.territory.models import OrgUnit
from tests.conftest import client_for


def test_the_openapi_schema_is_served(db: Any) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/territory/units" in response.json()["paths"]


def test_the_api_docs_load_nothing_from_outside(national_admin: Any) -> None:
    html = client_for(national_admin).get("/api/docs").content.decode()
    assert "https://" not in html and "http://" not in html.replace("http://127.0.0.1", "")


def test_the_api_refuses_anonymous_callers(db: Any) -> None:
    assert Client().get("/api/me").status_code == 401


def test_a_machine_uses_a_token_and_gets_the_owners_scope(agent_casablanca: Any) -> None:
    _token, raw = ApiToken.issue(user=agent_casablanca, name="tablet")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    me = client.get("/api/me").json()
    assert me["username"] == "agent.casa" and "view_persons" in me["capabilities"]
    units = client.get("/api/territory/units").json()
    assert units["count"] == 1


def test_a_revoked_or_wrong_token_is_refused(agent_casablanca: Any) -> None:
    token, raw = ApiToken.issue(user=agent_casablanca, name="old")
    token.revoked = True
    token.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/me").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer mwk_nonsense").get("/api/me").status_code == 401


def test_patching_an_establishment_checks_the_version(delegate_casablanca: Any) -> None:
    unit = OrgUnit.objects.get(assignments__user__username="agent.casa")
    client = client_for(delegate_casablanca)
    url = f"/api/territory/units/{unit.pk}"
    ok = client.patch(url, data={"version": 1, "capacity": 333}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["capacity"] == 333 and ok.json()["version"] == 2
    stale = client.patch(url, data={"version": 1, "capacity": 44}, content_type="application/json")
    assert stale.status_code == 409
    unit.refresh_from_db()
    assert unit.capacity == 333


def test_bad_api_input_is_refused_with_a_message_in_the_users_language(delegate_casablanca: Any) -> None:
    unit = OrgUnit.objects.get(assignments__user__username="agent.casa")
    client = client_for(delegate_casablanca)
    r = client.patch(f"/api/territory/units/{unit.pk}", data={"version": 1, "commune_code": "00.000"},
                     content_type="application/json")
    assert r.status_code == 400
    assert "رمز" in r.json()["errors"]["commune_code"][0]
    unit.refresh_from_db()
    assert unit.version == 1


def test_the_journal_api_is_scoped(delegate_tanger: Any, national_admin: Any) -> None:
    assert client_for(national_admin).get("/api/journal/").status_code == 200
    from mowakaba.accounts.models import User

    agent = User.objects.get(username="agent.casa")
    assert client_for(agent).get("/api/journal/").status_code == 404
