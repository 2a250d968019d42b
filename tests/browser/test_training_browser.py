"""Staff training in a real Chromium, in Arabic, on a phone: the delegate records today's attendance
of the session running in their delegation (the demo prepares it: yesterday recorded, today not).

Like the other browser tests, things are found by address, name and data attributes, and states
are checked by their values (and on the server's database), never by a sentence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Session, server_shell

pytestmark = pytest.mark.browser

RUNNING = """
import json
from django.utils import timezone
from mowakaba.accounts.models import Assignment
from mowakaba.training.models import TrainingSession
today = timezone.localdate()
unit = Assignment.objects.get(user__username="delegate.casa").org_unit_id
s = (TrainingSession.objects.filter(organiser_id=unit, starts_on__lt=today, ends_on__gte=today, cancelled_at=None,
                                    closed_at=None).order_by("pk").first())
print(json.dumps({"pk": s.pk, "n": s.participants.count()}))
"""

MARKS = """
import json
from mowakaba.training.models import Attendance
from django.utils import timezone
rows = Attendance.objects.filter(participant__session_id=%d, day=timezone.localdate())
print(json.dumps({"present": rows.filter(present=True).count(), "absent": rows.filter(present=False).count()}))
"""


@pytest.fixture
def small_phone(browser: Any, server: str) -> Iterator[Session]:
    s = Session(browser, server, width=375, height=740)
    yield s
    s.context.close()


def _no_sideways_scroll(tab: Session) -> None:
    assert tab.page.evaluate("document.scrollingElement.scrollWidth <= innerWidth + 1"), (
        "the page scrolls sideways: " + str(tab.page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")))


def test_a_delegate_records_todays_attendance_on_a_phone(small_phone: Session) -> None:
    tab, page = small_phone, small_phone.page
    session = json.loads(server_shell(RUNNING))
    assert session["n"] >= 5
    tab.login("delegate.casa")
    tab.go("/training/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(f"[data-testid=sessions] a[href='/training/{session['pk']}/']").count() == 1
    tab.go(f"/training/{session['pk']}/")
    assert page.locator("[data-status]").first.get_attribute("data-status") == "held"
    _no_sideways_scroll(tab)
    page.click("[data-testid=take-attendance]")
    page.wait_for_load_state("networkidle")
    sheet = page.locator("[data-testid=attendance-sheet]")
    boxes = sheet.locator("input[type=checkbox][name=present]")
    assert boxes.count() == session["n"]
    assert page.evaluate("getComputedStyle(document.querySelector('.tr-people')).direction") == "rtl"
    _no_sideways_scroll(tab)
    # Everyone present with one tap, then two people who did not come, each a tap on their name.
    page.click("[data-check-all]")
    names = sheet.locator(".tr-person")
    names.nth(0).click()
    names.nth(2).click()
    box = names.nth(2).bounding_box()
    assert box is not None and box["height"] >= 44  # a finger-sized target
    tab.shot("training-attendance-phone-ar")
    page.click("[data-testid=save-attendance]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=present-count] bdi").inner_text() == f"{session['n'] - 2} / {session['n']}"
    assert json.loads(server_shell(MARKS % session["pk"])) == {"present": session["n"] - 2, "absent": 2}
    _no_sideways_scroll(tab)
    assert not tab.external_requests()
