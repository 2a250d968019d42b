"""The plan's routes walked by people of another territory (as tests/test_route_walk.py does for
every route): a draft plan and its parts are a 404 for them, on GET and POST, and nothing moves."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mowakaba.accounts.models import User
from tests.conftest import client_for
from tests.planning.helpers import PLAN_POST_ONLY, plan_snapshot, walk_args

ROUTES = walk_args()


@pytest.mark.parametrize("persona", ["delegate.tanger", "agent.tanger", "partner.casa", "delegate.casa"])
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_plan_route_is_404_for_others_and_nothing_changes(db: Any, persona: str, route: str) -> None:
    url = reverse(route, kwargs=ROUTES[route]())
    client = client_for(User.objects.get(username=persona))
    before = plan_snapshot()
    assert client.get(url).status_code in ({404, 405} if route in PLAN_POST_ONLY else {404})
    r = client.post(url, {"name_ar": "تغيير", "name_fr": "X", "number": "9", "version": "1", "value": "5",
                          "territory": "N", "profile": "linear", "year": "2040"})
    assert r.status_code == 404
    assert plan_snapshot() == before
