"""The registry: registering, finding across scripts, bad input, duplicates, merge and undo, access log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.registry import services
from mowakaba.registry.duplicates import scan
from mowakaba.registry.models import Consent, DuplicatePair, IdentityDocument, MergeRecord, NameKey, Person, Phone
from mowakaba.registry.search import VOCABULARY, search
from mowakaba.territory.models import OrgUnit
from tests.conftest import client_for


def _est(username: str) -> OrgUnit:
    return OrgUnit.objects.get(assignments__user__username=username, kind="establishment")


def _register(user: Any, **data: Any) -> Person:
    phones = data.pop("phones", [])
    docs = data.pop("documents", [])
    person = services.person_register(actor=user, scope=scope_for_user(user), establishment_id=_est(user.username).pk,
                                      data=data, phones=phones, documents=docs)
    VOCABULARY.invalidate()
    return person


@pytest.fixture
def fatima(agent_casablanca: Any) -> Person:
    return _register(agent_casablanca, given_name_ar="فاطمة الزهراء", family_name_ar="الفاسي",
                     given_name_lat="Fatima Zahra", family_name_lat="El Fassi", sex="F",
                     birth_date=date(1988, 3, 14), phones=["0612345678"], documents=[("cin", "ab 123456")])


def test_a_registered_person_gets_a_record_number_keys_and_a_journal_entry(fatima: Person,
                                                                          agent_casablanca: Any) -> None:
    assert fatima.record_no == f"MWK-{fatima.pk:07d}"
    assert NameKey.objects.filter(person=fatima, kind="p").exists()
    assert IdentityDocument.objects.get(person=fatima).number == "AB123456"
    assert Phone.objects.get(person=fatima).number == "+212612345678"
    entry = JournalEntry.objects.get(action="person.register", object_id=str(fatima.pk))
    assert entry.actor == agent_casablanca and "فاطمة" not in entry.object_repr  # the journal holds no names


@pytest.mark.parametrize("query", [
    "Fatima Zahra El Fassi", "fatimazahra elfassi", "El Fassi Fatima Zahra", "فاطمة الزهراء الفاسي",
    "فاطمه الزهراء الفاسى", "Fatima Zahra Al Fasi", "Fatma Zahra Fassi", "AB123456", "06 12 34 56 78",
])
def test_a_person_is_found_whatever_the_script_order_or_spelling(fatima: Person, agent_casablanca: Any,
                                                                   query: str) -> None:
    hits = search(scope_for_user(agent_casablanca), query)
    assert hits and hits[0].person.pk == fatima.pk, [(h.person, h.score) for h in hits]
    assert hits[0].reasons


def test_the_record_number_finds_the_person(fatima: Person, agent_casablanca: Any) -> None:
    assert search(scope_for_user(agent_casablanca), fatima.record_no)[0].person.pk == fatima.pk


def test_search_is_limited_to_the_users_scope(fatima: Person, agent_tanger: Any, authority_viewer: Any,
                                              sysadmin: Any) -> None:
    assert search(scope_for_user(agent_tanger), "Fatima Zahra El Fassi") == []
    assert search(scope_for_user(agent_tanger), "AB123456") == []
    assert search(scope_for_user(authority_viewer), "Fatima Zahra El Fassi") == []
    assert search(scope_for_user(sysadmin), "Fatima Zahra El Fassi") == []


def test_a_pseudonymous_person_can_be_completed_later(agent_casablanca: Any) -> None:
    p = _register(agent_casablanca, pseudonym="Femme du marché")
    assert p.is_pseudonymous
    done = services.person_update(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), person_id=p.pk,
                                  expected_version=1, data={"given_name_lat": "Khadija", "family_name_lat": "Tazi"})
    assert not done.is_pseudonymous and done.version == 2
    assert search(scope_for_user(agent_casablanca), "Khadija Tazi")[0].person.pk == p.pk


@pytest.mark.parametrize("data, field", [
    ({}, "given_name_ar"),
    ({"given_name_lat": "Ali", "birth_date": date.today() + timedelta(days=3)}, "birth_date"),
    ({"given_name_lat": "Ali", "birth_date": date(1850, 1, 1)}, "birth_date"),
    ({"given_name_lat": "Ali", "birth_year": 3020}, "birth_year"),
])
def test_bad_input_is_refused_and_nothing_is_saved(agent_casablanca: Any, data: dict[str, Any], field: str) -> None:
    before = (Person.objects.count(), JournalEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        _register(agent_casablanca, **data)
    assert field in exc.value.message_dict
    assert (Person.objects.count(), JournalEntry.objects.count()) == before


@pytest.mark.parametrize("cin", ["123456", "ABC12345", "A-12-B", "AB1234567"])
def test_a_malformed_cin_is_refused_with_a_clear_message(agent_casablanca: Any, cin: str) -> None:
    before = Person.objects.count()
    with pytest.raises(ValidationError, match="AB123456"):
        _register(agent_casablanca, given_name_lat="Ali", documents=[("cin", cin)])
    assert Person.objects.count() == before


def test_the_registration_page_shows_matches_first_and_records_a_deliberate_creation(
        fatima: Person, agent_casablanca: Any) -> None:
    client = client_for(agent_casablanca)
    form = {"establishment": _est("agent.casa").pk, "given_name_lat": "Fatima-Zahra", "family_name_lat": "Elfassi",
            "sex": "F", "birth_year": "1988"}
    page = client.post(reverse("registry:register"), form).content.decode()
    assert fatima.record_no in page
    assert Person.objects.filter(given_name_lat="Fatima-Zahra").count() == 0
    response = client.post(reverse("registry:register"), {**form, "despite_matches": "on"})
    assert response.status_code == 302
    created = Person.objects.get(given_name_lat="Fatima-Zahra")
    assert created.created_despite_matches


def test_the_registration_page_speaks_arabic_about_a_bad_cin(agent_casablanca: Any) -> None:
    html = client_for(agent_casablanca).post(reverse("registry:register"), {
        "establishment": _est("agent.casa").pk, "given_name_lat": "Zakariaa-Test", "cin": "12",
        "birth_date": "2090-01-01",
    }).content.decode()
    assert "للبطاقة الوطنية" in html  # "… is not a CIN number …", in Arabic
    assert not Person.objects.filter(given_name_lat="Zakariaa-Test").exists()


def test_a_person_page_read_is_logged_and_the_dpo_sees_it(fatima: Person, delegate_casablanca: Any,
                                                            dpo: Any) -> None:
    client_for(delegate_casablanca).get(reverse("registry:person", args=[fatima.pk]))
    read = JournalEntry.objects.get(kind="read", object_id=str(fatima.pk), actor=delegate_casablanca)
    assert read.action == "person.read"
    html = client_for(dpo).get(reverse("audit:journal") + f"?object_type=registry.person&object_id={fatima.pk}")
    assert delegate_casablanca.display_name in html.content.decode()


def test_other_territories_get_404_on_a_person_and_nothing_changes(fatima: Person, agent_tanger: Any) -> None:
    client = client_for(agent_tanger)
    before = JournalEntry.objects.count()
    assert client.get(reverse("registry:person", args=[fatima.pk])).status_code == 404
    assert client.post(reverse("registry:document_add", args=[fatima.pk]),
                       {"kind": "cin", "number": "ZZ1", "status": "seen"}).status_code == 404
    assert JournalEntry.objects.count() == before
    with pytest.raises(Http404):
        services.person_read(actor=agent_tanger, scope=scope_for_user(agent_tanger), person_id=fatima.pk)


def test_consent_is_recorded_with_who_and_how_and_can_be_withdrawn(fatima: Person, agent_casablanca: Any) -> None:
    scope = scope_for_user(agent_casablanca)
    c = services.consent_record(actor=agent_casablanca, scope=scope, person_id=fatima.pk, purpose="sharing",
                                method="oral")
    assert c.recorded_by == agent_casablanca and c.active
    services.consent_withdraw(actor=agent_casablanca, scope=scope, consent_id=c.pk)
    assert not Consent.objects.get(pk=c.pk).active


def test_family_links_make_a_household(fatima: Person, agent_casablanca: Any) -> None:
    child = _register(agent_casablanca, given_name_lat="Amine", family_name_lat="El Fassi", sex="M",
                      birth_year=2015)
    household = services.household_link(actor=agent_casablanca, scope=scope_for_user(agent_casablanca),
                                        person_id=fatima.pk, relative_record_no=child.record_no, relation="child")
    assert set(household.members.values_list("relation", flat=True)) == {"head", "child"}


def _twins(agent: Any) -> tuple[Person, Person]:
    a = _register(agent, given_name_lat="Mohamed", family_name_lat="Alaoui", father_name_lat="Ahmed", sex="M",
                  birth_date=date(1975, 6, 1), documents=[("cin", "ZZ900001")], phones=["0611111111"])
    b = _register(agent, given_name_ar="محمد", family_name_ar="العلوي", sex="M", birth_date=date(1975, 6, 1),
                  phones=["0611111111"])
    return a, b


def test_the_scan_proposes_a_cross_script_duplicate_with_its_reasons(agent_casablanca: Any) -> None:
    a, b = _twins(agent_casablanca)
    scan()
    pair = DuplicatePair.objects.get(left_id=min(a.pk, b.pk), right_id=max(a.pk, b.pk))
    assert pair.score >= 0.85
    assert "phone:same" in pair.reasons and "birth:same" in pair.reasons


def test_brothers_are_not_proposed(agent_casablanca: Any) -> None:
    a = _register(agent_casablanca, given_name_lat="Rachid", family_name_lat="Bennani", sex="M",
                  birth_date=date(1980, 1, 1))
    b = _register(agent_casablanca, given_name_lat="Rachida", family_name_lat="Bennani", sex="F",
                  birth_date=date(1983, 5, 5))
    scan()
    assert not DuplicatePair.objects.filter(left_id=min(a.pk, b.pk), right_id=max(a.pk, b.pk)).exists()


def test_not_the_same_person_is_remembered_across_scans(agent_casablanca: Any, manager_casablanca: Any) -> None:
    a, b = _twins(agent_casablanca)
    scan()
    pair = DuplicatePair.objects.get(left_id=min(a.pk, b.pk), right_id=max(a.pk, b.pk))
    services.duplicate_not_same(actor=manager_casablanca, scope=scope_for_user(manager_casablanca), pair_id=pair.pk)
    scan()
    assert DuplicatePair.objects.get(pk=pair.pk).status == "not_same"
    assert DuplicatePair.objects.filter(left_id=pair.left_id, right_id=pair.right_id).count() == 1


def test_a_merge_moves_everything_and_can_be_undone(agent_casablanca: Any, manager_casablanca: Any) -> None:
    a, b = _twins(agent_casablanca)
    scope = scope_for_user(manager_casablanca)
    services.consent_record(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), person_id=b.pk,
                            purpose="listening", method="oral")
    record = services.person_merge(actor=manager_casablanca, scope=scope, keep_id=a.pk, merge_id=b.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into_id == a.pk
    assert a.given_name_ar == "محمد"  # the gap was filled from the merged record
    assert Consent.objects.filter(person=a).count() == 1 and Phone.objects.filter(person=a).count() == 2
    assert not Person.objects.visible_to(scope).filter(pk=b.pk).exists()
    assert JournalEntry.objects.filter(action="person.merge", object_id=str(a.pk)).exists()

    services.person_merge_undo(actor=manager_casablanca, scope=scope, merge_id=record.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into_id is None and a.given_name_ar == ""
    assert Consent.objects.filter(person=b).count() == 1 and Phone.objects.filter(person=b).count() == 1
    assert MergeRecord.objects.get(pk=record.pk).undone_at is not None


def test_merging_a_record_into_itself_is_refused(agent_casablanca: Any, manager_casablanca: Any) -> None:
    a, _b = _twins(agent_casablanca)
    with pytest.raises(ValidationError):
        services.person_merge(actor=manager_casablanca, scope=scope_for_user(manager_casablanca), keep_id=a.pk,
                              merge_id=a.pk)


def test_merging_across_a_territory_one_does_not_hold_is_404_and_changes_nothing(
        agent_casablanca: Any, agent_tanger: Any, delegate_tanger: Any) -> None:
    a, _b = _twins(agent_casablanca)
    t = _register(agent_tanger, given_name_lat="Mohamed", family_name_lat="Alaoui", sex="M")
    before = JournalEntry.objects.count()
    with pytest.raises(Http404):
        services.person_merge(actor=delegate_tanger, scope=scope_for_user(delegate_tanger), keep_id=t.pk,
                              merge_id=a.pk)
    assert Person.objects.get(pk=a.pk).merged_into_id is None
    assert JournalEntry.objects.count() == before


def test_an_agent_cannot_merge(agent_casablanca: Any) -> None:
    a, b = _twins(agent_casablanca)
    with pytest.raises(Http404):
        services.person_merge(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), keep_id=a.pk,
                              merge_id=b.pk)


def test_the_api_searches_and_reads_with_the_same_policy(fatima: Person, agent_casablanca: Any,
                                                         agent_tanger: Any) -> None:
    mine = client_for(agent_casablanca)
    hits = mine.get("/api/registry/persons", {"q": "فاطمة الزهراء الفاسي"}).json()
    assert hits[0]["person"]["id"] == fatima.pk and hits[0]["reasons"]
    assert mine.get(f"/api/registry/persons/{fatima.pk}").status_code == 200
    assert client_for(agent_tanger).get(f"/api/registry/persons/{fatima.pk}").status_code == 404
    assert client_for(agent_tanger).get("/api/registry/persons", {"q": "Fatima Zahra El Fassi"}).json() == []


def test_the_search_page_is_one_query_per_page_not_per_row(agent_casablanca: Any, fatima: Person,
                                                           django_assert_max_num_queries: Any) -> None:
    client = client_for(agent_casablanca)
    client.get(reverse("registry:search"))
    with django_assert_max_num_queries(16):
        client.get(reverse("registry:search") + "?q=Fatima+Zahra")
    with django_assert_max_num_queries(16):
        client.get(reverse("registry:search"))


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_photo_is_kept_private_served_through_the_policy_and_its_reads_logged(
        fatima: Person, agent_casablanca: Any, agent_tanger: Any, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    client = client_for(agent_casablanca)
    client.post(reverse("registry:attachment_add", args=[fatima.pk]),
                {"kind": "photo", "file": SimpleUploadedFile("Fatima El Fassi.png", PNG, content_type="image/png")})
    item = fatima.attachments.get()
    assert "Fatima" not in item.file.name  # stored under a random name
    response = client.get(reverse("registry:attachment", args=[fatima.pk, item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert JournalEntry.objects.filter(action="attachment.read", object_id=str(fatima.pk)).exists()
    assert client_for(agent_tanger).get(reverse("registry:attachment", args=[fatima.pk, item.pk])).status_code == 404


def test_an_upload_that_is_not_a_photo_or_pdf_is_refused(fatima: Person, agent_casablanca: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client_for(agent_casablanca).post(reverse("registry:attachment_add", args=[fatima.pk]), {
        "kind": "photo", "file": SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")})
    assert not fatima.attachments.exists()


def test_the_kept_record_shows_the_history_of_the_merged_one(agent_casablanca: Any, manager_casablanca: Any) -> None:
    a, b = _twins(agent_casablanca)
    services.phone_add(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), person_id=b.pk,
                       number="0622222222")
    services.person_merge(actor=manager_casablanca, scope=scope_for_user(manager_casablanca), keep_id=a.pk,
                          merge_id=b.pk)
    html = client_for(manager_casablanca).get(reverse("registry:person", args=[a.pk])).content.decode()
    assert b.record_no in html  # listed as merged, and its entries appear in the history
    from mowakaba.audit.selectors import journal_for

    ids = [str(a.pk), str(b.pk)]
    assert journal_for(scope_for_user(manager_casablanca), object_type="registry.person",
                       object_ids=ids).filter(object_id=str(b.pk), action="phone.add").exists()


def test_persons_import_reports_bad_rows_and_imports_the_rest(db: Any, tmp_path: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    f = tmp_path / "old.csv"
    f.write_text(
        "record_id,given_name,family_name,father_name,sex,birth_date,birth_year_only,cin,phone,commune_code,extra\n"
        "X-1,Mohamed,Alaoui,Ahmed,M,1980-05-01,0,ZZ123456,0612345678,06.141.01.0,ignored\n"
        "X-2,فاطمة,الزهراء,,F,1990-01-01,1,,,,\n"
        "X-3,Ali,Tazi,,M,2090-01-01,0,,,,\n"
        "X-4,Said,Bennani,,Q,1970-01-01,0,,,,\n"
        "X-5,Hamza,Idrissi,,M,1975-01-01,0,123,,,\n",
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    call_command("persons", "import", str(f), "--establishment", "EST-06.141-001", stdout=out, stderr=err)
    assert "2 imported, 3 rows in error" in out.getvalue()
    assert "line 4:" in err.getvalue() and "line 5:" in err.getvalue() and "line 6:" in err.getvalue()
    imported = Person.objects.get(external_ref="X-1")
    assert imported.documents.get().number == "ZZ123456" and imported.phones.get().number == "+212612345678"
    assert Person.objects.get(external_ref="X-2").given_name_ar == "فاطمة"
    assert Person.objects.get(external_ref="X-2").birth_year_only
    assert NameKey.objects.filter(person=imported, kind="p").exists()


def test_duplicates_export_writes_the_proposed_pairs_with_external_references(
        agent_casablanca: Any, tmp_path: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    a, _b = _twins(agent_casablanca)
    Person.objects.filter(pk=a.pk).update(external_ref="OLD-7")
    call_command("duplicates", "scan", stdout=StringIO())
    target = tmp_path / "pairs.csv"
    call_command("duplicates", "export", "--output", str(target))
    lines = target.read_text().splitlines()
    assert lines[0] == "record_id_a,record_id_b,score"
    assert any(line.startswith("OLD-7,MWK-") or ",OLD-7," in line for line in lines[1:])
