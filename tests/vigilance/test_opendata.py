"""The public open-data page: no sign-in, aggregates only (country and regions), small counts
hidden like in the reports, CSV and Excel downloads, output cached until the next refresh."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()  # keys carry the last refresh's id, which a rolled-back test may reuse
    yield
    cache.clear()


@pytest.fixture
def year_facts() -> dict[str, Any]:
    """Last full year: Casablanca-Settat serves 40 + 3 people, Tanger 2 (a small regional count)."""
    from mowakaba.territory.models import Province, Region
    from mowakaba.vigilance.models import Fact

    year = timezone.localdate().year - 1
    month = date(year, 3, 1)
    casa, tanger = Region.objects.get(code="06"), Region.objects.get(code="01")
    p1, p2 = list(Province.objects.filter(region=casa).order_by("code")[:2])
    p3 = Province.objects.filter(region=tanger).order_by("code").first()
    assert p3 is not None
    Fact.objects.all().delete()  # only the figures below (rolled back after the test)
    rows = [
        ("sessions", "P", p1.pk, casa.pk, "", "", 40), ("sessions", "P", p2.pk, casa.pk, "", "", 3),
        ("sessions", "P", p3.pk, tanger.pk, "", "", 2),
        ("sessions", "N", None, None, "need", "health", 30), ("sessions", "N", None, None, "need", "food", 3),
        ("sessions", "N", None, None, "", "", 45),
    ]
    Fact.objects.bulk_create([Fact(measure=m, period=month, level=lvl, province_id=p, region_id=r, dim=d,
                                   dim_value=v, value=n) for m, lvl, p, r, d, v, n in rows])
    return {"casa": casa, "tanger": tanger}


def _cells(html: str, region_name: str) -> str:
    row = html.split(region_name, 1)[1].split("</tr>", 1)[0]
    return row


def test_public_page_without_sign_in_and_suppressed(year_facts: dict[str, Any]) -> None:
    from mowakaba.territory.models import OrgUnit

    client = Client()
    response = client.get("/open-data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="aggregates-only"' in html
    # Tanger's 2 sessions are hidden ("<5"), and Casablanca's 43 as well ("x"): the national total
    # of 45 is published, and 45 - 43 would give Tanger's 2 back
    tanger = _cells(html, year_facts["tanger"].name_ar)
    casa = _cells(html, year_facts["casa"].name_ar)
    assert "&lt;5" in tanger and ">x<" in casa.replace("</bdi>", "<").replace('<bdi dir="ltr">', ">")
    assert "45" in html  # the national total of sessions
    # no establishment on this page
    names = OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT).values_list("name_ar", flat=True)[:200]
    assert not [n for n in names if n and n in html]
    # needs overlap: the small need is hidden on its own
    assert "&lt;5" in html.split('data-table="sessions_need"', 1)[1]
    twelve = client.get("/open-data/?period=12m")
    assert twelve.status_code == 200


def test_downloads_csv_and_xlsx(year_facts: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    client = Client()
    response = client.get("/open-data/data.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["table", "code", "territory_or_category", "column", "value"]
    tanger = [r for r in rows[1:] if len(r) == 5 and r[1] == "01"]
    assert tanger and "<5" in [r[4] for r in tanger]
    assert "2" not in [r[4] for r in tanger if "<5" not in r]  # the hidden 2 is nowhere
    xlsx = client.get("/open-data/data.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    wb = load_workbook(io.BytesIO(xlsx.content))
    values = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    assert "<5" in values
    assert client.get("/open-data/data.pdf").status_code == 404


def test_cached_until_the_next_refresh(year_facts: dict[str, Any]) -> None:
    from mowakaba.vigilance.models import Fact, RefreshRun

    client = Client()
    first = client.get("/open-data/").content
    Fact.objects.filter(level="P", value=40).update(value=400)
    assert client.get("/open-data/").content.split(b"<main", 1)[1] == first.split(b"<main", 1)[1]
    RefreshRun.objects.create(kind=RefreshRun.Kind.RECENT, started_at=timezone.now(), finished_at=timezone.now())
    assert b"405" in client.get("/open-data/").content  # the new national total
