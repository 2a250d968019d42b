"""Enrolment: waiting list when full, admission when a place frees, out-of-turn admission by a
manager with a reason, capacity override with a reason that reaches the journal, exit with an
outcome, attendance for a whole group in one bounded write, and who sees what."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.programs import selectors
from mowakaba.programs import services as ps
from mowakaba.programs.models import Attendance, Enrolment, Offering, Programme
from mowakaba.registry.models import Person
from tests.programs.helpers import enrol, offering, person, world

pytestmark = pytest.mark.django_db


def test_an_enrolment_lands_on_the_waiting_list_when_full_and_is_admitted_when_a_place_frees(
        agent_casablanca: Any, manager_casablanca: Any) -> None:
    off = offering(manager_casablanca, capacity=2)
    a, b = enrol(agent_casablanca, off), enrol(agent_casablanca, off)
    c, d = enrol(agent_casablanca, off), enrol(agent_casablanca, off)
    assert [e.state for e in (a, b, c, d)] == ["admitted", "admitted", "waiting", "waiting"]
    assert ps.waiting_rank(c) == 1 and ps.waiting_rank(d) == 2
    off.refresh_from_db()
    assert (off.admitted_count, off.waiting_count) == (2, 2)
    scope = scope_for_user(agent_casablanca)
    before = world()
    with pytest.raises(ValidationError) as full:
        ps.enrolment_admit(actor=agent_casablanca, scope=scope, enrolment_id=c.pk)
    assert "capacity_override" in full.value.message_dict
    assert world() == before
    ps.enrolment_exit(actor=agent_casablanca, scope=scope, enrolment_id=a.pk, reason="completed",
                      outcome="passed_year")
    # The second in line cannot jump the queue without a manager.
    with pytest.raises(ValidationError):
        ps.enrolment_admit(actor=agent_casablanca, scope=scope, enrolment_id=d.pk)
    ps.enrolment_admit(actor=agent_casablanca, scope=scope, enrolment_id=c.pk)
    off.refresh_from_db()
    assert (off.admitted_count, off.waiting_count) == (2, 1)
    d.refresh_from_db()
    assert ps.waiting_rank(d) == 1


def test_a_newcomer_queues_behind_those_waiting_even_when_a_place_is_free(
        agent_casablanca: Any, manager_casablanca: Any) -> None:
    off = offering(manager_casablanca, capacity=1)
    enrol(agent_casablanca, off)
    first_waiting = enrol(agent_casablanca, off)
    ps.enrolment_exit(actor=agent_casablanca, scope=scope_for_user(agent_casablanca),
                      enrolment_id=Enrolment.objects.get(offering=off, state="admitted").pk, reason="moved",
                      outcome="none")
    late = enrol(agent_casablanca, off)
    assert late.state == "waiting" and first_waiting.state == "waiting"


def test_exceeding_capacity_needs_a_reason_that_is_journalled(agent_casablanca: Any, manager_casablanca: Any
                                                                ) -> None:
    off = offering(manager_casablanca, capacity=1)
    enrol(agent_casablanca, off)
    waiting = enrol(agent_casablanca, off)
    before = world()
    with pytest.raises(ValidationError):
        ps.enrolment_admit(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), enrolment_id=waiting.pk,
                           capacity_override="   ")
    assert world() == before
    ps.enrolment_admit(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), enrolment_id=waiting.pk,
                       capacity_override="Orpheline, rentrée scolaire en cours")
    off.refresh_from_db()
    assert off.admitted_count == 2 > off.capacity
    entry = JournalEntry.objects.filter(action="enrolment.admit", object_id=str(waiting.pk)).get()
    assert entry.changes["capacity_override"] == "Orpheline, rentrée scolaire en cours"
    assert entry.org_unit_id == off.establishment_id
    # Straight in past a full offering, with a reason, at the request.
    extra = enrol(agent_casablanca, off, capacity_override="Urgence hivernale")
    assert extra.state == "admitted" and extra.capacity_override == "Urgence hivernale"


def test_a_manager_admits_out_of_turn_with_a_reason(agent_casablanca: Any, manager_casablanca: Any) -> None:
    off = offering(manager_casablanca, capacity=1)
    admitted = enrol(agent_casablanca, off)
    enrol(agent_casablanca, off)
    second = enrol(agent_casablanca, off)
    ps.enrolment_exit(actor=manager_casablanca, scope=scope_for_user(manager_casablanca), enrolment_id=admitted.pk,
                      reason="dropped_out", outcome="none")
    before = world()
    with pytest.raises(ValidationError) as exc:
        ps.enrolment_admit(actor=manager_casablanca, scope=scope_for_user(manager_casablanca), enrolment_id=second.pk)
    assert "reason" in exc.value.message_dict
    assert world() == before
    ps.enrolment_admit(actor=manager_casablanca, scope=scope_for_user(manager_casablanca), enrolment_id=second.pk,
                       reason="Handicap moteur, le centre est adapté")
    second.refresh_from_db()
    assert second.state == "admitted" and second.admission_reason


def test_exit_needs_an_outcome_and_outcomes_are_counted_per_programme(
        agent_casablanca: Any, manager_casablanca: Any, national_admin: Any) -> None:
    off = offering(manager_casablanca, capacity=5)
    a, b = enrol(agent_casablanca, off), enrol(agent_casablanca, off)
    scope = scope_for_user(agent_casablanca)
    before = world()
    with pytest.raises(ValidationError):
        ps.enrolment_exit(actor=agent_casablanca, scope=scope, enrolment_id=a.pk, reason="completed")
    assert world() == before
    ps.enrolment_exit(actor=agent_casablanca, scope=scope, enrolment_id=a.pk, reason="completed",
                      outcome="passed_year")
    ps.enrolment_exit(actor=agent_casablanca, scope=scope, enrolment_id=b.pk, reason="dropped_out", outcome="none")
    mine = next(r for r in selectors.outcomes(scope_for_user(national_admin)) if r.programme.pk == off.programme_id)
    assert mine.exited >= 2 and mine.success >= 1
    assert {code for code, *_rest in mine.by_outcome} >= {"passed_year", "none"}


def test_attendance_for_thirty_people_is_one_call_with_bounded_queries(
        agent_casablanca: Any, manager_casablanca: Any, django_assert_max_num_queries: Any) -> None:
    off = offering(manager_casablanca, capacity=30)
    people = [enrol(agent_casablanca, off) for _ in range(30)]
    marks = {e.pk: ("present" if i % 5 else "absent") for i, e in enumerate(people)}
    scope = scope_for_user(agent_casablanca)
    with django_assert_max_num_queries(20):
        session = ps.session_record_attendance(actor=agent_casablanca, scope=scope, offering_id=off.pk, marks=marks,
                                               topic="Mathématiques")
    assert (session.present_count, session.marked_count) == (24, 30)
    assert Attendance.objects.filter(session=session).count() == 30
    # A correction rewrites only what changed, and the counters follow.
    marks[people[0].pk] = "present"
    with django_assert_max_num_queries(20):
        ps.session_record_attendance(actor=agent_casablanca, scope=scope, offering_id=off.pk, marks=marks,
                                     session_id=session.pk)
    session.refresh_from_db()
    people[0].refresh_from_db()
    assert session.present_count == 25 and people[0].sessions_present == 1 and people[0].sessions_marked == 1


def test_someone_outside_the_group_cannot_be_marked(agent_casablanca: Any, manager_casablanca: Any) -> None:
    off = offering(manager_casablanca, capacity=1)
    enrol(agent_casablanca, off)
    waiting = enrol(agent_casablanca, off)
    before = world()
    with pytest.raises(ValidationError):
        ps.session_record_attendance(actor=agent_casablanca, scope=scope_for_user(agent_casablanca),
                                     offering_id=off.pk, marks={waiting.pk: "present"})
    assert world() == before


def test_another_territory_cannot_act_on_an_enrolment_and_nothing_changes(
        agent_casablanca: Any, manager_casablanca: Any, agent_tanger: Any, partner_staff: Any,
        authority_viewer: Any) -> None:
    off = offering(manager_casablanca, capacity=1)
    enrol(agent_casablanca, off)
    waiting = enrol(agent_casablanca, off)
    before = world()
    for outsider in (agent_tanger, partner_staff, authority_viewer):
        scope = scope_for_user(outsider)
        with pytest.raises(Http404):
            ps.enrolment_admit(actor=outsider, scope=scope, enrolment_id=waiting.pk, capacity_override="x")
        with pytest.raises(Http404):
            ps.enrolment_exit(actor=outsider, scope=scope, enrolment_id=waiting.pk, reason="other")
        with pytest.raises(Http404):
            ps.session_record_attendance(actor=outsider, scope=scope, offering_id=off.pk, marks={})
        assert not Enrolment.objects.visible_to(scope).filter(pk=waiting.pk).exists()
        assert not Offering.objects.visible_to(scope).filter(pk=off.pk).exists()
    assert world() == before


def test_partner_staff_see_only_the_enrolments_at_their_associations_establishments(
        partner_staff: Any, agent_casablanca: Any) -> None:
    from mowakaba.accounts.models import Assignment
    from mowakaba.territory.models import OrgUnit

    partner_id = Assignment.objects.get(user=partner_staff).partner_id
    theirs = OrgUnit.objects.filter(partner_id=partner_id, kind="establishment").first()
    other = OrgUnit.objects.filter(partner__isnull=False, kind="establishment").exclude(partner_id=partner_id).first()
    assert theirs is not None and other is not None
    prog = Programme.objects.get(code="women-empowerment")
    at_theirs = Offering.objects.create(programme=prog, establishment=theirs, season="2025", capacity=10)
    at_other = Offering.objects.create(programme=prog, establishment=other, season="2025", capacity=10)
    mine = enrol(agent_casablanca, at_theirs)
    elsewhere = enrol(agent_casablanca, at_other)
    scope = scope_for_user(partner_staff)
    seen = set(Enrolment.objects.visible_to(scope).values_list("pk", flat=True))
    assert mine.pk in seen and elsewhere.pk not in seen
    # The enrolled person becomes visible to the association's staff, not to the other's.
    assert Person.objects.visible_to(scope).filter(pk=mine.person_id).exists()
    assert not Person.objects.visible_to(scope).filter(pk=elsewhere.person_id).exists()
    # The sending centre still follows what became of its enrolments.
    sent = set(Enrolment.objects.visible_to(scope_for_user(agent_casablanca)).values_list("pk", flat=True))
    assert {mine.pk, elsewhere.pk} <= sent


def test_enrolling_twice_in_the_same_offering_is_refused(agent_casablanca: Any, manager_casablanca: Any) -> None:
    off = offering(manager_casablanca, capacity=3)
    who = person(agent_casablanca)
    enrol(agent_casablanca, off, who)
    before = world()
    with pytest.raises(ValidationError):
        enrol(agent_casablanca, off, who)
    assert world() == before


def test_eligibility_is_advice_not_a_refusal(agent_casablanca: Any) -> None:
    man = person(agent_casablanca, sex="M", birth_year=1950)
    assert len(ps.eligibility_warnings(Programme.objects.get(code="women-empowerment"), man)) == 1
    assert ps.eligibility_warnings(Programme.objects.get(code="preschool"), man)


def test_the_directory_counts_occupancy_without_a_query_per_row(
        agent_casablanca: Any, manager_casablanca: Any, django_assert_max_num_queries: Any) -> None:
    off = offering(manager_casablanca, capacity=1)
    # The demo's own offerings there (the personas' full emergency shelter) count too.
    demo = Offering.objects.filter(establishment=off.establishment, active=True).exclude(pk=off.pk)
    base = [sum(getattr(o, f) for o in demo) for f in ("admitted_count", "waiting_count", "capacity")]
    enrol(agent_casablanca, off)
    enrol(agent_casablanca, off)
    with django_assert_max_num_queries(4):
        units = list(selectors.directory(need="schooling", commune_id=off.establishment.commune_id)[:50])
        extras = selectors.directory_extras(units)
    row = next(u for u in units if u.pk == off.establishment_id)
    assert (row.admitted, row.waiting, row.places) == (base[0] + 1, base[1] + 1, base[2] + 1)  # type: ignore[attr-defined]
    assert off.pk in [o.pk for o in extras.offerings[row.pk]]
