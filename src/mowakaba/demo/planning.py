"""The demo's action plans: the 2015-style "4+4" plan (four strategic axes) for the current
year (adopted) and the previous year (archived).

The real plan's figures (14,000 beneficiaries of new units, 77 training sessions, 2,320 staff
trained) mean nothing against a small demo institution, so the counts are set from the demo's
own activity of the year: its year-to-date figure at the run rate, divided by a chosen score,
so that the progress page shows targets on track, slightly behind and behind (a score of 1.03
is green, 0.9 amber, 0.72 red: see ``vigilance.progress``). When the year has no activity
(a plan generated before the casework) the real figures, scaled by the number of accounts as
the training generator does, stand in. Rates keep the real plan's levels: referrals completed
70 %, follow-ups on time 80 %, extreme cases within their deadlines 90 %.

Beneficiaries also get a target per region (the national target shared by census population,
±15 % so that regions differ) and per province (the region's, shared the same way), over the
territories that have an establishment, for the drill-down and for the delegates' and
coordinators' pages.

Bulk inserts; no journal entry per row. Idempotent per year: a year that has a plan is left
as it is.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from mowakaba.planning.models import ActionPlan, Axis, Objective, Target
from mowakaba.territory.models import OrgUnit, Province, Region

NATIONAL_ACCOUNTS = 4_900  # accounts of the national scale, as in demo/training.py
REAL_2015 = {"beneficiaries": 14_000, "training_sessions": 77, "staff_trained": 2_320}
# Stand-ins at the national scale for the counts the 2015 plan did not name.
REAL = {**REAL_2015, "enrolments": 9_000, "cases_opened": 12_000}

# (number, ar, fr, en, [(number, ar, fr, en, [target specs])])
# A target spec: (indicator code, how its value is set, the score it is set for, profile).
#   "count": the year's activity at the run rate ÷ score; a number: that value as such;
#   "days": the year's mean days × score (lower is better).
PLAN: list[tuple[int, str, str, str, list[tuple[int, str, str, str, list[tuple[str, Any, float, str]]]]]] = [
    (1, "الدعم المؤسساتي", "Appui institutionnel", "Institutional support", [
        (1, "فتح وحدات اجتماعية جديدة وتوسيع قاعدة المستفيدين",
         "Ouvrir de nouvelles unités sociales et élargir la couverture",
         "Open new social units and widen reach", [("beneficiaries", "count", 1.03, "linear")]),
        (2, "تعزيز الولوج إلى برامج التأهيل والإدماج", "Renforcer l'accès aux programmes de qualification et "
         "d'insertion", "Widen access to the qualification and inclusion programmes",
         [("enrolments", "count", 0.72, "linear")]),
    ]),
    (2, "تعزيز التأطير والتتبع", "Renforcement de l'encadrement et du suivi", "Stronger supervision and follow-up", [
        (1, "تكوين الأطر وتأهيلها", "Former et qualifier le personnel", "Train and qualify staff",
         [("training_sessions", "count", 0.9, "linear"), ("staff_trained", "count", 1.05, "linear")]),
        (2, "تتبع الملفات داخل الآجال", "Suivre les dossiers dans les délais", "Follow cases up within deadlines",
         [("followups_on_time_rate", 80.0, 1.0, "linear"), ("extreme_on_time_rate", 90.0, 1.0, "linear")]),
    ]),
    (3, "إعادة هيكلة العمل الاجتماعي", "Restructuration de l'action sociale", "Restructuring social work", [
        (1, "تنسيق التوجيه بين القطاعات", "Coordonner les orientations entre secteurs",
         "Coordinate referrals between sectors",
         [("referral_completion_rate", 70.0, 1.0, "linear"), ("referral_answer_days", "days", 0.9, "linear")]),
        (2, "توحيد مساطر التكفل بالحالات", "Harmoniser la prise en charge des dossiers",
         "Standardise case management", [("cases_opened", "count", 1.0, "linear")]),
    ]),
    (4, "النهوض بالتضامن", "Promotion de la solidarité", "Promoting solidarity", [
        (1, "دعم الجمعيات الشريكة ومؤسسات الرعاية", "Soutenir les associations partenaires et les établissements",
         "Support partner associations and welfare establishments",
         [("occupancy_rate", 85.0, 1.0, "year_end")]),
        (2, "تقريب الخدمات من الساكنة", "Rapprocher les services de la population",
         "Bring services closer to the people", [("beneficiaries_per_1000", "per_1000", 0.75, "linear")]),
    ]),
]

NAME = ("مخطط العمل السنوي %(year)s — 4+4", "Plan d'action %(year)s — 4+4", "Action plan %(year)s — 4+4")


def generate_plan(*, seed: int, progress: Callable[[str], None] | None = None,
                  today: date | None = None) -> dict[str, int]:
    say = progress or (lambda _msg: None)
    today = today or timezone.localdate()
    counts = {"plans": 0, "plan_targets": 0}
    for year, status in ((today.year - 1, ActionPlan.Status.ARCHIVED), (today.year, ActionPlan.Status.ADOPTED)):
        if ActionPlan.objects.filter(year=year).exists():
            continue
        with transaction.atomic():
            n = _plan(year, status, today, random.Random(seed * 31 + year))
        counts["plans"] += 1
        counts["plan_targets"] += n
    say(f"{counts['plans']} action plans, {counts['plan_targets']} targets")
    return counts


def _window(year: int, today: date) -> tuple[date, date, float]:
    from mowakaba.vigilance.progress import year_window

    start, end, _as_of, fraction = year_window(year, today)
    return start, end, fraction


def _totals(measures: Iterable[str], start: date, end: date, today: date) -> dict[str, float]:
    """The country's figures of the period: from the facts when they are there, otherwise
    counted once from the records with the facts' own measure functions."""
    from mowakaba.vigilance.measures import MEASURES
    from mowakaba.vigilance.models import Fact
    from mowakaba.vigilance.selectors import measure_totals

    wanted = [m for m in set(measures) if m in MEASURES]
    if end <= start or not wanted:
        return {}
    if Fact.objects.filter(level="N", period__gte=start, period__lt=end).exists():
        return measure_totals(wanted, level="N", territory_id=None, start=start, end=end)
    out: dict[str, float] = {}
    for code in wanted:
        m = MEASURES[code]
        if code == "beneficiaries":
            out[code] = float(_people_served(start, end))
        elif m.kind == "distinct" and m.level_rows is not None:
            out[code] = float(sum(r[5] for r in m.level_rows(start, end, today) if r[0] == "N" and r[3] == ""))
        elif m.kind == "additive" and m.rows is not None:
            out[code] = float(sum(r[5] for r in m.rows(start, end, today) if r[3] == ""))
    return out


def _people_served(start: date, end: date) -> int:
    """People served in the country from ``start`` (1 January) to ``end``: the measure's
    national figure, counted by the database in one query (a union removes the people served
    more than once) instead of walking every service of the year."""
    from mowakaba.cases.models import Case, ListeningSession
    from mowakaba.programs.models import Enrolment

    sessions = ListeningSession.objects.filter(person__isnull=False, held_at__date__gte=start,
                                               held_at__date__lt=end).values_list("person_id")
    cases = Case.objects.filter(opened_at__date__gte=start, opened_at__date__lt=end).values_list("person_id")
    enrolments = Enrolment.objects.filter(admitted_at__date__gte=start, admitted_at__date__lt=end).values_list(
        "person_id")
    return sessions.union(cases, enrolments).count()


def _territories() -> tuple[list[Region], dict[int, list[Province]]]:
    """Regions and provinces that have at least one establishment (the others would only show
    zeros against a target nobody works towards)."""
    from mowakaba.vigilance.refresh import unit_territories

    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT).values_list("pk", flat=True)
    terr = unit_territories()
    provinces_with = {terr[u][0] for u in units if u in terr and terr[u][0] is not None}
    provinces = list(Province.objects.filter(pk__in=provinces_with).order_by("code"))
    by_region: dict[int, list[Province]] = {}
    for p in provinces:
        by_region.setdefault(p.region_id, []).append(p)
    regions = list(Region.objects.filter(pk__in=by_region).order_by("code"))
    return regions, by_region


def _shares(items: list[Any], total: float, rng: random.Random) -> dict[int, float]:
    """``total`` shared by census population, each share moved by up to ±15 %."""
    pops = {i.pk: max(1, i.population_2024 or 1) for i in items}
    whole = sum(pops.values())
    return {pk: max(1.0, round(total * pop / whole * rng.uniform(0.85, 1.15))) for pk, pop in pops.items()}


def _plan(year: int, status: str, today: date, rng: random.Random) -> int:
    from mowakaba.vigilance.models import Indicator

    start, end, fraction = _window(year, today)
    indicators = {i.code: i for i in Indicator.objects.all()}
    totals = _totals(["beneficiaries", "enrolments", "training_sessions", "staff_trained", "cases_opened",
                      "referral_answer_days", "referrals_answered"], start, end, today)
    from django.contrib.auth import get_user_model

    ratio = min(1.0, get_user_model().objects.count() / NATIONAL_ACCOUNTS)
    population = sum(Region.objects.values_list("population_2024", flat=True)) or 1

    def count_target(code: str, score: float) -> float:
        actual = totals.get(code, 0.0)
        if actual > 0 and fraction > 0:
            return float(max(1, round(actual / fraction / score)))
        return float(max(1, round(REAL.get(code, 100) * ratio)))

    plan = ActionPlan.objects.create(
        year=year, status=status, name_ar=NAME[0] % {"year": year}, name_fr=NAME[1] % {"year": year},
        name_en=NAME[2] % {"year": year}, adopted_at=timezone.now() if status != ActionPlan.Status.DRAFT else None)
    axes = Axis.objects.bulk_create([Axis(plan=plan, number=n, name_ar=ar, name_fr=fr, name_en=en)
                                     for n, ar, fr, en, _objs in PLAN])
    objective_rows: list[Objective] = []
    specs: list[list[tuple[str, Any, float, str]]] = []
    for axis, (_n, _ar, _fr, _en, objs) in zip(axes, PLAN, strict=True):
        for on, oar, ofr, oen, targets in objs:
            objective_rows.append(Objective(axis=axis, number=on, name_ar=oar, name_fr=ofr, name_en=oen))
            specs.append(targets)
    objectives = Objective.objects.bulk_create(objective_rows)
    regions, provinces_by_region = _territories()
    rows: list[Target] = []
    for objective, targets in zip(objectives, specs, strict=True):
        for code, how, score, profile in targets:
            ind = indicators.get(code)
            if ind is None:
                continue
            if how == "count":
                value = count_target(code, score)
            elif how == "days":
                answered = totals.get("referrals_answered", 0.0)
                mean = totals.get("referral_answer_days", 0.0) / answered if answered else 10.0
                value = round(max(1.0, mean * score), 1)
            elif how == "per_1000":
                value = float(f"{1000 * count_target('beneficiaries', score) / population:.3g}")
            else:
                value = float(how)
            note = f"2015: {REAL_2015[code]:,}" if code in REAL_2015 else ""
            rows.append(Target(objective=objective, indicator=ind, territory=Target.Scope.NATIONAL, value=value,
                               profile=profile, note=note))
            if code == "beneficiaries":
                by_region = _shares(regions, value, rng)
                for region in regions:
                    rows.append(Target(objective=objective, indicator=ind, territory=Target.Scope.REGION,
                                       region=region, value=by_region[region.pk], profile=profile))
                    provinces = provinces_by_region.get(region.pk, [])
                    for pk, v in _shares(provinces, by_region[region.pk], rng).items():
                        rows.append(Target(objective=objective, indicator=ind, territory=Target.Scope.PROVINCE,
                                           province_id=pk, value=v, profile=profile))
    Target.objects.bulk_create(rows)
    return len(rows)
