"""The life of a training session, registration within capacity, attendance, evaluations, and
the totals, through the services. Every refusal leaves the data and the journal as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.training import selectors
from mowakaba.training import services as ts
from mowakaba.training.models import Attendance, Participant, Status, TrainingSession
from tests.training.factories import move_dates, session_of, staff_of, unit_of

TODAY = dt.date.today()


def _state() -> tuple[Any, ...]:
    return (TrainingSession.objects.count(), Participant.objects.count(),
            sorted(Attendance.objects.values_list("participant_id", "day", "present")),
            JournalEntry.objects.filter(action__startswith="training.").count(),
            sorted(TrainingSession.objects.values_list("pk", "registration_opened_at", "cancelled_at", "closed_at")),
            sorted(Participant.objects.values_list("pk", "satisfaction", "usefulness")))


@pytest.mark.django_db
def test_a_session_goes_from_planned_to_open_to_held_to_closed(delegate_casablanca: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    s = session_of(d, starts_in=10, days=2)
    assert s.status == Status.PLANNED
    assert s.region_id is not None and s.province_id is not None  # the delegation's territory
    ts.session_open_registration(actor=d, scope=scope, session_id=s.pk)
    s.refresh_from_db()
    assert s.status == Status.OPEN
    move_dates(s, -1)  # the first day was yesterday, the last is today
    assert s.status == Status.HELD
    with pytest.raises(ValidationError):  # not after the last day yet
        ts.session_close(actor=d, scope=scope, session_id=s.pk, today=TODAY - dt.timedelta(days=1))
    ts.session_close(actor=d, scope=scope, session_id=s.pk)
    s.refresh_from_db()
    assert s.status == Status.CLOSED
    assert list(JournalEntry.objects.filter(object_id=str(s.pk), object_type="training.trainingsession")
                .order_by("pk").values_list("action", flat=True)) == [
        "training.create", "training.open", "training.close"]
    assert TrainingSession.objects.with_status("closed").filter(pk=s.pk).exists()


@pytest.mark.django_db
def test_a_cancelled_session_is_cancelled_and_takes_nobody(delegate_casablanca: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    s = session_of(d)
    staff = staff_of(unit_of(d), 2)
    with pytest.raises(ValidationError):
        ts.session_cancel(actor=d, scope=scope, session_id=s.pk, reason=" ")
    ts.session_cancel(actor=d, scope=scope, session_id=s.pk, reason="Formateur indisponible")
    s.refresh_from_db()
    assert s.status == Status.CANCELLED
    before = _state()
    with pytest.raises(ValidationError):
        ts.participants_register(actor=d, scope=scope, session_id=s.pk, user_ids=[staff[0].pk])
    assert _state() == before


@pytest.mark.django_db
def test_a_session_where_people_attended_cannot_be_cancelled(delegate_casablanca: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    s = move_dates(session_of(d), 0)
    [p] = ts.participants_register(actor=d, scope=scope, session_id=s.pk, user_ids=[staff_of(unit_of(d), 1)[0].pk])
    ts.attendance_record(actor=d, scope=scope, session_id=s.pk, day=TODAY, present_ids=[p.pk])
    before = _state()
    with pytest.raises(ValidationError):
        ts.session_cancel(actor=d, scope=scope, session_id=s.pk, reason="x")
    assert _state() == before


@pytest.mark.django_db
def test_the_capacity_is_enforced_and_an_override_needs_a_reason_that_is_journalled(delegate_casablanca: Any
                                                                                      ) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    s = session_of(d, capacity=2)
    staff = staff_of(unit_of(d), 3)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        ts.participants_register(actor=d, scope=scope, session_id=s.pk, user_ids=[u.pk for u in staff])
    assert "over_capacity_reason" in exc.value.message_dict
    assert _state() == before
    rows = ts.participants_register(actor=d, scope=scope, session_id=s.pk, user_ids=[u.pk for u in staff],
                                    over_capacity_reason="Nouvelle équipe du centre")
    assert len(rows) == 3 and s.participants.count() == 3
    assert [p.over_capacity_reason for p in rows] == ["", "", "Nouvelle équipe du centre"]
    entry = JournalEntry.objects.get(action="training.capacity_override", object_id=str(s.pk))
    assert entry.changes["reason"] == [None, "Nouvelle équipe du centre"]
    assert entry.changes["participants"] == [None, [staff[2].pk]]
    assert entry.org_unit_id == s.organiser_id and entry.actor_id == d.pk


@pytest.mark.django_db
def test_only_staff_of_the_organisers_territory_can_be_registered(delegate_casablanca: Any, agent_tanger: Any,
                                                                  partner_staff: Any, national_admin: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    s = session_of(d)
    before = _state()
    for outsider in (agent_tanger, partner_staff):
        with pytest.raises(ValidationError):
            ts.participants_register(actor=d, scope=scope, session_id=s.pk, user_ids=[outsider.pk])
    assert _state() == before
    # A head office session is for the whole country.
    national = session_of(national_admin)
    ts.participants_register(actor=national_admin, scope=scope_for_user(national_admin), session_id=national.pk,
                             user_ids=[agent_tanger.pk, d.pk])
    assert national.participants.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["delegate_tanger", "agent_casablanca", "authority_viewer", "partner_staff"])
def test_someone_who_does_not_organise_the_session_gets_404_and_nothing_changes(
        delegate_casablanca: Any, persona: str, request: Any) -> None:
    d = delegate_casablanca
    s = move_dates(session_of(d), 0)
    [p] = ts.participants_register(actor=d, scope=scope_for_user(d), session_id=s.pk,
                                   user_ids=[staff_of(unit_of(d), 1)[0].pk])
    other = request.getfixturevalue(persona)
    scope = scope_for_user(other)
    before = _state()
    calls = [
        lambda: ts.session_update(actor=other, scope=scope, session_id=s.pk, data={}),
        lambda: ts.session_open_registration(actor=other, scope=scope, session_id=s.pk),
        lambda: ts.session_cancel(actor=other, scope=scope, session_id=s.pk, reason="x"),
        lambda: ts.session_close(actor=other, scope=scope, session_id=s.pk),
        lambda: ts.participants_register(actor=other, scope=scope, session_id=s.pk, user_ids=[other.pk]),
        lambda: ts.participant_remove(actor=other, scope=scope, participant_id=p.pk),
        lambda: ts.attendance_record(actor=other, scope=scope, session_id=s.pk, day=TODAY, present_ids=[p.pk]),
        lambda: ts.evaluation_record(actor=other, scope=scope, participant_id=p.pk, satisfaction=5, usefulness=5),
        lambda: ts.certificate_issue(actor=other, scope=scope, participant_id=p.pk, language="ar"),
        lambda: ts.participant_join(actor=other, scope=scope, session_id=s.pk),
    ]
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert _state() == before


@pytest.mark.django_db
def test_attendance_marks_the_whole_group_and_can_be_corrected(delegate_casablanca: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    s = move_dates(session_of(d, days=3), -1)
    ps = ts.participants_register(actor=d, scope=scope, session_id=s.pk, user_ids=[u.pk for u in staff_of(
        unit_of(d), 4)])
    yesterday = TODAY - dt.timedelta(days=1)
    assert ts.attendance_record(actor=d, scope=scope, session_id=s.pk, day=yesterday,
                                present_ids=[ps[0].pk, ps[1].pk]) == 2
    ts.attendance_record(actor=d, scope=scope, session_id=s.pk, day=yesterday, present_ids=[ps[0].pk, ps[2].pk])
    marks = dict(Attendance.objects.filter(day=yesterday, participant__session=s)
                 .values_list("participant_id", "present"))
    assert marks == {ps[0].pk: True, ps[1].pk: False, ps[2].pk: True, ps[3].pk: False}
    before = _state()
    for day, ids in ((TODAY + dt.timedelta(days=1), []),  # not before the day
                     (s.starts_on - dt.timedelta(days=1), []),  # not outside the session
                     (TODAY, [999_999_999])):  # not someone who is not registered
        with pytest.raises(ValidationError):
            ts.attendance_record(actor=d, scope=scope, session_id=s.pk, day=day, present_ids=ids)
    assert _state() == before


@pytest.mark.django_db
def test_only_a_participant_who_attended_can_evaluate_and_they_may_do_it_themselves(
        delegate_casablanca: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    s = move_dates(session_of(d), 0)
    a, b = staff_of(unit_of(d), 2)
    pa, pb = ts.participants_register(actor=d, scope=scope, session_id=s.pk, user_ids=[a.pk, b.pk])
    ts.attendance_record(actor=d, scope=scope, session_id=s.pk, day=TODAY, present_ids=[pa.pk])
    before = _state()
    with pytest.raises(ValidationError):
        ts.evaluation_record(actor=b, scope=scope_for_user(b), participant_id=pb.pk, satisfaction=4, usefulness=4)
    with pytest.raises(ValidationError):
        ts.evaluation_record(actor=a, scope=scope_for_user(a), participant_id=pa.pk, satisfaction=6, usefulness=4)
    with pytest.raises(Http404):  # someone else's evaluation
        ts.evaluation_record(actor=b, scope=scope_for_user(b), participant_id=pa.pk, satisfaction=1, usefulness=1)
    assert _state() == before
    ts.evaluation_record(actor=a, scope=scope_for_user(a), participant_id=pa.pk, satisfaction=5, usefulness=4,
                         comment="Très utile pour les écoutes")
    pa.refresh_from_db()
    assert (pa.satisfaction, pa.usefulness) == (5, 4)
    entry = JournalEntry.objects.get(action="training.evaluate")
    assert "Très utile" not in str(entry.changes)


@pytest.mark.django_db
def test_staff_join_an_open_session_of_their_territory_themselves_within_capacity(
        delegate_casablanca: Any, agent_casablanca: Any, manager_casablanca: Any, agent_tanger: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    s = session_of(d, capacity=1)
    with pytest.raises(Http404):  # planned, not yet open
        ts.participant_join(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), session_id=s.pk)
    ts.session_open_registration(actor=d, scope=scope, session_id=s.pk)
    assert s in selectors.open_for(agent_casablanca)
    assert s not in selectors.open_for(agent_tanger)
    ts.participant_join(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), session_id=s.pk)
    assert s not in selectors.open_for(agent_casablanca)
    before = _state()
    with pytest.raises(ValidationError):  # full: no override for oneself
        ts.participant_join(actor=manager_casablanca, scope=scope_for_user(manager_casablanca), session_id=s.pk)
    with pytest.raises(Http404):
        ts.participant_join(actor=agent_tanger, scope=scope_for_user(agent_tanger), session_id=s.pk)
    assert _state() == before


@pytest.mark.django_db
def test_totals_per_year_and_territory_match_a_count_by_hand(delegate_casablanca: Any, delegate_tanger: Any,
                                                           authority_viewer: Any, national_admin: Any) -> None:
    """Casablanca: two held sessions (A: 2 days, B: 1 day), one planned, one cancelled; Tanger: one held.
    Staff x attends A both days and B; y attends A day one; z registered in A, never came."""
    TrainingSession.objects.all().delete()
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    x, y, z = staff_of(unit_of(d), 3)
    a = move_dates(session_of(d, days=2, theme="listening"), -1)
    b = move_dates(session_of(d, days=1, theme="child_protection"), 0)
    session_of(d)  # planned: not held
    cancelled = session_of(d)
    ts.session_cancel(actor=d, scope=scope, session_id=cancelled.pk, reason="x")
    pa = {p.user_id: p for p in ts.participants_register(actor=d, scope=scope, session_id=a.pk,
                                                          user_ids=[x.pk, y.pk, z.pk])}
    [pb] = ts.participants_register(actor=d, scope=scope, session_id=b.pk, user_ids=[x.pk])
    ts.attendance_record(actor=d, scope=scope, session_id=a.pk, day=a.starts_on, present_ids=[pa[x.pk].pk,
                                                                                               pa[y.pk].pk])
    ts.attendance_record(actor=d, scope=scope, session_id=a.pk, day=a.ends_on, present_ids=[pa[x.pk].pk])
    ts.attendance_record(actor=d, scope=scope, session_id=b.pk, day=TODAY, present_ids=[pb.pk])
    ts.evaluation_record(actor=x, scope=scope_for_user(x), participant_id=pa[x.pk].pk, satisfaction=5, usefulness=3)
    ts.evaluation_record(actor=y, scope=scope_for_user(y), participant_id=pa[y.pk].pk, satisfaction=4, usefulness=4)
    t_scope = scope_for_user(delegate_tanger)
    tanger = move_dates(session_of(delegate_tanger, days=1), 0)
    [pt] = ts.participants_register(actor=delegate_tanger, scope=t_scope, session_id=tanger.pk,
                                    user_ids=[staff_of(unit_of(delegate_tanger), 1, "t")[0].pk])
    ts.attendance_record(actor=delegate_tanger, scope=t_scope, session_id=tanger.pk, day=TODAY, present_ids=[pt.pk])

    year = TODAY.year
    if a.starts_on.year != year:  # the first of January: session A started last year
        pytest.skip("the fixture straddles a new year")
    casa = selectors.totals(scope, year=year, by="theme")
    assert (casa.overall.sessions, casa.overall.people, casa.overall.participant_days) == (2, 2, 4)
    assert casa.overall.satisfaction == 4.5 and casa.overall.usefulness == 3.5
    by_theme = {r.label: (r.sessions, r.people, r.participant_days) for r in casa.rows}
    assert by_theme == {a.theme.name: (1, 2, 3), b.theme.name: (1, 1, 1)}
    # The authority viewer of Casablanca-Settat reads the same figures; head office the country's.
    assert selectors.totals(scope_for_user(authority_viewer), year=year).overall.people == 2
    country = selectors.totals(scope_for_user(national_admin), year=year, by="province")
    assert (country.overall.sessions, country.overall.people, country.overall.participant_days) == (3, 3, 5)
    assert sorted(r.sessions for r in country.rows) == [1, 2]


@pytest.mark.django_db
def test_totals_take_a_fixed_number_of_queries(national_admin: Any, django_assert_max_num_queries: Any) -> None:
    scope = scope_for_user(national_admin)
    with django_assert_max_num_queries(8):
        selectors.totals(scope, year=TODAY.year, by="region")
