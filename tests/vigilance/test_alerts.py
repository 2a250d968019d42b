"""Alerts: their life through the services (every transition, every refusal leaves everything as
it was), who may read and who may act, and the rules that raise them (each fires on crafted data
and stays quiet on clean data; the tick never makes duplicates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.core.errors import StaleEdit
from mowakaba.territory.models import OrgUnit
from mowakaba.vigilance import alerts as al
from mowakaba.vigilance.models import Alert, AlertEvent, Fact

TZ = timezone.get_current_timezone()
# Dates far from the demo's records, so that "clean" means clean.
PAST = dt.date(2000, 1, 12)
PAST_NOW = dt.datetime(2000, 1, 12, 12, 0, tzinfo=TZ)
FUTURE = dt.date(2035, 1, 17)


def _province(user: Any) -> int:
    provinces = scope_for_user(user).territory_province_ids()
    assert provinces is not None and len(provinces) == 1
    return next(iter(provinces))


def _establishment(province_id: int) -> OrgUnit:
    unit = (OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, commune__province_id=province_id)
            .order_by("pk").first())
    assert unit is not None
    return unit


def _alert(province_id: int, **kw: Any) -> Alert:
    data: dict[str, Any] = {"kind": Alert.Kind.REFERRALS_UNANSWERED, "province_id": province_id,
                            "period_start": dt.date(2026, 11, 23), "observed": 7.0, "method": "rule-count",
                            "explanation": {"rule": "referrals_late", "referrals": 7, "oldest_days_late": 12,
                                            "min": 3, "critical": 20},
                            "key": f"test:{province_id}:{kw.get('period_start', '')}:{Alert.objects.count()}"}
    data.update(kw)
    return Alert.objects.create(**data)


def _snapshot(alert: Alert) -> tuple[Any, ...]:
    a = Alert.objects.get(pk=alert.pk)
    return (a.status, a.version, a.acknowledged_at, a.action_at, a.action_note, a.closed_at, a.closure_note,
            AlertEvent.objects.filter(alert=a).count(),
            JournalEntry.objects.filter(action__startswith="alert.", object_id=str(a.pk)).count())


# ---- the life cycle -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_alert_goes_new_acknowledged_action_taken_closed_and_back(delegate_casablanca: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    a = _alert(_province(d))
    a = al.alert_acknowledge(actor=d, scope=scope, alert_id=a.pk, version=1, note="Je regarde")
    assert (a.status, a.version, a.acknowledged_by_id) == ("acknowledged", 2, d.pk)
    a = al.alert_record_action(actor=d, scope=scope, alert_id=a.pk, version=2, note="Appel aux centres")
    assert (a.status, a.action_note, a.action_by_id) == ("action_taken", "Appel aux centres", d.pk)
    a = al.alert_record_action(actor=d, scope=scope, alert_id=a.pk, version=3, note="Visite faite")
    assert (a.status, a.action_note) == ("action_taken", "Visite faite")
    a = al.alert_close(actor=d, scope=scope, alert_id=a.pk, version=4, note="Réponses reçues")
    assert (a.status, a.closed_by_id, a.closure_note) == ("closed", d.pk, "Réponses reçues")
    a = al.alert_reopen(actor=d, scope=scope, alert_id=a.pk, version=5, note="Encore trois en attente")
    assert (a.status, a.closed_at, a.closure_note, a.version) == ("acknowledged", None, "", 6)
    events = list(AlertEvent.objects.filter(alert=a).values_list("status", "note", "actor_id"))
    assert events == [("acknowledged", "Je regarde", d.pk), ("action_taken", "Appel aux centres", d.pk),
                      ("action_taken", "Visite faite", d.pk), ("closed", "Réponses reçues", d.pk),
                      ("acknowledged", "Encore trois en attente", d.pk)]
    journal = JournalEntry.objects.filter(object_id=str(a.pk), action__startswith="alert.").order_by("pk")
    assert list(journal.values_list("action", flat=True)) == [
        "alert.acknowledge", "alert.action", "alert.action", "alert.close", "alert.reopen"]
    assert journal.first().changes["status"] == ["new", "acknowledged"]  # type: ignore[union-attr]
    assert journal.first().org_unit_id is not None  # type: ignore[union-attr]  # placed in the delegation


@pytest.mark.django_db
def test_a_new_alert_can_be_closed_as_a_false_alarm_or_acted_on_directly(delegate_casablanca: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    p = _province(d)
    a = al.alert_close(actor=d, scope=scope, alert_id=_alert(p).pk, version=1, note="Fausse alerte: saisie en double")
    assert a.status == "closed" and a.acknowledged_at is None
    b = al.alert_record_action(actor=d, scope=scope, alert_id=_alert(p).pk, version=1, note="Relance envoyée")
    assert b.status == "action_taken" and b.acknowledged_by_id == d.pk  # seen on the way


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "call", "note"), [
    ("acknowledged", "acknowledge", ""),
    ("action_taken", "acknowledge", ""),
    ("closed", "acknowledge", ""),
    ("closed", "action", "x"),
    ("closed", "close", "x"),
    ("new", "reopen", "x"),
    ("acknowledged", "reopen", "x"),
    ("new", "action", "  "),  # the note is required
    ("new", "close", ""),
    ("closed", "reopen", ""),
])
def test_refused_transitions_change_nothing(delegate_casablanca: Any, status: str, call: str, note: str) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    a = _alert(_province(d), status=status)
    before = _snapshot(a)
    with pytest.raises(ValidationError) as exc:
        al.ACTIONS[call](actor=d, scope=scope, alert_id=a.pk, version=1, note=note)
    assert exc.value.messages and all(m.strip() for m in exc.value.messages)
    assert _snapshot(a) == before


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_changes_nothing(delegate_casablanca: Any) -> None:
    d, scope = delegate_casablanca, scope_for_user(delegate_casablanca)
    a = _alert(_province(d))
    al.alert_acknowledge(actor=d, scope=scope, alert_id=a.pk, version=1)
    before = _snapshot(a)
    with pytest.raises(StaleEdit):
        al.alert_close(actor=d, scope=scope, alert_id=a.pk, version=1, note="vu")
    assert _snapshot(a) == before


@pytest.mark.django_db
def test_authority_viewer_and_agent_read_but_cannot_act(delegate_casablanca: Any, authority_viewer: Any,
                                                       agent_casablanca: Any) -> None:
    a = _alert(_province(delegate_casablanca))
    before = _snapshot(a)
    for user in (authority_viewer, agent_casablanca):
        scope = scope_for_user(user)
        assert al.alert_read(scope, a.pk).pk == a.pk
        assert not al.can_act(scope, a)
        for call in al.ACTIONS.values():
            with pytest.raises(Http404):
                call(actor=user, scope=scope, alert_id=a.pk, version=1, note="x")
    assert _snapshot(a) == before
    # authority viewers see published figures: small counts hidden
    assert al.masked(3.0, exact=False) is None and al.masked(3.0, exact=True) == 3.0
    assert al.masked(0.0, exact=False) == 0.0 and al.masked(12.0, exact=False) == 12.0


@pytest.mark.django_db
def test_another_province_neither_reads_nor_acts(delegate_casablanca: Any, delegate_tanger: Any,
                                                national_admin: Any) -> None:
    a = _alert(_province(delegate_casablanca))
    scope = scope_for_user(delegate_tanger)
    with pytest.raises(Http404):
        al.alert_read(scope, a.pk)
    assert not Alert.objects.visible_to(scope).filter(pk=a.pk).exists()
    for call in al.ACTIONS.values():
        with pytest.raises(Http404):
            call(actor=delegate_tanger, scope=scope, alert_id=a.pk, version=1, note="x")
    # head office acts everywhere
    hq = scope_for_user(national_admin)
    assert al.alert_acknowledge(actor=national_admin, scope=hq, alert_id=a.pk, version=1).status == "acknowledged"


# ---- the rules ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_operational_rules_are_quiet_on_clean_data() -> None:
    units = al.unit_provinces()
    assert al.extreme_candidates(now=PAST_NOW, units=units) == []
    assert al.referral_candidates(today=PAST, units=units) == []
    assert al.followup_candidates(today=PAST, units=units) == []
    assert al.report_candidates(today=PAST, units=units) == []
    assert al.coverage_candidates(today=PAST) == []
    assert al.surge_candidates(today=PAST, units=units) == []


def _open_cases(unit: OrgUnit, n: int) -> list[Any]:
    from mowakaba.cases.models import Case

    cases = list(Case.objects.filter(establishment=unit, closed_at__isnull=True, extreme_track__isnull=True)[:n])
    assert len(cases) == n
    return cases


@pytest.mark.django_db
def test_extreme_cases_past_their_deadline_raise_an_alert(delegate_casablanca: Any) -> None:
    from mowakaba.cases.models import ExtremeTrack

    p = _province(delegate_casablanca)
    unit = _establishment(p)
    opened = PAST_NOW - dt.timedelta(days=20)
    for i, case in enumerate(_open_cases(unit, 3)):
        ExtremeTrack.objects.create(
            case=case, opened_at=opened, first_action_due=opened + dt.timedelta(hours=24),
            first_action_at=opened + dt.timedelta(hours=2) if i == 0 else None,
            plan_due=opened + dt.timedelta(days=7) if i < 2 else PAST_NOW + dt.timedelta(days=3))
    [c] = al.extreme_candidates(now=PAST_NOW)
    assert (c.province_id, c.observed, c.kind) == (p, 3.0, "extreme_late")
    assert c.explanation["first_action_late"] == 2 and c.explanation["plan_late"] == 2
    assert c.severity == "critical" and c.period_start == dt.date(2000, 1, 10)


@pytest.mark.django_db
def test_referrals_unanswered_raise_an_alert_from_three(delegate_casablanca: Any) -> None:
    from mowakaba.referrals.models import Referral

    p = _province(delegate_casablanca)
    unit = _establishment(p)
    case = _open_cases(unit, 1)[0]
    sent = PAST_NOW - dt.timedelta(days=30)

    def send(n: int) -> None:
        for _ in range(n):
            Referral.objects.create(case=case, person_id=case.person_id, from_establishment=unit,
                                    target="external", external_service="Hôpital", reason="Soins",
                                    sent_by=delegate_casablanca, sent_at=sent, answer_due=PAST - dt.timedelta(days=9))
    send(2)
    assert al.referral_candidates(today=PAST) == []  # under the minimum
    send(1)
    [c] = al.referral_candidates(today=PAST)
    assert (c.province_id, c.observed, c.explanation["oldest_days_late"]) == (p, 3.0, 9)


@pytest.mark.django_db
def test_followups_overdue_need_both_a_number_and_a_share(delegate_casablanca: Any) -> None:
    from mowakaba.cases.models import Task

    p = _province(delegate_casablanca)
    unit = _establishment(p)
    case = _open_cases(unit, 1)[0]

    def tasks(n: int, done: bool) -> None:
        Task.objects.bulk_create([Task(case=case, establishment=unit, kind="call", title="Appel",
                                       due_on=PAST - dt.timedelta(days=5),
                                       done_at=PAST_NOW - dt.timedelta(days=4) if done else None)
                                  for _ in range(n)])
    tasks(9, done=False)
    tasks(3, done=True)
    assert al.followup_candidates(today=PAST) == []  # 9 overdue: under 10
    tasks(1, done=False)
    [c] = al.followup_candidates(today=PAST)
    assert (c.province_id, c.observed, c.explanation["due"]) == (p, 10.0, 13)
    assert c.severity == "critical"  # 77% not done
    tasks(40, done=True)  # 10 of 53: under 20%
    assert al.followup_candidates(today=PAST) == []


@pytest.mark.django_db
def test_convention_reports_late_after_the_grace_period(delegate_casablanca: Any) -> None:
    from mowakaba.partners.models import Convention, Report, Status

    p = _province(delegate_casablanca)
    units = al.unit_provinces()
    conv = next(c for c in Convention.objects.filter(status=Status.RUNNING) if units.get(c.unit_id) == p)
    Report.objects.create(convention=conv, kind="activity", due_on=PAST - dt.timedelta(days=10))
    assert al.report_candidates(today=PAST) == []  # within the grace period
    Report.objects.create(convention=conv, kind="financial", due_on=PAST - dt.timedelta(days=40))
    [c] = al.report_candidates(today=PAST)
    assert (c.province_id, c.observed, c.explanation["oldest_days_late"]) == (p, 1.0, 40)


@pytest.mark.django_db
def test_coverage_far_below_the_national_rate(delegate_casablanca: Any, delegate_tanger: Any) -> None:
    from mowakaba.territory.models import Province

    low, fine = _province(delegate_casablanca), _province(delegate_tanger)
    total = sum(Province.objects.values_list("population_2024", flat=True))
    pop_fine = Province.objects.get(pk=fine).population_2024
    months = [dt.date(1999, m, 1) for m in range(1, 13)]
    national = total // 100  # 10 per 1,000 inhabitants
    Fact.objects.bulk_create(
        [Fact(measure="beneficiaries", period=m, level="N", value=national // 12) for m in months]
        + [Fact(measure="beneficiaries", period=m, level="P", province_id=low, value=10) for m in months]
        + [Fact(measure="beneficiaries", period=m, level="P", province_id=fine, value=pop_fine // 1200)
           for m in months])
    found = {c.province_id: c for c in al.coverage_candidates(today=dt.date(2000, 1, 5))}
    assert low in found and fine not in found
    c = found[low]
    assert c.expected == pytest.approx(10, rel=0.01) and c.observed < 5 and c.severity == "critical"


def _crafted_surge(unit: OrgUnit, agent: Any) -> dt.date:
    """Three years of 8–12 sessions a week, then 60 in the last completed week (30 about shelter)."""
    from mowakaba.cases.models import ListeningSession, SessionNeed

    last_week = al.monday(FUTURE) - dt.timedelta(weeks=1)
    week = last_week - dt.timedelta(weeks=160)
    rows = []
    i = 0
    while week <= last_week:
        n = 60 if week == last_week else 8 + (i * 7) % 5
        for k in range(n):
            rows.append(ListeningSession(establishment=unit, agent=agent, channel="walk_in",
                                         held_at=dt.datetime.combine(week, dt.time(10, k % 50), tzinfo=TZ)
                                         + dt.timedelta(days=k % 5), outcome="information"))
        week += dt.timedelta(weeks=1)
        i += 1
    sessions = ListeningSession.objects.bulk_create(rows, batch_size=2000)
    shelter = [s for s in sessions if al.monday(s.held_at.date()) == last_week][:30]
    SessionNeed.objects.bulk_create([SessionNeed(session=s, need="shelter") for s in shelter])
    return last_week


@pytest.mark.django_db
def test_a_surge_of_listening_sessions_raises_alerts_and_the_tick_makes_no_duplicates(
        delegate_casablanca: Any, agent_casablanca: Any) -> None:
    from mowakaba.cases.models import Channel

    assert "walk_in" in Channel.values
    p = _province(delegate_casablanca)
    last_week = _crafted_surge(_establishment(p), agent_casablanca)
    found = {(c.kind, c.subject): c for c in al.surge_candidates(today=FUTURE) if c.province_id == p}
    total = found[("surge_sessions", "")]
    assert total.period_start == last_week and total.observed == 60
    assert total.expected is not None and total.expected < 15
    series = total.explanation["series"]
    assert len(series["values"]) == al.SURGE_SHOWN_WEEKS and series["values"][-1] == 60
    assert al.SURGE_SHOWN_WEEKS - 1 in series["alarms"]
    assert ("surge_sessions", "shelter") in found

    first = al.alerts_tick(today=FUTURE, surges=True)
    n = Alert.objects.count()
    assert first["created"] >= 2
    alert = Alert.objects.get(key=total.key)
    assert alert.status == "new" and alert.events.count() == 1
    again = al.alerts_tick(today=FUTURE, surges=True)
    assert again["created"] == 0 and Alert.objects.count() == n
    # a closed alert stays closed when the same signal comes back
    d = delegate_casablanca
    al.alert_close(actor=d, scope=scope_for_user(d), alert_id=alert.pk, version=1, note="Campagne hivernale")
    third = al.alerts_tick(today=FUTURE, surges=True)
    assert third["created"] == 0 and third["closed_kept"] >= 1
    assert Alert.objects.get(pk=alert.pk).status == "closed" and Alert.objects.count() == n
    # the five-minute tick runs the surge rule once an hour: the other rules every time
    from django.core.cache import cache

    cache.clear()
    assert al.alerts_tick(today=FUTURE)["surges_run"] == 1
    assert al.alerts_tick(today=FUTURE)["surges_run"] == 0
    assert Alert.objects.count() == n


@pytest.mark.django_db
def test_explanations_are_written_in_the_readers_language(delegate_casablanca: Any) -> None:
    from django.utils import translation

    a = _alert(_province(delegate_casablanca))
    with translation.override("fr"):
        fr = al.explain(a)
    with translation.override("en"):
        en = al.explain(a)
    assert en["rule"] and en["rows"] and len(fr["rows"]) == len(en["rows"])
    hidden = al.explain(_alert(_province(delegate_casablanca), explanation={"rule": "referrals_late",
                                                                            "referrals": 3}), exact=False)
    assert "3" not in hidden["rows"][0][1]


def test_a_new_alert_reaches_the_provinces_delegates_in_the_bell(db: Any) -> None:
    import datetime as dt

    from mowakaba.accounts.models import User
    from mowakaba.notifications.models import Notification
    from mowakaba.notifications.text import render
    from mowakaba.territory.models import Province
    from mowakaba.vigilance.alerts import ALERT_NOTIFICATION, Candidate, _save
    from mowakaba.vigilance.models import Alert

    casa = Province.objects.get(code="06.141")
    delegate = User.objects.get(username="delegate.casa")
    before = Notification.objects.filter(user=delegate, kind=ALERT_NOTIFICATION).count()
    c = Candidate(kind=Alert.Kind.REFERRALS_UNANSWERED, province_id=casa.pk, period_start=dt.date(2026, 11, 23),
                  observed=9, method="rule-count", explanation={"rule": "referrals_late", "referrals": 9})
    _save([c], timezone.now())
    _save([c], timezone.now())  # the same signal again: no second notification
    notes = Notification.objects.filter(user=delegate, kind=ALERT_NOTIFICATION)
    assert notes.count() == before + 1
    n = notes.latest("pk")
    assert n.url == f"/vigilance/alerts/{Alert.objects.get(key=c.key).pk}/"
    with translation.override("fr"):
        assert casa.name_fr in render(n)
    assert not Notification.objects.filter(user__username="delegate.tanger", kind=ALERT_NOTIFICATION,
                                           url=n.url).exists()
