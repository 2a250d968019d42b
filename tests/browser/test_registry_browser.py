"""The registry in a real Chromium, in Arabic: search before create, cross-script search, merge and undo."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Session

pytestmark = pytest.mark.browser


def _register(tab: Session, given_ar: str, family_ar: str, given_lat: str = "", family_lat: str = "",
              birth_year: str = "1979") -> None:
    tab.go("/registry/new/")
    tab.page.fill("#id_given_name_ar", given_ar)
    tab.page.fill("#id_family_name_ar", family_ar)
    if given_lat:
        tab.page.fill("#id_given_name_lat", given_lat)
        tab.page.fill("#id_family_name_lat", family_lat)
    tab.page.fill("#id_birth_year", birth_year)
    tab.page.select_option("#id_sex", "F")


def test_registration_shows_existing_matches_before_creating(tab: Session) -> None:
    tab.login("agent.casa")
    _register(tab, "خديجة", "البقالي", "Khadija", "El Baqali")
    tab.page.click("#register-form button[type=submit]")
    tab.page.wait_for_url("**/registry/persons/*/")
    record = tab.page.locator(".breadcrumbs li[aria-current=page]").inner_text().strip()
    # A second agent types the same woman in Latin letters with another spelling.
    tab.go("/registry/new/")
    tab.page.fill("#id_given_name_lat", "Khadidja")
    tab.page.fill("#id_family_name_lat", "Baqqali")
    tab.page.wait_for_selector(f"#matches li:has-text('{record}')", timeout=10_000)
    tab.shot("register-matches-ar")
    tab.page.fill("#id_birth_year", "1979")
    tab.page.click("#register-form button[type=submit]")
    assert tab.page.locator(".form-errors").count() == 1  # refused until the agent confirms
    tab.page.check("#id_despite_matches")
    tab.page.click("#register-form button[type=submit]")
    tab.page.wait_for_url("**/registry/persons/*/")
    assert tab.page.locator("h1").inner_text().strip().startswith("Khadidja")


def test_a_name_typed_in_latin_finds_a_person_written_in_arabic(tab: Session) -> None:
    tab.login("agent.casa")
    _register(tab, "يوسف", "الإدريسي", birth_year="1990")
    tab.page.click("#register-form button[type=submit]")
    tab.page.wait_for_url("**/registry/persons/*/")
    tab.go("/registry/")
    tab.page.fill("#registry-q", "Youssef Idrissi")
    tab.page.wait_for_selector("[data-testid=hits] tbody tr", timeout=10_000)
    first = tab.page.locator("[data-testid=hits] tbody tr").first.inner_text()
    assert "يوسف" in first and "الإدريسي" in first
    tab.shot("search-cross-script-ar")


def test_a_supervisor_merges_two_records_and_undoes_it(tab: Session) -> None:
    tab.login("agent.casa")
    _register(tab, "سعيد", "الوزاني", "Said", "Ouazzani", birth_year="1966")
    tab.page.fill("#id_phone", "0699887766")
    tab.page.click("#register-form button[type=submit]")
    tab.page.wait_for_url("**/registry/persons/*/")
    _register(tab, "سعيد", "الوزانى", birth_year="1966")
    tab.page.fill("#id_phone", "0699887766")
    tab.page.click("#register-form button[type=submit]")
    tab.page.check("#id_despite_matches")
    tab.page.click("#register-form button[type=submit]")
    tab.page.wait_for_url("**/registry/persons/*/")
    tab.page.click(".topbar-user button")
    tab.login("manager.casa")
    tab.go("/registry/duplicates/")
    tab.page.click("form button.btn-primary")  # scan the registry now
    tab.page.wait_for_selector("#job[data-status=done]", timeout=60_000)
    tab.go("/registry/duplicates/")
    row = tab.page.locator("[data-testid=pairs] tbody tr", has_text="الوزاني").first
    row.locator("a").click()
    tab.shot("pair-review-ar")
    tab.page.click("button[value=keep_left]")
    tab.page.wait_for_url("**/registry/persons/*/")
    assert tab.page.locator("text=MWK-").count() >= 1
    tab.go("/registry/duplicates/")
    tab.page.locator("form.inline button").first.click()
    tab.page.wait_for_url("**/registry/persons/*/")
    assert tab.page.locator(".messages li.success").count() == 1
