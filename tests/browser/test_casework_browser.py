"""Casework in a real Chromium, in Arabic: from the listening session to the closed case, the
individual treatment of an extreme case up to the delegate's approval, the pages on a phone and
the printable file.

The words on the pages are being translated while these tests are written: they find things by
address, name, id and data attributes (data-status, data-level, data-testid), and check states by
their values, never by a sentence that may still be English.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, Session, server_shell

pytestmark = pytest.mark.browser

CASE_URL = re.compile(r"/cases/(\d+)/(#.*)?$")
REFERRAL_URL = re.compile(r"/referrals/(\d+)/$")

# An establishment of the institution next to agent.casa's (same delegation), and one of its
# front-line staff, who gets the known password: the receiving side of the referral.
RECEIVER = """
from mowakaba.accounts.models import Assignment, Role
from mowakaba.territory.models import OrgUnit
home = Assignment.objects.active().filter(user__username="agent.casa").select_related("org_unit").first().org_unit
units = (OrgUnit.objects.filter(parent_id=home.parent_id, kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                partner__isnull=True).exclude(pk=home.pk).order_by("code"))
for unit in units:
    a = (Assignment.objects.active().filter(org_unit=unit, role__in=[Role.AGENT, Role.MANAGER],
                                            user__is_active=True)
         .select_related("user").order_by("role", "user__username").first())
    if a:
        a.user.set_password(%r)
        a.user.save(update_fields=["password"])
        print(unit.code, a.user.username)
        break
"""


@pytest.fixture(scope="module")
def receiver(server: str) -> tuple[str, str]:
    """(code of the receiving establishment, username of one of its staff)."""
    lines = server_shell(RECEIVER % PASSWORD).strip().splitlines()
    out = lines[-1].split() if lines else []
    assert len(out) == 2, "no establishment with staff next to agent.casa's in the demo"
    return out[0], out[1]


def _stamp() -> str:
    return time.strftime("%H%M%S")


def _switch(tab: Session, username: str) -> None:
    """Sign out (the button in the top bar), then sign in as someone else."""
    if tab.page.locator(".topbar-user button").count():
        tab.page.click(".topbar-user button")
        tab.page.wait_for_url("**/accounts/login/**")
    tab.login(username)
    assert tab.page.locator(".topbar-user").count() == 1, f"{username} could not sign in"


def _case_id(tab: Session) -> int:
    m = CASE_URL.search(tab.page.url)
    assert m, tab.page.url
    return int(m.group(1))


def _status(tab: Session) -> str | None:
    return tab.page.locator("[data-testid=case-header] [data-testid=status]").get_attribute("data-status")


def _open_case_by_listening(tab: Session, *, given: str = "", family: str = "", pseudonym: str = "",
                            needs: tuple[str, ...] = (), urgency: str = "normal") -> int:
    """The listening form, from the menu: a new person, needs, urgency, consent, "open a case"."""
    tab.page.click("aside.sidebar [data-nav=listen]")
    tab.page.wait_for_url("**/cases/listen/")
    form = tab.page.locator("#listen-form")
    if given:
        form.locator("#id_given_name_ar").fill(given)
        form.locator("#id_family_name_ar").fill(family)
        form.locator("#id_sex").select_option("F")
        form.locator("#id_birth_year").fill("1988")
    if pseudonym:
        form.locator("#id_pseudonym").fill(pseudonym)
    form.locator("#id_channel").select_option("walk_in")
    for need in needs:
        form.locator(f"input[name=needs][value={need}]").check()
    form.locator(f"input[name=urgency][value={urgency}]").check()
    form.locator("#id_consent_given").check()
    form.locator("input[name=outcome][value=open]").check()
    form.locator(".form-actions button[type=submit]").click()
    tab.page.wait_for_url(CASE_URL)
    return _case_id(tab)


def _assess(tab: Session, answers: dict[str, str], expect_level: str) -> None:
    """The assessment page from the case: tick every question (the first answer unless told),
    watch the live score, record it."""
    tab.page.click(".page-actions a[href$='/assess/']")
    tab.page.wait_for_url("**/assess/")
    for fieldset in tab.page.locator("form.cw-assess fieldset.cw-question").all():
        name = fieldset.locator("input[type=radio]").first.get_attribute("name")
        value = answers.get(name or "")
        radio = fieldset.locator(f"input[value={value}]") if value else fieldset.locator("input[type=radio]").first
        radio.check()
    # The preview follows the answers (htmx), before anything is written.
    tab.page.wait_for_selector(f"[data-testid=assess-preview] .badge.level-{expect_level}", timeout=10_000)
    tab.page.click("form.cw-assess .form-actions button[type=submit]")
    tab.page.wait_for_url(CASE_URL)


def _add_goal(tab: Session, text: str) -> None:
    tab.page.click("#goal > summary")
    tab.page.fill("#goal input[name=text]", text)
    tab.page.click("#goal button[type=submit]")
    tab.page.wait_for_url(CASE_URL)
    assert tab.page.locator("[data-testid=plan] .cw-lines bdi", has_text=text).count() == 1


def _no_sideways_scroll(tab: Session) -> None:
    assert tab.page.evaluate("document.scrollingElement.scrollWidth <= innerWidth + 1"), (
        "the page scrolls sideways: " + str(tab.page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")))


def test_from_listening_to_a_closed_case_with_a_referral_answered_by_another_centre(
        tab: Session, receiver: tuple[str, str]) -> None:
    code, staff = receiver
    page = tab.page
    tab.login("agent.casa")
    given, family = "نادية", f"المرابط {_stamp()}"
    case_id = _open_case_by_listening(tab, given=given, family=family, needs=("shelter", "health"),
                                      urgency="high")
    assert _status(tab) == "received"
    assert page.locator("[data-testid=case-header] .badge.urgency-high").count() == 1
    assert page.locator("[data-testid=level]").count() == 0  # not assessed yet
    tab.shot("case-new-ar")

    # The assessment: 2 + 2 + 2 points, a medium level.
    _assess(tab, {"family": "single_parent", "resources": "irregular", "housing": "precarious"}, "medium")
    assert page.locator("[data-testid=level]").get_attribute("data-level") == "medium"
    assert page.locator("[data-testid=assessment] bdi", has_text="6 /").count() == 1

    # An internal referral, the receiving centre found with the picker (search as you type).
    page.click(".page-actions a[href*='/referrals/new/']")
    page.wait_for_url("**/referrals/new/?case=*")
    assert page.locator("input[name=target][value=internal]").is_checked()
    page.fill("#establishment-q", code)
    choice = page.locator("[data-testid=picker-results] li", has_text=code).locator("input[name=to_establishment]")
    choice.wait_for(timeout=10_000)
    choice.check()
    page.select_option("#id_need", "shelter")
    page.fill("#id_reason", "إيواء مؤقت لمدة أسبوعين في انتظار حل عائلي.")
    tab.shot("referral-new-ar")
    page.click("[data-testid=referral-form] button[name=send]")
    page.wait_for_url(REFERRAL_URL)
    referral_url = page.url
    number = page.locator(".breadcrumbs li[aria-current=page]").inner_text().strip()
    assert number and page.locator("[data-testid=state]").get_attribute("data-status") == "sent"

    # The receiving side: the bell, the orientation inbox, the notification that leads to it.
    _switch(tab, staff)
    bell = page.locator("[data-testid=bell]")
    unread = int(bell.get_attribute("data-unread") or 0)
    assert unread >= 1
    page.click("aside.sidebar [data-nav=referrals]")
    page.wait_for_url("**/referrals/")
    row = page.locator("[data-testid=referrals] tbody tr", has_text=number)
    assert row.count() == 1
    tab.shot("referrals-inbox-ar")
    bell.click()
    page.wait_for_url("**/notifications/")
    page.locator("[data-testid=notifications] li.unread", has_text=number).locator("button").click()
    page.wait_for_url(referral_url)
    assert int(bell.get_attribute("data-unread") or 0) == unread - 1
    page.fill("#accept-note", "نستقبلها ابتداء من الغد.")
    page.click("form[action$='/accept/'] button[type=submit]")
    page.wait_for_url(referral_url)
    assert page.locator("[data-testid=state]").get_attribute("data-status") == "accepted"

    # The agent: a goal, a follow-up visit due today, done from "my tasks" with a note.
    _switch(tab, "agent.casa")
    tab.go(f"/cases/{case_id}/")
    goal, title = f"إيواء آمن {_stamp()}", f"زيارة تتبع {_stamp()}"
    _add_goal(tab, goal)
    page.click("#task > summary")
    page.select_option("#task select[name=kind]", "visit")
    page.fill("#task input[name=title]", title)
    page.select_option("#task select[name=goal]", label=goal)
    assert page.input_value("#task input[name=due_on]")  # today by default: it shows under "today" below
    page.click("#task button[type=submit]")
    page.wait_for_url(CASE_URL)
    page.click("aside.sidebar [data-nav=tasks]")
    page.wait_for_url("**/cases/tasks/")
    task = page.locator("[data-testid=tasks-today] [data-testid=task]", has_text=title)
    assert task.count() == 1
    task.locator("summary").click()
    task.locator("textarea[name=note]").fill("وجدناها في المركز المستقبل، في حالة جيدة.")
    task.locator("button[type=submit]").click()
    done = page.locator("[data-testid=tasks-today] [data-testid=task]", has_text=title)
    done.locator("[data-testid=task-done]").wait_for(timeout=10_000)  # swapped in place, no reload
    tab.shot("tasks-done-ar")

    # The receiving side records the outcome.
    _switch(tab, staff)
    page.click("aside.sidebar [data-nav=referrals]")
    page.click("[data-tab=accepted]")
    page.wait_for_url("**/referrals/?tab=accepted")
    page.locator("[data-testid=referrals] tbody tr", has_text=number).locator("a").first.click()
    page.wait_for_url(referral_url)
    page.select_option("#complete-outcome", "admitted")
    page.click("form[action$='/complete/'] button[type=submit]")
    page.wait_for_url(referral_url)
    assert page.locator("[data-testid=state]").get_attribute("data-status") == "completed"

    # The agent closes the case, with a reason and an outcome.
    _switch(tab, "agent.casa")
    tab.go(f"/cases/{case_id}/")
    assert page.locator("[data-testid=close-refused]").count() == 0  # no referral in progress any more
    # The visit is done, with its note, in the plan.
    assert page.locator("[data-testid=plan] li", has_text=title).locator("text=في حالة جيدة").count() == 1
    page.click("#close details > summary")
    page.select_option("#close select[name=reason]", "referred_out")
    page.select_option("#close select[name=outcome]", "placed")
    page.fill("#close textarea[name=note]", "تكفل بها المركز المستقبل.")
    page.click("#close button[type=submit]")
    page.wait_for_url(CASE_URL)
    assert _status(tab) == "closed"
    assert page.locator("#reopen").count() == 1  # a closed case offers to reopen, nothing else
    assert page.locator("#goal, #task, #first_action").count() == 0
    tab.shot("case-closed-ar")


def test_an_extreme_case_goes_to_the_delegate_who_approves_the_plan(tab: Session) -> None:
    page = tab.page
    tab.login("agent.casa")
    case_id = _open_case_by_listening(tab, pseudonym=f"ن. {_stamp()}", needs=("violence", "shelter"),
                                      urgency="life")
    _assess(tab, {"protection": "immediate_danger"}, "extreme")
    assert page.locator("[data-testid=level]").get_attribute("data-level") == "extreme"
    track = page.locator("[data-testid=extreme-track]")
    assert track.is_visible()
    # Two deadlines, written as dates, and the form for the first action.
    assert track.locator("dd bdi[dir=ltr]").count() >= 2
    assert track.locator("#first_action").count() == 1
    tab.shot("case-extreme-ar")
    page.fill("#first_action textarea[name=note]", "إيواء استعجالي في مركز الإيواء ليلة اليوم.")
    page.click("#first_action button[type=submit]")
    page.wait_for_url(CASE_URL)
    assert track.locator("[data-testid=first-action-done]").count() == 1
    assert track.locator("#first_action").count() == 0
    _add_goal(tab, f"حماية دائمة {_stamp()}")
    page.click("#submit_plan > summary")
    page.fill("#submit_plan textarea[name=note]", "خطة للمصادقة.")
    page.click("#submit_plan button[type=submit]")
    page.wait_for_url(CASE_URL)
    assert track.locator("[data-testid=plan-pending]").count() == 1
    number = page.locator(".breadcrumbs li[aria-current=page]").inner_text().strip()

    _switch(tab, "delegate.casa")
    page.click("aside.sidebar [data-nav=approvals]")
    page.wait_for_url("**/cases/approvals/")
    card = page.locator("[data-testid=approval]", has=page.locator(f"a[href='/cases/{case_id}/']"))
    while card.count() == 0 and page.locator(".pagination a[rel=next]").count():
        page.click(".pagination a[rel=next]")
        page.wait_for_load_state()
    assert card.count() == 1, f"{number} is not on the approvals page"
    tab.shot("approvals-ar")
    card.locator("textarea[name=comment]").fill("موافق.")
    card.locator("button[name=decision][value=approve]").click()
    page.wait_for_url("**/cases/approvals/**")
    assert card.count() == 0

    _switch(tab, "agent.casa")
    tab.go(f"/cases/{case_id}/")
    assert track.locator("[data-testid=plan-approved]").count() == 1
    assert track.locator("[data-testid=plan-pending], #submit_plan").count() == 0


def _a_case_of_agent_casa(tab: Session) -> str:
    """The case of agent.casa's first task, or else the first case of the list."""
    tab.go("/cases/tasks/")
    link = tab.page.locator("[data-testid=task] a[href^='/cases/']").first
    if not link.count():
        tab.go("/cases/?mine=1")
        link = tab.page.locator("main a[href^='/cases/']", has=tab.page.locator("bdi")).first
    href = link.get_attribute("href") or ""
    assert CASE_URL.search(href.split("#")[0] + "#"), href
    return href.split("#")[0]


@pytest.fixture
def small_phone(browser: Any, server: str) -> Iterator[Session]:
    s = Session(browser, server, width=375, height=740)
    yield s
    s.context.close()


def test_my_tasks_and_a_case_on_a_small_phone(small_phone: Session) -> None:
    tab = small_phone
    tab.login("agent.casa")
    tab.go("/cases/tasks/")
    assert tab.page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert tab.page.locator("html").get_attribute("dir") == "rtl"
    _no_sideways_scroll(tab)
    tab.shot("tasks-phone-ar")
    case_url = _a_case_of_agent_casa(tab)
    tab.go(case_url)
    assert tab.page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    _no_sideways_scroll(tab)
    # The forms folded in the page do not widen it when opened.
    for summary in tab.page.locator("#goal > summary, #task > summary, #close details > summary").all():
        summary.click()
    _no_sideways_scroll(tab)
    tab.shot("case-phone-ar")


def test_the_case_file_as_pdf_and_the_case_page_in_french(tab: Session) -> None:
    tab.login("agent.casa")
    case_url = _a_case_of_agent_casa(tab)
    tab.go(case_url)
    tab.shot("case-ar")
    pdf_href = tab.page.locator(".page-actions a[href$='/pdf/']").get_attribute("href")
    assert pdf_href
    response = tab.page.request.get(tab.base + pdf_href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body()[:5] == b"%PDF-"
    try:
        tab.page.click(".lang-switch button[value=fr]")
        tab.page.wait_for_load_state("networkidle")
        html = tab.page.locator("html")
        assert html.get_attribute("lang") == "fr" and html.get_attribute("dir") == "ltr"
        assert CASE_URL.search(tab.page.url)
        assert tab.page.locator("[data-testid=case-header] [data-testid=status]").count() == 1
        tab.shot("case-fr")
    finally:
        tab.page.click(".lang-switch button[value=ar]")
        tab.page.wait_for_load_state("networkidle")
    assert tab.page.locator("html").get_attribute("lang") == "ar"
