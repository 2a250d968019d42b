"""Alert pages and API: the list with its tabs and filters, one alert with how it was computed,
acting from the page; who reads (aggregate readers of the province), who acts (supervisors of
the province) and what everyone else gets (404), with authority viewers seeing figures only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from ninja.testing import TestClient

from mowakaba.accounts.scope import scope_for_user
from mowakaba.vigilance import api_alerts
from mowakaba.vigilance.models import Alert, AlertEvent
from tests.conftest import client_for

NOTE = "Appel à la directrice du centre: 3 mineurs reçus"


def _province(user: Any) -> int:
    provinces = scope_for_user(user).territory_province_ids()
    assert provinces is not None
    return min(provinces)


def _surge(province_id: int, **kw: Any) -> Alert:
    values = [9, 11, 10, 8, 12, 10, 9, 11, 3, 10, 12, 9, 10, 11, 10, 9, 8, 12, 11, 10, 9, 10, 11, 10, 14, 42]
    data: dict[str, Any] = dict(
        kind=Alert.Kind.SURGE_SESSIONS, province_id=province_id, subject="shelter",
        period_start=dt.date(2026, 11, 16), observed=42, expected=10.4, score=9.8, threshold=3.0,
        method="surge-spike", severity=Alert.Severity.CRITICAL,
        key=f"surge_sessions:{province_id}:shelter:2026-11-16:{Alert.objects.count()}",
        explanation={"rule": "surge", "measure": "sessions", "need": "shelter", "method": "spike",
                     "method_detail": "seasonal-ratio", "count": 42, "expected": 10.4, "upper": 21.3, "lower": 4.1,
                     "score": 9.8, "threshold": 3.0, "z": 9.8, "cusum": 4.0, "cusum_h": 5.0, "baseline_level": 10.1,
                     "baseline_weeks": 12, "baseline_first": "2026-08-10", "baseline_last": "2026-10-26",
                     "guard_weeks": 2, "zeros_ignored": 0, "seasonal_factor": 1.03, "seasonal_years": 3,
                     "seasonal_calendar": "gregorian", "dispersion": 1.4, "min_count": 5,
                     "series": {"start": "2026-05-25", "values": values, "expected": [10.0] * 26,
                                "upper": [20.0] * 26, "alarms": [25]}})
    data.update(kw)
    return Alert.objects.create(**data)


@pytest.mark.django_db
def test_the_list_shows_tabs_filters_and_the_provinces_alerts(delegate_casablanca: Any, delegate_tanger: Any) -> None:
    mine = _surge(_province(delegate_casablanca))
    closed = _surge(_province(delegate_casablanca), status="closed", kind=Alert.Kind.SURGE_CASES, subject="")
    other = _surge(_province(delegate_tanger))
    c = client_for(delegate_casablanca)
    html = c.get(reverse("vigilance:alerts")).content.decode()
    assert f'data-alert="{mine.pk}"' in html and f'data-alert="{other.pk}"' not in html
    assert f'data-alert="{closed.pk}"' not in html  # the default tab is the open alerts
    assert 'data-tab="closed"' in html
    html = c.get(reverse("vigilance:alerts"), {"status": "closed"}).content.decode()
    assert f'data-alert="{closed.pk}"' in html and f'data-alert="{mine.pk}"' not in html
    html = c.get(reverse("vigilance:alerts"), {"status": "all", "kind": "surge_cases"}).content.decode()
    assert f'data-alert="{closed.pk}"' in html and f'data-alert="{mine.pk}"' not in html


@pytest.mark.django_db
def test_the_alert_page_explains_and_the_delegate_acts_on_it(delegate_casablanca: Any) -> None:
    a = _surge(_province(delegate_casablanca))
    c = client_for(delegate_casablanca)
    url = reverse("vigilance:alert", args=[a.pk])
    html = c.get(url).content.decode()
    assert "<svg" in html and 'data-testid="explanation"' in html and "mw-mark" in html
    assert 'data-testid="form-acknowledge"' in html and 'data-testid="form-reopen"' not in html
    r = c.post(reverse("vigilance:alert_ack", args=[a.pk]), {"version": 1, "note": ""})
    assert r.status_code == 302 and r["Location"] == url
    r = c.post(reverse("vigilance:alert_action", args=[a.pk]), {"version": 2, "note": NOTE})
    a.refresh_from_db()
    assert (a.status, a.action_note, a.version) == ("action_taken", NOTE, 3)
    html = c.get(url).content.decode()
    assert NOTE in html and delegate_casablanca.display_name in html
    # a form opened before someone else acted: refused, nothing changed
    r = c.post(reverse("vigilance:alert_close", args=[a.pk]), {"version": 2, "note": "fin"}, follow=True)
    a.refresh_from_db()
    assert a.status == "action_taken" and a.version == 3
    # a refused transition: a message, nothing changed
    r = c.post(reverse("vigilance:alert_reopen", args=[a.pk]), {"version": 3, "note": "x"}, follow=True)
    assert r.status_code == 200 and Alert.objects.get(pk=a.pk).status == "action_taken"
    c.post(reverse("vigilance:alert_close", args=[a.pk]), {"version": 3, "note": "Accueil renforcé"})
    assert Alert.objects.get(pk=a.pk).status == "closed"
    assert 'data-testid="form-reopen"' in c.get(url).content.decode()


@pytest.mark.django_db
def test_authority_viewer_reads_figures_only_and_cannot_act(delegate_casablanca: Any,
                                                            authority_viewer: Any) -> None:
    a = _surge(_province(delegate_casablanca), explanation={"rule": "referrals_late", "referrals": 3},
               kind=Alert.Kind.REFERRALS_UNANSWERED, observed=3, subject="")
    AlertEvent.objects.create(alert=a, at=a.created_at, actor=delegate_casablanca, status="acknowledged",
                              note=NOTE)
    c = client_for(authority_viewer)
    assert f'data-alert="{a.pk}"' in c.get(reverse("vigilance:alerts")).content.decode()
    html = c.get(reverse("vigilance:alert", args=[a.pk])).content.decode()
    assert NOTE not in html and delegate_casablanca.display_name not in html
    assert 'data-testid="observed"><bdi dir="ltr">3<' not in html  # a count under 5 is hidden
    assert "form-acknowledge" not in html
    for name in ("alert_ack", "alert_action", "alert_close", "alert_reopen"):
        assert c.post(reverse(f"vigilance:{name}", args=[a.pk]), {"version": 1, "note": "x"}).status_code == 404
    assert Alert.objects.get(pk=a.pk).status == "new"


@pytest.mark.django_db
def test_other_provinces_partners_and_anonymous_get_nothing(delegate_casablanca: Any, delegate_tanger: Any,
                                                            agent_casablanca: Any, partner_staff: Any) -> None:
    a = _surge(_province(delegate_casablanca))
    c = client_for(delegate_tanger)
    assert c.get(reverse("vigilance:alert", args=[a.pk])).status_code == 404
    assert c.post(reverse("vigilance:alert_ack", args=[a.pk]), {"version": 1}).status_code == 404
    agent = client_for(agent_casablanca)  # reads the aggregates of the province, does not supervise
    html = agent.get(reverse("vigilance:alert", args=[a.pk])).content.decode()
    assert "form-acknowledge" not in html
    assert agent.post(reverse("vigilance:alert_ack", args=[a.pk]), {"version": 1}).status_code == 404
    assert Client().get(reverse("vigilance:alert", args=[a.pk])).status_code == 302  # to the login page
    partner = client_for(partner_staff)  # an association's staff: the institution's alerts are not theirs
    assert partner.get(reverse("vigilance:alert", args=[a.pk])).status_code == 404
    assert f'data-alert="{a.pk}"' not in partner.get(reverse("vigilance:alerts")).content.decode()
    assert Alert.objects.get(pk=a.pk).status == "new"


@pytest.mark.django_db
def test_the_page_renders_in_arabic(delegate_casablanca: Any) -> None:
    a = _surge(_province(delegate_casablanca))
    c = client_for(delegate_casablanca)
    c.cookies["django_language"] = "ar"
    assert c.get(reverse("vigilance:alert", args=[a.pk]), HTTP_ACCEPT_LANGUAGE="ar").status_code == 200
    assert c.get(reverse("vigilance:alerts"), HTTP_ACCEPT_LANGUAGE="ar").status_code == 200


# ---- API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_lists_details_and_acts_with_the_same_rules(delegate_casablanca: Any, delegate_tanger: Any,
                                                       authority_viewer: Any) -> None:
    a = _surge(_province(delegate_casablanca))
    api = TestClient(api_alerts.router)
    rows = api.get("/alerts", user=delegate_casablanca).json()
    assert a.pk in [r["id"] for r in rows["items"]]
    assert a.pk not in [r["id"] for r in api.get("/alerts", user=delegate_tanger).json()["items"]]
    detail = api.get(f"/alerts/{a.pk}", user=delegate_casablanca).json()
    assert detail["can_act"] and detail["next_actions"] == ["acknowledge", "action", "close"]
    assert detail["rule"] and detail["explanation"]["series"]["values"][-1] == 42
    assert api.get(f"/alerts/{a.pk}", user=delegate_tanger).status_code == 404
    r = api.post(f"/alerts/{a.pk}/acknowledge", json={"version": 1}, user=delegate_casablanca)
    assert r.status_code == 200 and r.json()["status"] == "acknowledged" and r.json()["version"] == 2
    assert api.post(f"/alerts/{a.pk}/close", json={"version": 1, "note": "x"},
                    user=delegate_casablanca).status_code == 409
    r = api.post(f"/alerts/{a.pk}/close", json={"version": 2, "note": " "}, user=delegate_casablanca)
    assert r.status_code == 400 and "note" in r.json()["errors"]
    assert api.post(f"/alerts/{a.pk}/action", json={"version": 2, "note": "x"},
                    user=authority_viewer).status_code == 404
    assert api.post(f"/alerts/{a.pk}/action", json={"version": 2, "note": "x"},
                    user=delegate_tanger).status_code == 404
    seen = api.get(f"/alerts/{a.pk}", user=authority_viewer).json()
    assert not seen["can_act"] and seen["events"] and all(e["note"] is None and e["actor"] is None
                                                         for e in seen["events"])
    a.refresh_from_db()
    assert (a.status, a.version) == ("acknowledged", 2)
