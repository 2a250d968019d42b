"""Synthetic staff training for the demo: a year of sessions in plausible proportions, in bulk.

The seed year's plan is 77 sessions for 2,320 staff at the national scale (about 4,900 accounts);
smaller scales get the same proportions of their staff. Sessions are organised mostly by the
provincial delegations, some by the regional coordinations and a few by head office; each takes
about thirty of the organiser's staff, preferring people not trained yet so that the number of
distinct people trained approaches the plan. Attendance is recorded day by day (most present,
a few no-shows), and most attendees answered the evaluation.

For the demo personas: ``delegate.casa``'s delegation has a session running today (yesterday's
attendance recorded, today's not yet: the browser test records it), an upcoming one open for
registration in which ``agent.casa`` is registered, and another open one that ``agent.casa`` may
still join; head office has one planned session.

Bulk inserts, no service and no query per row; no journal entry per row (``demo.generate``
writes the summary). Deterministic for a seed and a date.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from django.db import transaction
from django.utils import timezone

from mowakaba.accounts.models import Assignment, Role, User
from mowakaba.territory.models import OrgUnit
from mowakaba.training.models import Attendance, Participant, Theme, TrainingSession

NATIONAL_ACCOUNTS = 4_900
PLAN_SESSIONS, PLAN_PEOPLE = 77, 2_320
STAFF_ROLES = tuple(r for r in Role.values if r not in (Role.PARTNER_STAFF, Role.AUTHORITY))
THEME_WEIGHTS = {"listening": 14, "case_management": 18, "child_protection": 12, "violence_women": 10,
                 "disability_inclusion": 9, "data_protection": 10, "establishment_management": 8,
                 "elderly_care": 5, "project_management": 6}
TRAINERS = ["Dr. Amina Berrada", "Pr. Naima Tazi", "Mohamed El Idrissi", "Latifa Bennani", "Karim Alaoui",
            "Souad Chraibi", "Hicham Ouazzani", "Rachida Fassi Fihri"]
PLACES_AR = ["قاعة الاجتماعات بالمندوبية", "مركز التكوين الجهوي", "قاعة المحاضرات بالمنسقية", "المقر المركزي - الرباط"]


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour, 0)))


def generate_training(*, seed: int = 2026, today: date | None = None,
                      progress: Callable[[str], None] | None = None) -> dict[str, float]:
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    with transaction.atomic():
        counts = _generate(random.Random(seed + 77), today or timezone.localdate())
    say(f"{counts['training_sessions']:,} training sessions, {counts['training_people']:,} staff trained")
    counts["training_seconds"] = round(time.monotonic() - started, 1)
    return counts


def _generate(rng: random.Random, today: date) -> dict[str, Any]:
    themes = {t.code: t for t in Theme.objects.filter(active=True)}
    units = {u.pk: u for u in OrgUnit.objects.exclude(kind=OrgUnit.Kind.ESTABLISHMENT).only(
        "pk", "kind", "path", "name_ar", "name_fr")}
    staff: list[tuple[int, str]] = list(
        Assignment.objects.active().filter(role__in=STAFF_ROLES, org_unit__isnull=False, user__is_active=True)
        .values_list("user_id", "org_unit__path"))
    if not staff or not themes:
        return {"training_sessions": 0, "training_people": 0, "training_participations": 0}
    province_of = dict(OrgUnit.provinces.through.objects.order_by("province__code")
                       .values_list("orgunit_id", "province_id"))
    region_of_province = dict(OrgUnit.provinces.through.objects.values_list("province_id", "province__region_id"))
    region_of = dict(OrgUnit.regions.through.objects.order_by("region__code").values_list("orgunit_id", "region_id"))
    accounts = User.objects.count()
    ratio = min(1.0, accounts / NATIONAL_ACCOUNTS)
    n_held = max(4, round(PLAN_SESSIONS * ratio))
    people_target = min(round(PLAN_PEOPLE * ratio), int(len({u for u, _ in staff}) * 0.8))

    by_kind: dict[str, list[OrgUnit]] = {}
    for u in units.values():
        by_kind.setdefault(u.kind, []).append(u)
    national: OrgUnit | None = next(iter(by_kind.get(OrgUnit.Kind.NATIONAL, [])), None)
    delegations = sorted(by_kind.get(OrgUnit.Kind.DELEGATION, []), key=lambda u: u.pk)
    coordinations = sorted(by_kind.get(OrgUnit.Kind.COORDINATION, []), key=lambda u: u.pk)
    staff_under: dict[int, list[int]] = {}

    def eligible(unit: OrgUnit) -> list[int]:
        if unit.pk not in staff_under:
            if unit.kind == OrgUnit.Kind.NATIONAL:
                staff_under[unit.pk] = sorted({u for u, _ in staff})
            else:
                staff_under[unit.pk] = sorted({u for u, path in staff if path.startswith(unit.path)})
        return staff_under[unit.pk]

    delegate_casa = (Assignment.objects.filter(user__username="delegate.casa").values_list("org_unit_id", flat=True)
                     .first())
    agent_casa = User.objects.filter(username="agent.casa").values_list("pk", flat=True).first()
    creator = User.objects.filter(username="headoffice").values_list("pk", flat=True).first()

    def territory(unit: OrgUnit) -> tuple[int | None, int | None]:
        if unit.kind == OrgUnit.Kind.DELEGATION:
            p = province_of.get(unit.pk)
            return region_of_province.get(p) if p else None, p
        if unit.kind == OrgUnit.Kind.COORDINATION:
            return region_of.get(unit.pk), None
        return None, None

    theme_codes = [c for c in THEME_WEIGHTS if c in themes]
    weights = [THEME_WEIGHTS[c] for c in theme_codes]
    window_start = date(today.year, 1, 12)
    if (today - window_start).days < 90:  # early in the year: the last twelve months instead
        window_start = today - timedelta(days=330)
    window_days = max(10, (today - timedelta(days=3) - window_start).days)

    sessions: list[TrainingSession] = []
    plans: list[tuple[TrainingSession, list[int], str]] = []  # session, participants, attendance mode
    trained: set[int] = set()
    per_session = max(8, round(people_target * 1.08 / n_held))

    def new_session(unit: OrgUnit, start: date, days: int, *, theme: str | None = None, capacity: int = 0,
                    opened: bool = True) -> TrainingSession:
        code = theme or rng.choices(theme_codes, weights=weights, k=1)[0]
        region_id, province_id = territory(unit)
        n = len(sessions) + 1
        s = TrainingSession(
            theme=themes[code], title=f"{themes[code].name_ar} — الفوج {n}", starts_on=start,
            ends_on=start + timedelta(days=days - 1), trainer_name=rng.choice(TRAINERS),
            place_text=rng.choice(PLACES_AR), organiser=unit, region_id=region_id, province_id=province_id,
            capacity=capacity or rng.choice((25, 30, 30, 35, 40)), created_by_id=creator,
            registration_opened_at=_at(start - timedelta(days=rng.randint(15, 40))) if opened else None,
            created_at=_at(start - timedelta(days=rng.randint(40, 70))),
        )
        sessions.append(s)
        return s

    def choose(unit: OrgUnit, k: int) -> list[int]:
        pool = eligible(unit)
        fresh = [u for u in pool if u not in trained]
        rng.shuffle(fresh)
        picked = fresh[:k]
        if len(picked) < k:
            rest = [u for u in pool if u not in set(picked)]
            picked += rng.sample(rest, min(len(rest), k - len(picked)))
        return picked

    # The year's held sessions.
    for i in range(n_held):
        # Head office runs about one session in ten; the others go to coordinations and
        # delegations in proportion to their staff (bigger territories train more people).
        if national is not None and rng.random() < 0.1:
            unit = national
        else:
            local = [*coordinations, *delegations]
            unit = rng.choices(local, weights=[len(eligible(u)) * (0.4 if u.kind == OrgUnit.Kind.COORDINATION
                                                                  else 1.0) + 1 for u in local], k=1)[0]
        start = window_start + timedelta(days=round(i * window_days / n_held) + rng.randint(0, 3))
        start = min(start, today - timedelta(days=5))
        s = new_session(unit, start, rng.choice((1, 2, 2, 3, 3, 5)))
        k = min(s.capacity + (2 if rng.random() < 0.05 else 0), max(6, round(rng.gauss(per_session, 4))))
        people = choose(unit, k)
        trained.update(people)
        plans.append((s, people, "all"))
    # The personas' sessions (when the personas exist: the demo always has them).
    casa = units.get(delegate_casa or 0)
    if casa is not None:
        running = new_session(casa, today - timedelta(days=1), 2, theme="listening", capacity=30)
        plans.append((running, choose(casa, 14), "yesterday"))
        joined = new_session(casa, today + timedelta(days=12), 2, theme="data_protection", capacity=25)
        plans.append((joined, [agent_casa, *choose(casa, 9)] if agent_casa else choose(casa, 10), "none"))
        open_one = new_session(casa, today + timedelta(days=26), 3, theme="child_protection", capacity=30)
        plans.append((open_one, [u for u in choose(casa, 7) if u != agent_casa], "none"))
    if national is not None:
        new_session(national, today + timedelta(days=45), 3, theme="establishment_management", opened=False)
    for unit in rng.sample(delegations, min(3, len(delegations))):
        s = new_session(unit, today + timedelta(days=rng.randint(10, 40)), 2)
        plans.append((s, choose(unit, rng.randint(5, 15)), "none"))

    TrainingSession.objects.bulk_create(sessions, batch_size=1000)
    participants: list[Participant] = []
    marks: list[tuple[int, list[date], str]] = []
    for s, people, mode in plans:
        people = list(dict.fromkeys(uid for uid in people if uid))
        for uid in people:
            participants.append(Participant(session=s, user_id=uid, registered_by_id=creator,
                                            over_capacity_reason="" if len(people) <= s.capacity else
                                            "Équipe complète du service", created_at=s.created_at))
        if mode == "all":
            marks.append((s.pk, s.days(), mode))
        elif mode == "yesterday":
            marks.append((s.pk, [s.starts_on], mode))
    # Evaluations are filled in below, once attendance is known.
    Participant.objects.bulk_create(participants, batch_size=2000)
    by_session: dict[int, list[Participant]] = {}
    for p in participants:
        by_session.setdefault(p.session_id, []).append(p)
    rows: list[Attendance] = []
    attended: set[int] = set()
    present_people: set[int] = set()
    evaluated: list[Participant] = []
    for session_id, days, _mode in marks:
        for p in by_session.get(session_id, []):
            no_show = rng.random() < 0.04
            for d in days:
                here = not no_show and rng.random() < 0.94
                rows.append(Attendance(participant_id=p.pk, day=d, present=here, recorded_by_id=creator,
                                       recorded_at=_at(d, 17)))
                if here:
                    attended.add(p.pk)
                    present_people.add(p.user_id)
            if p.pk in attended and _mode == "all" and rng.random() < 0.8:
                p.satisfaction = rng.choices((2, 3, 4, 5), weights=(1, 3, 9, 7), k=1)[0]
                p.usefulness = rng.choices((2, 3, 4, 5), weights=(1, 4, 9, 6), k=1)[0]
                p.evaluated_at = _at(days[-1], 18)
                evaluated.append(p)
    Attendance.objects.bulk_create(rows, batch_size=5000)
    Participant.objects.bulk_update(evaluated, ["satisfaction", "usefulness", "evaluated_at"], batch_size=2000)
    # Sessions more than a month old are closed by their organisers.
    TrainingSession.objects.filter(pk__in=[s.pk for s, _p, m in plans if m == "all"],
                                   ends_on__lt=today - timedelta(days=30)).update(closed_at=_at(today))
    return {"training_sessions": len(sessions), "training_people": len(present_people),
            "training_participations": len(participants), "training_attendance": len(rows)}
