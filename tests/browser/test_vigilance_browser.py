"""Social vigilance in a real Chromium, in Arabic: the delegate of Casablanca opens the dashboard
of the province, drills down to an establishment, acknowledges an alert of the province, and
downloads the PDF report of the province prepared by a background job.

Things are found by address and data attributes and states are checked by their values (and
on the server's database), never by a sentence.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import Session, server_shell

pytestmark = pytest.mark.browser

SETUP = """
import json
import datetime as dt
from mowakaba.accounts.scope import scope_for_user
from mowakaba.accounts.models import User
from mowakaba.territory.models import Province
from mowakaba.vigilance.models import Alert
user = User.objects.get(username="delegate.casa")
casa = Province.objects.get(code="06.141")
alert, _ = Alert.objects.get_or_create(key="browser:casa", defaults={
    "kind": Alert.Kind.FOLLOWUPS_OVERDUE, "province": casa, "period_start": dt.date(2026, 11, 23),
    "observed": 14, "expected": 4, "method": "rule-share",
    "explanation": {"rule": "followups_late", "overdue": 14, "due": 40, "share": 0.35}})
print(json.dumps({"province": casa.pk, "alert": alert.pk}))
"""

ALERT = """
import json
from mowakaba.vigilance.models import Alert
a = Alert.objects.get(pk=%d)
print(json.dumps({"status": a.status, "by": a.acknowledged_by.username if a.acknowledged_by else None,
                  "events": a.events.count()}))
"""


def test_a_delegate_reads_the_dashboard_acknowledges_an_alert_and_downloads_the_report(tab: Session) -> None:
    page = tab.page
    ids = json.loads(server_shell(SETUP))
    tab.login("delegate.casa")

    # The dashboard opens on the delegate's own province, right to left, with its figures drawn.
    tab.go("/vigilance/")
    page.wait_for_url(f"**/vigilance/p/{ids['province']}/**")
    assert page.locator("html").get_attribute("dir") == "rtl"
    dash = page.locator("[data-testid=dashboard]")
    assert dash.get_attribute("data-level") == "P"
    assert page.locator("[data-testid=tiles] a.vg-tile").count() >= 10
    assert page.locator("[data-testid=trend] svg").count() == 1
    tab.shot("vigilance-province-ar")

    # Choosing another indicator keeps the page and changes the focus.
    page.locator("[data-testid=tiles] a[data-code=cases_opened]").click()
    page.wait_for_url("**ind=cases_opened**")
    assert page.locator("[data-testid=breakdown-sex] svg").count() == 1

    # Drill down: an establishment of the province, from the table of the territories one level down.
    page.locator("[data-testid=children] summary").click()
    link = page.locator("[data-testid=children-table] a[href*='/vigilance/e/']").first
    href = link.get_attribute("href") or ""
    link.click()
    page.wait_for_url("**/vigilance/e/**")
    assert page.locator("[data-testid=dashboard]").get_attribute("data-level") == "E"
    assert href.split("?")[0] in page.url
    # ... and back up through the breadcrumbs.
    page.locator(f".breadcrumbs a[href*='/vigilance/p/{ids['province']}/']").click()
    page.wait_for_url(f"**/vigilance/p/{ids['province']}/**")

    # An alert of the province: acknowledged from its page.
    tab.go("/vigilance/alerts/")
    page.locator(f"a[href='/vigilance/alerts/{ids['alert']}/']").first.click()
    page.wait_for_url(f"**/vigilance/alerts/{ids['alert']}/")
    assert page.locator("[data-testid=alert]").get_attribute("data-status") == "new"
    page.locator("[data-testid=form-acknowledge] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=alert]").get_attribute("data-status") == "acknowledged"
    state = json.loads(server_shell(ALERT % ids["alert"]))
    assert state == {"status": "acknowledged", "by": "delegate.casa", "events": 1}
    tab.shot("vigilance-alert-ar")

    # The province's report: a background job with a progress bar, then the PDF.
    tab.go("/vigilance/reports/")
    form = page.locator("[data-testid=report-form]")
    form.locator("select[name=territory]").select_option(f"P{ids['province']}")
    form.locator("select[name=language]").select_option("ar")
    form.locator("button[type=submit]").last.click()
    page.wait_for_selector("[data-testid=report-job]")
    assert page.locator("[data-testid=report-job] [role=progressbar]").count() == 1
    page.wait_for_selector("[data-testid=report-job][data-status=done]", timeout=120_000)
    with page.expect_download() as info:
        page.locator("[data-testid=download-pdf]").click()
    download: Any = info.value
    path = download.path()
    assert path is not None
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert tab.external_requests() == []
