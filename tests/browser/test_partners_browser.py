"""Partner conventions in a real Chromium, in Arabic, on the demo's data: the delegate finds the
conventions with a late report, opens one, sees the reminder and records the reports' receipt;
partner staff, on a phone, see their own association's conventions and nothing else.

Things are found by address, name, id, classes and data attributes, never by a sentence.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Session, server_shell

pytestmark = pytest.mark.browser

CONVENTION_URL = re.compile(r"/partners/conventions/(\d+)/$")

# partner.casa's association and its conventions, then another association of Casablanca.
PARTNER_CASA = """
from mowakaba.accounts.models import Assignment
from mowakaba.partners.models import Convention
from mowakaba.territory.models import PartnerAssociation
own = PartnerAssociation.objects.get(staff_assignments__user__username="partner.casa")
other = PartnerAssociation.objects.filter(province_id=own.province_id).exclude(pk=own.pk).order_by("pk").first()
print(own.pk, other.pk)
print(*Convention.objects.filter(association=own).values_list("pk", flat=True))
"""


@pytest.fixture(scope="module")
def partner_casa(server: str) -> tuple[int, int, set[int]]:
    """(partner.casa's association, another of Casablanca, the conventions of the first)."""
    lines = server_shell(PARTNER_CASA).strip().splitlines()
    own, other = (int(x) for x in lines[-2].split())
    return own, other, {int(x) for x in lines[-1].split()}


def _ids(tab: Session, selector: str, pattern: str) -> list[int]:
    hrefs = tab.page.locator(selector).evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return [int(m.group(1)) for h in hrefs if (m := re.search(pattern, h or ""))]


def _rows(tab: Session) -> list[int]:
    return _ids(tab, "[data-testid=conventions] tbody tr td:first-child a", r"/partners/conventions/(\d+)/$")


def _arabic(tab: Session) -> None:
    html = tab.page.locator("html")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"


def test_partner_staff_on_a_phone_see_their_own_association_and_its_late_report(
        phone: Session, partner_casa: tuple[int, int, set[int]]) -> None:
    own, other, own_conventions = partner_casa
    tab = phone
    tab.login("partner.casa")
    tab.go("/partners/")
    _arabic(tab)
    assert _ids(tab, "[data-testid=associations] tbody a", r"/partners/(\d+)/$") == [own]
    tab.go("/partners/conventions/")
    listed = _rows(tab)
    assert listed and set(listed) <= own_conventions
    tab.go("/partners/conventions/?late=1")
    late = _rows(tab)
    assert late and set(late) <= own_conventions
    tab.go(f"/partners/conventions/{late[0]}/")
    reminder = tab.page.locator("[data-testid=late-reminder]")
    assert reminder.is_visible()
    assert tab.page.locator("[data-testid=reports] li[data-late='1']").count() >= 1
    # Partner staff hand reports in, but decide nothing about the convention.
    assert tab.page.locator("[data-testid=actions] form").count() == 0
    assert tab.page.evaluate("document.scrollingElement.scrollWidth <= innerWidth + 1")
    tab.shot("partners-convention-late-phone-ar")
    # Another association of the same city, or one of its conventions: as if it did not exist.
    assert tab.go(f"/partners/{other}/").status == 404
    foreign = server_shell(
        "from mowakaba.partners.models import Convention\n"
        f"print(Convention.objects.filter(association_id={other}).values_list('pk', flat=True).first() or 0)")
    if int(foreign.strip().splitlines()[-1]):
        assert tab.go(f"/partners/conventions/{int(foreign.strip().splitlines()[-1])}/").status == 404


def test_the_delegate_filters_late_reports_and_records_their_receipt(
        tab: Session, partner_casa: tuple[int, int, set[int]]) -> None:
    _own, _other, own_conventions = partner_casa
    page = tab.page
    tab.login("delegate.casa")
    _arabic(tab)
    page.click("aside.sidebar [data-nav=partners]")
    page.wait_for_url("**/partners/")
    page.click(".page-actions a[href='/partners/conventions/']")
    page.wait_for_url("**/partners/conventions/")
    everything = _rows(tab)
    page.check("form.filters input[name=late]")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"late=1"))
    late = _rows(tab)
    assert late and len(late) <= len(everything)
    assert page.locator("[data-testid=conventions] tbody tr").count() == page.locator(
        "[data-testid=conventions] tbody tr .badge-red").count()
    # One that is not partner.casa's, so that the other test finds theirs still late.
    target = next(pk for pk in late if pk not in own_conventions)
    page.click(f"[data-testid=conventions] a[href='/partners/conventions/{target}/']")
    page.wait_for_url(CONVENTION_URL)
    status = page.locator("[data-testid=status]").get_attribute("data-status")
    assert status in {"running", "suspended", "signed"}
    assert page.locator("[data-testid=late-reminder]").is_visible()
    late_items = page.locator("[data-testid=reports] li[data-late='1']")
    n = late_items.count()
    assert n >= 1
    for _ in range(n):
        late_items.first.locator("form[action$='/receive/'] button[type=submit]").click()
        page.wait_for_url(CONVENTION_URL)
        page.wait_for_load_state()
    assert late_items.count() == 0
    assert page.locator("[data-testid=late-reminder]").count() == 0
    assert page.locator("[data-testid=reports] li .badge-green").count() >= n
    assert page.locator("[data-testid=status]").get_attribute("data-status") == status
    tab.shot("partners-convention-received-ar")
    tab.go("/partners/conventions/?late=1")
    assert target not in _rows(tab)
