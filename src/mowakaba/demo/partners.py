"""Synthetic partner data for the demo's associations: identities, conventions, reports, visits.

For each association the structure created (about 131 nationally, as many at every scale):

* a ``PartnerProfile``: receipt date and the local authority that delivered it (a pachalik in a
  town, a caïdat in the country), the representative's office, domains that follow the
  establishments it runs, provinces covered (its seat, sometimes a neighbour of the region), a
  bank and a 24-digit RIB whose key satisfies ``partners.models.validate_rib``, an address;
* one to three conventions (45%, 35%, 20%), signed for the institution mostly by the delegation
  of its seat, some by the regional coordination, a few by head office. About half run, a
  quarter are closed (by their dates, every report in, or early by a decision), the rest are
  drafts, signed and not yet started, or suspended. Amounts in dirhams per year of the
  convention; tranches add up to the amount (some drafts are still being planned), those
  planned before today are paid under a signed convention unless it was suspended or closed
  first or a report is missing;
* reports due: an activity report per half-year and a financial report per year, 30 and 60 days
  after the period. About one running convention in seven (most suspended ones) have their last
  report(s) late; the late ones were reminded the day after they fell due, as the hourly
  ``mowakaba partners tick`` does, with the notifications it sends;
* evaluation visits about once a year after the start, marked on the grid in the database and
  scored with ``partners.services.visit_score``.

Statuses are derived, never chosen: ``status`` below applies ``partners.services.status_from``
to the unsaved row (its rule for ended conventions needs the reports, given here). Nothing is
signed or started within the next fortnight and every running convention has a report still to
come, so the tick finds nothing to change on the day of the load.

``partner.casa``'s association has a running convention of ``delegate.casa``'s delegation with
a late report, and so does another association of that delegation.

Written with ``casework.Rows`` (ids handed out, one ``executemany`` per table); no service and no
query per row; no journal entry per row (``demo.generate`` writes one summary). Deterministic
for a seed and a date. Everything is synthetic: no real account number.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from mowakaba.accounts.models import Assignment, Role
from mowakaba.demo.casework import Rows
from mowakaba.notifications.models import Notification
from mowakaba.partners.models import (
    Convention,
    Criterion,
    Domain,
    PartnerProfile,
    Report,
    Status,
    Tranche,
    Visit,
    VisitMark,
    rib_key,
)
from mowakaba.partners.services import REPORT_LATE, convention_url, status_from, visit_score
from mowakaba.territory.models import Commune, OrgUnit, PartnerAssociation, Province

DAY = timedelta(days=1)

# What happens to a convention, in proportion; "running_ended": past its end date, the final
# report missing, so still running (and late).
FATES: list[tuple[str, int]] = [
    ("running", 47), ("running_ended", 4), ("closed_dates", 18), ("closed_early", 8), ("draft", 10),
    ("signed", 7), ("suspended", 5),
]
CONVENTIONS_PER_ASSOCIATION = ([1, 2, 3], [45, 35, 20])
LATE_SHARE = {"running": 0.15, "suspended": 0.6, "running_ended": 1.0}
QUIET_DAYS = 15  # nothing starts or ends this close to the load: the tick has nothing to do

DOMAINS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "cef": (Domain.WOMEN, Domain.TRAINING, Domain.LITERACY), "kindergarten": (Domain.PRESCHOOL,),
    "eps_student": (Domain.SCHOOLING,), "eps_children": (Domain.CHILDHOOD,), "eps_elderly": (Domain.ELDERLY,),
    "eps_disability": (Domain.DISABILITY, Domain.HEALTH), "eps_women": (Domain.WOMEN, Domain.VIOLENCE),
    "eps_homeless": (Domain.HOMELESS,), "emf": (Domain.WOMEN, Domain.VIOLENCE), "ceo": (Domain.VIOLENCE,),
    "upe": (Domain.CHILDHOOD,), "coaph": (Domain.DISABILITY,), "ups": (Domain.ELDERLY, Domain.HEALTH),
    "cfa": (Domain.TRAINING,), "csp": (Domain.SCHOOLING, Domain.CHILDHOOD), "cas": (Domain.HOMELESS,),
}
SUBJECTS: dict[str, str] = {
    Domain.WOMEN: "برنامج التمكين الاقتصادي للنساء عبر التكوين في الخياطة والطبخ",
    Domain.CHILDHOOD: "التكفل بالأطفال في وضعية صعبة ومواكبتهم",
    Domain.DISABILITY: "التأهيل وإعادة التأهيل لفائدة الأشخاص في وضعية إعاقة",
    Domain.ELDERLY: "إيواء ورعاية الأشخاص المسنين",
    Domain.SCHOOLING: "الدعم المدرسي ومحاربة الهدر المدرسي",
    Domain.TRAINING: "التكوين بالتدرج المهني لفائدة الشباب",
    Domain.LITERACY: "برنامج محو الأمية لفائدة النساء والشباب",
    Domain.PRESCHOOL: "التعليم الأولي لفائدة أطفال الأسر المعوزة",
    Domain.HOMELESS: "إيواء الأشخاص بدون مأوى ومواكبتهم",
    Domain.VIOLENCE: "الاستماع والتوجيه للنساء ضحايا العنف",
    Domain.HEALTH: "التحسيس الصحي والمواكبة الطبية للأسر المعوزة",
}
OBLIGATIONS = [
    "مسك محاسبة منتظمة وفتح حساب بنكي خاص بالاتفاقية",
    "تقديم تقرير أدبي كل ستة أشهر وتقرير مالي سنوي",
    "استقبال لجان التتبع والتقييم وتمكينها من الوثائق",
    "الإشارة إلى دعم التعاون الوطني في جميع الأنشطة",
]
BANKS = [("007", "Attijariwafa bank"), ("011", "Bank of Africa"), ("145", "Banque Populaire"),
         ("230", "CIH Bank"), ("013", "BMCI"), ("022", "Société Générale Maroc"), ("021", "Crédit du Maroc"),
         ("225", "Crédit Agricole du Maroc"), ("350", "Al Barid Bank")]
BANK_WEIGHTS = [24, 18, 22, 8, 5, 5, 5, 6, 7]
OFFICES = (["رئيس الجمعية", "رئيسة الجمعية", "نائب الرئيس", "الكاتب العام"], [55, 30, 8, 7])
STREETS = ["زنقة الأمل", "شارع محمد الخامس", "زنقة ابن سينا", "حي السلام", "شارع الحسن الثاني", "زنقة المسيرة",
           "حي النهضة", "زنقة الفتح", "شارع الجيش الملكي", "زنقة الزيتون"]
SUSPENSIONS = ["لم يتم تقديم التقرير المالي في الآجال", "توقف الأنشطة لمدة تفوق ثلاثة أشهر",
               "ملاحظات لجنة التقييم حول التدبير المالي"]
CLOSURES = ["حل الجمعية بقرار من جمعها العام", "فسخ الاتفاقية بالتراضي بين الطرفين",
            "إعادة تنظيم المؤسسة وتحويل تدبيرها إلى التعاون الوطني"]
RECOMMENDATIONS = ["تحسين مسك السجلات المحاسبية", "احترام آجال تقديم التقارير", "تأهيل الأطر التربوية",
                   "صيانة البنايات والتجهيزات", "الرفع من عدد المستفيدين", "تحيين لوائح المستفيدين",
                   "تعزيز الشراكة مع المصالح المحلية"]


@dataclass
class Plan:
    """One convention before it is written: its dates, tranches and reports as plain values."""

    fate: str
    unit: int
    association: int
    start: date
    end: date
    signed_on: date | None = None
    suspended_on: date | None = None
    closed_on: date | None = None
    late: bool = False
    reports: list[list[Any]] = field(default_factory=list)  # [kind, period, due, submitted]


def status(conv: Convention, today: date, *, pending: bool, has_reports: bool) -> str:
    """``status_from`` on an unsaved convention, with its rule for ended conventions applied
    to the reports given (it would query them on a saved row)."""
    found = status_from(conv, today, reports_pending=pending)
    if found in (Status.SIGNED, Status.RUNNING) and conv.ends_on < today and not pending and has_reports:
        return Status.CLOSED
    return found


def valid_rib(rng: random.Random, bank: str, city: str) -> str:
    first22 = bank + city + "".join(str(rng.randint(0, 9)) for _ in range(16))
    return first22 + f"{rib_key(first22):02d}"


def generate_partners(*, seed: int = 2026, today: date | None = None, now: datetime | None = None,
                      progress: Callable[[str], None] | None = None) -> dict[str, float]:
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    now = (now or timezone.now()).replace(microsecond=0)
    with transaction.atomic():
        counts = Generator(random.Random(seed + 4242), today or timezone.localdate(now), now).run()
    say(f"{counts['partner_profiles']:,} association profiles, {counts['conventions']:,} conventions, "
        f"{counts['reports_late']:,} reports late")
    return {**counts, "partners_seconds": round(time.monotonic() - started, 2)}


class Generator:
    def __init__(self, rng: random.Random, today: date, now: datetime) -> None:
        self.rng, self.today, self.now = rng, today, now
        self.rows = Rows(now)

    # ---- what the structure holds ---------------------------------------------------------------

    def _load(self) -> None:
        self.associations = list(PartnerAssociation.objects.order_by("pk").values_list("pk", "province_id"))
        self.provinces = {p[0]: p for p in Province.objects.values_list("pk", "code", "name_ar", "region_id")}
        self.region_provinces: dict[int, list[int]] = {}
        for pk, _code, _name, region in sorted(self.provinces.values(), key=lambda p: p[1]):
            self.region_provinces.setdefault(region, []).append(pk)
        self.communes: dict[int, list[tuple[str, str]]] = {}
        for province, name, kind in Commune.objects.order_by("code").values_list("province_id", "name_ar", "kind"):
            self.communes.setdefault(province, []).append((name, kind))
        through = OrgUnit.provinces.through.objects.filter(orgunit__kind=OrgUnit.Kind.DELEGATION)
        self.delegation_of = dict(through.order_by("province_id").values_list("province_id", "orgunit_id"))
        self.coordination_of = dict(OrgUnit.regions.through.objects.order_by("region_id")
                                    .values_list("region_id", "orgunit_id"))
        self.national = OrgUnit.objects.filter(kind=OrgUnit.Kind.NATIONAL).values_list("pk", flat=True).first()
        self.runs: dict[int, list[tuple[str, str]]] = {}
        for partner, code, name in (OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, partner__isnull=False)
                                    .order_by("code").values_list("partner_id", "establishment_type__code",
                                                                  "name_ar")):
            self.runs.setdefault(partner, []).append((code or "", name))
        active = Assignment.objects.active()
        self.managers: dict[int, list[int]] = {}
        for unit, user in (active.filter(role__in=[Role.DELEGATE, Role.COORDINATOR, Role.HEAD_OFFICE],
                                         org_unit__isnull=False).order_by("user_id")
                           .values_list("org_unit_id", "user_id")):
            self.managers.setdefault(unit, []).append(user)
        self.staff: dict[int, list[int]] = {}
        for partner, unit_partner, user in (active.filter(role=Role.PARTNER_STAFF).order_by("user_id")
                                            .values_list("partner_id", "org_unit__partner_id", "user_id")):
            if partner or unit_partner:
                self.staff.setdefault(partner or unit_partner, []).append(user)
        self.grid = list(Criterion.objects.filter(active=True).values_list("pk", "code", "weight"))
        persona = (Assignment.objects.filter(user__username="partner.casa")
                   .values_list("partner_id", "org_unit__partner_id").first())
        self.partner_casa = (persona[0] or persona[1]) if persona else None
        self.delegate_casa = (Assignment.objects.filter(user__username="delegate.casa", org_unit__isnull=False)
                              .values_list("org_unit_id", flat=True).first())

    def _forced(self) -> dict[int, int]:
        """Associations whose first convention runs, for the delegation given, with a report late."""
        forced: dict[int, int] = {}
        if self.partner_casa:
            province = dict(self.associations).get(self.partner_casa)
            unit = self.delegation_of.get(province) if province else None
            if unit:
                forced[self.partner_casa] = unit
        if self.delegate_casa:
            other = next((a for a, p in self.associations
                          if a not in forced and self.delegation_of.get(p) == self.delegate_casa), None)
            if other:
                forced[other] = self.delegate_casa
        return forced

    # ---- the whole generation -------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        self._load()
        counts = {"partner_profiles": 0, "conventions": 0, "tranches": 0, "reports": 0, "reports_late": 0,
                  "evaluation_visits": 0}
        if not self.associations:
            return counts
        rng, rows = self.rng, self.rows
        forced = self._forced()
        profiles, covered = [], []
        conventions: list[Convention] = []
        tranches: list[Tranche] = []
        reports: list[Report] = []
        visits: list[Visit] = []
        marks: list[VisitMark] = []
        notes: list[Notification] = []
        for assoc, province in self.associations:
            domains = self._domains(assoc)
            quality = rng.uniform(1.6, 3.7)  # how well it is run, for the visits' marks
            profile = self._profile(assoc, province, domains)
            profiles.append(profile)
            for p in self._covered(province):
                covered.append(rows.new(PartnerProfile.provinces.through, partnerprofile_id=profile.pk,
                                        province_id=p))
            n = rng.choices(*CONVENTIONS_PER_ASSOCIATION)[0]
            for i in range(n):
                fate = "running" if i == 0 and assoc in forced else rng.choices(*zip(*FATES, strict=True))[0]
                unit = forced[assoc] if i == 0 and assoc in forced else self._unit(province)
                plan = self._plan(fate, unit, assoc, force_late=i == 0 and assoc in forced)
                conv = self._convention(plan, domains, assoc)
                conventions.append(conv)
                tranches += self._tranches(plan, conv)
                for kind, period, due, submitted in plan.reports:
                    report = rows.new(Report, convention_id=conv.pk, kind=kind, period=period, due_on=due,
                                      submitted_on=submitted, note="")
                    if submitted is None and due < self.today and conv.status != Status.CLOSED:
                        report.reminded_at = min(self.now, timezone.make_aware(datetime.combine(due + DAY, dtime(8))))
                        notes += self._reminders(conv, report)
                        counts["reports_late"] += 1
                    reports.append(report)
                v, m = self._visits(plan, conv, quality)
                visits += v
                marks += m
        rows.insert(PartnerProfile, profiles)
        rows.insert(PartnerProfile.provinces.through, covered)
        rows.insert(Convention, conventions)
        rows.insert(Tranche, tranches)
        rows.insert(Report, reports)
        rows.insert(Visit, visits)
        rows.insert(VisitMark, marks)
        rows.insert(Notification, notes)
        rows.reset_sequences()
        counts.update(partner_profiles=len(profiles), conventions=len(conventions), tranches=len(tranches),
                      reports=len(reports), evaluation_visits=len(visits))
        return counts

    # ---- the association's identity -------------------------------------------------------------

    def _domains(self, assoc: int) -> list[str]:
        rng = self.rng
        found: list[str] = []
        for code, _name in self.runs.get(assoc, []):
            for d in DOMAINS_BY_TYPE.get(code, ()):
                if d not in found and (not found or rng.random() < 0.6):
                    found.append(d)
        while len(found) < 1 or (len(found) < 3 and rng.random() < 0.3):
            d = rng.choice(Domain.values)
            if d not in found:
                found.append(d)
        return found[:4]

    def _profile(self, assoc: int, province: int | None, domains: list[str]) -> PartnerProfile:
        rng = self.rng
        code, name_ar = (self.provinces[province][1], self.provinces[province][2]) if province else ("00", "")
        commune, kind = rng.choice(self.communes.get(province or 0) or [(name_ar, "urban")])
        authority = f"باشوية {commune}" if kind == Commune.Kind.URBAN else f"قيادة {commune}"
        bank, bank_name = rng.choices(BANKS, weights=BANK_WEIGHTS)[0]
        city = f"{(int(code.replace('.', '') or 0) * 37) % 900 + 100:03d}"
        return self.rows.new(
            PartnerProfile, id=self.rows.take_id(PartnerProfile), association_id=assoc,
            receipt_date=self.today - timedelta(days=rng.randint(3 * 365, 28 * 365)), receipt_authority=authority,
            representative_role=rng.choices(*OFFICES)[0],
            address=f"رقم {rng.randint(1, 250)}، {rng.choice(STREETS)}، {commune}",
            domains=domains, bank_name=bank_name, rib=valid_rib(rng, bank, city), version=1)

    def _covered(self, province: int | None) -> list[int]:
        if not province:
            return []
        out = [province]
        if self.rng.random() < 0.25:
            others = [p for p in self.region_provinces.get(self.provinces[province][3], []) if p != province]
            if others:
                out.append(self.rng.choice(others))
        return out

    def _unit(self, province: int | None) -> int:
        r = self.rng.random()
        delegation = self.delegation_of.get(province) if province else None
        coordination = self.coordination_of.get(self.provinces[province][3]) if province else None
        if r < 0.85 and delegation:
            return delegation
        if r < 0.96 and coordination:
            return coordination
        assert self.national or delegation
        return self.national or delegation  # type: ignore[return-value]

    # ---- a convention ---------------------------------------------------------------------------

    def _plan(self, fate: str, unit: int, assoc: int, *, force_late: bool) -> Plan:
        rng, today = self.rng, self.today
        years = rng.choices([1, 2, 3], [40, 40, 20])[0]
        if force_late:
            years = max(years, 2)
        days = 365 * years - 1

        def span(start: date) -> tuple[date, date]:
            return start, start + timedelta(days=days)

        if fate == "running":
            low = 250 if force_late else 20
            start, end = span(today - timedelta(days=rng.randint(low, max(low, days - QUIET_DAYS))))
        elif fate == "running_ended":
            end = today - timedelta(days=rng.randint(35, 55))  # the final activity report is late
            start = end - timedelta(days=days)
        elif fate == "suspended":
            start, end = span(today - timedelta(days=rng.randint(150, max(150, days - QUIET_DAYS))))
        elif fate == "closed_dates":
            end = today - timedelta(days=rng.randint(100, 900))
            start = end - timedelta(days=days)
        elif fate == "closed_early":
            start, end = span(today - timedelta(days=rng.randint(200, 1200)))
        else:  # draft, signed: start later
            start, end = span(today + timedelta(days=rng.randint(QUIET_DAYS, 120)))
        plan = Plan(fate, unit, assoc, start, end)
        if fate == "signed":
            plan.signed_on = today - timedelta(days=rng.randint(1, 25))
        elif fate != "draft":
            plan.signed_on = start - timedelta(days=rng.randint(3, 45))
        if fate == "suspended":
            plan.suspended_on = max(start + timedelta(days=60), today - timedelta(days=rng.randint(5, 60)))
        if fate == "closed_early":
            latest = min((today - start).days, days) - 1
            plan.closed_on = start + timedelta(days=rng.randint(min(90, latest), latest))
        plan.late = force_late or rng.random() < LATE_SHARE.get(fate, 0.0)
        plan.reports = self._reports(plan)
        return plan

    def _reports(self, plan: Plan) -> list[list[Any]]:
        """Activity reports per half-year (due 30 days after), financial per year (60 days)."""
        rng, today = self.rng, self.today
        halves: list[tuple[date, date]] = []
        first, k = plan.start, 1
        while True:
            last = plan.start + timedelta(days=round(k * 182.625)) - DAY
            if last >= plan.end - timedelta(days=20):
                last = plan.end
            halves.append((first, last))
            if last == plan.end:
                break
            first, k = last + DAY, k + 1
        out: list[list[Any]] = [[Report.Kind.ACTIVITY, f"{a:%m/%Y} – {b:%m/%Y}", b + timedelta(days=30), None]
                                for a, b in halves]
        for i in range(0, len(halves), 2):
            a, b = halves[i][0], halves[min(i + 1, len(halves) - 1)][1]
            out.append([Report.Kind.FINANCIAL, f"{a:%m/%Y} – {b:%m/%Y}", b + timedelta(days=60), None])
        out.sort(key=lambda r: (r[2], r[0]))
        if plan.closed_on:  # closed early: what fell due before the decision, and nothing after
            out = [r for r in out if r[2] <= plan.closed_on]
        if plan.signed_on is None:
            return out
        past = [r for r in out if r[2] < today]
        missing = 0
        if plan.late and past:
            missing = 1 if len(past) == 1 or rng.random() < 0.7 else 2
            if plan.fate == "running_ended":  # the final activity report is the one missing
                missing = max(missing, len(past) - next(i for i, r in enumerate(past) if r[2] > plan.end - DAY))
        for r in past[:len(past) - missing]:
            submitted = r[2] + timedelta(days=rng.randint(-20, 25))
            if submitted >= today:
                submitted = r[2] - timedelta(days=rng.randint(0, 10))
            r[3] = submitted
        return out

    def _convention(self, plan: Plan, domains: list[str], assoc: int) -> Convention:
        rng = self.rng
        runs = self.runs.get(assoc, [])
        if runs and rng.random() < 0.6:
            subject = f"تسيير وتدبير {rng.choice(runs)[1]}"
            per_year = rng.randint(24, 120) * 5_000
        else:
            subject = SUBJECTS.get(domains[0], SUBJECTS[Domain.WOMEN])
            per_year = rng.randint(8, 60) * 5_000
        years = round((plan.end - plan.start).days / 365) or 1
        obligations = [*OBLIGATIONS[:2], f"استقبال {rng.randint(2, 30) * 10} مستفيد(ة) على الأقل سنويا",
                       *rng.sample(OBLIGATIONS[2:], k=rng.randint(0, 2))]
        managers = self.managers.get(plan.unit, [])
        conv = self.rows.new(
            Convention, unit_id=plan.unit, association_id=assoc, subject=subject, starts_on=plan.start,
            ends_on=plan.end, amount=Decimal(per_year * years).quantize(Decimal("0.01")), obligations=obligations,
            signed_on=plan.signed_on, suspended_on=plan.suspended_on,
            suspension_reason=rng.choice(SUSPENSIONS) if plan.suspended_on else "", closed_on=plan.closed_on,
            closure_note=rng.choice(CLOSURES) if plan.closed_on else "",
            created_by_id=managers[0] if managers else None, version=1 + (plan.signed_on is not None))
        conv.status = status(conv, self.today, pending=any(r[3] is None for r in plan.reports),
                             has_reports=bool(plan.reports))
        conv.id = self.rows.take_id(Convention)
        conv.reference = f"CONV-{plan.start:%Y}-{conv.id:05d}"
        return conv

    def _tranches(self, plan: Plan, conv: Convention) -> list[Tranche]:
        rng, today = self.rng, self.today
        n = {1: 2, 2: 3}.get(round((plan.end - plan.start).days / 365), 4)
        # Some drafts are still being planned: they cannot be signed yet.
        n_planned = rng.randint(0, n - 1) if plan.fate == "draft" and rng.random() < 0.4 else n
        part = (conv.amount / n / 100).quantize(Decimal("1")) * 100
        days = (plan.end - plan.start).days
        stop = plan.suspended_on or plan.closed_on or today
        late_due = min((r[2] for r in plan.reports if r[3] is None and r[2] < today), default=None)
        out = []
        for i in range(n_planned):
            planned_on = plan.start + timedelta(days=days * i // n)
            amount = part if i < n - 1 else conv.amount - part * (n - 1)
            t = self.rows.new(Tranche, convention_id=conv.pk, number=i + 1, planned_on=planned_on,
                              planned_amount=amount, condition="بعد توقيع الاتفاقية" if i == 0 else
                              "بعد المصادقة على التقريرين الأدبي والمالي للفترة السابقة")
            if plan.signed_on and planned_on <= stop and not (late_due and planned_on > late_due):
                paid_on = max(planned_on, plan.signed_on) + timedelta(days=rng.randint(5, 40))
                if paid_on < min(stop + DAY, today):
                    t.paid_on, t.paid_amount = paid_on, amount
            out.append(t)
        return out

    def _visits(self, plan: Plan, conv: Convention, quality: float) -> tuple[list[Visit], list[VisitMark]]:
        rng = self.rng
        if not plan.signed_on or plan.start >= self.today or not self.grid:
            return [], []
        first = plan.start + timedelta(days=60)
        last = min(self.today - DAY, plan.closed_on or plan.end, plan.end)
        visitors = self.managers.get(plan.unit, [])
        visits, marks = [], []
        year = 0
        while first + timedelta(days=365 * year) <= last:
            lo = first + timedelta(days=365 * year)
            year += 1
            if rng.random() > 0.75:
                continue
            day = min(last, lo + timedelta(days=rng.randint(0, 300)))
            given = {}
            for pk, code, _weight in self.grid:
                mark = round(rng.gauss(quality, 0.8))
                if code == "reporting" and plan.late:
                    mark = min(mark, 1)
                given[pk] = max(0, min(4, mark))
            weights = {pk: w for pk, _code, w in self.grid}
            visit = self.rows.new(Visit, id=self.rows.take_id(Visit), convention_id=conv.pk, visited_on=day,
                                  visitor_id=visitors[0] if visitors else None, score=visit_score(given, weights),
                                  recommendations="\n".join(rng.sample(RECOMMENDATIONS, k=rng.randint(1, 3))),
                                  created_at=timezone.make_aware(datetime.combine(day, dtime(15))))
            visits.append(visit)
            marks += [self.rows.new(VisitMark, visit_id=visit.pk, criterion_id=pk, mark=m, weight=weights[pk])
                      for pk, m in given.items()]
        return visits, marks

    def _reminders(self, conv: Convention, report: Report) -> list[Notification]:
        """What the tick sent the day after the report fell due: read a week later, unless recent."""
        at = report.reminded_at
        assert at is not None
        read = at + timedelta(days=2) if self.now - at > timedelta(days=10) else None
        users = dict.fromkeys([*self.managers.get(conv.unit_id, []), *self.staff.get(conv.association_id, [])])
        params = {"convention": conv.reference, "report": report.kind, "due": report.due_on.isoformat()}
        return [self.rows.new(Notification, user_id=u, kind=REPORT_LATE, params=params, url=convention_url(conv),
                              created_at=at, read_at=read) for u in users]
