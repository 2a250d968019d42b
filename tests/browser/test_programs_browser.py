"""Programmes in a real Chromium, in Arabic: agent.casa finds a service in the directory by place
and need and enrols a person in the full emergency shelter (waiting list); manager.casa records
an admitted person's exit and admits the first in line; the staff of the literacy group take
today's register on a 375px phone (the demo prepares all three: ``demo/programs.py``).

Things are found by address, name and data attributes, and states are checked by their values
and on the server's database, never by a sentence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Session, server_shell

pytestmark = pytest.mark.browser

SETUP = """
import json
from django.utils import timezone
from mowakaba.accounts.models import Assignment, Role
from mowakaba.accounts.scope import scope_for_user
from mowakaba.accounts.models import User
from mowakaba.programs.models import Enrolment, GroupSession, Offering
from mowakaba.registry.models import Person
agent = User.objects.get(username="agent.casa")
home = Assignment.objects.get(user=agent).org_unit
full = (Offering.objects.filter(establishment=home, active=True, waiting_count__gt=0).order_by("pk")
        .select_related("establishment__commune__province__region").first())
live = Enrolment.objects.filter(offering=full, state__in=["waiting", "admitted"]).values("person_id")
person = (Person.objects.editable_by(scope_for_user(agent)).exclude(pk__in=live)
          .filter(establishment=home).order_by("pk").first()
          or Person.objects.editable_by(scope_for_user(agent)).exclude(pk__in=live).order_by("pk").first())
session = (GroupSession.objects.filter(establishment__parent_id=home.parent_id, held_on=timezone.localdate(),
                                       marked_count=0).order_by("pk").first())
staff = (Assignment.objects.filter(org_unit_id=session.establishment_id, role__in=[Role.MANAGER, Role.AGENT])
         .order_by("-role", "pk").values_list("user__username", flat=True).first())
province = full.establishment.commune.province
print(json.dumps({"offering": full.pk, "programme": full.programme_id, "capacity": full.capacity,
                  "waiting": full.waiting_count, "code": home.code, "person": person.pk,
                  "region": province.region_id, "province": province.pk, "session": session.pk,
                  "group": session.offering.admitted_count, "staff": staff}))
"""

STATE = """
import json
from mowakaba.programs.models import Enrolment, Offering
o = Offering.objects.get(pk=%d)
rows = list(Enrolment.objects.filter(offering=o).order_by("pk").values("pk", "person_id", "state", "queue_no"))
print(json.dumps({"admitted": o.admitted_count, "waiting": o.waiting_count, "rows": rows}))
"""

SHEET = """
import json
from mowakaba.programs.models import Attendance, GroupSession
s = GroupSession.objects.get(pk=%d)
marks = Attendance.objects.filter(session=s)
print(json.dumps({"marked": s.marked_count, "present": s.present_count, "rows": marks.count(),
                  "absent": marks.filter(mark="absent").count()}))
"""


@pytest.fixture
def setup(server: str) -> dict[str, Any]:
    return json.loads(server_shell(SETUP))


@pytest.fixture
def desk(browser: Any, server: str) -> Iterator[Session]:
    s = Session(browser, server)
    yield s
    s.context.close()


@pytest.fixture
def small_phone(browser: Any, server: str) -> Iterator[Session]:
    s = Session(browser, server, width=375, height=740)
    yield s
    s.context.close()


def _state(offering: int) -> dict[str, Any]:
    return json.loads(server_shell(STATE % offering))


def test_enrol_into_a_full_offering_then_a_manager_admits_the_first_in_line(
        desk: Session, browser: Any, server: str, setup: dict[str, Any]) -> None:
    tab, page = desk, desk.page
    before = _state(setup["offering"])
    assert before["admitted"] >= setup["capacity"] and before["waiting"] >= 1
    tab.login("agent.casa")
    # The directory, by place (region, then province) and need, for this person.
    tab.go(f"/programs/?person={setup['person']}&region={setup['region']}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("details.cw-more > summary").click()
    with page.expect_response(lambda r: "/programs/" in r.url and "province=" in r.url):
        page.select_option("select[name=province]", str(setup["province"]))
    with page.expect_response(lambda r: "/programs/" in r.url and "need=shelter" in r.url):
        page.select_option("[data-testid=need]", "shelter")
    unit = page.locator(f"[data-testid=directory] li[data-code='{setup['code']}']")
    unit.wait_for()
    assert int(unit.locator("[data-testid=waiting] strong").inner_text()) >= setup["waiting"]
    # Enrol from the directory: the offering is full, so the person goes on the waiting list.
    unit.locator(f"a[href*='offering={setup['offering']}&']").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(f"input[name=offering][value='{setup['offering']}']").is_checked()
    page.click("[data-testid=enrol]")
    page.wait_for_load_state("networkidle")
    after = _state(setup["offering"])
    mine = [r for r in after["rows"] if r["person_id"] == setup["person"] and r["state"] == "waiting"]
    assert len(mine) == 1 and after["waiting"] == before["waiting"] + 1 and after["admitted"] == before["admitted"]
    assert mine[0]["queue_no"] == max(r["queue_no"] for r in after["rows"])

    # The centre's manager: one admitted person leaves (completed, housed); the first in line comes in.
    boss = Session(browser, server)
    try:
        boss.login("manager.casa")
        boss.go(f"/programs/offerings/{setup['offering']}/")
        bp = boss.page
        first_waiting = min((r for r in after["rows"] if r["state"] == "waiting"), key=lambda r: r["queue_no"])
        row = bp.locator("[data-testid=admitted] tbody tr").first
        leaving = row.get_attribute("data-person")
        row.locator("details.pg-action > summary").click()
        row.locator("select[name=reason]").select_option("completed")
        row.locator("select[name=outcome]").select_option("housed")
        row.locator("[data-testid=exit]").click()
        bp.wait_for_load_state("networkidle")
        assert int(bp.locator("[data-testid=admitted-count]").inner_text()) == before["admitted"] - 1
        assert bp.locator(f"[data-testid=admitted] tr[data-person='{leaving}']").count() == 0
        bp.click("[data-testid=admit-first]")
        bp.wait_for_load_state("networkidle")
        assert int(bp.locator("[data-testid=admitted-count]").inner_text()) == before["admitted"]
        assert int(bp.locator("[data-testid=waiting-count]").inner_text()) == before["waiting"]
    finally:
        boss.context.close()
    final = _state(setup["offering"])
    states = {r["pk"]: r["state"] for r in final["rows"]}
    assert states[first_waiting["pk"]] == "admitted"
    assert sum(1 for s in states.values() if s == "exited") == sum(
        1 for r in before["rows"] if r["state"] == "exited") + 1
    assert (final["admitted"], final["waiting"]) == (before["admitted"], before["waiting"])
    assert not tab.external_requests()


def test_the_group_register_on_a_phone(small_phone: Session, setup: dict[str, Any]) -> None:
    tab, page = small_phone, small_phone.page
    n = setup["group"]
    assert 20 <= n <= 30 and setup["staff"]
    tab.login(setup["staff"])
    tab.go(f"/programs/sessions/{setup['session']}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    rows = page.locator("[data-testid=sheet] ul.pg-register > li")
    assert rows.count() == n
    page.click("[data-testid=all-present]")
    assert page.locator("[data-testid=sheet] input[value=present]:checked").count() == n
    rows.nth(0).locator("label.pg-absent").click()
    rows.nth(2).locator("label.pg-absent").click()
    box = rows.nth(2).locator("label.pg-absent").bounding_box()
    assert box is not None and box["height"] >= 24
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth + 1")
    tab.shot("programs-register-phone-ar")
    page.click("[data-testid=save-sheet]")
    page.wait_for_load_state("networkidle")
    assert json.loads(server_shell(SHEET % setup["session"])) == {"marked": n, "present": n - 2, "rows": n,
                                                                   "absent": 2}
    assert not tab.external_requests()
