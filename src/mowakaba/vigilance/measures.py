"""Measures: the counts that indicators are made of, read from the domain tables.

Each measure counts one thing per month and per establishment (or per province for the
ones that belong to a province, such as training sessions), optionally broken down by one
dimension. The database does the grouping (``GROUP BY month, establishment, value``): a
refresh never loads rows one by one, whatever the size of the country.

Three kinds:
- *additive* counts (sessions held, cases opened...) are counted at establishment level and
  summed up to province, region and country by the refresh;
- *distinct* counts (people served) are counted at every level on their own, because a
  person served by two centres of one province is one person for the province;
- *stock* counts (places, occupied places, agents) are a snapshot of the day the refresh
  runs, kept under the current month; past months keep the snapshot they had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db.models import Case as When_
from django.db.models import CharField, Count, F, Func, IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractYear, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# (month, establishment id or None, province id or None, dim, dim value, count)
Row = tuple[date, int | None, int | None, str, str, int]
# For distinct measures: (level, month, unit key, dim, dim value, count), key per level.
LevelRow = tuple[str, date, int | None, str, str, int]

AGE_BANDS = ("0-5", "6-11", "12-17", "18-29", "30-59", "60-74", "75+")


@dataclass(frozen=True)
class Measure:
    code: str
    label: Any
    kind: str  # "additive" | "distinct" | "stock"
    rows: Callable[[date, date, date], Iterable[Row]] | None = None
    level_rows: Callable[[date, date, date], Iterable[LevelRow]] | None = None
    dims: tuple[str, ...] = field(default_factory=tuple)


def month_start(d: date | datetime) -> date:
    if isinstance(d, datetime):
        d = d.date()
    return d.replace(day=1)


def _as_month(v: Any) -> date:
    if isinstance(v, str):  # SQLite gives the month as text, "2026-05-01"
        return date.fromisoformat(v[:10])
    if isinstance(v, datetime):
        v = timezone.localtime(v) if timezone.is_aware(v) else v
    return month_start(v)


def _offset_minutes() -> int:
    """Local time's offset from UTC now (Morocco: +60, or 0 during Ramadan)."""
    offset = timezone.localtime().utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


class _LocalPart(Func):
    """The month, day or year of a date or datetime column, in local time, computed natively.

    Django's own ``TruncMonth``/``ExtractYear``/``__date`` call a Python function for every row
    on SQLite (20 minutes for the national casework tables instead of seconds), and a ``__date``
    filter cannot use an index. On SQLite this is ``strftime`` with the local offset of today
    (Morocco moves to UTC+0 during Ramadan: an event in the first hour of a month then may count
    in the month before, a negligible shift for monthly counts); elsewhere Django's functions.
    """

    formats = {"month": "%%Y-%%m-01", "day": "%%Y-%%m-%%d", "year": "%%Y"}

    def __init__(self, expression: Any, *, part: str, is_datetime: bool) -> None:
        super().__init__(expression, output_field=IntegerField() if part == "year" else CharField())
        self.part = part
        self.is_datetime = is_datetime

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        shift = f", '{_offset_minutes():+d} minutes'" if self.is_datetime else ""
        out = f"strftime('{self.formats[self.part]}', {sql}{shift})"
        return (f"CAST({out} AS INTEGER)" if self.part == "year" else out), list(params)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        source = self.get_source_expressions()[0]
        if self.part == "year":
            expr: Any = ExtractYear(source)
        elif self.part == "day":
            expr = TruncDate(source) if self.is_datetime else source
        else:
            expr = TruncMonth(source)
        sql, params = compiler.compile(expr.resolve_expression(compiler.query))
        return str(sql), list(params)


def _is_datetime(model: Any, path: str) -> bool:
    from django.db import models

    field: Any = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    return isinstance(field, models.DateTimeField)


def local(qs_or_model: Any, path: str, part: str) -> _LocalPart:
    model = getattr(qs_or_model, "model", qs_or_model)
    return _LocalPart(F(path), part=part, is_datetime=_is_datetime(model, path))


def within(field: str, start: date, end: date, *, is_datetime: bool = True) -> dict[str, Any]:
    """A range filter on a date or datetime column that uses its index: [start, end) in local days."""
    if not is_datetime:
        return {f"{field}__gte": start, f"{field}__lt": end}
    tz = timezone.get_current_timezone()
    return {f"{field}__gte": datetime.combine(start, datetime.min.time(), tzinfo=tz),
            f"{field}__lt": datetime.combine(end, datetime.min.time(), tzinfo=tz)}


def _grouped(qs: QuerySet[Any], when: str, unit: str, dims: dict[str, Any]) -> Iterator[Row]:
    """Count rows of ``qs`` by month of ``when`` and establishment ``unit``: the total, then
    one breakdown per dimension (one GROUP BY each, all done by the database)."""
    base = qs.annotate(_m=local(qs, when, "month")).values("_m", unit)
    for m, e, n in base.annotate(_n=Count("pk")).values_list("_m", unit, "_n"):
        yield (_as_month(m), e, None, "", "", n)
    for dim, expr in dims.items():
        grouped = (qs.annotate(_m=local(qs, when, "month"), _d=expr).values("_m", unit, "_d")
                   .annotate(_n=Count("pk")))
        for m, e, d, n in grouped.values_list("_m", unit, "_d", "_n"):
            yield (_as_month(m), e, None, dim, str(d or ""), n)


def age_expr(model: Any, when: str, birth_year: str) -> When_:
    """Age band at the event, from the year of the event and the year of birth."""
    bounds = ((6, "0-5"), (12, "6-11"), (18, "12-17"), (30, "18-29"), (60, "30-59"), (75, "60-74"))
    year = local(model, when, "year")
    whens = [When(**{f"{birth_year}__isnull": True}, then=Value(""))]
    for limit, label in bounds:
        # age < limit  <=>  birth_year > event_year - limit
        whens.append(When(**{f"{birth_year}__gt": year - limit}, then=Value(label)))
    return When_(*whens, default=Value("75+"))


# ---- the measures ---------------------------------------------------------------------------

def _sessions(start: date, end: date, today: date) -> Iterator[Row]:
    from mowakaba.cases.models import ListeningSession, SessionNeed

    qs = ListeningSession.objects.filter(**within("held_at", start, end))
    yield from _grouped(qs, "held_at", "establishment_id", {"channel": F("channel")})
    # Needs are a list per session: count sessions per need from the need rows themselves.
    needs = (SessionNeed.objects.filter(**within("session__held_at", start, end))
             .annotate(_m=local(SessionNeed, "session__held_at", "month"))
             .values("_m", "session__establishment_id", "need").annotate(_n=Count("pk")))
    for m, e, need, n in needs.values_list("_m", "session__establishment_id", "need", "_n"):
        yield (_as_month(m), e, None, "need", need, n)


def _cases_opened(start: date, end: date, today: date) -> Iterator[Row]:
    from mowakaba.cases.models import Case, CaseGroup

    qs = Case.objects.filter(**within("opened_at", start, end))
    yield from _grouped(qs, "opened_at", "establishment_id", {
        "level": F("level"), "sex": F("person__sex"), "age": age_expr(Case, "opened_at", "person__birth_year"),
        "extreme": F("extreme"),
    })
    groups = (CaseGroup.objects.filter(**within("case__opened_at", start, end))
              .annotate(_m=local(CaseGroup, "case__opened_at", "month"))
              .values("_m", "case__establishment_id", "group").annotate(_n=Count("pk")))
    for m, e, g, n in groups.values_list("_m", "case__establishment_id", "group", "_n"):
        yield (_as_month(m), e, None, "group", g, n)


def _cases_closed(start: date, end: date, today: date) -> Iterator[Row]:
    from mowakaba.cases.models import Case

    qs = Case.objects.filter(**within("closed_at", start, end))
    yield from _grouped(qs, "closed_at", "establishment_id", {"outcome": F("closure_outcome")})


def _referrals(start: date, end: date, today: date) -> QuerySet[Any]:
    from mowakaba.referrals.models import Referral

    qs = Referral.objects.filter(**within("sent_at", start, end))
    return qs


def _referrals_sent(start: date, end: date, today: date) -> Iterator[Row]:
    yield from _grouped(_referrals(start, end, today), "sent_at", "from_establishment_id",
                        {"sector": F("sector"), "target": F("target")})


def _referrals_completed(start: date, end: date, today: date) -> Iterator[Row]:
    # A cohort measure: the referrals *sent* in the month that were completed (at any time),
    # so that the rate "completed ÷ sent" compares like with like.
    from mowakaba.referrals.models import Referral

    qs = _referrals(start, end, today).filter(status=Referral.State.COMPLETED)
    yield from _grouped(qs, "sent_at", "from_establishment_id", {"sector": F("sector")})


def _referrals_answered(start: date, end: date, today: date) -> Iterator[Row]:
    qs = _referrals(start, end, today).filter(answered_at__isnull=False)
    yield from _grouped(qs, "sent_at", "from_establishment_id", {})


def _referral_answer_days(start: date, end: date, today: date) -> Iterator[Row]:
    """Sum of whole days between sending and answering, per sending month (÷ answered = mean)."""
    qs = _referrals(start, end, today).filter(answered_at__isnull=False)
    rows = (qs.annotate(_m=local(qs, "sent_at", "month")).values("_m", "from_establishment_id")
            .annotate(_s=Sum(F("answered_at") - F("sent_at"))))
    for m, e, total in rows.values_list("_m", "from_establishment_id", "_s"):
        yield (_as_month(m), e, None, "", "", _days(total))


def _days(total: Any) -> int:
    if total is None:
        return 0
    if isinstance(total, timedelta):
        return round(total.total_seconds() / 86400)
    # SQLite returns microseconds for a sum of durations.
    return round(int(total) / 86_400_000_000)


def _tasks_due(start: date, end: date, today: date) -> Iterator[Row]:
    """Follow-ups that fell due in the month (and are past due today), done or not."""
    from mowakaba.cases.models import Task

    qs = Task.objects.filter(due_on__gte=start, due_on__lt=min(end, today), cancelled=False)
    yield from _grouped(qs, "due_on", "establishment_id", {"kind": F("kind")})


def _tasks_on_time(start: date, end: date, today: date) -> Iterator[Row]:
    from mowakaba.cases.models import Task

    qs = (Task.objects.filter(due_on__gte=start, due_on__lt=min(end, today), cancelled=False, done_at__isnull=False)
          .annotate(_done_day=local(Task, "done_at", "day")).filter(_done_day__lte=F("due_on")))
    yield from _grouped(qs, "due_on", "establishment_id", {"kind": F("kind")})


def _extreme_opened(start: date, end: date, today: date) -> Iterator[Row]:
    from mowakaba.cases.models import ExtremeTrack

    qs = ExtremeTrack.objects.filter(**within("opened_at", start, end))
    yield from _grouped(qs, "opened_at", "case__establishment_id", {})


def _extreme_on_time(start: date, end: date, today: date) -> Iterator[Row]:
    """Extreme cases whose first action and plan both came within their deadlines."""
    from mowakaba.cases.models import ExtremeTrack

    qs = ExtremeTrack.objects.filter(
        **within("opened_at", start, end),
        first_action_at__isnull=False, first_action_at__lte=F("first_action_due"),
        plan_submitted_at__isnull=False, plan_submitted_at__lte=F("plan_due"))
    yield from _grouped(qs, "opened_at", "case__establishment_id", {})


def _enrolments(start: date, end: date, today: date) -> Iterator[Row]:
    from mowakaba.programs.models import Enrolment

    qs = Enrolment.objects.filter(**within("admitted_at", start, end))
    yield from _grouped(qs, "admitted_at", "establishment_id", {
        "programme": F("offering__programme__code"), "sex": F("person__sex"),
        "age": age_expr(Enrolment, "admitted_at", "person__birth_year")})


def _enrolment_exits(start: date, end: date, today: date, success: bool = False) -> Iterator[Row]:
    from mowakaba.programs.models import SUCCESS_OUTCOMES, Enrolment

    qs = Enrolment.objects.filter(exited_on__gte=start, exited_on__lt=end, state=Enrolment.State.EXITED)
    if success:
        qs = qs.filter(outcome__in=[str(o) for o in SUCCESS_OUTCOMES])
    yield from _grouped(qs, "exited_on", "establishment_id", {"programme": F("offering__programme__code")})


def _enrolment_success(start: date, end: date, today: date) -> Iterator[Row]:
    yield from _enrolment_exits(start, end, today, success=True)


def _places(start: date, end: date, today: date) -> Iterator[Row]:
    """Places offered today: open offerings' places, plus residential establishments' capacity."""
    from mowakaba.programs.models import Offering

    month = month_start(today)
    if not (start <= month < end):
        return
    rows = (Offering.objects.filter(active=True).values("establishment_id")
            .annotate(_s=Sum("capacity"), _a=Sum("admitted_count")))
    for e, places, _admitted in rows.values_list("establishment_id", "_s", "_a"):
        yield (month, e, None, "", "", int(places or 0))


def _occupied(start: date, end: date, today: date) -> Iterator[Row]:
    from mowakaba.programs.models import Offering

    month = month_start(today)
    if not (start <= month < end):
        return
    rows = Offering.objects.filter(active=True).values("establishment_id").annotate(_a=Sum("admitted_count"))
    for e, admitted in rows.values_list("establishment_id", "_a"):
        yield (month, e, None, "", "", int(admitted or 0))


def _agents(start: date, end: date, today: date) -> Iterator[Row]:
    """Field agents and managers holding an assignment today, per establishment."""
    from mowakaba.accounts.models import Assignment, Role

    month = month_start(today)
    if not (start <= month < end):
        return
    rows = (Assignment.objects.active().filter(role__in=[Role.AGENT, Role.MANAGER], org_unit__isnull=False)
            .values("org_unit_id").annotate(_n=Count("user_id", distinct=True)))
    for e, n in rows.values_list("org_unit_id", "_n"):
        yield (month, e, None, "", "", n)


def _training_sessions(start: date, end: date, today: date) -> Iterator[Row]:
    """Training sessions held (not cancelled), by the month of their last day and their province."""
    from mowakaba.training.models import TrainingSession

    qs = TrainingSession.objects.filter(ends_on__gte=start, ends_on__lt=min(end, today + timedelta(days=1)),
                                        cancelled_at__isnull=True)
    rows = (qs.annotate(_m=local(qs, "ends_on", "month")).values("_m", "province_id", "theme__code")
            .annotate(_n=Count("pk")))
    totals: dict[tuple[date, int | None], int] = {}
    for m, prov, theme, n in rows.values_list("_m", "province_id", "theme__code", "_n"):
        month = _as_month(m)
        totals[(month, prov)] = totals.get((month, prov), 0) + n
        yield (month, None, prov, "theme", theme or "", n)
    for (total_month, total_prov), total in totals.items():
        yield (total_month, None, total_prov, "", "", total)


def _staff_trained(start: date, end: date, today: date) -> Iterator[Row]:
    """Participants present at least one day, by the month the session ended and its province."""
    from mowakaba.training.models import Participant

    qs = Participant.objects.filter(
        session__ends_on__gte=start, session__ends_on__lt=min(end, today + timedelta(days=1)),
        session__cancelled_at__isnull=True, attendance__present=True).distinct()
    rows = (qs.annotate(_m=local(qs, "session__ends_on", "month")).values("_m", "session__province_id")
            .annotate(_n=Count("pk", distinct=True)))
    for m, p, n in rows.values_list("_m", "session__province_id", "_n"):
        yield (_as_month(m), None, p, "", "", n)


# ---- people served (distinct) ----------------------------------------------------------------

def _beneficiary_level_rows(start: date, end: date, today: date) -> Iterator[LevelRow]:
    """People served for the first time *in the calendar year* in that month, at each level.

    "Served" = a listening session held with them, a case opened for them, or a place in a
    programme. Counting each person in the month of their first service of the year makes
    the months add up to the distinct number of people served in the year (the figure the
    institution publishes: about 437,000), at every level separately.
    """
    from mowakaba.cases.models import Case, ListeningSession
    from mowakaba.programs.models import Enrolment

    from .refresh import unit_territories  # the establishment → province, region map

    year_start = date(start.year, 1, 1)
    territories = unit_territories()
    # (person, year) → per level key → first date
    first: dict[tuple[str, int | None], dict[tuple[int, int], date]] = {}

    def rows(model: Any, field: str, **extra: Any) -> Iterable[tuple[int, int, Any]]:
        qs = (model.objects.filter(**within(field, year_start, end), **extra)
              .annotate(_d=local(model, field, "day")).values_list("person_id", "establishment_id", "_d"))
        return cast(Iterable[tuple[int, int, Any]], qs.iterator(chunk_size=20000))

    sources = [rows(ListeningSession, "held_at", person__isnull=False), rows(Case, "opened_at"),
               rows(Enrolment, "admitted_at")]
    for source in sources:
        for person, unit, when in source:
            day = date.fromisoformat(when) if isinstance(when, str) else (
                when.date() if isinstance(when, datetime) else when)
            prov, reg = territories.get(unit, (None, None))
            key_year = day.year
            for level, key in (("E", unit), ("P", prov), ("R", reg), ("N", 0)):
                if key is None:
                    continue
                bucket = first.setdefault((level, key), {})
                k = (person, key_year)
                seen = bucket.get(k)
                if seen is None or day < seen:
                    bucket[k] = day
    counts: dict[tuple[str, date, int | None], int] = {}
    for (level, key), bucket in first.items():
        for day in bucket.values():
            if start <= day < end:
                m = month_start(day)
                counts[(level, m, key)] = counts.get((level, m, key), 0) + 1
    for (level, m, key), n in counts.items():
        yield (level, m, key, "", "", n)


MEASURES: dict[str, Measure] = {m.code: m for m in [
    Measure("beneficiaries", _("People served (first time in the year)"), "distinct",
            level_rows=_beneficiary_level_rows),
    Measure("sessions", _("Listening sessions"), "additive", rows=_sessions, dims=("channel", "need")),
    Measure("cases_opened", _("Cases opened"), "additive", rows=_cases_opened,
            dims=("level", "sex", "age", "group", "extreme")),
    Measure("cases_closed", _("Cases closed"), "additive", rows=_cases_closed, dims=("outcome",)),
    Measure("referrals_sent", _("Referrals sent"), "additive", rows=_referrals_sent, dims=("sector", "target")),
    Measure("referrals_completed", _("Referrals completed"), "additive", rows=_referrals_completed,
            dims=("sector",)),
    Measure("referrals_answered", _("Referrals answered"), "additive", rows=_referrals_answered),
    Measure("referral_answer_days", _("Days to answer a referral (sum)"), "additive",
            rows=_referral_answer_days),
    Measure("tasks_due", _("Follow-ups due"), "additive", rows=_tasks_due, dims=("kind",)),
    Measure("tasks_on_time", _("Follow-ups done on time"), "additive", rows=_tasks_on_time, dims=("kind",)),
    Measure("extreme_opened", _("Extreme cases opened"), "additive", rows=_extreme_opened),
    Measure("extreme_on_time", _("Extreme cases handled within their deadlines"), "additive",
            rows=_extreme_on_time),
    Measure("enrolments", _("Admissions to programmes"), "additive", rows=_enrolments,
            dims=("programme", "sex", "age")),
    Measure("enrolment_exits", _("Exits from programmes"), "additive", rows=_enrolment_exits,
            dims=("programme",)),
    Measure("enrolment_success", _("Exits with a positive outcome"), "additive", rows=_enrolment_success,
            dims=("programme",)),
    Measure("places", _("Places offered"), "stock", rows=_places),
    Measure("occupied", _("Places occupied"), "stock", rows=_occupied),
    Measure("agents", _("Field staff"), "stock", rows=_agents),
    Measure("training_sessions", _("Training sessions held"), "additive", rows=_training_sessions,
            dims=("theme",)),
    Measure("staff_trained", _("Staff trained"), "additive", rows=_staff_trained),
]}

STOCK_MEASURES = frozenset(code for code, m in MEASURES.items() if m.kind == "stock")
