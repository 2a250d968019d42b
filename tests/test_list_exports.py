"""Excel exports of the establishments list, the case list and the referral inbox: from the pages'
own scoped querysets, right to left in Arabic, journalled once, no person's name."""

from __future__ import annotations

import io
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from mowakaba.audit.models import JournalEntry
from tests.cases import factories as fx
from tests.conftest import client_for


def _export(user: Any, url: str, params: dict[str, str], action: str) -> list[tuple[Any, ...]]:
    before = JournalEntry.objects.filter(action=action, kind="export", actor=user).count()
    r = client_for(user).get(url, {**params, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="ar")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None and ws.sheet_view.rightToLeft and ws.freeze_panes == "A2"
    assert JournalEntry.objects.filter(action=action, kind="export", actor=user).count() == before + 1
    return list(ws.iter_rows(min_row=2, values_only=True))


def test_the_case_list_export_is_scoped_filtered_and_names_no_one(agent_casablanca: Any, agent_tanger: Any) -> None:
    casa = fx.open_case(agent_casablanca)
    tanger = fx.open_case(agent_tanger)
    rows = _export(agent_tanger, reverse("cases:list"), {"status": "all"}, "cases.export")
    numbers = {row[0] for row in rows}
    assert tanger.number in numbers and casa.number not in numbers
    assert tanger.person.record_no in {row[7] for row in rows}
    names = {tanger.person.display_name} - {""}
    assert names and not any(str(v) in names for row in rows for v in row)
    assert client_for(agent_tanger).get(reverse("cases:list"), {"status": "all"}).content.decode().count(
        "format=xlsx") == 1


def test_the_case_list_export_makes_no_query_per_row(agent_tanger: Any) -> None:
    fx.open_case(agent_tanger)
    c = client_for(agent_tanger)
    with CaptureQueriesContext(connection) as one:
        c.get(reverse("cases:list"), {"status": "all", "format": "xlsx"})
    fx.open_case(agent_tanger)
    fx.open_case(agent_tanger)
    with CaptureQueriesContext(connection) as three:
        c.get(reverse("cases:list"), {"status": "all", "format": "xlsx"})
    assert len(three) == len(one)


def test_the_referral_inbox_export_is_the_current_tab_in_scope(agent_casablanca: Any, agent_tanger: Any) -> None:
    case = fx.open_case(agent_casablanca)
    ref = fx.send_internal(agent_casablanca, case, fx.internal_establishment(fx.home(agent_casablanca)))
    rows = _export(agent_casablanca, reverse("referrals:inbox"), {"tab": "outgoing"}, "referrals.export")
    assert ref.number in {row[0] for row in rows} and case.person.record_no in {row[4] for row in rows}
    assert ref.number not in {row[0] for row in _export(agent_casablanca, reverse("referrals:inbox"),
                                                         {"tab": "done"}, "referrals.export")}
    assert ref.number not in {row[0] for row in _export(agent_tanger, reverse("referrals:inbox"),
                                                         {"tab": "outgoing"}, "referrals.export")}


def test_the_establishments_export_keeps_the_scope_and_the_filters(agent_casablanca: Any,
                                                                   delegate_tanger: Any) -> None:
    casa = fx.home(agent_casablanca)
    codes = {row[0] for row in _export(delegate_tanger, reverse("territory:units"), {}, "establishments.export")}
    assert codes and casa.code not in codes
    mine = fx.home(fx.user("agent.tanger"))
    filtered = _export(delegate_tanger, reverse("territory:units"), {"q": mine.code}, "establishments.export")
    assert [row[0] for row in filtered] == [mine.code]
