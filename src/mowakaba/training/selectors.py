"""Reads for staff training: the organiser's lists, the session page, the attendance sheet,
"My trainings", eligible staff, and the totals per year and territory.

Each read is a fixed number of queries whatever the number of rows: lists annotate their
counts, and the totals are grouped queries (one per measure), never a query per session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mowakaba.accounts.models import User
from mowakaba.accounts.scope import Capability, Scope
from mowakaba.territory.models import Province, Region
from mowakaba.training.models import Attendance, Participant, Status, Theme, TrainingSession
from mowakaba.training.services import open_sessions_q, staff_q

# The seed year's action plan: 77 sessions for 2,320 staff.
PLAN_SESSIONS = 77
PLAN_PEOPLE = 2320


def sessions_for(scope: Scope, *, year: int | None = None, status: str = "", theme_id: int | None = None,
                 q: str = "", today: date | None = None) -> QuerySet[TrainingSession]:
    qs = (TrainingSession.objects.visible_to(scope)
          .select_related("theme", "organiser", "place", "trainer")
          .annotate(n_participants=Count("participants", distinct=True)))
    if year:
        qs = qs.filter(starts_on__year=year)
    if status in Status.values:
        qs = qs.with_status(status, today)
    if theme_id:
        qs = qs.filter(theme_id=theme_id)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(trainer_name__icontains=q))
    return qs.order_by("-starts_on", "-pk")


def session_participants(session: TrainingSession) -> list[Participant]:
    """The participants with their days present, in one query."""
    return list(session.participants.select_related("user")
                .annotate(days_present=Count("attendance", filter=Q(attendance__present=True)))
                .order_by("user__last_name", "user__first_name", "pk"))


@dataclass
class SheetRow:
    participant: Participant
    present: bool | None  # None: not recorded yet for this day


def attendance_sheet(session: TrainingSession, day: date) -> list[SheetRow]:
    """Everyone registered, with their mark for ``day``: two queries, whatever the group size."""
    marks = dict(Attendance.objects.filter(participant__session=session, day=day)
                 .values_list("participant_id", "present"))
    people = session.participants.select_related("user").order_by("user__last_name", "user__first_name", "pk")
    return [SheetRow(p, marks.get(p.pk)) for p in people]


def my_trainings(user: Any) -> list[Participant]:
    return list(Participant.objects.filter(user_id=user.pk)
                .select_related("session__theme", "session__organiser", "session__place", "session__trainer")
                .annotate(days_present=Count("attendance", filter=Q(attendance__present=True)))
                .order_by("-session__starts_on", "-pk"))


def open_for(user: Any, today: date | None = None) -> list[TrainingSession]:
    """Sessions open for registration the staff member may join and has not joined."""
    return list(TrainingSession.objects.filter(open_sessions_q(user, today))
                .exclude(participants__user_id=user.pk)
                .select_related("theme", "organiser", "place")
                .annotate(n_participants=Count("participants", distinct=True))
                .order_by("starts_on", "pk")[:50])


def eligible_staff(session: TrainingSession, q: str = "", limit: int = 30) -> list[User]:
    """Staff of the session's territory not yet registered, optionally matching ``q``."""
    qs = User.objects.filter(staff_q(session.organiser)).exclude(trainings__session=session)
    if q:
        qs = qs.filter(Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(full_name_ar__icontains=q)
                       | Q(username__icontains=q))
    return list(qs.order_by("last_name", "first_name", "pk")[:limit])


# ---- totals -------------------------------------------------------------------------------------


def territory_q(scope: Scope) -> Q:
    """Sessions whose figures the actor may read: those of their territory (aggregates only).

    A session counts in its province; a coordination's session (no province) in its region, for
    those who read the whole region; a head office session nationally only.
    """
    if not scope.can(Capability.VIEW_AGGREGATES) and not scope.is_system:
        return Q(pk__in=[])
    provinces = scope.territory_province_ids()
    if provinces is None:
        return Q()
    by_region: dict[int, set[int]] = {}
    for pk, region_id in Province.objects.values_list("pk", "region_id"):
        by_region.setdefault(region_id, set()).add(pk)
    whole_regions = [r for r, ids in by_region.items() if ids <= provinces]
    return Q(province_id__in=provinces) | Q(province__isnull=True, region_id__in=whole_regions)


@dataclass
class TotalsRow:
    key: int | None
    label: str
    sessions: int = 0
    people: int = 0
    participant_days: int = 0
    satisfaction: float | None = None
    usefulness: float | None = None
    evaluations: int = 0


@dataclass
class Totals:
    year: int
    by: str
    overall: TotalsRow
    rows: list[TotalsRow] = field(default_factory=list)
    national: bool = False

    @property
    def plan_sessions_pct(self) -> int:
        return round(100 * self.overall.sessions / PLAN_SESSIONS) if self.national else 0

    @property
    def plan_people_pct(self) -> int:
        return round(100 * self.overall.people / PLAN_PEOPLE) if self.national else 0


GROUPS = {"region": "region_id", "province": "province_id", "theme": "theme_id"}


def _labels(by: str, keys: set[Any]) -> dict[Any, str]:
    ar = (get_language() or "ar")[:2] == "ar"
    if by == "theme":
        return {t.pk: t.name for t in Theme.objects.filter(pk__in=keys)}
    model: Any = Region if by == "region" else Province
    return {pk: (name_ar if ar else name_fr) for pk, name_fr, name_ar in
            model.objects.filter(pk__in=keys).values_list("pk", "name_fr", "name_ar")}


def totals(scope: Scope, *, year: int, by: str = "region", today: date | None = None) -> Totals:
    """Sessions held, people trained (distinct), participant-days and average evaluation for
    ``year`` in the actor's territory, overall and grouped by region, province or theme.

    Eight queries whatever the number of sessions: three grouped, three overall, the labels,
    and the territory's provinces.
    """
    by = by if by in GROUPS else "region"
    key = GROUPS[by]
    sessions = TrainingSession.objects.filter(territory_q(scope), starts_on__year=year).held(
        today or timezone.localdate())
    ids = sessions.values("pk")
    present = Attendance.objects.filter(present=True, participant__session__in=ids)
    evaluated = Participant.objects.filter(session__in=ids, evaluated_at__isnull=False)

    rows: dict[Any, TotalsRow] = {}

    def row(k: Any) -> TotalsRow:
        return rows.setdefault(k, TotalsRow(key=k, label=""))

    for k, n in sessions.values_list(key).annotate(n=Count("pk")).order_by():
        row(k).sessions = n
    for k, people, days in (present.values_list(f"participant__session__{key}")
                            .annotate(people=Count("participant__user", distinct=True), days=Count("pk"))
                            .values_list(f"participant__session__{key}", "people", "days").order_by()):
        r = row(k)
        r.people, r.participant_days = people, days
    for k, sat, use, n in (evaluated.values_list(f"session__{key}")
                           .annotate(sat=Avg("satisfaction"), use=Avg("usefulness"), n=Count("pk"))
                           .values_list(f"session__{key}", "sat", "use", "n").order_by()):
        r = row(k)
        r.satisfaction, r.usefulness, r.evaluations = sat, use, n

    overall = TotalsRow(key=None, label=_("Total"), sessions=sessions.count())
    agg = present.aggregate(people=Count("participant__user", distinct=True), days=Count("pk"))
    overall.people, overall.participant_days = agg["people"], agg["days"]
    ev = evaluated.aggregate(sat=Avg("satisfaction"), use=Avg("usefulness"), n=Count("pk"))
    overall.satisfaction, overall.usefulness, overall.evaluations = ev["sat"], ev["use"], ev["n"]

    names = _labels(by, {k for k in rows if k is not None})
    for k, r in rows.items():
        if k is not None:
            r.label = names.get(k, "")
        else:
            r.label = _("Head office (national)") if by == "region" else _("Regional and national sessions")
    ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.label))
    return Totals(year=year, by=by, overall=overall, rows=ordered, national=scope.is_national)
