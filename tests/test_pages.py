"""Pages: Arabic first, language remembered, navigation fitted to the role, nothing external."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//(?!127\.0\.0\.1|localhost)""", re.I)


def test_the_first_page_is_arabic_and_right_to_left_whatever_the_browser_says(db: Any) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert "تسجيل الدخول" in html


def test_anonymous_visitors_are_sent_to_sign_in(db: Any) -> None:
    response = Client().get("/")
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_language_switch_is_remembered_for_the_user(agent_casablanca: Any) -> None:
    client = client_for(agent_casablanca)
    response = client.post(reverse("portal:set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    agent_casablanca.refresh_from_db()
    assert agent_casablanca.language == "fr"
    # Another browser, same user: still French.
    other = client_for(agent_casablanca)
    html = other.get("/").content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Établissements" in html


def test_an_unknown_language_changes_nothing(agent_casablanca: Any) -> None:
    client = client_for(agent_casablanca)
    client.post(reverse("portal:set_language"), {"language": "xx", "next": "https://evil.example/"})
    agent_casablanca.refresh_from_db()
    assert agent_casablanca.language == "ar"


def test_the_language_switch_never_redirects_off_site(agent_casablanca: Any) -> None:
    response = client_for(agent_casablanca).post(reverse("portal:set_language"),
                                                 {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_region_names_follow_the_language(agent_casablanca: Any) -> None:
    client = client_for(agent_casablanca)
    assert "الدار البيضاء-سطات" in client.get(reverse("territory:regions")).content.decode()
    client.post(reverse("portal:set_language"), {"language": "fr"})
    assert "Casablanca-Settat" in client.get(reverse("territory:regions")).content.decode()


def test_numbers_are_grouped_in_the_users_language(agent_casablanca: Any) -> None:
    client = client_for(agent_casablanca)
    client.post(reverse("portal:set_language"), {"language": "en"})
    html = client.get(reverse("territory:region", args=["06"])).content.decode()
    assert re.search(r"\d{1,3}(,\d{3}){2}", html)  # 7,688,967 style


NAV = {
    "agent.casa": ({"home", "units", "territory", "profile"}, {"journal", "users", "import"}),
    "delegate.casa": ({"home", "units", "journal"}, {"users", "import"}),
    "headoffice": ({"home", "units", "journal", "import"}, {"users"}),
    "admin": ({"users", "import", "journal"}, set()),
    "dpo": ({"journal"}, {"users", "import"}),
    "authority.casa": ({"home", "territory"}, {"journal", "users", "import"}),
}


@pytest.mark.parametrize("username", sorted(NAV))
def test_each_role_gets_a_home_page_and_navigation_fitted_to_it(db: Any, username: str) -> None:
    from mowakaba.accounts.models import User

    present, absent = NAV[username]
    html = client_for(User.objects.get(username=username)).get("/").content.decode()
    keys = set(re.findall(r'data-nav="([a-z]+)"', html))
    assert present <= keys, (username, keys)
    assert not (absent & keys), (username, keys)


@pytest.mark.parametrize("name", ["portal:home", "territory:units", "territory:regions", "audit:journal",
                                  "accounts:profile", "accounts:login"])
def test_no_page_loads_anything_from_outside_the_server(national_admin: Any, name: str) -> None:
    html = client_for(national_admin).get(reverse(name)).content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)


def test_a_page_one_may_not_use_does_not_exist(agent_casablanca: Any) -> None:
    client = client_for(agent_casablanca)
    assert client.get(reverse("accounts:users")).status_code == 404
    assert client.get(reverse("territory:import")).status_code == 404
    assert client.get(reverse("audit:journal")).status_code == 404


def test_the_establishment_list_filters_and_pages(national_admin: Any) -> None:
    client = client_for(national_admin)
    html = client.get(reverse("territory:units") + "?type=cef&managed_by=partner").content.decode()
    assert "EST-" in html
    page2 = client.get(reverse("territory:units") + "?page=2")
    assert page2.status_code == 200
    assert client.get(reverse("territory:units") + "?page=9999").status_code == 200


def test_the_establishment_list_is_an_htmx_fragment_when_asked(national_admin: Any) -> None:
    html = client_for(national_admin).get(reverse("territory:units"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and "<table" in html


def test_list_pages_do_not_query_per_row(national_admin: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(national_admin)
    client.get("/")
    with django_assert_max_num_queries(14):
        client.get(reverse("territory:units"))
    with django_assert_max_num_queries(14):
        client.get(reverse("audit:journal"))


def test_the_health_check_answers(db: Any) -> None:
    assert Client().get("/healthz").json()["status"] == "ok"
