"""Synthetic programme offerings, enrolments, group sessions and attendance for the demo, in bulk.

* Offerings: each establishment whose type runs programmes of the catalogue (education and
  training centres, apprenticeship centres, kindergartens, student homes, care homes, shelters,
  social assistance centres…) offers about half of them this season, a group of plausible size
  (capped by the establishment's places for the residential ones). About a third also ran last
  season: that offering is closed and everyone in it left, mostly having completed it, with an
  outcome drawn from the programme's plausible results.
* Enrolments: persons of the offering's delegation who fit the programme (age, sex, disability),
  those with an open case first (the enrolment names the case, and the case's establishment as
  the sender when it is another one). A person is live (waiting or admitted) in one offering at
  most. Most groups are 55–100% full; about one in seven is full with a waiting list (queue
  numbers in request order). A few admitted people left already (dropped out, moved).
* Group sessions: weekly for the last four weeks in the group programmes (not the shelters and
  care homes), one attendance row per person admitted on that day, about 85% present.
* Counters: ``admitted_count``, ``waiting_count``, ``next_queue_no`` of each offering,
  ``sessions_marked`` / ``sessions_present`` of each enrolment and ``marked_count`` /
  ``present_count`` of each session are computed from the rows written here, as the services
  would have kept them.

For the personas: ``agent.casa``'s establishment runs an emergency shelter offering that is full
with three people waiting (``manager.casa`` can admit the first in line once a place frees), and
an education and training centre of the same delegation runs a literacy group of about 25 people
with a session today whose register is not taken yet (earlier weeks are).

Written with ``casework.Rows`` (ids handed out, one ``executemany`` per table); no service and no
query per row; no journal entry per row (``demo.generate`` writes the summary). Deterministic for
a seed and a date.
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
from mowakaba.cases.models import Case
from mowakaba.demo.casework import Rows
from mowakaba.programs.models import Attendance, Enrolment, ExitReason, GroupSession, Offering, Outcome, Programme
from mowakaba.registry.models import Person
from mowakaba.territory.models import OrgUnit

DAY = timedelta(days=1)
# Group size per programme (places), before the establishment's own capacity caps it.
GROUP_SIZE: dict[str, tuple[int, int]] = {
    "school-support": (20, 40), "dropout-prevention": (20, 60), "disability-schooling": (10, 30),
    "women-empowerment": (15, 30), "apprenticeship": (15, 40), "literacy": (20, 35), "preschool": (20, 50),
    "elderly-care": (20, 80), "emergency-shelter": (10, 40), "winter-campaign": (30, 100),
}
RESIDENTIAL = {"elderly-care", "emergency-shelter", "winter-campaign"}  # no group sessions
SCHEDULES = ["الإثنين-الجمعة 17:00-19:00", "السبت 9:00-12:00", "الثلاثاء والخميس 15:00-18:00",
             "الإثنين-الخميس 9:00-12:00", "الأربعاء 14:00-17:00"]
RESIDENTIAL_SCHEDULE = "24/24 ساعة"
# Plausible results of completing each programme (the others leave with NONE mostly).
OUTCOMES: dict[str, list[tuple[str, int]]] = {
    "school-support": [(Outcome.PASSED_YEAR, 7), (Outcome.NONE, 3)],
    "dropout-prevention": [(Outcome.RETURNED_TO_SCHOOL, 5), (Outcome.PASSED_YEAR, 3), (Outcome.NONE, 2)],
    "disability-schooling": [(Outcome.PASSED_YEAR, 5), (Outcome.RETURNED_TO_SCHOOL, 2), (Outcome.NONE, 3)],
    "women-empowerment": [(Outcome.INCOME, 4), (Outcome.CERTIFICATE, 3), (Outcome.NONE, 3)],
    "apprenticeship": [(Outcome.CERTIFICATE, 5), (Outcome.EMPLOYED, 3), (Outcome.NONE, 2)],
    "literacy": [(Outcome.LITERATE, 6), (Outcome.NONE, 4)],
    "preschool": [(Outcome.PASSED_YEAR, 9), (Outcome.NONE, 1)],
    "elderly-care": [(Outcome.HOUSED, 3), (Outcome.NONE, 7)],
    "emergency-shelter": [(Outcome.HOUSED, 6), (Outcome.NONE, 4)],
    "winter-campaign": [(Outcome.HOUSED, 3), (Outcome.NONE, 7)],
}
MARKS = ([Attendance.Mark.PRESENT, Attendance.Mark.ABSENT, Attendance.Mark.EXCUSED], [85, 11, 4])
PERSONA_FULL = ("emergency-shelter", 12, 3)  # programme, places, waiting
PERSONA_SHEET = ("literacy", 30, 25)  # programme, places, admitted


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour, 0)))


def generate_programmes(*, seed: int = 2026, now: datetime | None = None,
                        progress: Callable[[str], None] | None = None) -> dict[str, float]:
    say = progress or (lambda _m: None)
    started = time.monotonic()
    now = (now or timezone.now()).replace(microsecond=0)
    with transaction.atomic():
        counts = _Generator(random.Random(seed + 313), now).run()
    say(f"{counts['offerings']:,} programme offerings, {counts['enrolments']:,} enrolments")
    counts["programmes_seconds"] = round(time.monotonic() - started, 1)
    return counts


class _Generator:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.today = timezone.localdate(now)
        self.rows = Rows(now)
        y0 = self.today.year if self.today.month >= 9 else self.today.year - 1
        self.y0 = y0
        self.season_start = min(date(y0, 9, 15), self.today - 35 * DAY)
        self.offerings: list[Offering] = []
        self.enrolments: list[Enrolment] = []
        self.sessions: list[GroupSession] = []
        self.marks: list[Any] = []
        self.live: set[int] = set()  # persons waiting or admitted somewhere
        self.pools: dict[tuple[int, str], list[int]] = {}
        self.cursor: dict[tuple[int, str], int] = {}

    # ---- the data read once --------------------------------------------------------------------

    def load(self) -> bool:
        self.programmes = {p.code: p for p in Programme.objects.filter(active=True)}
        ests = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True)
                    .values_list("pk", "establishment_type__code", "capacity", "parent_id").order_by("pk"))
        self.ests = ests
        self.delegation_of = {pk: parent for pk, _t, _c, parent in ests}
        self.coordination_of = dict(OrgUnit.objects.filter(kind=OrgUnit.Kind.DELEGATION)
                                    .values_list("pk", "parent_id"))
        staff: dict[int, list[int]] = {}
        for uid, unit, role in (Assignment.objects.active()
                                .filter(role__in=[Role.MANAGER, Role.AGENT], org_unit__kind=OrgUnit.Kind.ESTABLISHMENT)
                                .order_by("pk").values_list("user_id", "org_unit_id", "role")):
            users = staff.setdefault(unit, [])
            if role == Role.MANAGER:
                users.insert(0, uid)
            else:
                users.append(uid)
        self.staff = staff  # per establishment, its managers first
        self.fallback_user = User.objects.filter(username="headoffice").values_list("pk", flat=True).first()
        self.cases: dict[int, tuple[int, int]] = {}
        for case_id, person_id, est_id in (Case.objects.filter(closed_at__isnull=True).order_by("pk")
                                           .values_list("pk", "person_id", "establishment_id")):
            self.cases.setdefault(person_id, (case_id, est_id))
        self.persons: dict[int, tuple[str, int | None, bool, int]] = {}
        self.by_delegation: dict[int, list[int]] = {}
        for pk, sex, year, disability, est in (Person.objects.filter(merged_into__isnull=True).order_by("pk")
                                               .values_list("pk", "sex", "birth_year", "disability",
                                                            "establishment_id")):
            self.persons[pk] = (sex or "", year, bool(disability), est)
            d = self.delegation_of.get(est)
            if d is not None:
                self.by_delegation.setdefault(d, []).append(pk)
        return bool(self.programmes and ests and self.persons)

    def user_at(self, est: int) -> int | None:
        users = self.staff.get(est)
        return users[0] if users else self.fallback_user

    def fits(self, p: Programme, person: int) -> bool:
        sex, year, disabled, _est = self.persons[person]
        if p.sex and sex != p.sex:
            return False
        if p.disability_required and not disabled:
            return False
        if p.min_age is not None or p.max_age is not None:
            if year is None:
                return False
            age = self.today.year - year
            if (p.min_age is not None and age < p.min_age) or (p.max_age is not None and age > p.max_age):
                return False
        return True

    def pool(self, delegation: int, p: Programme) -> list[int]:
        key = (delegation, p.code)
        if key not in self.pools:
            fit = [pk for pk in self.by_delegation.get(delegation, []) if self.fits(p, pk)]
            with_case = [pk for pk in fit if pk in self.cases]
            others = [pk for pk in fit if pk not in self.cases]
            self.rng.shuffle(with_case)
            self.rng.shuffle(others)
            self.pools[key] = with_case + others
            self.cursor[key] = 0
        return self.pools[key]

    def take(self, delegation: int, p: Programme, k: int, prefer_est: int | None = None) -> list[int]:
        """Up to k persons of the delegation who fit and are not live anywhere yet."""
        pool = self.pool(delegation, p)
        out: list[int] = []
        if prefer_est is not None:
            out = [pk for pk in pool if self.persons[pk][3] == prefer_est and pk not in self.live][:k]
            self.live.update(out)
        key = (delegation, p.code)
        i = self.cursor[key]
        while len(out) < k and i < len(pool):
            pk = pool[i]
            i += 1
            if pk not in self.live:
                out.append(pk)
                self.live.add(pk)
        self.cursor[key] = i
        return out

    def take_near(self, delegation: int, p: Programme, k: int, prefer_est: int | None = None) -> list[int]:
        """As ``take``, then from the other delegations of the region when the province runs short
        (the personas' groups at the smallest scales)."""
        out = self.take(delegation, p, k, prefer_est)
        coordination = self.coordination_of.get(delegation)
        for other in sorted(d for d, c in self.coordination_of.items() if c == coordination and d != delegation):
            if len(out) >= k:
                break
            out += self.take(other, p, k - len(out))
        return out

    # ---- rows ------------------------------------------------------------------------------------

    def offering(self, est: int, p: Programme, capacity: int, *, current: bool = True) -> Offering:
        rng = self.rng
        if current:
            start, end, season = self.season_start + rng.randint(0, 10) * DAY, date(self.y0 + 1, 6, 30), \
                f"{self.y0}-{self.y0 + 1}"
        else:
            start, end, season = date(self.y0 - 1, 9, 15) + rng.randint(0, 10) * DAY, date(self.y0, 6, 30), \
                f"{self.y0 - 1}-{self.y0}"
        o = self.rows.new(
            Offering, id=self.rows.take_id(Offering), programme_id=p.pk, establishment_id=est, season=season,
            starts_on=start, ends_on=end, capacity=capacity, active=current,
            schedule=RESIDENTIAL_SCHEDULE if p.code in RESIDENTIAL else rng.choice(SCHEDULES),
            created_by_id=self.user_at(est), created_at=_at(start - rng.randint(20, 40) * DAY),
            admitted_count=0, waiting_count=0, next_queue_no=1,
        )
        o.updated_at = o.created_at
        self.offerings.append(o)
        return o

    def enrol(self, o: Offering, person: int, state: str, requested: datetime, **values: Any) -> Enrolment:
        case = self.cases.get(person)
        sender = case[1] if case else self.persons[person][3]
        e = self.rows.new(
            Enrolment, id=self.rows.take_id(Enrolment), offering_id=o.pk, establishment_id=o.establishment_id,
            referrer_id=sender if sender != o.establishment_id else None, person_id=person,
            case_id=case[0] if case else None, state=state, requested_at=requested,
            requested_by_id=self.user_at(sender), created_at=requested, sessions_marked=0, sessions_present=0,
            **{"queue_no": 0, **values},
        )
        e.updated_at = values.get("admitted_at") or requested
        self.enrolments.append(e)
        return e

    def fill(self, o: Offering, p: Programme, people: list[int], waiting: list[int]) -> list[Enrolment]:
        """Admit ``people`` (some of whom left already), queue ``waiting``; set the counters."""
        rng, start = self.rng, o.starts_on
        assert start is not None
        admitted: list[Enrolment] = []
        latest = max(start, self.today - 10 * DAY)
        for pk in people:
            asked = start - rng.randint(0, 25) * DAY if rng.random() < 0.7 else \
                start + rng.randint(0, max(0, (latest - start).days)) * DAY
            asked = min(asked, self.today - 8 * DAY)
            admitted_on = min(asked + rng.randint(0, 6) * DAY, self.today - 7 * DAY)
            admitted_on = max(admitted_on, asked)
            admitter = self.user_at(o.establishment_id)
            values: dict[str, Any] = {"admitted_at": _at(admitted_on, 11), "admitted_by_id": admitter}
            state = Enrolment.State.ADMITTED
            if not waiting and rng.random() < 0.08 and (self.today - admitted_on).days > 10:
                state = Enrolment.State.EXITED
                values.update(exited_on=admitted_on + rng.randint(5, (self.today - admitted_on).days - 1) * DAY,
                              exit_reason=rng.choice([ExitReason.DROPPED_OUT, ExitReason.MOVED,
                                                      ExitReason.TRANSFERRED]),
                              outcome=Outcome.NONE)
                self.live.discard(pk)
            admitted.append(self.enrol(o, pk, state, _at(asked, 9), **values))
        o.admitted_count = sum(1 for e in admitted if e.state == Enrolment.State.ADMITTED)
        for i, pk in enumerate(waiting):
            asked = self.today - (len(waiting) - i) * rng.randint(2, 5) * DAY
            self.enrol(o, pk, Enrolment.State.WAITING, _at(asked, 9 + i % 8), queue_no=i + 1)
        o.waiting_count = len(waiting)
        o.next_queue_no = len(waiting) + 1
        return admitted

    def past(self, o: Offering, p: Programme, people: list[int]) -> None:
        """Last season's group: everyone left, most having completed the programme."""
        rng = self.rng
        assert o.starts_on is not None and o.ends_on is not None
        outcomes, weights = zip(*OUTCOMES[p.code], strict=True)
        for pk in people:
            asked = o.starts_on - rng.randint(0, 25) * DAY
            admitted_on = asked + rng.randint(0, 10) * DAY
            if rng.random() < 0.8:
                reason, outcome, left = ExitReason.COMPLETED, rng.choices(outcomes, weights)[0], o.ends_on
            else:
                reason = rng.choice([ExitReason.DROPPED_OUT, ExitReason.MOVED, ExitReason.EXCLUDED])
                outcome, left = Outcome.NONE, admitted_on + rng.randint(20, 200) * DAY
            self.enrol(o, pk, Enrolment.State.EXITED, _at(asked, 9), admitted_at=_at(admitted_on, 11),
                       admitted_by_id=self.user_at(o.establishment_id), exited_on=left, exit_reason=reason,
                       outcome=outcome)

    def register(self, o: Offering, group: list[Enrolment], days: list[date], *, today_open: bool = False) -> None:
        """Weekly sessions on ``days`` with their attendance; today's register left to take."""
        rng = self.rng
        recorder = self.user_at(o.establishment_id)
        for d in days:
            s = self.rows.new(GroupSession, id=self.rows.take_id(GroupSession), offering_id=o.pk,
                              establishment_id=o.establishment_id, held_on=d, topic="", recorded_by_id=recorder,
                              created_at=_at(d, 18), present_count=0, marked_count=0)
            s.updated_at = s.created_at
            self.sessions.append(s)
            if today_open and d == self.today:
                s.created_at = s.updated_at = min(self.now, _at(d, 8))
                continue
            for e in group:
                if e.admitted_at is None or e.admitted_at.date() > d or (e.exited_on and e.exited_on <= d):
                    continue
                mark = rng.choices(*MARKS)[0]
                self.marks.append((s.pk, e.pk, str(mark)))
                s.marked_count += 1
                e.sessions_marked += 1
                if mark == Attendance.Mark.PRESENT:
                    s.present_count += 1
                    e.sessions_present += 1

    # ---- the whole ------------------------------------------------------------------------------

    def personas(self) -> set[tuple[int, str]]:
        done: set[tuple[int, str]] = set()
        home = (Assignment.objects.filter(user__username="agent.casa", org_unit__kind=OrgUnit.Kind.ESTABLISHMENT)
                .values_list("org_unit_id", flat=True).first())
        if home is None or home not in self.delegation_of:
            return done
        delegation = self.delegation_of[home]
        code, places, waiting = PERSONA_FULL
        if code in self.programmes:
            p = self.programmes[code]
            o = self.offering(home, p, places)
            people = self.take_near(delegation, p, places, prefer_est=home)
            queue = self.take_near(delegation, p, waiting, prefer_est=home) if len(people) == places else []
            group: list[Enrolment] = []
            for pk in people:  # all still there: the offering is full
                group += self.fill_one(o, pk)
            o.admitted_count = len(group)
            self.fill_queue(o, queue)
            done.add((home, code))
        code, places, admitted = PERSONA_SHEET
        sheet = self.programmes.get(code)
        sites = [pk for pk, t, _c, parent in self.ests if parent == delegation and sheet is not None
                 and t in (sheet.establishment_types or [])]
        if sheet is not None and sites:
            site = sites[0]
            o = self.offering(site, sheet, places)
            o.starts_on = min(o.starts_on or self.season_start, self.today - 30 * DAY)
            group = []
            for pk in self.take_near(delegation, sheet, admitted):
                group += self.fill_one(o, pk, before=self.today - 29 * DAY)
            o.admitted_count = len(group)
            self.register(o, group, [self.today - 21 * DAY, self.today - 14 * DAY, self.today - 7 * DAY, self.today],
                          today_open=True)
            done.add((site, code))
        return done

    def fill_one(self, o: Offering, pk: int, before: date | None = None) -> list[Enrolment]:
        rng = self.rng
        last = before or self.today - 8 * DAY
        asked = last - rng.randint(0, 40) * DAY
        admitted_on = min(asked + rng.randint(0, 5) * DAY, last)
        return [self.enrol(o, pk, Enrolment.State.ADMITTED, _at(asked, 9), admitted_at=_at(admitted_on, 11),
                           admitted_by_id=self.user_at(o.establishment_id))]

    def fill_queue(self, o: Offering, queue: list[int]) -> None:
        for i, pk in enumerate(queue):
            asked = self.today - (len(queue) - i) * 3 * DAY
            self.enrol(o, pk, Enrolment.State.WAITING, _at(asked, 10 + i), queue_no=i + 1)
        o.waiting_count, o.next_queue_no = len(queue), len(queue) + 1

    def run(self) -> dict[str, Any]:
        if not self.load():
            return {"offerings": 0, "enrolments": 0}
        rng = self.rng
        done = self.personas()
        by_type: dict[str, list[Programme]] = {}
        for p in self.programmes.values():
            for t in p.establishment_types or []:
                by_type.setdefault(t, []).append(p)
        plan: list[tuple[int, Programme, int]] = []
        for est, etype, est_capacity, _parent in self.ests:
            offered = [p for p in by_type.get(etype or "", []) if rng.random() < 0.5]
            if not offered and by_type.get(etype or "") and rng.random() < 0.7:
                offered = [rng.choice(by_type[etype or ""])]
            for p in offered:
                if (est, p.code) in done:
                    continue
                lo, hi = GROUP_SIZE.get(p.code, (15, 40))
                cap = rng.randint(lo, hi)
                if est_capacity and p.code in RESIDENTIAL:
                    cap = max(lo // 2, min(cap, est_capacity))
                plan.append((est, p, cap))
        rng.shuffle(plan)  # no establishment gets the persons with cases first by its id
        for est, p, cap in plan:
            delegation = self.delegation_of[est]
            o = self.offering(est, p, cap)
            full = rng.random() < 0.15
            want = cap if full else round(cap * rng.uniform(0.55, 1.0))
            people = self.take(delegation, p, want)
            queue = self.take(delegation, p, rng.randint(1, 8)) if full and len(people) == cap else []
            group = self.fill(o, p, people, queue)
            if p.code not in RESIDENTIAL and group:
                weekday = rng.randint(1, 6)
                days = [self.today - (7 * k + weekday) * DAY for k in range(4)]
                self.register(o, group, sorted(d for d in days if d >= (o.starts_on or d)))
            if rng.random() < 0.35:
                old = self.offering(est, p, cap, current=False)
                pool = self.pool(delegation, p)
                self.past(old, p, rng.sample(pool, min(len(pool), round(cap * rng.uniform(0.6, 1.0)))))
        self.write()
        exited = sum(1 for e in self.enrolments if e.state == Enrolment.State.EXITED)
        return {"offerings": len(self.offerings), "enrolments": len(self.enrolments), "enrolments_exited": exited,
                "group_sessions": len(self.sessions), "attendance": len(self.marks)}

    def write(self) -> None:
        rows = self.rows
        rows.insert(Offering, self.offerings)
        rows.insert(Enrolment, self.enrolments)
        rows.insert(GroupSession, self.sessions)
        rows.insert_values(Attendance, ["session_id", "enrolment_id", "mark"], self.marks)
        rows.reset_sequences()
