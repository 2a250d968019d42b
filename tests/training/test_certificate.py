"""Certificates: a PDF in the reader's language with the Arabic text readable, numbered, only for
a participant who attended, printed by them or the organiser, and journalled."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.training import services as ts
from mowakaba.training.models import Participant
from tests.conftest import client_for
from tests.training.factories import move_dates, session_of, staff_of, unit_of
from tests.training.test_services import _state

TODAY = dt.date.today()


def _text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def attended(delegate_casablanca: Any) -> tuple[Participant, Participant]:
    d = delegate_casablanca
    s = move_dates(session_of(d, title="حماية الطفولة: المبادئ الأساسية", trainer_name="نعيمة التازي"), 0)
    a, b = staff_of(unit_of(d), 2)
    a.full_name_ar = "فاطمة الزهراء العلوي"
    a.save()
    pa, pb = ts.participants_register(actor=d, scope=scope_for_user(d), session_id=s.pk, user_ids=[a.pk, b.pk])
    ts.attendance_record(actor=d, scope=scope_for_user(d), session_id=s.pk, day=TODAY, present_ids=[pa.pk])
    return pa, pb


@pytest.mark.django_db
def test_the_arabic_certificate_reads_back_in_arabic_with_its_number(attended: Any) -> None:
    pa, _pb = attended
    client = client_for(pa.user)
    response = client.get(reverse("training:certificate", args=[pa.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "فاطمة الزهراء العلوي" in text
    assert "حماية الطفولة" in text
    assert "التعاون الوطني" in text  # the institution, in Arabic
    assert pa.certificate_number in text
    assert "ﻓ" not in text  # plain letters, not presentation forms
    entry = JournalEntry.objects.get(action="training.certificate")
    assert entry.kind == JournalEntry.Kind.EXPORT and entry.actor_id == pa.user_id
    assert entry.changes["certificate"] == [None, pa.certificate_number]
    # Printed again, the number is the same; each print is journalled.
    again = _text(client.get(reverse("training:certificate", args=[pa.pk])).content)
    assert pa.certificate_number in again
    assert JournalEntry.objects.filter(action="training.certificate").count() == 2


@pytest.mark.django_db
def test_no_certificate_for_a_participant_who_did_not_attend(attended: Any, delegate_casablanca: Any) -> None:
    _pa, pb = attended
    before = _state()
    for user in (pb.user, delegate_casablanca):
        response = client_for(user).get(reverse("training:certificate", args=[pb.pk]))
        assert response.status_code == 302  # back, with the reason
    assert _state() == before
    assert not JournalEntry.objects.filter(action="training.certificate").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["agent_tanger", "delegate_tanger", "authority_viewer", "agent_casablanca"])
def test_someone_else_gets_404_for_a_certificate(attended: Any, persona: str, request: Any) -> None:
    pa, _pb = attended
    before = _state()
    assert client_for(request.getfixturevalue(persona)).get(
        reverse("training:certificate", args=[pa.pk])).status_code == 404
    assert _state() == before


@pytest.mark.django_db
def test_the_organiser_prints_the_certificate_in_french(attended: Any, delegate_casablanca: Any) -> None:
    pa, _pb = attended
    delegate_casablanca.language = "fr"
    delegate_casablanca.save()
    client = client_for(delegate_casablanca)
    client.cookies["django_language"] = "fr"
    text = _text(client.get(reverse("training:certificate", args=[pa.pk])).content)
    assert "Entraide Nationale" in text and pa.certificate_number in text
