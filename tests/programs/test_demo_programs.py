"""The demo's programmes (``demo/programs.py``) on the session's small institution
(``generate("small", seed=7, persons=600)``): counters consistent with the rows, plausible
offerings and enrolments, and the personas' full offering and attendance sheet."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from mowakaba.accounts.models import Assignment
from mowakaba.accounts.scope import Capability, scope_for_user
from mowakaba.programs.models import Attendance, Enrolment, GroupSession, Offering, Programme
from mowakaba.programs.services import eligibility_warnings

pytestmark = pytest.mark.django_db


def test_offering_counters_match_rows() -> None:
    offerings = Offering.objects.annotate(
        a=Count("enrolments", filter=Q(enrolments__state="admitted")),
        w=Count("enrolments", filter=Q(enrolments__state="waiting")))
    assert offerings.count() > 50
    for o in offerings:
        assert (o.admitted_count, o.waiting_count) == (o.a, o.w), o.pk
        waiting = list(o.enrolments.filter(state="waiting").order_by("queue_no").values_list("queue_no", flat=True))
        assert waiting == sorted(set(waiting))
        assert o.next_queue_no > max(waiting, default=0)
        if o.waiting_count:
            assert o.admitted_count >= o.capacity  # nobody waits while a place is free
    assert not Enrolment.objects.exclude(establishment=F("offering__establishment")).exists()


def test_attendance_counters_match_rows() -> None:
    assert Attendance.objects.count() > 100
    for s in GroupSession.objects.annotate(m=Count("marks"), p=Count("marks", filter=Q(marks__mark="present"))):
        assert (s.marked_count, s.present_count) == (s.m, s.p), s.pk
    mismatched = Enrolment.objects.annotate(
        m=Count("marks"), p=Count("marks", filter=Q(marks__mark="present"))
    ).exclude(sessions_marked=F("m"), sessions_present=F("p"))
    assert not mismatched.exists()
    present = Attendance.objects.filter(mark="present").count() / Attendance.objects.count()
    assert 0.78 < present < 0.92
    # Only people admitted on the day and not yet gone are on a register.
    for a in Attendance.objects.select_related("session", "enrolment")[:2000]:
        e = a.enrolment
        assert e.admitted_at is not None and timezone.localtime(e.admitted_at).date() <= a.session.held_on
        assert e.exited_on is None or e.exited_on > a.session.held_on


def test_plausible_offerings_and_enrolments() -> None:
    for o in Offering.objects.select_related("programme", "establishment__establishment_type")[:500]:
        assert o.establishment.establishment_type.code in o.programme.establishment_types
    states = dict(Enrolment.objects.values_list("state").annotate(n=Count("pk")))
    assert states.get("admitted", 0) > states.get("waiting", 0) > 0
    exited = Enrolment.objects.filter(state="exited")
    assert exited.exists() and not exited.filter(Q(exit_reason="") | Q(outcome="") | Q(exited_on=None)).exists()
    assert exited.filter(offering__active=False, exit_reason="completed").exclude(outcome="none").exists()
    # Those with a case come first; most enrolments fit the programme.
    assert Enrolment.objects.filter(case__isnull=False).count() > Enrolment.objects.count() / 3
    sample = list(Enrolment.objects.select_related("offering__programme", "person")[:300])
    fits = sum(1 for e in sample if not eligibility_warnings(e.offering.programme, e.person))
    assert fits > 0.9 * len(sample)
    live = Enrolment.objects.filter(state__in=["waiting", "admitted"]).values("person").annotate(n=Count("pk"))
    assert not live.filter(n__gt=1).exists()


def test_full_offering_with_waiting_list_near_agent_casa(agent_casablanca: Any, manager_casablanca: Any) -> None:
    home = Assignment.objects.get(user=agent_casablanca).org_unit
    assert home is not None
    near = Offering.objects.filter(establishment__parent_id=home.parent_id, active=True)
    full = [o for o in near if o.admitted_count >= o.capacity and o.waiting_count > 0]
    assert full
    mine = Offering.objects.editable_by(scope_for_user(manager_casablanca)).filter(pk__in=[o.pk for o in full])
    assert mine.exists()  # manager.casa can admit the first in line once a place frees
    assert Programme.objects.filter(offerings__in=mine).exists()


def test_session_today_near_agent_casa(agent_casablanca: Any) -> None:
    home = Assignment.objects.get(user=agent_casablanca).org_unit
    assert home is not None
    today = GroupSession.objects.filter(establishment__parent_id=home.parent_id, held_on=timezone.localdate(),
                                        marked_count=0).select_related("offering").first()
    assert today is not None
    assert 20 <= today.offering.admitted_count <= 30
    assert GroupSession.objects.filter(offering=today.offering, marked_count__gt=0).count() >= 2
    scope = scope_for_user(agent_casablanca)
    assert scope.can(Capability.VIEW_PERSONS)
