"""The training pages: organisers' sessions, the attendance sheet for a group on one POST,
"My trainings", evaluations, totals without names, and the Excel export. Every refusal leaves
the data as it was."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.training import services as ts
from mowakaba.training.models import Attendance, Participant, Theme, TrainingSession
from tests.conftest import client_for
from tests.training.factories import move_dates, session_of, staff_of, unit_of
from tests.training.test_services import _state

TODAY = dt.date.today()


@pytest.mark.django_db
def test_a_delegate_creates_a_session_and_opens_registration(delegate_casablanca: Any) -> None:
    c = client_for(delegate_casablanca)
    assert c.get(reverse("training:new")).status_code == 200
    start = TODAY + dt.timedelta(days=20)
    r = c.post(reverse("training:new"), {
        "organiser": unit_of(delegate_casablanca).pk, "theme": Theme.objects.get(code="violence_women").pk,
        "title": "التكفل بالنساء ضحايا العنف", "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=2)).isoformat(), "capacity": "25", "trainer_name": "Pr. Naima Tazi",
        "place_text": "قاعة الاجتماعات"})
    s = TrainingSession.objects.get(title="التكفل بالنساء ضحايا العنف")
    assert r.status_code == 302 and r["Location"] == reverse("training:session", args=[s.pk])
    page = c.get(reverse("training:session", args=[s.pk]))
    assert page.status_code == 200 and 'data-status="planned"' in page.content.decode()
    c.post(reverse("training:open", args=[s.pk]))
    assert 'data-status="open"' in c.get(reverse("training:session", args=[s.pk])).content.decode()


@pytest.mark.django_db
def test_an_invalid_session_form_shows_the_errors_and_creates_nothing(delegate_casablanca: Any) -> None:
    before = _state()
    r = client_for(delegate_casablanca).post(reverse("training:new"), {
        "organiser": unit_of(delegate_casablanca).pk, "theme": Theme.objects.first().pk, "title": "x",  # type: ignore[union-attr]
        "starts_on": "2030-01-10", "ends_on": "2030-01-05", "capacity": "10", "trainer_name": "x", "place_text": "x"})
    assert r.status_code == 200 and _state() == before


@pytest.mark.django_db
def test_registering_beyond_the_capacity_from_the_page_needs_a_reason(delegate_casablanca: Any) -> None:
    d = delegate_casablanca
    s = session_of(d, capacity=1)
    a, b = staff_of(unit_of(d), 2)
    c = client_for(d)
    before = _state()
    c.post(reverse("training:register", args=[s.pk]), {"user": [a.pk, b.pk]})
    assert _state() == before
    c.post(reverse("training:register", args=[s.pk]), {"user": [a.pk, b.pk], "over_capacity_reason": "Urgence"})
    assert s.participants.count() == 2
    assert JournalEntry.objects.filter(action="training.capacity_override", object_id=str(s.pk)).exists()
    page = c.get(reverse("training:candidates", args=[s.pk]), {"q": "Agent"})
    assert page.status_code == 200


@pytest.mark.django_db
def test_the_attendance_sheet_for_thirty_people_is_one_post_with_bounded_queries(
        delegate_casablanca: Any, django_assert_max_num_queries: Any) -> None:
    d = delegate_casablanca
    s = move_dates(session_of(d, days=2, capacity=30), 0)
    people = ts.participants_register(actor=d, scope=scope_for_user(d), session_id=s.pk,
                                      user_ids=[u.pk for u in staff_of(unit_of(d), 30)])
    c = client_for(d)
    url = reverse("training:attendance", args=[s.pk])
    with django_assert_max_num_queries(14):
        page = c.get(url, {"day": TODAY.isoformat()})
    assert page.status_code == 200 and page.content.decode().count('type="checkbox" name="present"') == 30
    present = [p.pk for p in people[:27]]
    with django_assert_max_num_queries(16):
        r = c.post(url, {"day": TODAY.isoformat(), "present": present})
    assert r.status_code == 302
    assert Attendance.objects.filter(participant__session=s, day=TODAY, present=True).count() == 27
    assert Attendance.objects.filter(participant__session=s, day=TODAY, present=False).count() == 3
    assert JournalEntry.objects.filter(action="training.attendance", object_id=str(s.pk)).count() == 1
    # The session page and the list stay bounded too.
    with django_assert_max_num_queries(16):
        assert c.get(reverse("training:session", args=[s.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get(reverse("training:list")).status_code == 200


@pytest.mark.django_db
def test_a_staff_member_sees_their_own_trainings_joins_an_open_one_and_evaluates(
        delegate_casablanca: Any, agent_casablanca: Any) -> None:
    d, agent = delegate_casablanca, agent_casablanca
    held = move_dates(session_of(d, title="Écoute active"), 0)
    [p] = ts.participants_register(actor=d, scope=scope_for_user(d), session_id=held.pk, user_ids=[agent.pk])
    ts.attendance_record(actor=d, scope=scope_for_user(d), session_id=held.pk, day=TODAY, present_ids=[p.pk])
    upcoming = session_of(d, title="Loi 09-08 pour tous", theme="data_protection")
    ts.session_open_registration(actor=d, scope=scope_for_user(d), session_id=upcoming.pk)
    c = client_for(agent)
    page = c.get(reverse("training:mine")).content.decode()
    assert "Écoute active" in page and "Loi 09-08 pour tous" in page
    assert reverse("training:certificate", args=[p.pk]) in page
    c.post(reverse("training:join", args=[upcoming.pk]))
    assert upcoming.participants.filter(user=agent).exists()
    r = c.post(reverse("training:evaluate", args=[p.pk]), {"satisfaction": "5", "usefulness": "4", "comment": "شكرا"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.satisfaction, p.usefulness, p.comment) == (5, 4, "شكرا")
    # An agent organises nothing: the organisers' pages do not exist for them.
    for url in (reverse("training:list"), reverse("training:session", args=[held.pk]),
                reverse("training:attendance", args=[held.pk]), reverse("training:export")):
        assert c.get(url).status_code == 404


@pytest.mark.django_db
def test_an_authority_viewer_sees_totals_but_no_name_and_no_session(delegate_casablanca: Any,
                                                                    authority_viewer: Any) -> None:
    d = delegate_casablanca
    s = move_dates(session_of(d, title="Session confidentielle"), 0)
    [a] = staff_of(unit_of(d), 1)
    a.first_name, a.last_name, a.full_name_ar = "Zineb", "Kettani", "زينب الكتاني"
    a.save()
    [p] = ts.participants_register(actor=d, scope=scope_for_user(d), session_id=s.pk, user_ids=[a.pk])
    ts.attendance_record(actor=d, scope=scope_for_user(d), session_id=s.pk, day=TODAY, present_ids=[p.pk])
    c = client_for(authority_viewer)
    page = c.get(reverse("training:totals"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kettani" not in html and "الكتاني" not in html and "Session confidentielle" not in html
    assert 'data-testid="training-totals"' in html
    api = c.get("/api/training/totals").json()
    assert api["overall"]["people"] >= 1 and "Kettani" not in str(api)
    before = _state()
    for url in (reverse("training:session", args=[s.pk]), reverse("training:attendance", args=[s.pk]),
                reverse("training:list"), reverse("training:export"), reverse("training:evaluate", args=[p.pk]),
                reverse("training:certificate", args=[p.pk]), f"/api/training/sessions/{s.pk}"):
        assert c.get(url).status_code == 404, url
    assert c.post(reverse("training:attendance", args=[s.pk]), {"day": TODAY.isoformat()}).status_code == 404
    assert c.get("/api/training/sessions").json()["items"] == []
    assert _state() == before


@pytest.mark.django_db
def test_the_excel_export_is_right_to_left_in_arabic_and_journalled(delegate_casablanca: Any) -> None:
    from openpyxl import load_workbook

    d = delegate_casablanca
    s = move_dates(session_of(d, title="حماية الطفولة"), 0)
    [p] = ts.participants_register(actor=d, scope=scope_for_user(d), session_id=s.pk,
                                   user_ids=[staff_of(unit_of(d), 1)[0].pk])
    ts.attendance_record(actor=d, scope=scope_for_user(d), session_id=s.pk, day=TODAY, present_ids=[p.pk])
    r = client_for(d).get(reverse("training:export"), {"year": s.starts_on.year}, HTTP_ACCEPT_LANGUAGE="ar")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    sessions, participants = wb.worksheets
    assert sessions.sheet_view.rightToLeft and participants.sheet_view.rightToLeft
    titles = [row[1] for row in sessions.iter_rows(min_row=2, values_only=True)]
    assert "حماية الطفولة" in titles
    assert any(row[7] == Participant.objects.get(pk=p.pk).certificate_number
               for row in participants.iter_rows(min_row=2, values_only=True))
    assert JournalEntry.objects.filter(action="training.export", kind="export", actor=d).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "url"), [
    ("delegate_casablanca", "/training/"), ("manager_casablanca", "/training/"),
    ("agent_casablanca", "/training/mine/"),
    ("authority_viewer", "/training/totals/")])
def test_the_navigation_leads_each_role_to_its_training_page(persona: str, url: str, request: Any) -> None:
    c = client_for(request.getfixturevalue(persona))
    nav = {item["key"]: item["url"] for item in c.get("/").context["nav"]}
    assert nav["training"] == url
    assert c.get(url).status_code == 200
