"""Equity across territories: is what the institution delivers spread according to need?

Pure Python (standard library only), so pages, reports and tests share one computation. Every
function returns a dataclass with the figures, the units left out (and why) and a ``method``
text; the method texts are marked for translation (``gettext_noop``) and are translated where
they are shown. Formulas, conventions and limits: docs/disclosure-and-equity.md.

Notation: unit i (a province), ``served_i`` (people served, or services, places, budget),
``need_i`` (the population in need: eligible or vulnerable people, a census or poverty-map
estimate), coverage ``x_i = served_i / need_i``, need share ``pi_i = need_i / sum(need)``,
service share ``s_i = served_i / sum(served)``.

Missing need is never read as zero: a unit whose need is unknown (``None``), or not positive, is
left out of every sum (its served count too, so that shares stay comparable) and reported in
``excluded`` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = [
    "Behind",
    "ConcentrationResult",
    "Excluded",
    "FurthestBehind",
    "GiniResult",
    "TheilGroup",
    "TheilResult",
    "concentration_index",
    "furthest_behind",
    "gini",
    "theil",
]

K = TypeVar("K", bound=Hashable)
G = TypeVar("G", bound=Hashable)


def gettext_noop(message: str) -> str:
    """Marks a text for translation (picked up by makemessages) without importing Django here."""
    return message


MISSING_NEED = gettext_noop("need unknown")
NO_NEED = gettext_noop("need is zero")
MISSING_VALUE = gettext_noop("value unknown")

GINI_METHOD = gettext_noop(
    "Population-weighted Gini coefficient of coverage: G = sum over pairs of provinces of "
    "pi_i * pi_j * |x_i - x_j| / (2 * mean coverage), where x is coverage (served / need) and pi "
    "the province's share of need. 0 means every province has the same coverage; the closer to 1, "
    "the more unequal. Provinces with unknown need are left out."
)
THEIL_METHOD = gettext_noop(
    "Theil T index of services relative to need: T = sum of s_i * ln(s_i / pi_i), where s is a "
    "province's share of services and pi its share of need (0 when services follow need exactly). "
    "It splits exactly into a between-region part, sum of S_r * ln(S_r / Pi_r) over regions, and a "
    "within-region part, sum of S_r * T_r, where T_r is the same index computed inside region r. "
    "Provinces with unknown need are left out."
)
BEHIND_METHOD = gettext_noop(
    "Provinces ranked by coverage (served / need) relative to the national rate (total served / "
    "total need over provinces with a known need), lowest first; the gap is the number of people "
    "who would be served at the national rate minus those served. Provinces with unknown need are "
    "left out."
)
CONCENTRATION_METHOD = gettext_noop(
    "Concentration index of coverage against deprivation: C = 2 * weighted covariance(x, R) / "
    "mean coverage, where R is the need-weighted fractional rank of provinces from the most to the "
    "least deprived. Negative: coverage is higher in more deprived provinces; positive: in less "
    "deprived ones; 0: no relation."
)


@dataclass(frozen=True)
class Excluded(Generic[K]):
    unit: K
    reason: str


def _check(*columns: Sequence[object]) -> int:
    n = len(columns[0])
    if any(len(c) != n for c in columns):
        raise ValueError("all inputs must have the same length")
    return n


def _need_ok(need: float | None) -> str | None:
    """Why a need figure cannot be used, or None when it can."""
    if need is None or (isinstance(need, float) and math.isnan(need)):
        return MISSING_NEED
    if need < 0:
        raise ValueError("need must not be negative")
    if need == 0:
        return NO_NEED
    return None


# --- Gini --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GiniResult:
    value: float | None  # None when no unit is left or mean coverage is 0
    mean_coverage: float | None
    n_units: int
    excluded: tuple[Excluded[int], ...]
    method: str = GINI_METHOD

    @property
    def n_excluded(self) -> int:
        return len(self.excluded)


def gini(values: Sequence[float | None], weights: Sequence[float | None]) -> GiniResult:
    """Population-weighted Gini of coverage ``values`` (x_i) with weights ``weights`` (need).

    Weights need not sum to 1. Units with an unknown value or weight, or a zero weight, are left
    out (by index in ``excluded``). O(n log n): sorted by x, sum_i sum_j p_i p_j |x_i - x_j| is
    2 * sum_j p_j * (x_j * P_<j - S_<j) with P_<j, S_<j the running sums of p and p*x.
    """
    _check(values, weights)
    excluded: list[Excluded[int]] = []
    kept: list[tuple[float, float]] = []
    for i, (x, w) in enumerate(zip(values, weights, strict=True)):
        why = _need_ok(w)
        if why is None and (x is None or math.isnan(x)):
            why = MISSING_VALUE
        if why is not None:
            excluded.append(Excluded(i, why))
            continue
        assert x is not None and w is not None
        if x < 0:
            raise ValueError("coverage must not be negative")
        kept.append((float(x), float(w)))
    if not kept:
        return GiniResult(None, None, 0, tuple(excluded))
    total_w = sum(w for _, w in kept)
    kept.sort()
    mean = sum(x * w for x, w in kept) / total_w
    if mean == 0:
        return GiniResult(None, 0.0, len(kept), tuple(excluded))
    acc = below_p = below_px = 0.0
    for x, w in kept:
        p = w / total_w
        acc += p * (x * below_p - below_px)
        below_p += p
        below_px += p * x
    # The running sums can leave a rounding residue below zero when every coverage is equal.
    return GiniResult(max(0.0, acc / mean), mean, len(kept), tuple(excluded))


# --- Theil -------------------------------------------------------------------------------------


def _xlogy_ratio(s: float, p: float) -> float:
    """s * ln(s / p), with 0 * ln(0 / p) = 0."""
    return 0.0 if s == 0 else s * math.log(s / p)


@dataclass(frozen=True)
class TheilGroup(Generic[G]):
    group: G
    served_share: float  # S_r
    need_share: float  # Pi_r
    between_term: float  # S_r * ln(S_r / Pi_r)
    within: float | None  # T_r, the index inside the group (None when the group served nobody)
    contribution: float  # between_term + S_r * T_r: the group's part of T
    n_units: int


@dataclass(frozen=True)
class TheilResult(Generic[G]):
    total: float | None  # None when nothing was served (no distribution to compare)
    between: float | None
    within: float | None  # sum of S_r * T_r
    groups: tuple[TheilGroup[G], ...]
    unit_terms: tuple[float | None, ...]  # s_i ln(s_i / pi_i) per input unit; None if excluded
    n_units: int
    excluded: tuple[Excluded[int], ...]
    method: str = THEIL_METHOD

    @property
    def n_excluded(self) -> int:
        return len(self.excluded)

    @property
    def between_share(self) -> float | None:
        """Part of the inequality that lies between groups (0..1), when T > 0."""
        if not self.total or self.between is None:
            return None
        return self.between / self.total


def theil(served: Sequence[float | None], need: Sequence[float | None], groups: Sequence[G]) -> TheilResult[G]:
    """Theil T of services relative to need, split exactly between and within ``groups`` (regions).

    ``T = sum_i s_i ln(s_i/pi_i) = sum_r S_r ln(S_r/Pi_r) + sum_r S_r T_r`` where
    ``T_r = sum_{i in r} (s_i/S_r) ln((s_i/S_r)/(pi_i/Pi_r))``. Terms with ``s_i = 0`` are 0.
    Groups are listed in order of first appearance.
    """
    n = _check(served, need, groups)
    excluded: list[Excluded[int]] = []
    kept: list[int] = []
    for i in range(n):
        why = _need_ok(need[i])
        sv = served[i]
        if why is None and (sv is None or math.isnan(sv)):
            why = MISSING_VALUE
        if why is not None:
            excluded.append(Excluded(i, why))
            continue
        assert sv is not None
        if sv < 0:
            raise ValueError("served must not be negative")
        kept.append(i)
    total_served = sum(float(served[i] or 0) for i in kept)
    total_need = sum(float(need[i] or 0) for i in kept)
    if not kept or total_served == 0:
        return TheilResult(None, None, None, (), tuple(None for _ in range(n)), len(kept), tuple(excluded))
    s = {i: float(served[i] or 0) / total_served for i in kept}
    p = {i: float(need[i] or 0) / total_need for i in kept}
    terms: list[float | None] = [None] * n
    for i in kept:
        terms[i] = _xlogy_ratio(s[i], p[i])
    members: dict[G, list[int]] = {}
    for i in kept:
        members.setdefault(groups[i], []).append(i)
    out: list[TheilGroup[G]] = []
    for g, idx in members.items():
        s_g = sum(s[i] for i in idx)
        p_g = sum(p[i] for i in idx)
        between_term = _xlogy_ratio(s_g, p_g)
        within_g = None if s_g == 0 else sum(_xlogy_ratio(s[i] / s_g, p[i] / p_g) for i in idx)
        contribution = between_term + (0.0 if within_g is None else s_g * within_g)
        out.append(TheilGroup(g, s_g, p_g, between_term, within_g, contribution, len(idx)))
    total = sum(t for t in terms if t is not None)
    between = sum(g.between_term for g in out)
    within = sum(g.served_share * g.within for g in out if g.within is not None)
    return TheilResult(total, between, within, tuple(out), tuple(terms), len(kept), tuple(excluded))


# --- Furthest behind ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Behind(Generic[K]):
    unit: K
    served: float
    need: float
    coverage: float  # served / need
    ratio: float  # coverage / national rate (1 = at the national rate)
    gap: float  # need * national rate - served: people short of the national rate (negative: ahead)
    rank: int  # 1 = furthest behind


@dataclass(frozen=True)
class FurthestBehind(Generic[K]):
    national_rate: float | None
    rows: tuple[Behind[K], ...]  # the n furthest behind, in rank order
    n_units: int
    excluded: tuple[Excluded[K], ...]
    method: str = BEHIND_METHOD

    @property
    def n_excluded(self) -> int:
        return len(self.excluded)


def furthest_behind(rows: Sequence[tuple[K, float | None, float | None]], n: int) -> FurthestBehind[K]:
    """The ``n`` units furthest behind the national coverage rate.

    ``rows``: ``(unit, served, need)``. Ranked by coverage relative to the national rate (lowest
    first), then by the larger gap in people, then in input order. A national rate of 0 (nobody
    served) ranks nobody.
    """
    excluded: list[Excluded[K]] = []
    kept: list[tuple[int, K, float, float]] = []
    for pos, (unit, sv, nd) in enumerate(rows):
        why = _need_ok(nd)
        if why is None and (sv is None or math.isnan(sv)):
            why = MISSING_VALUE
        if why is not None:
            excluded.append(Excluded(unit, why))
            continue
        assert sv is not None and nd is not None
        if sv < 0:
            raise ValueError("served must not be negative")
        kept.append((pos, unit, float(sv), float(nd)))
    total_need = sum(nd for *_, nd in kept)
    if not kept or total_need == 0:
        return FurthestBehind(None, (), len(kept), tuple(excluded))
    rate = sum(sv for _, _, sv, _ in kept) / total_need
    if rate == 0:
        return FurthestBehind(0.0, (), len(kept), tuple(excluded))
    scored = sorted(
        ((sv / nd / rate, -(nd * rate - sv), pos, unit, sv, nd) for pos, unit, sv, nd in kept),
        key=lambda r: (r[0], r[1], r[2]),
    )
    out = tuple(
        Behind(unit, sv, nd, sv / nd, ratio, -neg_gap, rank)
        for rank, (ratio, neg_gap, _, unit, sv, nd) in enumerate(scored[: max(n, 0)], start=1)
    )
    return FurthestBehind(rate, out, len(kept), tuple(excluded))


# --- Concentration index -----------------------------------------------------------------------


@dataclass(frozen=True)
class ConcentrationResult:
    value: float | None
    mean_coverage: float | None
    n_units: int
    excluded: tuple[Excluded[int], ...]
    method: str = CONCENTRATION_METHOD

    @property
    def n_excluded(self) -> int:
        return len(self.excluded)


def concentration_index(
    values: Sequence[float | None], weights: Sequence[float | None], deprivation: Sequence[float | None]
) -> ConcentrationResult:
    """Concentration index of coverage ``values`` along a deprivation ranking (higher = poorer).

    Units are ranked from the most deprived; the fractional rank of a unit is the weight share
    before it plus half its own, ties sharing the mean rank of their group. ``C = 2 cov_w(x, R) /
    mean_w(x)``; negative when coverage is concentrated in the more deprived units.
    """
    _check(values, weights, deprivation)
    excluded: list[Excluded[int]] = []
    kept: list[tuple[float, float, float]] = []  # (deprivation, x, w)
    for i, (x, w, d) in enumerate(zip(values, weights, deprivation, strict=True)):
        why = _need_ok(w)
        if why is None and (x is None or d is None or math.isnan(x) or math.isnan(d)):
            why = MISSING_VALUE
        if why is not None:
            excluded.append(Excluded(i, why))
            continue
        assert x is not None and w is not None and d is not None
        kept.append((float(d), float(x), float(w)))
    if not kept:
        return ConcentrationResult(None, None, 0, tuple(excluded))
    total_w = sum(w for *_, w in kept)
    kept.sort(key=lambda r: -r[0])
    ranks: list[float] = []
    before = 0.0
    k = 0
    while k < len(kept):
        end = k
        while end + 1 < len(kept) and kept[end + 1][0] == kept[k][0]:
            end += 1
        group_w = sum(kept[m][2] for m in range(k, end + 1)) / total_w
        ranks.extend([before + group_w / 2] * (end - k + 1))
        before += group_w
        k = end + 1
    mean_x = sum(x * w for _, x, w in kept) / total_w
    if mean_x == 0:
        return ConcentrationResult(None, 0.0, len(kept), tuple(excluded))
    mean_r = sum(r * w for r, (_, _, w) in zip(ranks, kept, strict=True)) / total_w
    cov = sum(w * (x - mean_x) * (r - mean_r) for r, (_, x, w) in zip(ranks, kept, strict=True)) / total_w
    return ConcentrationResult(2 * cov / mean_x, mean_x, len(kept), tuple(excluded))
