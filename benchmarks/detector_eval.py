"""Evaluate the surge detector on synthetic weekly series and print JSON.

The series are generated here with a fixed seed: levels from 0.5 to 200 a week, a winter campaign
(Dec–Feb) in most units, a yearly wave, a Ramadan-like bump moving ~11 days earlier each year,
linear or log-linear trends, negative-binomial over-dispersion, short histories (new units),
late reports read as zero (at the end, or at random weeks), absent weeks, and injected surges of
several sizes (+50 % … +300 % of the expected count) and shapes (one-week spike, step of 4–8
weeks, ramp of 6–10 weeks).

Scoring, per parameter setting:
- recall: a surge episode is detected when at least one alarm falls inside it;
- false alarms per unit-year: alarms outside every injected surge ÷ (weeks of data / 52);
- delay: weeks from the start of the surge to its first alarm (detected episodes only).

    .venv/bin/python benchmarks/detector_eval.py [--units 800] [--years 5] [--seed 6] [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mowakaba.vigilance.detector import DEFAULT, DetectorParams, detect_series  # noqa: E402

START = date(2021, 1, 4)  # a Monday
# First day of Ramadan, 2021–2026 (moves ~11 days earlier each year).
RAMADAN = [date(2021, 4, 13), date(2022, 4, 2), date(2023, 3, 23), date(2024, 3, 11), date(2025, 3, 1),
           date(2026, 2, 18)]
LEVEL_BANDS = [("0.5-2", 0.5, 2.0), ("2-10", 2.0, 10.0), ("10-50", 10.0, 50.0), ("50-200", 50.0, 200.0)]
SIZES = [0.5, 1.0, 2.0, 3.0]
SHAPES = ["spike", "step", "ramp"]


@dataclass
class Surge:
    start: int
    end: int  # inclusive week index
    shape: str
    size: float


@dataclass
class Series:
    unit: str
    band: str
    short: bool
    dispersion: str
    points: list[tuple[date, int]]
    surges: list[Surge] = field(default_factory=list)
    size: float = math.inf  # negative-binomial size (inf = Poisson)
    normal_mean: dict[int, float] = field(default_factory=dict)  # week → mean without surge (for the oracle)


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, prod = math.exp(-lam), 0, rng.random()
        while prod > limit:
            k += 1
            prod *= rng.random()
        return k
    # PTRS, Hörmann (1993): transformed rejection for large means.
    slam, loglam = math.sqrt(lam), math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b)) <= (
                -lam + k * loglam - math.lgamma(k + 1)):
            return k


def neg_binomial(rng: random.Random, mu: float, size: float) -> int:
    if math.isinf(size):
        return poisson(rng, mu)
    return poisson(rng, rng.gammavariate(size, mu / size))


def in_ramadan(d: date) -> bool:
    return any(r - timedelta(days=3) <= d < r + timedelta(days=31) for r in RAMADAN)


def make_series(rng: random.Random, idx: int, weeks: int) -> Series:
    band, lo, hi = LEVEL_BANDS[idx % len(LEVEL_BANDS)]
    level = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    short = rng.random() < 0.2
    first = weeks - rng.randint(26, 52) if short else 0
    trend_kind = rng.choice(["none", "none", "linear", "log"])
    growth = rng.uniform(-0.3, 0.6)
    winter = rng.uniform(0.3, 1.5) if rng.random() < 0.7 else 0.0
    soft_winter = rng.random() < 0.5
    wave, phase = rng.uniform(0, 0.25), rng.uniform(0, 2 * math.pi)
    ramadan = rng.uniform(0.2, 0.8) if rng.random() < 0.5 else 0.0
    size_name, size = rng.choice([("poisson", math.inf), ("nb20", 20.0), ("nb8", 8.0), ("nb4", 4.0)])

    surges: list[Surge] = []
    n_surges = rng.choices([0, 1, 2, 3], weights=[3, 3, 2, 1])[0]
    for _ in range(n_surges):
        shape = rng.choice(SHAPES)
        length = 1 if shape == "spike" else rng.randint(4, 8) if shape == "step" else rng.randint(6, 10)
        for _try in range(20):
            s = rng.randint(first + 10, weeks - 4 - length)
            if all(s > o.end + 8 or s + length - 1 < o.start - 8 for o in surges):
                surges.append(Surge(s, s + length - 1, shape, rng.choice(SIZES)))
                break

    late_end = rng.randint(1, 3) if rng.random() < 0.25 else 0
    random_zero = 0.03 if rng.random() < 0.15 else 0.0
    absent = 0.05 if rng.random() < 0.1 else 0.0
    points: list[tuple[date, int]] = []
    normal_mean: dict[int, float] = {}
    for t in range(first, weeks):
        d = START + timedelta(weeks=t)
        mu = level
        if trend_kind == "linear":
            mu *= max(0.2, 1 + growth * t / 52)
        elif trend_kind == "log":
            mu *= math.exp(math.log1p(growth) * t / 52)
        if d.month in (12, 1, 2):
            edge = soft_winter and ((d.month == 12 and d.day <= 14) or (d.month == 2 and d.day > 14))
            mu *= 1 + winter * (0.5 if edge else 1.0)
        mu *= 1 + wave * math.sin(2 * math.pi * d.timetuple().tm_yday / 365.25 + phase)
        if in_ramadan(d):
            mu *= 1 + ramadan
        normal_mean[t] = mu
        in_surge = False
        for sg in surges:
            if sg.start <= t <= sg.end:
                in_surge = True
                frac = (t - sg.start + 1) / (sg.end - sg.start + 1) if sg.shape == "ramp" else 1.0
                mu *= 1 + sg.size * frac
        if absent and rng.random() < absent:
            continue
        count = neg_binomial(rng, mu, size)
        if t >= weeks - late_end or (random_zero and not in_surge and rng.random() < random_zero):
            count = 0  # late report read as zero
        points.append((d, count))
    return Series(f"u{idx:04d}", band, short, size_name, points, surges, size, normal_mean)


def evaluate(series: list[Series], params: DetectorParams) -> dict[str, Any]:
    t0 = time.perf_counter()
    episodes: list[dict[str, Any]] = []
    false_alarms = 0
    alarms = 0
    unit_years = 0.0
    fa_by: dict[str, list[float]] = {}
    for s in series:
        signals = detect_series(s.points, params=params, unit=s.unit)
        weeks_of = [(sig.period_start - START).days // 7 for sig in signals]
        alarms += len(weeks_of)
        outside = [w for w in weeks_of if not any(sg.start <= w <= sg.end for sg in s.surges)]
        false_alarms += len(outside)
        years = len(s.points) / 52
        unit_years += years
        for key in (f"level:{s.band}", f"history:{'short' if s.short else 'full'}", f"noise:{s.dispersion}"):
            acc = fa_by.setdefault(key, [0.0, 0.0])
            acc[0] += len(outside)
            acc[1] += years
        for sg in s.surges:
            hits = [w for w in weeks_of if sg.start <= w <= sg.end]
            episodes.append({"shape": sg.shape, "size": f"+{round(sg.size * 100)}%", "level": s.band,
                             "history": "short" if s.short else "full", "noise": s.dispersion,
                             "detected": bool(hits), "delay": (min(hits) - sg.start) if hits else None})
    elapsed = time.perf_counter() - t0

    def recall(rows: list[dict[str, Any]]) -> float | None:
        return round(sum(r["detected"] for r in rows) / len(rows), 3) if rows else None

    def group(key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for value in sorted({e[key] for e in episodes}, key=lambda v: (len(v), v)):
            rows = [e for e in episodes if e[key] == value]
            out[value] = {"n": len(rows), "recall": recall(rows)}
        return out

    delays = [e["delay"] for e in episodes if e["detected"]]
    by_shape_delay = {shape: statistics.median([e["delay"] for e in episodes if e["shape"] == shape and e["detected"]]
                                               or [math.nan]) for shape in SHAPES}
    return {
        "params": {k: v for k, v in params.__dict__.items() if getattr(DEFAULT, k) != v} or "default",
        "episodes": len(episodes),
        "recall": recall(episodes),
        "false_alarms_per_unit_year": round(false_alarms / unit_years, 3),
        "alarms": alarms,
        "median_delay_weeks": statistics.median(delays) if delays else None,
        "median_delay_by_shape": by_shape_delay,
        "recall_by_size": group("size"),
        "recall_by_shape": group("shape"),
        "recall_by_level": group("level"),
        "recall_by_history": group("history"),
        "recall_by_noise": group("noise"),
        "false_alarms_per_unit_year_by": {k: round(v[0] / v[1], 3) for k, v in sorted(fa_by.items())},
        "seconds": round(elapsed, 2),
        "unit_weeks_per_second": round(sum(len(s.points) for s in series) / elapsed),
    }


SETTINGS: dict[str, DetectorParams] = {
    # the trade-off curve
    "sensitive": replace(DEFAULT, z_threshold=2.25),
    "default": DEFAULT,
    "conservative": replace(DEFAULT, z_threshold=3.0),
    "strict": replace(DEFAULT, z_threshold=3.5, cusum_h=7.0),
    # ablations: the default without one of its parts
    "default-no-cusum": replace(DEFAULT, cusum_h=math.inf),
    "default-no-lunar": replace(DEFAULT, lunar=False),
    "default-no-quiet-weeks": replace(DEFAULT, refractory=0),
    "default-zeros-as-counts": replace(DEFAULT, zero_level=math.inf),
    "default-no-winsorising": replace(DEFAULT, clean_z=math.inf),
    # variants tried, not kept
    "adaptive-power": replace(DEFAULT, adaptive_power=True, z_threshold=2.25),
    "t-correction": replace(DEFAULT, t_correction=True, z_threshold=2.25),
    "seasonal-shrinkage": replace(DEFAULT, seasonal_prior_sd=0.5),
}


def nb_tail(y: int, mu: float, size: float) -> float:
    """P(Y ≥ y) for a negative binomial (Poisson when size is inf) of mean mu."""
    if y <= 0:
        return 1.0
    if math.isinf(size):
        terms = (-mu + j * math.log(mu) - math.lgamma(j + 1) for j in range(y))
    else:
        p = size / (size + mu)
        terms = (math.lgamma(j + size) - math.lgamma(size) - math.lgamma(j + 1) + size * math.log(p)
                 + j * math.log1p(-p) for j in range(y))
    return max(0.0, 1.0 - math.fsum(math.exp(t) for t in terms))


def oracle(series: list[Series], alpha: float, min_count: int) -> dict[str, Any]:
    """Recall of a weekly test that knows each week's true mean and noise law (upper bound for any
    detector that alarms on single weeks at a false-alarm rate ≤ alpha per week)."""
    hits: dict[str, list[int]] = {}
    for s in series:
        counts = {(d - START).days // 7: c for d, c in s.points}
        for sg in s.surges:
            found = any(w in counts and counts[w] >= min_count and nb_tail(counts[w], s.normal_mean[w], s.size) < alpha
                        for w in range(sg.start, sg.end + 1))
            for key in ("all", sg.shape):
                acc = hits.setdefault(key, [0, 0])
                acc[0] += found
                acc[1] += 1
    return {"alpha_per_week": alpha, "false_alarms_per_unit_year_at_most": round(alpha * 52, 2),
            "recall": {k: round(v[0] / v[1], 3) for k, v in hits.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=800)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="only the default setting")
    parser.add_argument("--setting", action="append", help="run only these named settings")
    parser.add_argument("--no-oracle", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    weeks = 52 * args.years
    series = [make_series(rng, i, weeks) for i in range(args.units)]
    names = args.setting or (["default"] if args.quick else list(SETTINGS))
    result = {
        "units": args.units, "years": args.years, "seed": args.seed,
        "unit_weeks": sum(len(s.points) for s in series),
        "settings": {name: evaluate(series, SETTINGS[name]) for name in names},
    }
    if not args.no_oracle:
        result["oracle"] = [oracle(series, a, DEFAULT.min_count) for a in (0.005, 0.01, 0.02)]
    print(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
