"""The territory and the institution's structure: reference data, edits, CSV import."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.core.errors import StaleEdit
from mowakaba.territory.models import Commune, OrgUnit, Province, Region
from mowakaba.territory.services import establishments_import, orgunit_update, territory_load_reference
from tests.conftest import client_for


def test_the_whole_territory_is_loaded_with_census_populations(db: Any) -> None:
    assert Region.objects.count() == 12
    assert Province.objects.count() == 75
    assert Commune.objects.count() == 1503
    casa = Province.objects.get(code="06.141")
    assert casa.name_ar == "الدار البيضاء" and casa.population_2024 > 3_000_000
    assert Commune.objects.filter(population_2024=0).count() < 5


def test_loading_the_reference_twice_changes_nothing(db: Any) -> None:
    before = (Region.objects.count(), Province.objects.count(), Commune.objects.count())
    territory_load_reference()
    assert (Region.objects.count(), Province.objects.count(), Commune.objects.count()) == before


def test_the_structure_has_the_seed_years_shape(db: Any) -> None:
    assert OrgUnit.objects.filter(kind="coordination").count() == 10
    assert OrgUnit.objects.filter(kind="delegation").count() == 72
    # Every province is covered by exactly one delegation.
    assert Province.objects.filter(delegations__isnull=True).count() == 0
    assert Province.objects.filter(delegations__isnull=False).distinct().count() == 75
    # Establishments sit in a commune of a province their delegation covers.
    bad = [e for e in OrgUnit.objects.filter(kind="establishment").select_related("commune", "parent")
           if not e.parent.provinces.filter(pk=e.commune.province_id).exists()]
    assert bad == []


def test_establishments_follow_population(db: Any) -> None:
    casa = OrgUnit.objects.filter(kind="establishment", commune__province__code="06.141").count()
    aousserd = OrgUnit.objects.filter(kind="establishment", commune__province__code="12.066").count()
    assert casa > 5 * aousserd


def _unit(username: str) -> OrgUnit:
    return OrgUnit.objects.get(assignments__user__username=username, kind="establishment")


def test_a_delegate_edits_an_establishment_and_it_is_journalled(delegate_casablanca: Any) -> None:
    unit = _unit("agent.casa")
    client = client_for(delegate_casablanca)
    url = reverse("territory:unit_edit", args=[unit.pk])
    response = client.post(url, {
        "name_ar": "مركز المساعدة الاجتماعية المعاريف", "name_fr": unit.name_fr,
        "establishment_type": unit.establishment_type_id, "commune_code": unit.commune.code,
        "capacity": "45", "managed_by": "institution", "active": "on", "version": unit.version,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.capacity == 45 and unit.version == 2
    entry = JournalEntry.objects.filter(action="orgunit.update", object_id=str(unit.pk)).get()
    assert entry.actor == delegate_casablanca and entry.via == "page"
    assert entry.changes["capacity"][1] == 45


def test_two_people_editing_the_same_establishment_never_overwrite_silently(delegate_casablanca: Any) -> None:
    unit = _unit("agent.casa")
    scope = scope_for_user(delegate_casablanca)
    first = (unit.capacity or 0) + 7
    orgunit_update(actor=delegate_casablanca, scope=scope, unit_id=unit.pk, expected_version=1, capacity=first)
    with pytest.raises(StaleEdit):
        orgunit_update(actor=delegate_casablanca, scope=scope, unit_id=unit.pk, expected_version=1,
                       capacity=first + 10)
    unit.refresh_from_db()
    assert unit.capacity == first


def test_a_stale_form_gets_a_clear_message_in_arabic(delegate_casablanca: Any) -> None:
    unit = _unit("agent.casa")
    OrgUnit.objects.filter(pk=unit.pk).update(version=5)
    html = client_for(delegate_casablanca).post(reverse("territory:unit_edit", args=[unit.pk]), {
        "name_ar": "x", "establishment_type": unit.establishment_type_id, "commune_code": unit.commune.code,
        "managed_by": "institution", "version": 1,
    }).content.decode()
    assert "شخص آخر" in html  # "someone else saved ..."
    unit.refresh_from_db()
    assert unit.name_ar != "x"


def test_a_commune_outside_the_delegation_is_refused_and_nothing_changes(delegate_casablanca: Any) -> None:
    unit = _unit("agent.casa")
    before = JournalEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        orgunit_update(actor=delegate_casablanca, scope=scope_for_user(delegate_casablanca), unit_id=unit.pk,
                       expected_version=unit.version, commune=Commune.objects.get(code="01.511.01.0"))
    assert "commune" in exc.value.message_dict
    unit.refresh_from_db()
    assert unit.commune.province.code == "06.141"
    assert JournalEntry.objects.count() == before


def test_bad_input_on_the_form_is_explained_and_saves_nothing(delegate_casablanca: Any) -> None:
    unit = _unit("agent.casa")
    html = client_for(delegate_casablanca).post(reverse("territory:unit_edit", args=[unit.pk]), {
        "name_ar": "", "name_fr": "", "establishment_type": unit.establishment_type_id, "commune_code": "99.999",
        "capacity": "-3", "managed_by": "partner", "version": unit.version,
    }).content.decode()
    assert "لا توجد جماعة" in html  # no commune has this code
    unit.refresh_from_db()
    assert unit.version == 1


CSV_HEADER = "code,name_fr,name_ar,type,delegation,commune,capacity,managed_by,partner\n"


def test_a_csv_import_creates_and_updates_establishments(national_admin: Any) -> None:
    existing = _unit("agent.casa")
    data = CSV_HEADER + (
        "NEW-1,Centre test,مركز تجريبي,cas,DEL-06.141,06.141.01.0,30,institution,\n"
        f"{existing.code},{existing.name_fr},{existing.name_ar},cas,DEL-06.141,{existing.commune.code},77,institution,\n"
    )
    report = establishments_import(actor=national_admin, scope=scope_for_user(national_admin), data=data)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 1)
    new = OrgUnit.objects.get(code="NEW-1")
    assert new.path.startswith(new.parent.path) and new.depth == 3
    existing.refresh_from_db()
    assert existing.capacity == 77


def test_a_csv_with_one_bad_row_imports_nothing_and_says_which_row(national_admin: Any) -> None:
    count = OrgUnit.objects.count()
    data = CSV_HEADER + (
        "NEW-1,Centre test,مركز تجريبي,cas,DEL-06.141,06.141.01.0,30,institution,\n"
        "NEW-2,Centre faux,مركز,unknown-type,DEL-06.141,99.999,beaucoup,partner,nobody\n"
    )
    report = establishments_import(actor=national_admin, scope=scope_for_user(national_admin), data=data)
    assert not report.ok
    assert [line for line, _ in report.errors] == [3]
    assert OrgUnit.objects.count() == count


def test_the_import_page_runs_a_job_with_progress(national_admin: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(national_admin)
    upload = SimpleUploadedFile("centres.csv", (CSV_HEADER + "NEW-9,Centre,مركز,cef,DEL-06.141,06.141.01.0,60,"
                                                "institution,\n").encode())
    response = client.post(reverse("territory:import"), {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and "100%" in page
    assert OrgUnit.objects.filter(code="NEW-9").exists()


def _xlsx(rows: list[list[Any]]) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Code", "name_fr", "name_ar", "type", "delegation", "commune", "capacity", "managed_by"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_xlsx_import_is_checked_whole_and_reports_rows_by_their_line(national_admin: Any) -> None:
    scope = scope_for_user(national_admin)
    count = OrgUnit.objects.count()
    bad = _xlsx([["X-1", "Centre", "مركز", "cas", "DEL-06.141", "06.141.01.0", 30, "institution"],
                 [None, None, None, None, None, None, None, None],
                 ["X-2", "Faux", "", "cas", "DEL-06.141", "99.999", "beaucoup", "institution"]])
    report = establishments_import(actor=national_admin, scope=scope, data=bad, filename="centres.xlsx")
    assert [line for line, _ in report.errors] == [4]  # the line in the sheet, past the blank one
    assert OrgUnit.objects.count() == count
    good = _xlsx([["X-1", "Centre", "مركز", "cas", "DEL-06.141", "06.141.01.0", 30, "institution"]])
    report = establishments_import(actor=national_admin, scope=scope, data=good, filename="centres.xlsx")
    assert report.ok and report.created == 1
    assert OrgUnit.objects.get(code="X-1").capacity == 30
    broken = establishments_import(actor=national_admin, scope=scope, data=b"not a zip", filename="c.xlsx")
    assert [line for line, _ in broken.errors] == [0]


def test_the_import_page_takes_an_xlsx(national_admin: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(national_admin)
    upload = SimpleUploadedFile("centres.xlsx", _xlsx([["X-9", "Centre", "مركز", "cef", "DEL-06.141", "06.141.01.0",
                                                         60, "institution"]]))
    response = client.post(reverse("territory:import"), {"file": upload})
    assert response.status_code == 302
    assert 'data-status="done"' in client.get(response["Location"]).content.decode()
    assert OrgUnit.objects.get(code="X-9").capacity == 60


def test_a_delegate_cannot_import_structure(delegate_casablanca: Any) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        establishments_import(actor=delegate_casablanca, scope=scope_for_user(delegate_casablanca), data=CSV_HEADER)
