"""The main pages in a real Chromium: sign-in, the language switch, right-to-left layout."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Session

pytestmark = pytest.mark.browser


def test_sign_in_in_arabic_right_to_left_with_nothing_from_outside(tab: Session) -> None:
    tab.go("/")
    html = tab.page.locator("html")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
    assert tab.page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    tab.shot("login-ar")
    tab.login("delegate.casa")
    assert tab.page.url.rstrip("/") == tab.base
    assert tab.page.locator("h1").inner_text().startswith("مرحب")
    # The sidebar sits on the right in Arabic: its left edge is right of the content's.
    side = tab.page.locator("aside.sidebar").bounding_box()
    main = tab.page.locator("main.content").bounding_box()
    assert side and main and side["x"] > main["x"]
    # The Arabic font is our own file, served locally.
    assert any("NotoSansArabic" in u and u.endswith(".ttf") for u in tab.requests)
    tab.shot("home-delegate-ar")
    assert tab.external_requests() == []


def test_a_wrong_password_is_explained_in_arabic(tab: Session) -> None:
    tab.login("delegate.casa", "not-the-password")
    assert "كلمة المرور" in tab.page.locator(".form-errors").inner_text()


def test_the_language_switch_gives_french_and_english_and_is_remembered(tab: Session, browser: object,
                                                                         server: str) -> None:
    tab.login("coordinator.casa")
    tab.page.click(".lang-switch button[value=fr]")
    tab.page.wait_for_load_state("networkidle")
    html = tab.page.locator("html")
    assert html.get_attribute("lang") == "fr" and html.get_attribute("dir") == "ltr"
    assert "Établissements" in tab.page.locator("aside.sidebar").inner_text()
    tab.shot("home-coordinator-fr")
    tab.page.click(".lang-switch button[value=en]")
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.locator("html").get_attribute("lang") == "en"
    # A new browser, the same person: the choice followed the account.
    other = Session(browser, server)
    try:
        other.login("coordinator.casa")
        assert other.page.locator("html").get_attribute("lang") == "en"
    finally:
        other.context.close()
        tab.page.click(".lang-switch button[value=ar]")


def test_the_establishment_list_filters_in_place(tab: Session) -> None:
    tab.login("headoffice")
    tab.go("/territory/units/")
    first = tab.page.locator("#units-table tbody tr").first.inner_text()
    tab.page.select_option("select[name=type]", "eps_elderly")
    tab.page.wait_for_function("() => new URL(location.href).searchParams.get('type') === 'eps_elderly'")
    tab.page.wait_for_load_state("networkidle")
    rows = tab.page.locator("#units-table tbody tr")
    assert rows.count() >= 1
    assert rows.first.inner_text() != first
    tab.shot("units-ar")


def test_another_territory_is_a_not_found_page(tab: Session) -> None:
    tab.login("headoffice")
    tab.go("/territory/units/?q=EST-06.141-001")
    link = tab.page.locator("#units-table tbody a").first.get_attribute("href")
    assert link
    tab.page.click(".topbar-user button")
    tab.login("agent.tanger")
    response = tab.go(link)
    assert response is not None and response.status == 404


def test_the_home_page_works_on_a_phone(phone: Session) -> None:
    phone.login("agent.casa")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the page must not scroll sideways on a phone"
    phone.shot("home-agent-phone-ar")


def test_a_csv_import_runs_on_the_background_worker_with_a_progress_bar(tab: Session, tmp_path: object) -> None:
    from pathlib import Path

    csv_file = Path(str(tmp_path)) / "centres.csv"
    csv_file.write_text("code,name_fr,name_ar,type,delegation,commune,capacity\n"
                        "BRW-1,Centre navigateur,مركز المتصفح,cas,DEL-06.141,06.141.01.0,40\n", encoding="utf-8")
    tab.login("headoffice")
    tab.go("/territory/units/import/")
    tab.page.set_input_files("input[type=file]", str(csv_file))
    tab.page.click("form.form button[type=submit]")
    tab.page.wait_for_selector("#job[data-status=done]", timeout=20_000)
    assert tab.page.locator(".progress-bar").get_attribute("style") == "width: 100%"
    tab.shot("import-done-ar")
    tab.go("/territory/units/?q=BRW-1")
    assert "مركز المتصفح" in tab.page.locator("#units-table").inner_text()
