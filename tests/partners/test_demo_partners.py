"""The demo's partner data (``demo.partners``): proportions, derived statuses, valid identities,
late reports reminded, and what the personas find."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from mowakaba.accounts.scope import scope_for_user
from mowakaba.notifications.models import Notification
from mowakaba.partners import selectors, services
from mowakaba.partners.models import (
    Convention,
    Criterion,
    PartnerProfile,
    Report,
    Status,
    Tranche,
    Visit,
    validate_rib,
)
from mowakaba.territory.models import PartnerAssociation
from tests.conftest import client_for
from tests.partners.factories import casablanca_delegation, own_association

pytestmark = pytest.mark.django_db


def _late(qs: Any = None) -> Any:
    return (qs or Report.objects).filter(submitted_on__isnull=True, due_on__lt=timezone.localdate())


def test_every_association_has_a_valid_identity_and_one_to_three_conventions() -> None:
    associations = PartnerAssociation.objects.count()
    assert associations >= 100
    profiles = list(PartnerProfile.objects.prefetch_related("provinces"))
    assert len(profiles) == associations
    for p in profiles:
        validate_rib(p.rib)
        assert len(p.rib) == 24 and p.bank_name and p.receipt_date and p.receipt_authority and p.address
        assert p.domains and p.association.province_id in {x.pk for x in p.provinces.all()}
    per_association = Counter(PartnerAssociation.objects.annotate(n=Count("conventions")).values_list("n", flat=True))
    assert set(per_association) <= {1, 2, 3} and per_association[1] > per_association[3] > 0


def test_the_status_mix_is_plausible_and_every_status_is_the_derived_one() -> None:
    today = timezone.localdate()
    conventions = list(Convention.objects.all())
    mix = Counter(c.status for c in conventions)
    total = len(conventions)
    assert 0.35 < mix[Status.RUNNING] / total < 0.7
    assert 0.1 < mix[Status.CLOSED] / total < 0.4
    assert mix[Status.DRAFT] and mix[Status.SIGNED] and mix[Status.SUSPENDED]
    assert mix[Status.DRAFT] + mix[Status.SIGNED] + mix[Status.SUSPENDED] < mix[Status.RUNNING]
    for c in conventions:
        assert services.status_from(c, today) == c.status, c.reference
    assert len({c.reference for c in conventions}) == total
    # Nothing for the hourly tick to change or remind on the day of the load.
    assert services.tick() == {"status": 0, "late_reports": 0}


def test_tranches_follow_the_status_rules() -> None:
    today = timezone.localdate()
    sums = {c.pk: (c.amount, c.status, c.signed_on, c.suspended_on, c.closed_on) for c in Convention.objects.all()}
    planned = dict(Tranche.objects.values("convention").annotate(s=Sum("planned_amount")).values_list("convention",
                                                                                                      "s"))
    for pk, (amount, status, _signed, _suspended, _closed) in sums.items():
        if status != Status.DRAFT:
            assert planned.get(pk) == amount  # signing needs the tranches to add up
        else:
            assert (planned.get(pk) or Decimal(0)) <= amount
    assert Tranche.objects.filter(paid_on__isnull=False).exists()
    for t in Tranche.objects.filter(paid_on__isnull=False).select_related("convention"):
        c = t.convention
        assert c.signed_on and c.signed_on <= t.paid_on <= today and t.paid_amount == t.planned_amount
        assert t.paid_on <= (c.suspended_on or c.closed_on or today)
    assert not Tranche.objects.filter(convention__status__in=[Status.DRAFT, Status.SIGNED],
                                      paid_on__isnull=False).exists()


def test_a_few_reports_are_late_in_open_conventions_and_were_reminded() -> None:
    late = _late()
    open_conventions = Convention.objects.filter(status__in=[Status.RUNNING, Status.SUSPENDED])
    with_late = open_conventions.filter(reports__in=late).distinct().count()
    assert 0.05 < with_late / open_conventions.count() < 0.4
    assert not late.filter(convention__status__in=[Status.DRAFT, Status.CLOSED]).exists()
    assert not late.filter(reminded_at__isnull=True).exists()
    assert not Report.objects.filter(submitted_on__isnull=True, due_on__gte=timezone.localdate(),
                                     reminded_at__isnull=False).exists()
    assert Report.objects.filter(submitted_on__isnull=False).count() > 5 * late.count()
    assert not Report.objects.filter(submitted_on__gt=timezone.localdate()).exists()
    kinds = set(Report.objects.values_list("kind", flat=True))
    assert kinds == {Report.Kind.ACTIVITY, Report.Kind.FINANCIAL}
    # The reminders the tick sent reach the delegation's managers.
    report = late.select_related("convention").first()
    assert Notification.objects.filter(kind=services.REPORT_LATE,
                                       params__convention=report.convention.reference).exists()


def test_visits_are_scored_on_the_grid_in_the_database() -> None:
    weights = dict(Criterion.objects.filter(active=True).values_list("pk", "weight"))
    visits = list(Visit.objects.prefetch_related("marks").select_related("convention")[:200])
    assert visits
    for v in visits:
        marks = {m.criterion_id: m.mark for m in v.marks.all()}
        assert set(marks) == set(weights)
        assert v.score == services.visit_score(marks, weights)
        assert v.convention.signed_on and v.convention.starts_on <= v.visited_on < timezone.localdate()
    assert not Visit.objects.filter(convention__status__in=[Status.DRAFT, Status.SIGNED]).exists()


def test_partner_casa_sees_a_late_report_of_their_own_association_only(partner_staff: Any) -> None:
    own = own_association()
    scope = scope_for_user(partner_staff)
    late = selectors.convention_list(scope, late=True)
    assert late.exists() and {c.association_id for c in late} == {own.pk}
    conv = late.filter(unit=casablanca_delegation(), status=Status.RUNNING).first()
    assert conv is not None
    page = client_for(partner_staff).get(reverse("partners:convention", kwargs={"pk": conv.pk}))
    assert page.status_code == 200 and 'data-testid="late-reminder"' in page.content.decode()
    assert Notification.objects.filter(user=partner_staff, kind=services.REPORT_LATE).exists()
    listed = client_for(partner_staff).get(reverse("partners:associations")).content.decode()
    assert own.name_ar in listed
    assert {a.pk for a in PartnerAssociation.objects.all() if a.name_ar in listed} == {own.pk}


def test_delegate_casa_has_late_reports_beyond_partner_casas(delegate_casablanca: Any) -> None:
    scope = scope_for_user(delegate_casablanca)
    late = selectors.convention_list(scope, late=True).filter(unit=casablanca_delegation(), status=Status.RUNNING)
    assert {c.association_id for c in late} - {own_association().pk}
    page = client_for(delegate_casablanca).get(reverse("partners:conventions"), {"late": "1"})
    assert page.status_code == 200 and all(c.reference in page.content.decode() for c in late[:20])
