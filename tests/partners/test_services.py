"""Partner associations and conventions through their services: status, reminders, RIB, access."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from mowakaba.accounts.scope import ROLE_CAPABILITIES, Capability, scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.core.errors import StaleEdit
from mowakaba.notifications.models import Notification
from mowakaba.partners import services
from mowakaba.partners.models import (
    Convention,
    Criterion,
    PartnerProfile,
    Report,
    Status,
    Tranche,
    associations_visible_to,
    rib_masked,
    validate_rib,
)
from tests.partners.factories import (
    casablanca_delegation,
    convention,
    day,
    delegate,
    other_casablanca_association,
    own_association,
    valid_rib,
)

pytestmark = pytest.mark.django_db


def _at(d: Any) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(10)))


def test_only_delegates_coordinators_and_head_office_manage_conventions() -> None:
    managers = {role for role, caps in ROLE_CAPABILITIES.items() if Capability.MANAGE_CONVENTIONS in caps}
    assert managers == {"delegate", "coordinator", "head_office"}
    viewers = {role for role, caps in ROLE_CAPABILITIES.items() if Capability.VIEW_PARTNERS in caps}
    assert "authority" not in viewers and "sysadmin" not in viewers and "partner_staff" in viewers


def test_a_convention_status_follows_its_dates_and_actions() -> None:
    user, scope = delegate()
    conv = convention(starts_in=10, days=100, reports=2)
    assert conv.status == Status.DRAFT
    services.convention_sign(actor=user, scope=scope, convention_id=conv.pk, signed_on=day(0))
    conv.refresh_from_db()
    assert conv.status == Status.SIGNED
    assert services.tick(now=_at(day(5)))["status"] == 0
    assert services.tick(now=_at(day(10)))["status"] == 1
    conv.refresh_from_db()
    assert conv.status == Status.RUNNING
    services.convention_suspend(actor=user, scope=scope, convention_id=conv.pk, reason="Comptes non remis")
    conv.refresh_from_db()
    assert conv.status == Status.SUSPENDED
    services.convention_resume(actor=user, scope=scope, convention_id=conv.pk)
    conv.refresh_from_db()
    assert conv.status == Status.SIGNED  # still before its start date today
    for report in conv.reports.all():
        services.report_receive(actor=user, scope=scope, report_id=report.pk)
    # Ended, every report in: closed by the dates, without anyone typing it.
    services.tick(now=_at(day(111)))
    conv.refresh_from_db()
    assert conv.status == Status.CLOSED
    assert JournalEntry.objects.filter(object_id=str(conv.pk), action="convention.status").count() >= 4


def test_an_ended_convention_with_a_report_missing_stays_running() -> None:
    conv = convention(signed=True, starts_in=-200, days=100, reports=1)
    services.tick(now=timezone.now())
    conv.refresh_from_db()
    assert conv.status == Status.RUNNING


def test_closing_early_needs_a_reason_and_then_nothing_changes() -> None:
    user, scope = delegate()
    conv = convention(signed=True)
    with pytest.raises(ValidationError):
        services.convention_close(actor=user, scope=scope, convention_id=conv.pk, note=" ")
    services.convention_close(actor=user, scope=scope, convention_id=conv.pk, note="Dissolution de l'association")
    conv.refresh_from_db()
    assert conv.status == Status.CLOSED
    with pytest.raises(ValidationError):
        services.convention_suspend(actor=user, scope=scope, convention_id=conv.pk, reason="x")


def test_signing_is_refused_while_the_tranches_do_not_add_up() -> None:
    user, scope = delegate()
    conv = convention()
    Tranche.objects.filter(convention=conv, number=2).delete()
    with pytest.raises(ValidationError):
        services.convention_sign(actor=user, scope=scope, convention_id=conv.pk, signed_on=day(0))
    conv.refresh_from_db()
    assert conv.signed_on is None and conv.status == Status.DRAFT


def test_tranches_cannot_exceed_the_amount_nor_be_paid_before_signing() -> None:
    user, scope = delegate()
    conv = convention()
    with pytest.raises(ValidationError):
        services.tranche_add(actor=user, scope=scope, convention_id=conv.pk, planned_on=day(0), planned_amount="1")
    tranche = conv.tranches.first()
    assert tranche is not None
    with pytest.raises(ValidationError):
        services.tranche_pay(actor=user, scope=scope, tranche_id=tranche.pk, paid_on=day(0), paid_amount="100")
    services.convention_sign(actor=user, scope=scope, convention_id=conv.pk, signed_on=day(-1))
    services.tranche_pay(actor=user, scope=scope, tranche_id=tranche.pk, paid_on=day(0), paid_amount="60000")
    tranche.refresh_from_db()
    assert tranche.paid_amount == 60000


def test_a_late_report_is_reminded_once() -> None:
    conv = convention(signed=True, starts_in=-120, reports=1)  # due 30 days ago
    report = conv.reports.get()
    assert report.is_late(timezone.localdate())
    first = services.tick()
    assert first["late_reports"] == 1
    sent = Notification.objects.filter(kind=services.REPORT_LATE, params__convention=conv.reference)
    recipients = set(sent.values_list("user__username", flat=True))
    assert "delegate.casa" in recipients
    count = sent.count()
    again = services.tick()
    assert again["late_reports"] == 0
    assert sent.count() == count
    assert JournalEntry.objects.filter(action="convention.report_late", object_id=str(conv.pk)).count() == 1
    report.refresh_from_db()
    assert report.reminded_at is not None


def test_a_late_report_of_a_draft_convention_is_not_reminded() -> None:
    conv = convention(starts_in=-120, reports=1)
    services.tick()
    assert not Notification.objects.filter(kind=services.REPORT_LATE, params__convention=conv.reference).exists()


def test_the_partners_own_staff_hear_of_their_late_report() -> None:
    conv = convention(own_association(), signed=True, starts_in=-120, reports=1)
    services.tick()
    assert Notification.objects.filter(kind=services.REPORT_LATE, user__username="partner.casa",
                                       params__convention=conv.reference).exists()


def test_a_rib_must_have_24_digits_and_the_right_key() -> None:
    rib = valid_rib()
    validate_rib(rib)
    validate_rib("")
    with pytest.raises(ValidationError):
        validate_rib(rib[:-1])
    wrong = rib[:-2] + f"{(int(rib[-2:]) % 97) + 1:02d}"
    with pytest.raises(ValidationError):
        validate_rib(wrong)
    with pytest.raises(ValidationError):
        validate_rib("A" * 24)
    assert rib_masked(rib).startswith(rib[:3]) and rib[6:18] not in rib_masked(rib)


def test_a_wrong_rib_is_refused_and_nothing_changes() -> None:
    user, scope = delegate()
    assoc = other_casablanca_association()
    rib = valid_rib()
    identity = PartnerProfile.objects.filter(association=assoc).values_list("version", "rib", "bank_name")
    before = list(identity)
    with pytest.raises(ValidationError):
        services.association_update(actor=user, scope=scope, association_id=assoc.pk, expected_version=1,
                                    data={"rib": rib[:-2] + "00", "bank_name": "Banque"})
    assert list(identity) == before
    services.association_update(actor=user, scope=scope, association_id=assoc.pk, expected_version=1,
                                data={"rib": " ".join([rib[:3], rib[3:6], rib[6:22], rib[22:]]),
                                      "receipt_date": day(-900), "receipt_authority": "Pachalik Anfa"},
                                domains=["women", "literacy"], province_ids=[assoc.province_id])
    profile = PartnerProfile.objects.get(association=assoc)
    assert profile.rib == rib and profile.version == 2 and profile.domains == ["women", "literacy"]
    entry = JournalEntry.objects.filter(action="association.update", object_id=str(assoc.pk)).get()
    assert rib not in str(entry.changes)


def test_a_stale_edit_is_refused() -> None:
    user, scope = delegate()
    conv = convention()
    services.convention_update(actor=user, scope=scope, convention_id=conv.pk, expected_version=conv.version,
                               data={"subject": "Nouvel objet"})
    with pytest.raises(StaleEdit):
        services.convention_update(actor=user, scope=scope, convention_id=conv.pk, expected_version=conv.version,
                                   data={"subject": "Ancien formulaire"})
    conv.refresh_from_db()
    assert conv.subject == "Nouvel objet"
    assoc = other_casablanca_association()
    services.association_update(actor=user, scope=scope, association_id=assoc.pk, expected_version=1,
                                data={"phone": "0522000000"})
    with pytest.raises(StaleEdit):
        services.association_update(actor=user, scope=scope, association_id=assoc.pk, expected_version=1,
                                    data={"phone": "0600000000"})
    assoc.refresh_from_db()
    assert assoc.phone == "0522000000"


def test_a_signed_convention_keeps_its_amount() -> None:
    user, scope = delegate()
    conv = convention(signed=True)
    with pytest.raises(ValidationError):
        services.convention_update(actor=user, scope=scope, convention_id=conv.pk, expected_version=conv.version,
                                   data={"amount": "1"})
    services.convention_update(actor=user, scope=scope, convention_id=conv.pk, expected_version=conv.version,
                               data={"ends_on": conv.ends_on + timedelta(days=30)})


def test_an_evaluation_visit_scores_the_weighted_grid() -> None:
    user, scope = delegate()
    conv = convention(signed=True)
    grid = list(Criterion.objects.filter(active=True))
    assert grid
    with pytest.raises(ValidationError):
        services.visit_record(actor=user, scope=scope, convention_id=conv.pk, visited_on=day(0), marks={})
    visit = services.visit_record(actor=user, scope=scope, convention_id=conv.pk, visited_on=day(0),
                                  marks={c.pk: 4 for c in grid})
    assert visit.score == 100
    half = services.visit_record(actor=user, scope=scope, convention_id=conv.pk, visited_on=day(0),
                                 marks={c.pk: 2 for c in grid})
    assert half.score == 50


def test_partner_staff_see_their_own_association_only_and_denial_changes_nothing(partner_staff: Any) -> None:
    scope = scope_for_user(partner_staff)
    own, other = own_association(), other_casablanca_association()
    assert list(associations_visible_to(scope).values_list("pk", flat=True)) == [own.pk]
    mine = convention(own, signed=True, reports=1)
    theirs = convention(other, signed=True, reports=1)
    visible = set(Convention.objects.visible_to(scope).values_list("pk", flat=True))
    assert mine.pk in visible and theirs.pk not in visible
    their_report = theirs.reports.get()
    before = (Report.objects.filter(submitted_on__isnull=False).count(), JournalEntry.objects.count())
    with pytest.raises(Http404):
        services.report_receive(actor=partner_staff, scope=scope, report_id=their_report.pk)
    with pytest.raises(Http404):
        services.convention_update(actor=partner_staff, scope=scope, convention_id=mine.pk,
                                   expected_version=mine.version, data={"subject": "x"})
    with pytest.raises(Http404):
        services.association_update(actor=partner_staff, scope=scope, association_id=own.pk, expected_version=1,
                                    data={"phone": "1"})
    assert (Report.objects.filter(submitted_on__isnull=False).count(), JournalEntry.objects.count()) == before
    # Their own report they may hand in.
    services.report_receive(actor=partner_staff, scope=scope, report_id=mine.reports.get().pk)


@pytest.mark.parametrize("persona", ["agent.tanger", "delegate.tanger", "authority.casa", "manager.casa"])
def test_others_cannot_change_a_casablanca_convention(persona: str) -> None:
    from mowakaba.accounts.models import User

    user = User.objects.get(username=persona)
    scope = scope_for_user(user)
    conv = convention(signed=True, reports=1)
    before = (Convention.objects.get(pk=conv.pk).version, JournalEntry.objects.count())
    with pytest.raises(Http404):
        services.convention_suspend(actor=user, scope=scope, convention_id=conv.pk, reason="x")
    with pytest.raises(Http404):
        services.report_receive(actor=user, scope=scope, report_id=conv.reports.get().pk)
    assert (Convention.objects.get(pk=conv.pk).version, JournalEntry.objects.count()) == before


def test_a_delegate_drafts_only_for_units_they_manage() -> None:
    from mowakaba.accounts.models import User

    user = User.objects.get(username="delegate.tanger")
    with pytest.raises(ValidationError):
        services.convention_create(actor=user, scope=scope_for_user(user), unit_id=casablanca_delegation().pk,
                                   association_id=other_casablanca_association().pk,
                                   data={"subject": "x", "starts_on": day(0), "ends_on": day(10), "amount": "1"})
    assert not Convention.objects.filter(subject="x").exists()
