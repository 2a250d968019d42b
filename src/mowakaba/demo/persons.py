"""Synthetic persons for the registry, with planted duplicates written the way agents write them.

Each establishment gets persons in proportion to its capacity; names in both scripts, sometimes
only one; obviously fake CIN numbers (``ZZ`` prefix) and phones in an unassigned block. A share
of persons is registered a second time, elsewhere in the same province, with the spelling an
agent might use (Mohammed for Mohamed, Fatimazahra, Al Fassi, a typo, a missing father's name,
only the Arabic or only the Latin form, hamza and ta marbuta variants). Their external references
say which record they copy (``P123`` and ``P123-D``), so benchmarks can measure recall.

Where people come from follows the 2024 census (issue 7), so the demo's coverage maps look like
a country rather than noise (see ``placement`` below for the method):

* a commune's **need weight** is its average share of the national estimated need over the
  census target groups (``NeedEstimate``: people with a disability, aged 60+ and 75+, children
  out of school, illiterate women, households in basic dwellings or slums, without running
  water); each group counts equally, a group the census leaves missing for a commune is left
  out of its average. Without estimates (census not loaded) the weight is the population;
* a province registers persons in proportion to its need times the square root of the
  institution's presence there (capacity share ÷ need share, bounded), times a "dynamism"
  factor drawn once per province: provinces with more need have more beneficiaries, yet
  coverage (served ÷ need) varies, lower where the institution is thin on the ground for the
  need, as in the poorer rural provinces;
* within a province, persons are registered by its establishments in proportion to capacity, and
  live in the establishment's commune, a commune of the same cercle (the HCP code's first three
  parts) or elsewhere in the province, the last two drawn by need weight;
* age comes from the commune's census age structure restricted and skewed to the
  establishment type's target groups (children, elderly, students, women...) for half of its
  persons, to the general public's (children ×1.5, elderly ×2) for the others; sex from the
  commune's sex ratio or the type's public; a disability with the commune's prevalence times
  ``DISABILITY_FACTOR``, since people who come to a social institution are more often disabled
  than the population (nearly everyone in a disability centre).

All weights are computed once per commune, province and establishment before the loop: no query
per person.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from django.db import transaction

from mowakaba.registry.keys import bulk_keys, vocabulary_rebuild
from mowakaba.registry.models import Consent, IdentityDocument, NameKey, Person, Phone
from mowakaba.territory.models import CensusProfile, Commune, NeedEstimate, OrgUnit
from mowakaba.territory.need import PEOPLE_FIELDS

from .casework import DISABILITY_KINDS
from .names import random_person_name

LATIN_VARIANTS: dict[str, list[str]] = {
    "Mohamed": ["Mohammed", "Mohamad", "Mouhamed", "Mohammad"],
    "Mohammed": ["Mohamed", "Mohamad"],
    "Ahmed": ["Ahmad", "Ahmid"],
    "Youssef": ["Yousef", "Youcef", "Yusuf", "Youssif"],
    "Fatima Zahra": ["Fatimazahra", "Fatima-Zahra", "Fatima Ezzahra", "Fatim Zahra"],
    "Abdelkader": ["Abdel Kader", "Abdelkhader", "Abdelqader"],
    "Abdellah": ["Abdallah", "Abdelah", "Abdullah"],
    "Khadija": ["Khadidja", "Khadijah", "Khedija"],
    "Aicha": ["Aisha", "Aïcha", "Aycha"],
    "Said": ["Saïd", "Saaid"],
    "Hicham": ["Hisham", "Hichame"],
    "Rachid": ["Rashid", "Rachide"],
    "Meryem": ["Maryam", "Meriem", "Mariam"],
    "Zineb": ["Zaynab", "Zainab", "Zinab"],
    "Hanane": ["Hanan", "Hannane"],
    "Noureddine": ["Nour Eddine", "Nourdine", "Nour-Eddine"],
    "Brahim": ["Ibrahim", "Brahime"],
    "Mustapha": ["Mustafa", "Moustapha"],
}
PREFIX_VARIANTS = [("El ", ["Al ", "El-", "El"]), ("Ait ", ["Aït ", "Ait-", "Ait"]), ("Ben", ["Ben ", "Bin "]),
                   ("Bou", ["Bou "])]
ARABIC_SWAPS = [("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ة", "ه"), ("ى", "ي"), ("ي", "ى")]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice("dsr")
    if op == "d":
        return word[:i] + word[i + 1:]
    if op == "s":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]  # doubled letter


def _latin_variant(rng: random.Random, name: str) -> str:
    if name in LATIN_VARIANTS and rng.random() < 0.7:
        return rng.choice(LATIN_VARIANTS[name])
    for prefix, options in PREFIX_VARIANTS:
        if name.startswith(prefix) and rng.random() < 0.7:
            return rng.choice(options) + name[len(prefix):]
    return _typo(rng, name) if rng.random() < 0.5 else name


def _arabic_variant(rng: random.Random, name: str) -> str:
    for a, b in ARABIC_SWAPS:
        if a in name and rng.random() < 0.6:
            return name.replace(a, b, 1)
    if rng.random() < 0.3 and len(name) > 2:
        return name[:2] + "ـ" + name[2:]  # tatweel, as some keyboards insert it
    return name


def _variant(rng: random.Random, f: dict[str, Any]) -> dict[str, Any]:
    g = dict(f)
    for field in ("given_name_lat", "family_name_lat"):
        if g[field]:
            g[field] = _latin_variant(rng, g[field])
    for field in ("given_name_ar", "family_name_ar"):
        if g[field]:
            g[field] = _arabic_variant(rng, g[field])
    roll = rng.random()
    has_ar, has_lat = bool(g["given_name_ar"] or g["family_name_ar"]), bool(g["given_name_lat"] or g["family_name_lat"])
    if roll < 0.25 and has_lat:
        g["given_name_ar"] = g["family_name_ar"] = g["father_name_ar"] = ""  # only the Latin form
    elif roll < 0.45 and has_ar:
        g["given_name_lat"] = g["family_name_lat"] = g["father_name_lat"] = ""  # only the Arabic form
    if rng.random() < 0.6:
        g["father_name_ar"] = g["father_name_lat"] = ""
    if g["birth_date"] and rng.random() < 0.35:
        g["birth_year_only"] = True
        g["birth_date"] = date(g["birth_date"].year, 1, 1)
    return g


# ---- placement by need (issue 7) ------------------------------------------------------------

# People who come to a social institution are more often disabled than the population: the
# census prevalence (4.8% nationally in 2024, a narrow definition) is multiplied by this factor
# for the persons registered by establishments without a disability public of their own.
DISABILITY_FACTOR = 3.0
# Where an establishment's persons live: its own commune, another commune of its cercle (or
# urban group: the HCP code's first three parts, the nearest we know without coordinates), or
# anywhere in the province; the last two drawn by need weight.
OWN_COMMUNE, SAME_CERCLE = 0.6, 0.25
# How much the institution's presence (capacity share ÷ need share, square-rooted) raises or
# lowers a province's registrations, bounded: the smallest provinces have two establishments
# whatever their need, which would otherwise give them ten times the national coverage.
PRESENCE_BOUNDS = (0.5, 1.6)
# How far a province's recruitment departs from its need and capacity (log-normal sigma): local
# dynamism, partners, access. Keeps coverage uneven, so the rankings have someone behind.
PROVINCE_SPREAD = 0.3
# The share of an establishment's registrations that are its type's own public; the others are
# the general public (family members, people who came for information and were sent on).
# Without it the large training centres and boarding houses would leave few elderly people.
TYPE_PUBLIC_SHARE = 0.5

AGE_FIELDS = ["age_0_4", "age_5_9", "age_10_14", "age_15_19", "age_20_24", "age_25_29", "age_30_34", "age_35_39",
              "age_40_44", "age_45_49", "age_50_54", "age_55_59", "age_60_64", "age_65_69", "age_70_74",
              "age_75_plus"]
# The bands the census profile keeps (the young and the old: what the estimates use).
KEPT_AGE_FIELDS = tuple(f for f in AGE_FIELDS if f in PEOPLE_FIELDS)
AGE_BINS = [(5 * i, 5 * i + 4) for i in range(15)] + [(75, 94)]
# RGPH 2024, Morocco (HCP): used where a commune's census cell is missing.
NATIONAL_AGES = [7.6, 9.3, 9.6, 8.2, 7.3, 6.8, 7.2, 7.0, 6.9, 6.1, 5.6, 4.7, 4.7, 3.4, 2.6, 3.1]
NATIONAL_DISABILITY, NATIONAL_FEMALE = 4.8, 50.1


@dataclass(frozen=True)
class Public:
    """Who an establishment type serves: an age range; how much more often than their share of
    the population children (under 18) and elderly people (60+) come; the share of women (None:
    the commune's); the share with a disability (None: the commune's prevalence × factor)."""

    lo: int = 0
    hi: int = 94
    children: float = 1.5
    elderly: float = 2.0
    women: float | None = None
    disabled: float | None = None


GENERAL_PUBLIC = Public()  # assistance centres, proximity units, community centres: everyone, more so the weak
PUBLICS: dict[str, Public] = {
    "kindergarten": Public(3, 5),
    "eps_children": Public(0, 17), "upe": Public(0, 17),
    "eps_student": Public(12, 19),
    "eps_elderly": Public(60, 94),
    "cef": Public(14, 40, women=0.85),
    "emf": Public(16, 70, children=1.0, elderly=0.5, women=0.95),
    "eps_women": Public(16, 60, women=1.0),
    "cfa": Public(15, 30, women=0.4),
    "ceo": Public(0, 70, children=2.0, elderly=0.5, women=0.7),
    "eps_homeless": Public(18, 94, children=1.0, elderly=1.5, women=0.2),
    "eps_disability": Public(disabled=0.9), "coaph": Public(disabled=0.8),
}


class Cumulative:
    """A weighted choice with its cumulative weights computed once (``rng.choices`` with plain
    weights sums them again at every call: too slow for a million persons)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1] if self.cum else 0.0

    def pick(self, rng: random.Random) -> Any:
        return self.items[min(bisect(self.cum, rng.random() * self.total), len(self.items) - 1)]


@dataclass
class CommuneProfile:
    need: float  # need weight, a share of the national need (or of the population)
    ages: list[float]  # census age shares, per AGE_BINS
    disability: float  # prevalence, per cent
    female: float  # per cent


def commune_need(communes: dict[int, tuple[str, int]]) -> dict[int, float]:
    """Each commune's need weight: its average share of the national estimated need over the
    census target groups, each group counting equally; a group the census leaves missing for a
    commune is left out of that commune's average. Falls back to the population share where no
    estimate exists (census not loaded). ``communes``: pk -> (HCP code, population)."""
    by_code = {code: pk for pk, (code, _pop) in communes.items()}
    values: dict[str, dict[int, float]] = {}
    for code, group, value in NeedEstimate.objects.filter(level="C", year=2024, value__isnull=False).values_list(
            "code", "group", "value"):
        if code in by_code and value is not None and value >= 0:
            values.setdefault(group, {})[by_code[code]] = value
    totals = {g: sum(v.values()) for g, v in values.items()}
    population = sum(pop for _code, pop in communes.values()) or 1
    need: dict[int, float] = {}
    for pk, (_code, pop) in communes.items():
        shares = [v[pk] / totals[g] for g, v in values.items() if pk in v and totals[g] > 0]
        need[pk] = sum(shares) / len(shares) if shares else pop / population
    return need


def _age_shares(v: dict[str, Any]) -> list[float]:
    """The 16 five-year shares of AGE_BINS from a profile. The census profile keeps the young and
    old bands only (what the estimates use); the 15–59 remainder is spread over its bands with
    the national shape. A profile missing any kept band gets the national structure."""
    known = {f: float(v[f]) for f in AGE_FIELDS if isinstance(v.get(f), int | float)}
    if not all(f in known for f in KEPT_AGE_FIELDS):
        return NATIONAL_AGES
    middle = [i for i, f in enumerate(AGE_FIELDS) if f not in KEPT_AGE_FIELDS]
    rest = max(100.0 - sum(known[f] for f in KEPT_AGE_FIELDS), 0.0)
    national_middle = sum(NATIONAL_AGES[i] for i in middle)
    return [known[f] if f in KEPT_AGE_FIELDS else rest * NATIONAL_AGES[i] / national_middle
            for i, f in enumerate(AGE_FIELDS)]


def commune_profiles(communes: dict[int, tuple[str, int]]) -> dict[int, CommuneProfile]:
    """The need weight and the census figures the persons are drawn from, for every commune,
    in two queries. A missing census cell falls back to the national figure (never to zero)."""
    need = commune_need(communes)
    census: dict[tuple[str, str], dict[str, Any]] = {
        (code, sex): values for code, sex, values in CensusProfile.objects.filter(
            level="C", sex__in=["all", "female"], year=2024).values_list("code", "sex", "values")}
    profiles: dict[int, CommuneProfile] = {}
    for pk, (code, _pop) in communes.items():
        v = census.get((code, "all")) or {}
        total, women = v.get("population_municipal"), (census.get((code, "female")) or {}).get("population_municipal")
        profiles[pk] = CommuneProfile(
            need=need[pk], ages=_age_shares(v),
            disability=float(v.get("disability_prevalence", NATIONAL_DISABILITY)),
            female=100.0 * women / total if total and women is not None else NATIONAL_FEMALE,
        )
    return profiles


def _age_choice(profile: CommuneProfile, public: Public) -> Cumulative:
    """Age bins clipped to the public's range, weighted by the census share of the part kept and
    by the public's preference for children or elderly people."""
    bins, weights = [], []
    for (a, b), share in zip(AGE_BINS, profile.ages, strict=True):
        lo, hi = max(a, public.lo), min(b, public.hi)
        if lo > hi:
            continue
        boost = public.children if hi < 18 else public.elderly if lo >= 60 else 1.0
        bins.append((lo, hi))
        weights.append(max(share, 0.01) * (hi - lo + 1) / (b - a + 1) * boost)
    return Cumulative(bins, weights)


def placement(rng: random.Random, establishments: list[tuple[int, int, int, int | None, str | None]],
              profiles: dict[int, CommuneProfile], communes: dict[int, tuple[str, int]]
              ) -> tuple[Cumulative, dict[int, tuple[Cumulative, Cumulative]]]:
    """Which establishment registers the next person (province by need × presence × a dynamism
    factor, then capacity within the province), and for each commune the communes of its cercle
    and of its province, drawn by need."""
    need_p: dict[int, float] = {}
    communes_p: dict[int, list[int]] = {}
    cercles: dict[str, list[int]] = {}
    comm_province = dict(Commune.objects.values_list("pk", "province_id"))
    for pk, (code, _pop) in sorted(communes.items()):
        pid = comm_province[pk]
        need_p[pid] = need_p.get(pid, 0.0) + profiles[pk].need
        communes_p.setdefault(pid, []).append(pk)
        cercles.setdefault(code.rsplit(".", 1)[0], []).append(pk)
    capacity = [max(cap or 20, 10) for _e, _c, _p, cap, _t in establishments]
    cap_p: dict[int, float] = {}
    for (_e, _c, pid, _cap, _t), w in zip(establishments, capacity, strict=True):
        cap_p[pid] = cap_p.get(pid, 0.0) + w
    total_need = sum(need_p[p] for p in cap_p) or 1.0
    total_cap = sum(cap_p.values()) or 1.0
    factor = {}
    for pid in sorted(cap_p):
        need_share = need_p.get(pid, 0.0) / total_need
        presence = math.sqrt(cap_p[pid] / total_cap / need_share) if need_share else 1.0
        factor[pid] = (need_share * min(max(presence, PRESENCE_BOUNDS[0]), PRESENCE_BOUNDS[1])
                       * rng.lognormvariate(0.0, PROVINCE_SPREAD))
    weights = [factor[pid] * w / cap_p[pid]
               for (_e, _c, pid, _cap, _t), w in zip(establishments, capacity, strict=True)]
    by_province = {pid: Cumulative(cs, [profiles[c].need for c in cs]) for pid, cs in communes_p.items()}
    by_cercle = {key: Cumulative(cs, [profiles[c].need for c in cs]) for key, cs in cercles.items()}
    nearby = {c: (by_cercle[communes[c][0].rsplit(".", 1)[0]], by_province[comm_province[c]]) for c in communes}
    return Cumulative(establishments, weights), nearby


def generate_persons(*, total: int, seed: int = 2026, duplicate_share: float = 0.03,
                     progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    establishments: list[tuple[int, int, int, int | None, str | None]] = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT).order_by("pk").values_list(
            "pk", "commune_id", "commune__province_id", "capacity", "establishment_type__code"))
    communes = {pk: (code, pop) for pk, code, pop in Commune.objects.order_by("pk").values_list(
        "pk", "code", "population_2024")}
    profiles = commune_profiles(communes)
    pick_establishment, nearby = placement(rng, establishments, profiles, communes)
    by_province: dict[int, list[tuple[int, int, int, int | None, str | None]]] = {}
    for e in establishments:
        by_province.setdefault(e[2], []).append(e)
    ages: dict[tuple[int, str | None], Cumulative] = {}  # (commune, type): age bins, built when first met
    pick_disability = Cumulative([k for k, _w in DISABILITY_KINDS], [w for _k, w in DISABILITY_KINDS])
    today = date.today()
    originals = int(total / (1 + duplicate_share))
    planted = 0
    written = 0
    cin_seq = rng.randrange(100000, 200000)
    chunk: list[tuple[dict[str, Any], str, str]] = []

    def flush() -> None:
        nonlocal chunk, written
        if not chunk:
            return
        with transaction.atomic():
            persons = Person.objects.bulk_create([Person(**f) for f, _c, _p in chunk], batch_size=2000)
            docs = [IdentityDocument(person_id=p.pk, kind="cin", number=c, status="seen")
                    for p, (_f, c, _p) in zip(persons, chunk, strict=True) if c]
            phones = [Phone(person_id=p.pk, number=ph) for p, (_f, _c, ph) in zip(persons, chunk, strict=True) if ph]
            IdentityDocument.objects.bulk_create(docs, batch_size=5000)
            Phone.objects.bulk_create(phones, batch_size=5000)
            if recorder:
                Consent.objects.bulk_create([
                    Consent(person_id=p.pk, purpose="listening", method="oral", given_on=p.created_at.date(),
                            recorded_by_id=recorder) for p in persons[: len(persons) // 2]
                ], batch_size=5000)
            NameKey.objects.bulk_create(bulk_keys(persons), batch_size=10000)
        written += len(persons)
        chunk = []
        if progress:
            progress(written, total)

    from mowakaba.accounts.models import User

    recorder = User.objects.filter(username="agent.casa").values_list("pk", flat=True).first()
    for n in range(originals):
        est = pick_establishment.pick(rng)
        own_public = rng.random() < TYPE_PUBLIC_SHARE and (est[4] or "") in PUBLICS
        public = PUBLICS[est[4] or ""] if own_public else GENERAL_PUBLIC
        roll = rng.random()
        commune = (est[1] if roll < OWN_COMMUNE else
                   nearby[est[1]][0 if roll < OWN_COMMUNE + SAME_CERCLE else 1].pick(rng))
        profile = profiles[commune]
        sex = "F" if rng.random() < (public.women if public.women is not None else profile.female / 100) else "M"
        given_lat, family_lat, given_ar, family_ar = random_person_name(rng, sex)
        father_lat, _f, father_ar, _fa = random_person_name(rng, "M")
        key = (commune, est[4] if own_public else None)
        if key not in ages:
            ages[key] = _age_choice(profile, public)
        lo, hi = ages[key].pick(rng)
        age = rng.randint(lo, hi)
        disabled = public.disabled if public.disabled is not None else profile.disability / 100 * DISABILITY_FACTOR
        born = today - timedelta(days=age * 365 + rng.randint(0, 364))
        script = rng.random()
        arabic, latin = script < 0.85, script > 0.15  # most records carry both scripts
        fields: dict[str, Any] = {
            "external_ref": f"P{n}", "establishment_id": est[0], "sex": sex,
            "given_name_ar": given_ar if arabic else "", "family_name_ar": family_ar if arabic else "",
            "father_name_ar": father_ar if script < 0.5 else "",
            "given_name_lat": given_lat if latin else "", "family_name_lat": family_lat if latin else "",
            "father_name_lat": father_lat if 0.15 < script < 0.5 else "",
            "birth_date": born, "birth_year": born.year, "birth_year_only": rng.random() < 0.15,
            "commune_id": commune,
            "disability": pick_disability.pick(rng) if rng.random() < disabled else "",
        }
        cin_seq += 1
        # Obviously fake CINs: a Z prefix (ZZ, ZY, ...) and six digits, valid in form only.
        cin = (f"Z{chr(90 - cin_seq // 1_000_000)}{cin_seq % 1_000_000:06d}"
               if age >= 18 and rng.random() < 0.6 else "")
        phone = f"+2126000{rng.randrange(0, 100000):05d}" if age >= 16 and rng.random() < 0.5 else ""
        chunk.append((fields, cin, phone))
        if rng.random() < duplicate_share:
            twin = _variant(rng, fields)
            twin["external_ref"] = f"P{n}-D"
            twin["establishment_id"] = rng.choice(by_province[est[2]])[0]
            chunk.append((twin, cin if rng.random() < 0.3 else "", phone if rng.random() < 0.3 else ""))
            planted += 1
        if len(chunk) >= 10000:
            flush()
    flush()
    vocabulary_rebuild()
    return {"persons": written, "planted_duplicates": planted}
