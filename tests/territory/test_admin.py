"""The index method is editable in the admin (validated, journalled); census data is read-only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from mowakaba.audit.models import JournalEntry
from mowakaba.territory.models import VulnerabilityScheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db: Any) -> Client:
    from mowakaba.accounts.models import User

    c = Client()
    c.force_login(User.objects.get(username="admin"))
    return c


def test_scheme_edit_validated_and_journalled(admin_client: Client, census: Any) -> None:
    scheme = VulnerabilityScheme.objects.order_by("pk").first()
    assert scheme is not None
    url = f"/admin/territory/vulnerabilityscheme/{scheme.pk}/change/"
    assert admin_client.get(url).status_code == 200
    bad = [{"field": "not_a_census_field", "weight": 1, "higher_is_worse": True, "sex": "all"}]
    r = admin_client.post(url, {"name": scheme.name, "components": json.dumps(bad), "active": "on"})
    assert r.status_code == 200 and "not_a_census_field" in r.content.decode()
    good = [{"field": "disability_prevalence", "weight": 3, "higher_is_worse": True, "sex": "female"}]
    r = admin_client.post(url, {"name": scheme.name, "components": json.dumps(good), "active": "on"})
    assert r.status_code == 302
    scheme.refresh_from_db()
    assert scheme.components == [{"field": "disability_prevalence", "weight": 3.0, "higher_is_worse": True,
                                  "sex": "female"}]
    assert JournalEntry.objects.filter(action="vulnerabilityscheme.update").exists()


def test_census_rows_read_only(admin_client: Client, census: Any) -> None:
    assert admin_client.get("/admin/territory/censusprofile/").status_code == 200
    assert admin_client.get("/admin/territory/censusprofile/add/").status_code == 403
    assert admin_client.get("/admin/territory/needestimate/add/").status_code == 403
