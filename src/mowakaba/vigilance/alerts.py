"""Alerts with a life: the rules that raise them (``alerts_tick``) and the services that move them
along (new → acknowledged → action taken → closed, and back from closed when it was too early).

Who may read: anyone who reads the aggregates of the alert's province (``Alert.objects.visible_to``:
authority viewers included), except partner associations' staff (``readable``: the alerts are
about the institution's own follow-up, partner reports late included). Who may act: staff with
``Capability.SUPERVISE`` whose supervising assignments reach the alert's province; everyone else
gets a 404 on the action, as if the alert did not exist. Every change is one transaction that
writes an ``AlertEvent`` (the alert's own history, shown on its page) and a journal entry, and
is refused with ``StaleEdit`` when the alert changed since the form was read (``version``).

The rules never load a big table row by row: the database groups by (week, establishment) or by
establishment, and the few thousand groups are mapped to provinces here. Each alert stores the
numbers and codes that explain it (``explanation``); the sentence is written at display time in
the reader's language (``explain``), never stored.

Alert keys: ``<kind>:<province id>:<subject>:<period>``. A tick that finds the same signal again
updates the numbers of the open alert; a closed alert is left closed (closing means someone
looked at it for that period).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Func, IntegerField, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mowakaba.accounts.models import Role
from mowakaba.accounts.scope import ROLE_CAPABILITIES, Capability, Scope
from mowakaba.audit.services import journal_write
from mowakaba.core.errors import StaleEdit
from mowakaba.territory.models import OrgUnit, Province

from .models import Alert, AlertEvent, Fact
from .periods import add_months

Status = Alert.Status
Kind = Alert.Kind
Severity = Alert.Severity

OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.ACTION_TAKEN)
NOTE_MAX = 2000

# ---- the rules' thresholds (shown on the alert page through ``explain``) ----------------------

SURGE_HISTORY_WEEKS = 3 * 52 + 16  # three years for the seasonal ratio, plus the baseline window
SURGE_RECENT_WEEKS = 2  # alerts only for the last two completed weeks: older weeks are history
SURGE_CRITICAL_SCORE = 6.0  # twice the detector's threshold
SURGE_SHOWN_WEEKS = 26  # weeks drawn on the alert page
SURGE_EVERY_SECONDS = 3600  # the surge rule's cadence inside the five-minute tick
EXTREME_CRITICAL = 3  # extreme cases past a deadline in one province
REFERRALS_MIN = 3  # referrals past their answer date before the province is alerted
REFERRALS_CRITICAL = 20
FOLLOWUP_WINDOW_DAYS = 30
FOLLOWUP_MIN_OVERDUE = 10
FOLLOWUP_MIN_SHARE = 0.20
FOLLOWUP_CRITICAL_SHARE = 0.50
REPORT_GRACE_DAYS = 15  # a report received a few days late is normal; after this it is an alert
REPORT_CRITICAL = 5
COVERAGE_MONTHS = 12
COVERAGE_RATIO = 0.5  # province rate below half the national rate
COVERAGE_CRITICAL_RATIO = 0.25
SMALL_CELL = 5  # counts 1..4 are hidden from those who do not work with the records



# ---- who may do what ----------------------------------------------------------------------------

def _supervising(scope: Scope) -> Scope:
    """The actor's scope narrowed to the assignments that carry SUPERVISE: an authority grant
    held by the same person must not widen where they may act."""
    grants = tuple(g for g in scope.grants if Capability.SUPERVISE in ROLE_CAPABILITIES.get(g.role, frozenset()))
    return Scope(user_id=scope.user_id, grants=grants, is_system=scope.is_system,
                 _caps=frozenset({Capability.SUPERVISE}) if grants or scope.is_system else frozenset())


def readable(scope: Scope) -> QuerySet[Alert]:
    """Alerts the actor may read: ``visible_to`` (aggregates of the province), but not for
    partner associations' staff, whose only grants are on their association."""
    if not scope.is_system and scope.grants and all(g.role == Role.PARTNER_STAFF for g in scope.grants):
        return Alert.objects.none()
    return Alert.objects.visible_to(scope)


def actionable(scope: Scope) -> QuerySet[Alert]:
    """Alerts the actor may act on (acknowledge, record an action, close, reopen)."""
    if not scope.can(Capability.SUPERVISE):
        return Alert.objects.none()
    provinces = _supervising(scope).territory_province_ids()
    qs = readable(scope)
    if provinces is None:
        return qs
    return qs.filter(province_id__in=provinces)


def can_act(scope: Scope, alert: Alert) -> bool:
    return actionable(scope).filter(pk=alert.pk).exists()


def alert_read(scope: Scope, alert_id: int) -> Alert:
    """The alert if the actor reads its province's aggregates; 404 otherwise (same as missing)."""
    alert = (readable(scope).select_related("province", "org_unit")
             .filter(pk=alert_id).first())
    if alert is None:
        raise Http404
    return alert


def shows_exact_counts(scope: Scope) -> bool:
    """Those who work with the records see exact counts; authority viewers see 1..4 hidden."""
    return scope.can(Capability.VIEW_PERSONS)


def masked(value: float | None, exact: bool) -> float | None:
    """A small count (1..4) hidden for readers of published figures; ratios are not counts."""
    if value is None or exact:
        return value
    if 0 < value < SMALL_CELL and float(value).is_integer():
        return None
    return value


# ---- the life cycle -------------------------------------------------------------------------------

def _for_edit(scope: Scope, alert_id: int, version: int) -> Alert:
    alert = actionable(scope).select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    if alert.version != version:
        raise StaleEdit
    return alert


def _clean_note(note: str | None, *, required: bool, message: str) -> str:
    text = (note or "").strip()
    if required and not text:
        raise ValidationError({"note": [message]})
    if len(text) > NOTE_MAX:
        raise ValidationError({"note": [_("The note is too long (at most %(n)s characters).") % {"n": NOTE_MAX}]})
    return text


def _delegation_of(province_id: int) -> int | None:
    """Where the journal entry is placed, so that the province's supervisors find it."""
    return (OrgUnit.objects.filter(kind=OrgUnit.Kind.DELEGATION, provinces=province_id)
            .order_by("pk").values_list("pk", flat=True).first())


def _record(alert: Alert, *, actor: Any, before: str, note: str, action: str, now: datetime,
            fields: Sequence[str]) -> Alert:
    alert.version += 1
    alert.save(update_fields=[*fields, "status", "version", "updated_at"])
    user = actor if getattr(actor, "pk", None) else None
    AlertEvent.objects.create(alert=alert, at=now, actor=user, status=alert.status, note=note)
    journal_write(actor=actor, action=action, obj=alert, object_repr=_repr(alert),
                  org_unit_id=_delegation_of(alert.province_id),
                  changes={"status": [before, alert.status], **({"note": [None, note]} if note else {})})
    return alert


def _repr(alert: Alert) -> str:
    return f"{alert.kind} {alert.province_id} {alert.subject} {alert.period_start:%Y-%m-%d}".replace("  ", " ")


def _refuse(alert: Alert, message: str) -> None:
    raise ValidationError(message % {"status": Status(alert.status).label})


@transaction.atomic
def alert_acknowledge(*, actor: Any, scope: Scope, alert_id: int, version: int, note: str = "") -> Alert:
    """new → acknowledged: someone has seen it and looks into it."""
    alert = _for_edit(scope, alert_id, version)
    if alert.status != Status.NEW:
        _refuse(alert, _("Only a new alert can be acknowledged; this one is already “%(status)s”."))
    text = _clean_note(note, required=False, message="")
    now = timezone.now()
    alert.status = Status.ACKNOWLEDGED
    alert.acknowledged_at, alert.acknowledged_by = now, actor if getattr(actor, "pk", None) else None
    return _record(alert, actor=actor, before=Status.NEW, note=text, action="alert.acknowledge", now=now,
                   fields=["acknowledged_at", "acknowledged_by"])


@transaction.atomic
def alert_record_action(*, actor: Any, scope: Scope, alert_id: int, version: int, note: str) -> Alert:
    """new, acknowledged or action taken → action taken: what was done, in a note (required).

    A new alert is acknowledged on the way (acting on it means it was seen); a further action
    on an alert already in "action taken" is added to its history."""
    alert = _for_edit(scope, alert_id, version)
    if alert.status == Status.CLOSED:
        _refuse(alert, _("This alert is closed: reopen it before recording an action."))
    text = _clean_note(note, required=True, message=_("Say what was done."))
    now = timezone.now()
    before = alert.status
    user = actor if getattr(actor, "pk", None) else None
    fields = ["action_at", "action_by", "action_note"]
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, user
        fields += ["acknowledged_at", "acknowledged_by"]
    alert.status = Status.ACTION_TAKEN
    alert.action_at, alert.action_by, alert.action_note = now, user, text
    return _record(alert, actor=actor, before=before, note=text, action="alert.action", now=now, fields=fields)


@transaction.atomic
def alert_close(*, actor: Any, scope: Scope, alert_id: int, version: int, note: str) -> Alert:
    """Any open status → closed, with a note (required): the outcome, or why there was nothing to
    do (a false alarm, a known cause). Closed alerts are not raised again for the same period."""
    alert = _for_edit(scope, alert_id, version)
    if alert.status == Status.CLOSED:
        _refuse(alert, _("This alert is already closed."))
    text = _clean_note(note, required=True,
                       message=_("Say why the alert is closed: the outcome, or why nothing had to be done."))
    now = timezone.now()
    before = alert.status
    alert.status = Status.CLOSED
    alert.closed_at, alert.closed_by, alert.closure_note = now, actor if getattr(actor, "pk", None) else None, text
    return _record(alert, actor=actor, before=before, note=text, action="alert.close", now=now,
                   fields=["closed_at", "closed_by", "closure_note"])


@transaction.atomic
def alert_reopen(*, actor: Any, scope: Scope, alert_id: int, version: int, note: str) -> Alert:
    """closed → acknowledged (it was closed too early: someone takes it up again), with a note.

    It goes back to "acknowledged", not "new": the person reopening it has seen it. The earlier
    closing note stays in the history."""
    alert = _for_edit(scope, alert_id, version)
    if alert.status != Status.CLOSED:
        _refuse(alert, _("Only a closed alert can be reopened; this one is “%(status)s”."))
    text = _clean_note(note, required=True, message=_("Say why the alert is reopened."))
    now = timezone.now()
    alert.status = Status.ACKNOWLEDGED
    alert.closed_at, alert.closed_by, alert.closure_note = None, None, ""
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor if getattr(actor, "pk", None) else None
    return _record(alert, actor=actor, before=Status.CLOSED, note=text, action="alert.reopen", now=now,
                   fields=["closed_at", "closed_by", "closure_note", "acknowledged_at", "acknowledged_by"])


ACTIONS = {
    "acknowledge": alert_acknowledge,
    "action": alert_record_action,
    "close": alert_close,
    "reopen": alert_reopen,
}


def allowed_actions(alert: Alert) -> list[str]:
    """What can be done next from the alert's status (the page shows these forms only)."""
    if alert.status == Status.NEW:
        return ["acknowledge", "action", "close"]
    if alert.status in (Status.ACKNOWLEDGED, Status.ACTION_TAKEN):
        return ["action", "close"]
    return ["reopen"]


# ---- the rules ----------------------------------------------------------------------------------

@dataclass
class Candidate:
    kind: str
    province_id: int
    period_start: date
    observed: float
    method: str
    explanation: dict[str, Any]
    severity: str = Severity.WARNING
    subject: str = ""
    expected: float | None = None
    score: float | None = None
    threshold: float | None = None
    org_unit_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.province_id}:{self.subject}:{self.period_start.isoformat()}"


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _day(v: Any) -> date:
    if isinstance(v, datetime):
        local: datetime = timezone.localtime(v) if timezone.is_aware(v) else v
        return local.date()
    assert isinstance(v, date)
    return v


def unit_provinces() -> dict[int, int]:
    """Org unit id → province id: establishments through their commune (or their delegation),
    delegations through the first province they serve."""
    from .refresh import unit_territories

    out = {u: p for u, (p, _r) in unit_territories().items() if p is not None}
    for unit, prov in (OrgUnit.objects.filter(kind=OrgUnit.Kind.DELEGATION, provinces__isnull=False)
                       .order_by("-pk", "-provinces__code").values_list("pk", "provinces__pk")):
        out[unit] = prov  # ordered so that the first province by code is written last
    return out


def _weekly(rows: Iterable[tuple[Any, int | None, str, int]], units: dict[int, int]
            ) -> dict[tuple[int, str], dict[date, int]]:
    """(week, establishment, subject, count) groups → per (province, subject) weekly counts."""
    out: dict[tuple[int, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for week, unit, subject, n in rows:
        prov = units.get(unit) if unit is not None else None
        if prov is None or week is None:
            continue
        out[(prov, subject or "")][monday(_day(week))] += n
    return out


def _series(counts: dict[date, int], last_week: date, first_week: date | None = None) -> list[tuple[date, int]]:
    """Every week from the first with a record (of the province: a need never expressed before
    is a true zero) to the last completed one; a week without any record is a zero (the detector
    reads a zero where many were expected as a late report)."""
    if not counts:
        return []
    week = min(counts) if first_week is None else min(first_week, min(counts))
    out = []
    while week <= last_week:
        out.append((week, counts.get(week, 0)))
        week += timedelta(weeks=1)
    return out


def _lower(mu: float, z: float, phi: float) -> float:
    base = mu ** (2 / 3) - z * (2 / 3) * mu ** (1 / 6) * math.sqrt(phi)
    return float(max(0.0, base) ** 1.5)


def _surge_candidates(kind: str, measure: str, weekly: dict[tuple[int, str], dict[date, int]],
                      today: date) -> list[Candidate]:
    firsts = {prov: min(counts) for (prov, subject), counts in weekly.items() if not subject and counts}
    from .detector import DEFAULT, detect_series

    last_week = monday(today) - timedelta(weeks=1)
    first_alert_week = last_week - timedelta(weeks=SURGE_RECENT_WEEKS - 1)
    out: list[Candidate] = []
    for (prov, subject), counts in sorted(weekly.items()):
        # No alarm is possible under the detector's minimum count: skip such series cheaply.
        if max((counts.get(first_alert_week + timedelta(weeks=k), 0) for k in range(SURGE_RECENT_WEEKS)),
               default=0) < DEFAULT.min_count:
            continue
        points = _series(counts, last_week, firsts.get(prov))
        signals = detect_series(points, unit=f"{prov}:{subject}", all_weeks=True)
        by_week = {s.period_start: s for s in signals}
        for s in signals:
            if not s.alarm or s.period_start < first_alert_week:
                continue
            shown = [(d, c) for d, c in points if d <= s.period_start][-SURGE_SHOWN_WEEKS:]
            exp_line = [round(by_week[d].expected, 2) if d in by_week else None for d, _c in shown]
            upper_line = [round(by_week[d].upper, 2) if d in by_week else None for d, _c in shown]
            alarms = [i for i, (d, _c) in enumerate(shown) if d in by_week and by_week[d].alarm]
            mu = max(s.expected, DEFAULT.mu_floor)
            explanation = {
                "rule": "surge", "measure": measure, "need": subject,
                "method": s.method, "method_detail": s.method_detail,
                "count": s.count, "expected": round(s.expected, 2), "upper": round(s.upper, 2),
                "lower": round(_lower(mu, s.threshold, s.dispersion), 2),
                "score": round(s.score, 2), "threshold": s.threshold, "z": round(s.z, 2),
                "cusum": round(s.cusum, 2), "cusum_h": DEFAULT.cusum_h,
                "baseline_level": round(s.baseline_level, 2), "baseline_weeks": s.baseline_weeks,
                "baseline_first": s.baseline_first.isoformat(), "baseline_last": s.baseline_last.isoformat(),
                "guard_weeks": DEFAULT.guard, "zeros_ignored": s.zeros_ignored,
                "seasonal_factor": round(s.seasonal_factor, 3), "seasonal_years": s.seasonal_years,
                "seasonal_calendar": s.seasonal_calendar, "dispersion": round(s.dispersion, 3),
                "min_count": DEFAULT.min_count,
                "series": {"start": shown[0][0].isoformat() if shown else s.period_start.isoformat(),
                           "values": [c for _d, c in shown], "expected": exp_line, "upper": upper_line,
                           "alarms": alarms},
            }
            out.append(Candidate(
                kind=kind, province_id=prov, subject=subject, period_start=s.period_start,
                observed=float(s.count), expected=round(s.expected, 2), score=round(s.score, 2),
                threshold=s.threshold, method=f"surge-{s.method}"[:40],
                severity=Severity.CRITICAL if s.score >= SURGE_CRITICAL_SCORE else Severity.WARNING,
                explanation=explanation))
    return out


EPOCH_MONDAY = date(1969, 12, 29)  # the Monday of the week of 1970-01-01


class _SqliteWeek(Func):
    """Week number (Mondays since 1969-12-29, local time at a fixed UTC offset) with SQLite's
    built-in ``julianday``: Django's ``TruncWeek`` calls a Python function for every row there
    (about 20 s for the national million sessions instead of under one)."""

    output_field = IntegerField()
    template = "CAST((julianday(%(expressions)s) - 2440587.5 + %(offset)s + 3) / 7 AS INTEGER)"

    def __init__(self, expression: str, offset_days: float) -> None:
        super().__init__(F(expression), offset=repr(float(offset_days)))


def _week(field_name: str, today: date) -> tuple[Any, Any]:
    """The week of a datetime column as a database expression, and how to read its value back."""
    if connection.vendor == "sqlite":
        tz = timezone.get_current_timezone()
        offset = datetime.combine(today, datetime.min.time(), tzinfo=tz).utcoffset() or timedelta(0)
        return _SqliteWeek(field_name, offset.total_seconds() / 86400), (
            lambda v: None if v is None else EPOCH_MONDAY + timedelta(weeks=int(v)))
    return TruncWeek(field_name), _day


def surge_candidates(*, today: date, units: dict[int, int] | None = None) -> list[Candidate]:
    """Weekly listening sessions per province and per province × need, new cases per province."""
    from mowakaba.cases.models import Case, ListeningSession, SessionNeed

    units = unit_provinces() if units is None else units
    last_week = monday(today) - timedelta(weeks=1)
    first = last_week - timedelta(weeks=SURGE_HISTORY_WEEKS - 1)
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last_week + timedelta(weeks=1), datetime.min.time(), tzinfo=tz)

    week, read = _week("held_at", today)
    sessions = (ListeningSession.objects.filter(held_at__gte=start, held_at__lt=end)
                .annotate(_w=week).values("_w", "establishment_id")
                .annotate(_n=Count("pk")).values_list("_w", "establishment_id", "_n"))
    per_province = _weekly(((read(w), e, "", n) for w, e, n in sessions), units)
    week, read = _week("session__held_at", today)
    needs = (SessionNeed.objects.filter(session__held_at__gte=start, session__held_at__lt=end)
             .annotate(_w=week).values("_w", "session__establishment_id", "need")
             .annotate(_n=Count("pk")).values_list("_w", "session__establishment_id", "need", "_n"))
    per_need = _weekly(((read(w), e, need, n) for w, e, need, n in needs), units)
    week, read = _week("opened_at", today)
    cases = (Case.objects.filter(opened_at__gte=start, opened_at__lt=end)
             .annotate(_w=week).values("_w", "establishment_id")
             .annotate(_n=Count("pk")).values_list("_w", "establishment_id", "_n"))
    per_case = _weekly(((read(w), e, "", n) for w, e, n in cases), units)
    return (_surge_candidates(Kind.SURGE_SESSIONS, "sessions", {**per_province, **per_need}, today)
            + _surge_candidates(Kind.SURGE_CASES, "cases_opened", per_case, today))


def extreme_candidates(*, now: datetime, units: dict[int, int] | None = None) -> list[Candidate]:
    """Extreme cases still open whose first action or plan is past its deadline, per province."""
    from mowakaba.cases.models import Case, ExtremeTrack

    units = unit_provinces() if units is None else units
    first_late = Q(first_action_at__isnull=True, first_action_due__lt=now)
    plan_late = Q(plan_submitted_at__isnull=True, plan_due__lt=now)
    # Only the late tracks are read (a few hundred rows at most); their cases are checked
    # afterwards by primary key: a join on the case table to test "still open" costs seconds.
    rows = list(ExtremeTrack.objects.filter(closed_at__isnull=True).filter(first_late | plan_late)
                .values_list("case_id", "case__establishment_id", "first_action_at", "first_action_due",
                             "plan_submitted_at", "plan_due"))
    ids = [r[0] for r in rows]
    closed: set[int] = set()
    for i in range(0, len(ids), 5000):
        closed.update(Case.objects.filter(pk__in=ids[i:i + 5000], closed_at__isnull=False)
                      .values_list("pk", flat=True))
    cases: dict[int, int] = defaultdict(int)
    first_n: dict[int, int] = defaultdict(int)
    plan_n: dict[int, int] = defaultdict(int)
    oldest: dict[int, datetime] = {}
    for case_id, unit, first_at, first_due, plan_at, plan_due in rows:
        f, p = first_at is None and first_due < now, plan_at is None and plan_due < now
        prov = units.get(unit)
        if prov is None or case_id in closed:
            continue
        cases[prov] += 1
        first_n[prov] += 1 if f else 0
        plan_n[prov] += 1 if p else 0
        for late, due in ((f, first_due), (p, plan_due)):
            if late and (prov not in oldest or due < oldest[prov]):
                oldest[prov] = due
    week = monday(timezone.localtime(now).date())
    out = []
    for prov, n in sorted(cases.items()):
        hours = round((now - oldest[prov]).total_seconds() / 3600) if prov in oldest else None
        out.append(Candidate(
            kind=Kind.EXTREME_DEADLINES, province_id=prov, period_start=week, observed=float(n), threshold=1,
            method="rule-count",
            severity=Severity.CRITICAL if n >= EXTREME_CRITICAL else Severity.WARNING,
            explanation={"rule": "extreme_late", "cases": n, "first_action_late": first_n[prov],
                         "plan_late": plan_n[prov], "oldest_hours_late": hours, "min": 1,
                         "critical": EXTREME_CRITICAL, "at": now.isoformat()}))
    return out


def referral_candidates(*, today: date, units: dict[int, int] | None = None) -> list[Candidate]:
    """Referrals still awaiting an answer after their answer date, per province of the service
    that must answer (the sending centre when the receiver has no account: it records the answer)."""
    from mowakaba.referrals.models import Referral

    units = unit_provinces() if units is None else units
    rows = (Referral.objects.filter(status=Referral.State.SENT, answer_due__lt=today)
            .annotate(_u=Coalesce("to_establishment_id", "from_establishment_id"))
            .values("_u").annotate(_n=Count("pk"), _o=Min("answer_due")).values_list("_u", "_n", "_o"))
    counts: dict[int, int] = defaultdict(int)
    oldest: dict[int, date] = {}
    for unit, n, due in rows:
        prov = units.get(unit)
        if prov is None:
            continue
        counts[prov] += n
        if prov not in oldest or due < oldest[prov]:
            oldest[prov] = due
    week = monday(today)
    out = []
    for prov, n in sorted(counts.items()):
        if n < REFERRALS_MIN:
            continue
        days = (today - oldest[prov]).days
        out.append(Candidate(
            kind=Kind.REFERRALS_UNANSWERED, province_id=prov, period_start=week, observed=float(n),
            threshold=REFERRALS_MIN, method="rule-count",
            severity=Severity.CRITICAL if n >= REFERRALS_CRITICAL else Severity.WARNING,
            explanation={"rule": "referrals_late", "referrals": n, "oldest_days_late": days,
                         "min": REFERRALS_MIN, "critical": REFERRALS_CRITICAL, "at": today.isoformat()}))
    return out


def followup_candidates(*, today: date, units: dict[int, int] | None = None) -> list[Candidate]:
    """Follow-ups that fell due in the last 30 days and are still not done: alert when at least
    10 are overdue and they are at least 20% of those due (both: a big province always has a
    few late, a small one with 2 of 3 late is not yet a pattern)."""
    from mowakaba.cases.models import Task

    units = unit_provinces() if units is None else units
    since = today - timedelta(days=FOLLOWUP_WINDOW_DAYS)
    rows = (Task.objects.filter(due_on__gte=since, due_on__lt=today, cancelled=False)
            .values("establishment_id")
            .annotate(_d=Count("pk"), _o=Count("pk", filter=Q(done_at__isnull=True)))
            .values_list("establishment_id", "_d", "_o"))
    due: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    for unit, d, o in rows:
        prov = units.get(unit)
        if prov is None:
            continue
        due[prov] += d
        overdue[prov] += o
    week = monday(today)
    out = []
    for prov in sorted(due):
        o, d = overdue[prov], due[prov]
        share = o / d if d else 0.0
        if o < FOLLOWUP_MIN_OVERDUE or share < FOLLOWUP_MIN_SHARE:
            continue
        out.append(Candidate(
            kind=Kind.FOLLOWUPS_OVERDUE, province_id=prov, period_start=week, observed=float(o),
            expected=None, score=round(share, 3), threshold=FOLLOWUP_MIN_SHARE, method="rule-share",
            severity=Severity.CRITICAL if share >= FOLLOWUP_CRITICAL_SHARE else Severity.WARNING,
            explanation={"rule": "followups_late", "overdue": o, "due": d, "share": round(share, 3),
                         "window_days": FOLLOWUP_WINDOW_DAYS, "min_overdue": FOLLOWUP_MIN_OVERDUE,
                         "min_share": FOLLOWUP_MIN_SHARE, "critical_share": FOLLOWUP_CRITICAL_SHARE,
                         "since": since.isoformat(), "at": today.isoformat()}))
    return out


def report_candidates(*, today: date, units: dict[int, int] | None = None) -> list[Candidate]:
    """Partner reports not received more than 15 days after their due date, per province of the
    unit that signed the convention (conventions still in force or suspended)."""
    from mowakaba.partners.models import Report
    from mowakaba.partners.models import Status as ConventionStatus

    units = unit_provinces() if units is None else units
    limit = today - timedelta(days=REPORT_GRACE_DAYS)
    rows = (Report.objects.filter(submitted_on__isnull=True, due_on__lt=limit,
                                  convention__status__in=[ConventionStatus.SIGNED, ConventionStatus.RUNNING,
                                                          ConventionStatus.SUSPENDED])
            .values("convention__unit_id")
            .annotate(_n=Count("pk"), _c=Count("convention_id", distinct=True), _o=Min("due_on"))
            .values_list("convention__unit_id", "_n", "_c", "_o"))
    reports: dict[int, int] = defaultdict(int)
    conventions: dict[int, int] = defaultdict(int)
    oldest: dict[int, date] = {}
    for unit, n, c, due in rows:
        prov = units.get(unit)
        if prov is None:
            continue
        reports[prov] += n
        conventions[prov] += c
        if prov not in oldest or due < oldest[prov]:
            oldest[prov] = due
    month = today.replace(day=1)
    out = []
    for prov, n in sorted(reports.items()):
        days = (today - oldest[prov]).days
        out.append(Candidate(
            kind=Kind.REPORTS_LATE, province_id=prov, period_start=month, observed=float(n), threshold=1,
            method="rule-count",
            severity=Severity.CRITICAL if n >= REPORT_CRITICAL or days >= 90 else Severity.WARNING,
            explanation={"rule": "reports_late", "reports": n, "conventions": conventions[prov],
                         "oldest_days_late": days, "grace_days": REPORT_GRACE_DAYS, "critical": REPORT_CRITICAL,
                         "at": today.isoformat()}))
    return out


def coverage_candidates(*, today: date) -> list[Candidate]:
    """People served per 1,000 inhabitants over the last 12 complete months (facts "beneficiaries",
    census 2024 populations), per province with at least one establishment: alert below half the
    national rate."""
    month = today.replace(day=1)
    first = add_months(month, -COVERAGE_MONTHS)
    facts = Fact.objects.filter(measure="beneficiaries", dim="", period__gte=first, period__lt=month)
    national = facts.filter(level="N").aggregate(s=Sum("value"))["s"] or 0
    population = Province.objects.aggregate(s=Sum("population_2024"))["s"] or 0
    if not national or not population:
        return []
    national_rate = national * 1000 / population
    served = dict(facts.filter(level="P").values("province_id").annotate(s=Sum("value"))
                  .values_list("province_id", "s"))
    with_units = set(OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, commune__isnull=False)
                     .values_list("commune__province_id", flat=True).distinct())
    out = []
    for prov, pop in Province.objects.filter(pk__in=with_units, population_2024__gt=0).values_list(
            "pk", "population_2024"):
        n = int(served.get(prov) or 0)
        rate = n * 1000 / pop
        ratio = rate / national_rate
        if ratio >= COVERAGE_RATIO:
            continue
        out.append(Candidate(
            kind=Kind.COVERAGE_LOW, province_id=prov, period_start=month, observed=round(rate, 3),
            expected=round(national_rate, 3), score=round(ratio, 3),
            threshold=round(national_rate * COVERAGE_RATIO, 2), method="rule-ratio",
            severity=Severity.CRITICAL if ratio < COVERAGE_CRITICAL_RATIO else Severity.WARNING,
            explanation={"rule": "coverage_low", "served": n, "population": pop, "rate": round(rate, 2),
                         "national_served": int(national), "national_population": int(population),
                         "national_rate": round(national_rate, 2), "ratio": round(ratio, 3),
                         "min_ratio": COVERAGE_RATIO, "critical_ratio": COVERAGE_CRITICAL_RATIO,
                         "first": first.isoformat(), "last": add_months(month, -1).isoformat()}))
    return out


# Coverage of a need group (issue 7): people of the group served over 12 months ÷ the census
# estimate of the group in the province, against the same ratio for the whole country. Only
# groups the records can count, and only where the need is large enough for a ratio to mean
# something.
GROUP_COVERAGE_MIN_NEED = 500


def group_coverage_candidates(*, today: date) -> list[Candidate]:
    from mowakaba.territory.models import NeedEstimate

    from .coverage import MEASURED, PERIOD_12M
    from .models import CoverageFact

    month = today.replace(day=1)
    served = {(lv, code, g): n for lv, code, g, n in CoverageFact.objects.filter(
        period=PERIOD_12M, level__in=["N", "P"]).values_list("level", "code", "group", "served")}
    if not served:
        return []
    need = {(lv, code, g): v for lv, code, g, v in NeedEstimate.objects.filter(
        level__in=["N", "P"], group__in=list(MEASURED)).values_list("level", "code", "group", "value")}
    provinces = dict(Province.objects.values_list("code", "pk"))
    with_units = set(OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, commune__isnull=False)
                     .values_list("commune__province_id", flat=True).distinct())
    out = []
    for group in sorted(MEASURED):
        n_served, n_need = served.get(("N", "", group), 0), need.get(("N", "", group))
        if not n_served or not n_need:
            continue
        national = n_served / n_need
        for code, prov in provinces.items():
            p_need = need.get(("P", code, group))
            if prov not in with_units or not p_need or p_need < GROUP_COVERAGE_MIN_NEED:
                continue  # a missing census cell is not a zero: no alert on it
            p_served = int(served.get(("P", code, group), 0))
            ratio = p_served / p_need / national
            if ratio >= COVERAGE_RATIO:
                continue
            out.append(Candidate(
                kind=Kind.COVERAGE_LOW, province_id=prov, period_start=month, subject=group,
                observed=round(100 * p_served / p_need, 4), expected=round(100 * national, 4),
                score=round(ratio, 3), threshold=round(100 * national * COVERAGE_RATIO, 4), method="rule-need",
                severity=Severity.CRITICAL if ratio < COVERAGE_CRITICAL_RATIO else Severity.WARNING,
                explanation={"rule": "coverage_need", "group": group, "served": p_served, "need": round(p_need),
                             "coverage": round(100 * p_served / p_need, 4),
                             "national_served": int(n_served), "national_need": round(n_need),
                             "national_coverage": round(100 * national, 4), "ratio": round(ratio, 3),
                             "min_ratio": COVERAGE_RATIO, "critical_ratio": COVERAGE_CRITICAL_RATIO}))
    return out


def _create(c: Candidate, key: str, now: datetime) -> bool:
    with transaction.atomic():
        alert = Alert.objects.create(
            kind=c.kind, severity=c.severity, province_id=c.province_id, org_unit_id=c.org_unit_id,
            subject=c.subject, period_start=c.period_start, observed=c.observed, expected=c.expected,
            score=c.score, threshold=c.threshold, method=c.method, explanation=c.explanation, key=key)
        AlertEvent.objects.create(alert=alert, at=now, actor=None, status=Status.NEW, note="")
        delegation = _delegation_of(c.province_id)
        journal_write(actor=None, action="alert.raise", obj=alert, object_repr=_repr(alert),
                      org_unit_id=delegation, changes={"status": [None, Status.NEW], "observed": [None, c.observed]})
        _notify_new(alert, delegation)
    return True


ALERT_NOTIFICATION = "vigilance_alert"


def _notify_new(alert: Alert, delegation: int | None) -> None:
    """The province's delegates hear of a new alert in the bell (they are the ones who act on it).
    The text is written at reading time in the reader's language, from the codes kept here."""
    if delegation is None:
        return
    from mowakaba.accounts.models import Assignment, Role
    from mowakaba.notifications.services import notify

    delegates = (Assignment.objects.active().filter(org_unit_id=delegation, role=Role.DELEGATE)
                 .values_list("user_id", flat=True))
    from django.utils import translation

    names = Province.objects.filter(pk=alert.province_id).values_list("name_ar", "name_fr").first()
    name_ar, name_fr = names or ("", "")
    params: dict[str, Any] = {"kind": alert.kind, "severity": alert.severity,
                              "province_ar": name_ar, "province_fr": name_fr, "province_en": name_fr}
    for lang in ("ar", "fr", "en"):
        with translation.override(lang):
            params[f"what_{lang}"] = str(alert.get_kind_display())
    notify(delegates, ALERT_NOTIFICATION, params, url=reverse("vigilance:alert", args=[alert.pk]))


def _save(candidates: Iterable[Candidate], now: datetime) -> dict[str, int]:
    """Create the new alerts, refresh the numbers of open ones, leave closed ones alone."""
    cands = {c.key: c for c in candidates}
    stats = {"created": 0, "updated": 0, "unchanged": 0, "closed_kept": 0}
    existing = {a.key: a for a in Alert.objects.filter(key__in=list(cands))}
    numbers = ("observed", "expected", "score", "threshold", "method", "severity", "explanation")
    for key, c in cands.items():
        alert = existing.get(key)
        if alert is None:
            try:
                created = _create(c, key, now)
            except IntegrityError:  # another tick created it a moment ago: same signal, nothing to add
                created = False
            if created:
                stats["created"] += 1
                stats[c.kind] = stats.get(c.kind, 0) + 1
            else:
                stats["unchanged"] += 1
            continue
        if alert.status == Status.CLOSED:
            stats["closed_kept"] += 1
            continue
        changed = [f for f in numbers if getattr(alert, f) != getattr(c, f)]
        if not changed:
            stats["unchanged"] += 1
            continue
        for f in changed:
            setattr(alert, f, getattr(c, f))
        # The numbers move as late records arrive; not a person's edit, so no version bump:
        # a supervisor's open form stays valid.
        alert.save(update_fields=[*changed, "updated_at"])
        stats["updated"] += 1
    return stats


def alerts_tick(*, today: date | None = None, now: datetime | None = None,
                surges: bool | None = None) -> dict[str, int]:
    """Run the rules once and store what they find (idempotent: run it as often as you like).

    ``mowakaba vigilance tick`` (every five minutes under ``serve``) calls this. The operational
    rules run every time (a few indexed queries). The surge rule reads three years of sessions
    and cases (about 20 s at the national scale on SQLite), and its weeks are complete weeks: by
    default (``surges=None``) it runs once an hour, and at once when a new week has completed;
    ``surges=True`` forces it, ``False`` skips it. ``today``/``now`` are for tests."""
    from django.core.cache import cache

    if now is None:
        now = timezone.now() if today is None else datetime.combine(
            today, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    if today is None:
        today = timezone.localtime(now).date()
    units = unit_provinces()
    candidates: list[Candidate] = []
    stats_extra = {"surges_run": 0}
    throttle = f"vigilance:alerts:surges:{monday(today).isoformat()}"
    if surges or (surges is None and not cache.get(throttle)):
        candidates += surge_candidates(today=today, units=units)
        cache.set(throttle, True, SURGE_EVERY_SECONDS)
        stats_extra["surges_run"] = 1
    candidates += extreme_candidates(now=now, units=units)
    candidates += referral_candidates(today=today, units=units)
    candidates += followup_candidates(today=today, units=units)
    candidates += report_candidates(today=today, units=units)
    candidates += coverage_candidates(today=today)
    candidates += group_coverage_candidates(today=today)
    stats = _save(candidates, timezone.now())
    stats["signals"] = len(candidates)
    stats.update(stats_extra)
    return stats


# ---- explaining an alert in the reader's language ----------------------------------------------

KIND_RULES: dict[str, Any] = {
    "surge": gettext_lazy(
        "Weekly count compared with what the surge detector expected for that week from the data "
        "up to it: the recent level (mean of the baseline weeks, before a guard band), times a "
        "seasonal ratio from the same weeks of previous years (Gregorian and lunar calendars). The "
        "alert fires when the standardised residual reaches the threshold, or when the cumulative "
        "sum of smaller excesses does, and the week has at least the minimum count."),
    "extreme_late": gettext_lazy(
        "Open extreme-vulnerability cases whose first action or plan is past its deadline, counted "
        "per province. One late case is enough for an alert."),
    "referrals_late": gettext_lazy(
        "Referrals still awaiting an answer after the date the answer was expected, counted in the "
        "province of the service that must answer."),
    "followups_late": gettext_lazy(
        "Follow-ups due in the last days that are still not done, compared with all the follow-ups "
        "due in that window (cancelled ones left out). Both the number and the share must be high."),
    "reports_late": gettext_lazy(
        "Reports of partner conventions still not received after their due date plus a grace period, "
        "in the province of the unit that signed the convention."),
    "coverage_low": gettext_lazy(
        "People served per 1,000 inhabitants over the last twelve complete months (each person "
        "counted in the month of their first service of the year; 2024 census population), compared "
        "with the national rate."),
    "coverage_need": gettext_lazy(
        "People of the group served over the last twelve months, by their commune of residence, divided by "
        "the census estimate of the group in the province (RGPH 2024), compared with the same ratio for the "
        "whole country."),
}


def fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if v.is_integer():
            return f"{int(v):,}".replace(",", "\u202f")
        return f"{v:,.2f}".replace(",", "\u202f")
    if isinstance(v, int):
        return f"{v:,}".replace(",", "\u202f")
    return str(v)


def pct(v: Any) -> str:
    return "—" if v is None else f"{float(v) * 100:.0f}\u00a0%"


def _count(v: Any, exact: bool) -> str:
    shown = masked(float(v), exact) if isinstance(v, int | float) else v
    return _("fewer than 5") if shown is None and v is not None else fmt(v)


def explain(alert: Alert, *, exact: bool = True) -> dict[str, Any]:
    """The rule in words and its numbers as (label, value) rows, in the active language."""
    e = alert.explanation or {}
    rule = str(e.get("rule", ""))
    rows: list[tuple[str, str]] = []
    if rule == "surge":
        method = str(e.get("method", ""))
        methods = {"spike": _("a spike (the week alone is far above the expected count)"),
                   "cusum": _("a build-up (several weeks above the expected count)"),
                   "spike+cusum": _("a spike on top of a build-up")}
        rows += [
            (_("Counted"), _("listening sessions") if e.get("measure") == "sessions" else _("cases opened")),
            (_("Count in the week"), _count(e.get("count"), exact)),
            (_("Expected"), fmt(e.get("expected"))),
            (_("Expected range"), f"{fmt(e.get('lower'))} – {fmt(e.get('upper'))}"),
            (_("Score (threshold)"), f"{fmt(e.get('score'))} ({fmt(e.get('threshold'))})"),
            (_("What fired"), methods.get(method, method or "—")),
            (_("Baseline"), _("%(n)s weeks, %(first)s to %(last)s, mean %(level)s (the %(guard)s most recent "
                              "weeks left out)") % {
                "n": e.get("baseline_weeks"), "first": e.get("baseline_first"), "last": e.get("baseline_last"),
                "level": fmt(e.get("baseline_level")), "guard": e.get("guard_weeks")}),
            (_("Seasonal ratio"), (_("%(f)s, from %(y)s previous years (%(cal)s calendar)") % {
                "f": fmt(e.get("seasonal_factor")), "y": e.get("seasonal_years"),
                "cal": _("lunar") if e.get("seasonal_calendar") == "lunar" else _("Gregorian")})
             if e.get("seasonal_years") else _("none yet (less than a year of history)")),
            (_("Over-dispersion"), fmt(e.get("dispersion"))),
            (_("Zeros read as late reports"), fmt(e.get("zeros_ignored"))),
            (_("Minimum count for an alert"), fmt(e.get("min_count"))),
        ]
    elif rule == "extreme_late":
        rows += [
            (_("Extreme cases past a deadline"), _count(e.get("cases"), exact)),
            (_("of which first action late"), _count(e.get("first_action_late"), exact)),
            (_("of which plan late"), _count(e.get("plan_late"), exact)),
            (_("Oldest overdue by"), _("%(h)s hours") % {"h": fmt(e.get("oldest_hours_late"))}),
            (_("Critical from"), fmt(e.get("critical"))),
        ]
    elif rule == "referrals_late":
        rows += [
            (_("Referrals awaiting an answer past their date"), _count(e.get("referrals"), exact)),
            (_("Oldest overdue by"), _("%(d)s days") % {"d": fmt(e.get("oldest_days_late"))}),
            (_("Alert from"), fmt(e.get("min"))),
            (_("Critical from"), fmt(e.get("critical"))),
        ]
    elif rule == "followups_late":
        rows += [
            (_("Window"), _("follow-ups due in the %(n)s days before %(at)s") % {
                "n": e.get("window_days"), "at": e.get("at")}),
            (_("Due"), _count(e.get("due"), exact)),
            (_("Not done"), _count(e.get("overdue"), exact)),
            (_("Share not done"), pct(e.get("share"))),
            (_("Alert when"), _("at least %(n)s not done and at least %(s)s of those due") % {
                "n": e.get("min_overdue"), "s": pct(e.get("min_share"))}),
            (_("Critical from"), pct(e.get("critical_share"))),
        ]
    elif rule == "reports_late":
        rows += [
            (_("Reports not received"), _count(e.get("reports"), exact)),
            (_("Conventions concerned"), _count(e.get("conventions"), exact)),
            (_("Oldest overdue by"), _("%(d)s days") % {"d": fmt(e.get("oldest_days_late"))}),
            (_("Grace period"), _("%(d)s days") % {"d": fmt(e.get("grace_days"))}),
        ]
    elif rule == "coverage_low":
        rows += [
            (_("Months"), f"{e.get('first', '')[:7]} – {e.get('last', '')[:7]}"),
            (_("People served in the province"), _count(e.get("served"), exact)),
            (_("Population (2024 census)"), fmt(e.get("population"))),
            (_("Rate per 1,000 inhabitants"), fmt(e.get("rate"))),
            (_("National rate per 1,000"), fmt(e.get("national_rate"))),
            (_("Province ÷ national"), pct(e.get("ratio"))),
            (_("Alert below"), pct(e.get("min_ratio"))),
            (_("Critical below"), pct(e.get("critical_ratio"))),
        ]
    elif rule == "coverage_need":
        rows += [
            (_("People of the group served (12 months)"), _count(e.get("served"), exact)),
            (_("Estimated need (2024 census)"), fmt(e.get("need"))),
            (_("Coverage"), f"{fmt(e.get('coverage'))} %"),
            (_("National coverage"), f"{fmt(e.get('national_coverage'))} %"),
            (_("Province ÷ national"), pct(e.get("ratio"))),
            (_("Alert below"), pct(e.get("min_ratio"))),
            (_("Critical below"), pct(e.get("critical_ratio"))),
        ]
    return {"rule": str(KIND_RULES.get(rule, "")), "rows": rows}


def subject_label(alert: Alert) -> str:
    if not alert.subject:
        return ""
    if alert.kind == Kind.SURGE_SESSIONS:
        from mowakaba.cases.models import Need

        try:
            return str(Need(alert.subject).label)
        except ValueError:
            return alert.subject
    if alert.kind == Kind.COVERAGE_LOW:
        from mowakaba.territory.need import GROUPS

        group = GROUPS.get(alert.subject)
        return str(group.label) if group is not None else alert.subject
    return alert.subject


def status_counts(qs: QuerySet[Alert]) -> dict[str, int]:
    rows = dict(qs.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    counts = {s: int(rows.get(s, 0)) for s in Status.values}
    counts["open"] = sum(counts[s] for s in OPEN_STATUSES)
    counts["all"] = sum(rows.values())
    return counts


def filtered(qs: QuerySet[Alert], *, status: str = "", kind: str = "", province_id: int | None = None
             ) -> QuerySet[Alert]:
    """The list's filters. ``status`` is one of the statuses, "open" (default) or "all"."""
    if status in Status.values:
        qs = qs.filter(status=status)
    elif status != "all":
        qs = qs.filter(status__in=OPEN_STATUSES)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if province_id:
        qs = qs.filter(province_id=province_id)
    return qs


def ordered(qs: QuerySet[Alert]) -> QuerySet[Alert]:
    from django.db.models import Case, IntegerField, Value, When

    rank = Case(When(severity=Severity.CRITICAL, then=Value(0)), When(severity=Severity.WARNING, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    return qs.annotate(_rank=rank).order_by("_rank", "-period_start", "-pk")
