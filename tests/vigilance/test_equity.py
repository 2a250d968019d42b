"""Equity measures: hand-computed cases, exact decomposition, and the edge cases that matter."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mowakaba.vigilance.equity import (
    MISSING_NEED,
    NO_NEED,
    concentration_index,
    furthest_behind,
    gini,
    theil,
)

# Two regions A and B, two provinces each, need 100 everywhere; served 20, 20 | 40, 20.
SERVED = [20.0, 20.0, 40.0, 20.0]
NEED = [100.0, 100.0, 100.0, 100.0]
REGION = ["A", "A", "B", "B"]


def test_theil_by_hand() -> None:
    """Shares of need pi = 1/4 each; shares of services s = .2, .2, .4, .2.

    T = 3 * .2 ln(.2/.25) + .4 ln(.4/.25) = -0.1338861 + 0.1880015 = 0.0541154
    Between: S_A = .4, Pi_A = .5 -> .4 ln .8 = -0.0892574; S_B = .6 -> .6 ln 1.2 = 0.1093929
             between = 0.0201355
    Within A: shares inside .5/.5 against .5/.5 -> T_A = 0
    Within B: 2/3 ln(4/3) + 1/3 ln(2/3) = 0.1917880 - 0.1351550 = 0.0566330; S_B T_B = 0.0339798
    Between + within = 0.0541153.
    """
    r = theil(SERVED, NEED, REGION)
    assert r.total == pytest.approx(0.0541154, abs=1e-6)
    assert r.between == pytest.approx(0.0201355, abs=1e-6)
    assert r.within == pytest.approx(0.0339798, abs=1e-6)
    a, b = r.groups
    assert (a.group, b.group) == ("A", "B")
    assert a.within == pytest.approx(0.0) and b.within == pytest.approx(0.0566330, abs=1e-6)
    assert a.served_share == pytest.approx(0.4) and b.need_share == pytest.approx(0.5)
    assert a.contribution + b.contribution == pytest.approx(r.total)
    assert sum(t for t in r.unit_terms if t is not None) == pytest.approx(r.total)
    assert r.between_share == pytest.approx(0.0201355 / 0.0541154, abs=1e-5)
    assert r.n_units == 4 and r.n_excluded == 0 and "ln" in r.method


def test_gini_by_hand() -> None:
    """Coverage .2, .2, .4, .2 with equal weights: mean .25.

    Ordered pairs that differ: the .4 against each .2, both ways: 6 pairs * (1/4 * 1/4) * .2 = .075.
    G = .075 / (2 * .25) = 0.15.
    """
    r = gini([s / n for s, n in zip(SERVED, NEED, strict=True)], NEED)
    assert r.value == pytest.approx(0.15)
    assert r.mean_coverage == pytest.approx(0.25)


def test_furthest_behind_by_hand() -> None:
    """Served / need: P1 10/100, P2 30/100, P3 5/20, P4 55/80. National rate 100/300 = 1/3.

    Ratios to national: .3, .9, .75, 2.0625. Gaps: 33.3-10 = 23.3, 33.3-30 = 3.3, 6.67-5 = 1.67,
    26.7-55 = -28.3. Furthest behind: P1 then P3 (lower ratio than P2 though a smaller gap).
    """
    rows = [("P1", 10.0, 100.0), ("P2", 30.0, 100.0), ("P3", 5.0, 20.0), ("P4", 55.0, 80.0), ("P5", 7.0, None)]
    r = furthest_behind(rows, 2)
    assert r.national_rate == pytest.approx(1 / 3)
    assert [b.unit for b in r.rows] == ["P1", "P3"]
    assert r.rows[0].ratio == pytest.approx(0.3) and r.rows[0].gap == pytest.approx(100 / 3 - 10)
    assert r.rows[1].ratio == pytest.approx(0.75) and r.rows[1].gap == pytest.approx(20 / 3 - 5)
    assert [b.rank for b in r.rows] == [1, 2]
    # P5's need is unknown: left out of the national rate and reported, not counted as zero need.
    assert r.n_units == 4 and [(e.unit, e.reason) for e in r.excluded] == [("P5", MISSING_NEED)]
    everyone = furthest_behind(rows, 10)
    assert [b.unit for b in everyone.rows] == ["P1", "P3", "P2", "P4"]
    assert everyone.rows[-1].gap < 0


def test_ties_in_coverage_rank_the_larger_gap_first() -> None:
    r = furthest_behind([("small", 1.0, 10.0), ("large", 100.0, 1000.0), ("ahead", 500.0, 1000.0)], 2)
    assert [b.unit for b in r.rows] == ["large", "small"]


def test_proportional_distribution_gives_zero() -> None:
    need = [120.0, 30.0, 50.0, 800.0, 1.0]
    served = [n * 0.37 for n in need]
    groups = [1, 1, 2, 2, 3]
    t = theil(served, need, groups)
    assert t.total == pytest.approx(0.0, abs=1e-12)
    assert t.between == pytest.approx(0.0, abs=1e-12) and t.within == pytest.approx(0.0, abs=1e-12)
    g = gini([s / n for s, n in zip(served, need, strict=True)], need)
    assert g.value == pytest.approx(0.0, abs=1e-12)


def test_missing_need_is_excluded_and_counted_never_zero() -> None:
    served = [20.0, 20.0, 40.0, 20.0, 999.0, 5.0]
    need: list[float | None] = [100.0, 100.0, 100.0, 100.0, None, 0.0]
    t = theil(served, need, [*REGION, "B", "A"])
    # The same figures as the four-province case: the two bad units changed nothing.
    assert t.total == pytest.approx(theil(SERVED, NEED, REGION).total)
    assert t.n_units == 4 and t.n_excluded == 2
    assert [(e.unit, e.reason) for e in t.excluded] == [(4, MISSING_NEED), (5, NO_NEED)]
    assert t.unit_terms[4] is None and t.unit_terms[5] is None
    g = gini([0.2, 0.2, 0.4, 0.2, None, 0.3], [100.0, 100.0, 100.0, 100.0, 50.0, None])
    assert g.value == pytest.approx(0.15) and g.n_excluded == 2


def test_zero_served_units_and_groups() -> None:
    """0 ln 0 = 0: a province that served nobody adds nothing to T; a region that served nobody
    has no within index (None) and contributes only its between term (0)."""
    t = theil([0.0, 50.0, 0.0, 0.0], [100.0, 100.0, 100.0, 100.0], ["A", "A", "B", "B"])
    assert t.unit_terms[0] == 0.0
    # All services in one province holding 1/4 of need: T = ln 4.
    assert t.total == pytest.approx(math.log(4))
    b = t.groups[1]
    assert b.within is None and b.contribution == 0.0
    assert t.between == pytest.approx(math.log(2)) and t.within == pytest.approx(math.log(2))


def test_nothing_served_gives_no_figure() -> None:
    assert theil([0.0, 0.0], [10.0, 10.0], ["A", "B"]).total is None
    assert gini([0.0, 0.0], [10.0, 10.0]).value is None
    assert furthest_behind([("a", 0.0, 10.0)], 3).rows == ()
    assert gini([], []).value is None


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        theil([1.0], [-1.0], ["A"])
    with pytest.raises(ValueError):
        gini([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        gini([-0.5], [1.0])


def test_concentration_index_by_hand() -> None:
    """Two equal-weight provinces, coverage 1 (most deprived) and 3. Ranks .25 and .75, mean 2.

    cov = .5 * (-1) * (-.25) + .5 * 1 * .25 = .25; C = 2 * .25 / 2 = .25 (favours the less deprived).
    """
    r = concentration_index([1.0, 3.0], [1.0, 1.0], [5.0, 1.0])
    assert r.value == pytest.approx(0.25)
    assert concentration_index([3.0, 1.0], [1.0, 1.0], [5.0, 1.0]).value == pytest.approx(-0.25)
    # Ties in deprivation share a rank: no relation can be seen.
    assert concentration_index([1.0, 3.0], [1.0, 1.0], [2.0, 2.0]).value == pytest.approx(0.0)
    r = concentration_index([1.0, 3.0, 2.0], [1.0, 1.0, None], [5.0, 1.0, 3.0])
    assert r.value == pytest.approx(0.25) and r.n_excluded == 1


# --- properties --------------------------------------------------------------------------------

units = st.lists(
    st.tuples(
        st.floats(0, 1000, allow_nan=False),  # served
        st.floats(0.5, 5000, allow_nan=False),  # need
        st.sampled_from("ABCD"),  # region
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(units)
def test_theil_decomposes_exactly(rows: list[tuple[float, float, str]]) -> None:
    served, need, groups = zip(*rows, strict=True)
    t = theil(list(served), list(need), list(groups))
    if t.total is None:
        assert sum(served) == 0
        return
    assert t.between is not None and t.within is not None
    assert t.total >= -1e-12 and t.between >= -1e-12 and t.within >= -1e-12
    assert t.between + t.within == pytest.approx(t.total, abs=1e-9)
    assert sum(g.contribution for g in t.groups) == pytest.approx(t.total, abs=1e-9)
    assert sum(g.served_share for g in t.groups) == pytest.approx(1.0)
    assert sum(g.need_share for g in t.groups) == pytest.approx(1.0)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 10).map(lambda v: round(v, 6)), st.floats(0.1, 100)), min_size=1, max_size=30
    )
)
def test_gini_matches_its_definition(rows: list[tuple[float, float]]) -> None:
    x, w = zip(*rows, strict=True)
    r = gini(list(x), list(w))
    total = sum(w)
    p = [wi / total for wi in w]
    mean = sum(pi * xi for pi, xi in zip(p, x, strict=True))
    if mean == 0:
        assert r.value is None
        return
    direct = sum(pi * pj * abs(xi - xj) for pi, xi in zip(p, x, strict=True) for pj, xj in zip(p, x, strict=True))
    assert r.value == pytest.approx(direct / (2 * mean), abs=1e-9)
    assert r.value is not None and 0 <= r.value < 1
    # Scale-free: the same inequality whatever the unit of coverage.
    assert gini([xi * 7 for xi in x], list(w)).value == pytest.approx(r.value, abs=1e-9)
