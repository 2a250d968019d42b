"""Programme pages: the directory searched by place and need, enrolment from a case landing on
the waiting list, the attendance sheet in one POST with bounded queries, imports that write
nothing when a row is wrong, Excel exports right to left in Arabic, and who gets a 404."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from mowakaba.programs.models import Attendance, Enrolment, GroupSession
from tests.cases.factories import open_case
from tests.conftest import client_for
from tests.programs.helpers import enrol, offering, person, world

pytestmark = pytest.mark.django_db


def test_the_directory_finds_establishments_by_place_and_need_in_arabic(
        agent_casablanca: Any, manager_casablanca: Any, django_assert_max_num_queries: Any) -> None:
    off = offering(manager_casablanca, capacity=1)
    enrol(agent_casablanca, off)
    enrol(agent_casablanca, off)
    client = client_for(agent_casablanca)
    province = off.establishment.commune.province  # type: ignore[union-attr]
    url = reverse("programs:directory") + f"?region={province.region_id}&province={province.pk}&need=schooling"
    client.get(url)
    with django_assert_max_num_queries(25):  # a fixed number, whatever the number of rows
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'lang="ar"' in html
    assert off.establishment.name_ar in html and "الدعم المدرسي" in html
    fragment = client.get(url + "&q=" + off.establishment.code, HTTP_HX_REQUEST="true").content.decode()
    assert off.establishment.name_ar in fragment and "<html" not in fragment


def test_enrolment_from_a_case_lands_on_the_waiting_list_when_full(
        agent_casablanca: Any, manager_casablanca: Any) -> None:
    off = offering(manager_casablanca, capacity=1)
    enrol(agent_casablanca, off)
    case = open_case(agent_casablanca, needs=["schooling"])
    client = client_for(agent_casablanca)
    form = client.get(reverse("programs:enrol") + f"?case={case.pk}").content.decode()
    assert f'value="{off.pk}"' in form
    response = client.post(reverse("programs:enrol"), {"case": case.pk, "offering": off.pk})
    assert response.status_code == 302 and response["Location"].endswith("#programmes")
    e = Enrolment.objects.get(case=case)
    assert e.state == "waiting" and e.referrer_id is None
    page = client.get(reverse("programs:offering", args=[off.pk])).content.decode()
    assert case.person.record_no in page


def test_the_attendance_sheet_for_thirty_people_is_one_post_with_bounded_queries(
        agent_casablanca: Any, manager_casablanca: Any, django_assert_max_num_queries: Any) -> None:
    off = offering(manager_casablanca, capacity=30)
    people = [enrol(agent_casablanca, off) for _ in range(30)]
    client = client_for(agent_casablanca)
    url = reverse("programs:attendance_new", args=[off.pk])
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    data = {f"m{e.pk}": ("absent" if i < 3 else "present") for i, e in enumerate(people)}
    data["topic"] = "الرياضيات"
    with django_assert_max_num_queries(30):
        response = client.post(url, data)
    assert response.status_code == 302
    session = GroupSession.objects.get(offering=off)
    assert (session.present_count, session.marked_count) == (27, 30)
    assert Attendance.objects.filter(session=session, mark="absent").count() == 3


def _upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_an_enrolment_import_with_one_bad_row_writes_nothing_and_says_which_line(
        agent_casablanca: Any, manager_casablanca: Any) -> None:
    off = offering(manager_casablanca, capacity=5)
    a, b = person(agent_casablanca), person(agent_casablanca)
    client = client_for(agent_casablanca)
    url = reverse("programs:offering_import", args=[off.pk])
    before = world()
    bad = _upload("e.csv", f"record_no;note\n{a.record_no};ok\nMWK-9999999;x\n{b.record_no};\n")
    page = client.post(url, {"kind": "enrolments", "file": bad}).content.decode()
    assert "import-errors" in page and "3" in page
    assert world() == before
    good = _upload("e.csv", f"record_no;note\n{a.record_no};ok\n{b.record_no};\n")
    assert client.post(url, {"kind": "enrolments", "file": good}).status_code == 302
    assert Enrolment.objects.filter(offering=off, state="admitted").count() == 2


def test_an_attendance_import_is_all_or_nothing(agent_casablanca: Any, manager_casablanca: Any) -> None:
    off = offering(manager_casablanca, capacity=5)
    a, b = enrol(agent_casablanca, off), enrol(agent_casablanca, off)
    client = client_for(agent_casablanca)
    url = reverse("programs:offering_import", args=[off.pk])
    ra, rb = a.person.record_no, b.person.record_no
    before = world()
    bad = _upload("a.csv", f"date,topic,record_no,mark\n2025-01-10,Lecture,{ra},P\n2025-01-10,Lecture,{rb},maybe\n")
    page = client.post(url, {"kind": "attendance", "file": bad}).content.decode()
    assert "import-errors" in page
    assert world() == before
    good = _upload("a.csv", f"date,topic,record_no,mark\n2025-01-10,Lecture,{ra},P\n2025-01-10,Lecture,{rb},غائب\n"
                            f"2025-01-17,Lecture,{ra},absent\n")
    assert client.post(url, {"kind": "attendance", "file": good}).status_code == 302
    assert GroupSession.objects.filter(offering=off).count() == 2
    a.refresh_from_db()
    assert (a.sessions_marked, a.sessions_present) == (2, 1)


def test_excel_exports_are_right_to_left_in_arabic_and_journalled(
        agent_casablanca: Any, manager_casablanca: Any) -> None:
    from mowakaba.audit.models import JournalEntry

    off = offering(manager_casablanca, capacity=1)
    enrol(agent_casablanca, off)
    client = client_for(agent_casablanca)
    for url in (reverse("programs:offering_export", args=[off.pk]),
                reverse("programs:directory_export") + "?need=schooling"):
        response = client.get(url)
        assert response.status_code == 200
        ws = load_workbook(io.BytesIO(response.content)).active
        assert ws is not None and ws.sheet_view.rightToLeft is True
    assert JournalEntry.objects.filter(action="enrolments.export", kind="export").exists()
    client.cookies["django_language"] = "fr"
    agent_casablanca.language = "fr"
    agent_casablanca.save(update_fields=["language"])
    french = load_workbook(io.BytesIO(client_for(agent_casablanca).get(
        reverse("programs:offering_export", args=[off.pk])).content)).active
    assert french is not None and not french.sheet_view.rightToLeft


def test_the_authority_viewer_and_tanger_get_404_on_an_offering_and_nothing_changes(
        agent_casablanca: Any, manager_casablanca: Any, authority_viewer: Any, agent_tanger: Any) -> None:
    off = offering(manager_casablanca, capacity=1)
    enrol(agent_casablanca, off)
    waiting = enrol(agent_casablanca, off)
    before = world()
    for outsider in (authority_viewer, agent_tanger):
        client = client_for(outsider)
        assert client.get(reverse("programs:offering", args=[off.pk])).status_code == 404
        assert client.post(reverse("programs:admit", args=[waiting.pk]), {"capacity_override": "x"}).status_code == 404
        assert client.post(reverse("programs:attendance_new", args=[off.pk]), {}).status_code == 404
    assert world() == before


def test_programme_outcomes_page_lists_the_catalogue(national_admin: Any) -> None:
    page = client_for(national_admin).get(reverse("programs:catalogue")).content.decode()
    assert "محو الأمية" in page and "حملة البرد" in page
