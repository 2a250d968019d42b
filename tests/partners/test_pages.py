"""Partner pages: lists, an association, a convention and its actions; exports; who gets 404."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mowakaba.audit.models import JournalEntry
from mowakaba.partners import services
from mowakaba.partners.models import Convention, PartnerProfile, Report, Status
from tests.conftest import client_for
from tests.partners.factories import (
    convention,
    day,
    delegate,
    other_casablanca_association,
    own_association,
    valid_rib,
)

pytestmark = pytest.mark.django_db


def test_the_delegate_lists_associations_and_conventions(delegate_casablanca: Any) -> None:
    conv = convention(signed=True, reports=1, starts_in=-120)
    c = client_for(delegate_casablanca)
    page = c.get(reverse("partners:associations"))
    assert page.status_code == 200 and str(other_casablanca_association().name_ar) in page.content.decode()
    page = c.get(reverse("partners:conventions"), {"late": "1"})
    assert page.status_code == 200 and conv.reference in page.content.decode()
    page = c.get(reverse("partners:convention", kwargs={"pk": conv.pk}))
    assert page.status_code == 200
    assert 'data-testid="late-reminder"' in page.content.decode()


def test_the_rib_is_masked_except_for_those_who_manage_conventions(delegate_casablanca: Any,
                                                                    partner_staff: Any) -> None:
    user, scope = delegate()
    own = own_association()
    rib = valid_rib()
    services.association_update(actor=user, scope=scope, association_id=own.pk, expected_version=1,
                                data={"rib": rib, "bank_name": "Banque Populaire"})
    full = client_for(delegate_casablanca).get(reverse("partners:association", kwargs={"pk": own.pk}))
    assert rib[6:22] in full.content.decode()
    masked = client_for(partner_staff).get(reverse("partners:association", kwargs={"pk": own.pk}))
    assert masked.status_code == 200 and rib[6:22] not in masked.content.decode()


def test_the_identity_form_saves_and_refuses_a_stale_or_wrong_rib(delegate_casablanca: Any) -> None:
    assoc = other_casablanca_association()
    c = client_for(delegate_casablanca)
    url = reverse("partners:association_edit", kwargs={"pk": assoc.pk})
    assert c.get(url).status_code == 200
    data = {"version": "1", "name": assoc.name, "rib": valid_rib()[:-2] + "00", "domains": ["women"]}
    identity = PartnerProfile.objects.filter(association=assoc).values_list("version", "rib")
    before = list(identity)
    page = c.post(url, data)
    assert page.status_code == 200 and list(identity) == before
    assert c.post(url, {**data, "rib": valid_rib()}).status_code == 302
    stale = c.post(url, {**data, "phone": "0522"})
    assert stale.status_code == 200 and "0522" not in (assoc.__class__.objects.get(pk=assoc.pk).phone)


def test_a_convention_is_drafted_planned_and_signed_from_the_pages(delegate_casablanca: Any) -> None:
    from mowakaba.accounts.models import Assignment

    c = client_for(delegate_casablanca)
    unit = Assignment.objects.get(user=delegate_casablanca).org_unit
    assoc = other_casablanca_association()
    response = c.post(reverse("partners:convention_new"), {
        "unit": unit.pk, "association": assoc.pk, "subject": "Centre d'éducation et de formation",
        "starts_on": day(-10).isoformat(), "ends_on": day(355).isoformat(), "amount": "50000",
        "obligations": "Rapport d'activité trimestriel\nComptes certifiés"})
    assert response.status_code == 302
    conv = Convention.objects.get(subject="Centre d'éducation et de formation")
    assert conv.obligations == ["Rapport d'activité trimestriel", "Comptes certifiés"]
    c.post(reverse("partners:tranche_add", kwargs={"pk": conv.pk}),
           {"planned_on": day(0).isoformat(), "planned_amount": "50000"})
    c.post(reverse("partners:report_add", kwargs={"pk": conv.pk}),
           {"kind": "activity", "due_on": day(80).isoformat()})
    c.post(reverse("partners:sign", kwargs={"pk": conv.pk}), {"signed_on": day(-1).isoformat()})
    conv.refresh_from_db()
    assert conv.status == Status.RUNNING
    tranche = conv.tranches.get()
    c.post(reverse("partners:tranche_pay", kwargs={"pk": tranche.pk}),
           {"paid_on": day(0).isoformat(), "paid_amount": "50000"})
    tranche.refresh_from_db()
    assert tranche.paid_amount == 50000
    edit = reverse("partners:convention_edit", kwargs={"pk": conv.pk})
    assert c.get(edit).status_code == 200
    stale = c.post(edit, {"version": "1", "subject": "Autre", "starts_on": conv.starts_on.isoformat(),
                          "ends_on": conv.ends_on.isoformat(), "amount": "50000"})
    assert stale.status_code == 200
    conv.refresh_from_db()
    assert conv.subject == "Centre d'éducation et de formation"


def test_partner_staff_see_only_their_association_in_pages_and_exports(partner_staff: Any) -> None:
    own, other = own_association(), other_casablanca_association()
    mine, theirs = convention(own, signed=True, reports=1), convention(other, signed=True, reports=1)
    c = client_for(partner_staff)
    listing = c.get(reverse("partners:associations")).content.decode()
    assert own.name_ar in listing and other.name_ar not in listing
    conventions = c.get(reverse("partners:conventions")).content.decode()
    assert mine.reference in conventions and theirs.reference not in conventions
    for name, pk in (("partners:association", other.pk), ("partners:convention", theirs.pk)):
        assert c.get(reverse(name, kwargs={"pk": pk})).status_code == 404
    before = (JournalEntry.objects.count(), Report.objects.filter(submitted_on__isnull=False).count())
    report = theirs.reports.get()
    assert c.post(reverse("partners:report_receive", kwargs={"pk": report.pk})).status_code == 404
    assert (JournalEntry.objects.count(), Report.objects.filter(submitted_on__isnull=False).count()) == before
    sheet = c.get(reverse("partners:conventions"), {"format": "xlsx"})
    ws = load_workbook(BytesIO(sheet.content)).active
    refs = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert mine.reference in refs and theirs.reference not in refs
    assert ws.sheet_view.rightToLeft
    sheet = c.get(reverse("partners:associations"), {"format": "xlsx"})
    names = [row[0] for row in load_workbook(BytesIO(sheet.content)).active.iter_rows(min_row=2, values_only=True)]
    assert names == [own.name_ar]


def test_an_export_in_french_is_left_to_right_and_journalled(delegate_casablanca: Any) -> None:
    convention(signed=True)
    c = client_for(delegate_casablanca)
    c.cookies["django_language"] = "fr"
    delegate_casablanca.language = "fr"
    delegate_casablanca.save(update_fields=["language"])
    before = JournalEntry.objects.filter(action="partners.export").count()
    sheet = c.get(reverse("partners:conventions"), {"format": "xlsx"})
    ws = load_workbook(BytesIO(sheet.content)).active
    assert not ws.sheet_view.rightToLeft and ws.max_row >= 2
    assert JournalEntry.objects.filter(action="partners.export").count() == before + 1


@pytest.mark.parametrize("persona", ["agent.tanger", "authority.casa", "delegate.tanger"])
def test_others_get_404_on_casablanca_partner_pages(persona: str) -> None:
    from mowakaba.accounts.models import User

    conv = convention(signed=True, reports=1)
    c = client_for(User.objects.get(username=persona))
    assert c.get(reverse("partners:convention", kwargs={"pk": conv.pk})).status_code == 404
    assert c.get(reverse("partners:association", kwargs={"pk": conv.association_id})).status_code == 404
    if persona == "authority.casa":
        assert c.get(reverse("partners:associations")).status_code == 404
        assert c.get(reverse("partners:conventions"), {"format": "xlsx"}).status_code == 404


def test_the_lists_do_not_query_per_row(delegate_casablanca: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(3):
        convention(signed=True, reports=1)
    c = client_for(delegate_casablanca)
    with django_assert_max_num_queries(25):
        assert c.get(reverse("partners:conventions")).status_code == 200
    with django_assert_max_num_queries(25):
        assert c.get(reverse("partners:associations")).status_code == 200


def test_the_api_gives_partner_staff_their_own_association_only(partner_staff: Any) -> None:
    own, other = own_association(), other_casablanca_association()
    mine, theirs = convention(own, signed=True, reports=1), convention(other, signed=True, reports=1)
    c = client_for(partner_staff)
    listed = [a["id"] for a in c.get("/api/partners/associations").json()["items"]]
    assert listed == [own.pk]
    refs = [x["reference"] for x in c.get("/api/partners/conventions").json()["items"]]
    assert mine.reference in refs and theirs.reference not in refs
    assert c.get(f"/api/partners/conventions/{theirs.pk}").status_code == 404
    detail = c.get(f"/api/partners/conventions/{mine.pk}").json()
    assert detail["status"] == "running" and len(detail["tranches"]) == 2
    before = JournalEntry.objects.count()
    report = theirs.reports.get()
    response = c.post(f"/api/partners/reports/{report.pk}/receive", data={}, content_type="application/json")
    assert response.status_code == 404 and JournalEntry.objects.count() == before
    ok = c.post(f"/api/partners/reports/{mine.reports.get().pk}/receive", data={}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["submitted_on"]
