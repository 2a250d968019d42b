"""Surge detector for weekly counts per unit (listening sessions, cases, ... per province and need).

Pure Python (standard library only, no Django): the live alerts and the stable CLI
``mowakaba vigilance detect`` call the same functions. Method and figures: ``docs/detector.md``.

For each week *t* of a series, using only the weeks up to *t* (no look-ahead):

1. **Recent level**: mean of the *cleaned* counts of the ``window`` weeks before a guard band of
   ``guard`` weeks (``t-guard-window .. t-guard-1``). The guard band keeps an emerging surge out of
   its own baseline. "Cleaned" = each past count winsorised at the limit ``z = clean_z`` computed
   for it when it was judged (a Farrington-like down-weighting of past outbreaks), so a surge
   does not lift the baseline much, yet a lasting change of level is accepted after a few windows.
2. **Seasonal ratio** (once a year of history exists): for each previous year *j* (up to
   ``max_years``), median of the counts around the same week (``t-52j±1``) divided by the level
   of the window that corresponds to the recent window that year. Pooled over the years. The
   same ratio is also computed at lunar-year lags (354.37 days) so a Ramadan-like bump that
   moves ~11 days earlier each year is expected too; the larger ratio is kept. The ratio also
   carries the trend: under a steady trend, last year's "same week / recent window" ratio is the
   growth over the lag between the window and the week. expected = level × ratio.
3. **Score**: Anscombe-type residual on the 2/3-power scale (skewness of counts removed),
   ``z = (y^⅔ − μ^⅔) / (⅔ μ^⅙ √φ)``; the dispersion φ (≥ 1, quasi-Poisson / negative binomial
   over-dispersion) is estimated robustly (inter-quartile range) from the series' own past
   one-week-ahead residuals, so it also covers the error of the baseline itself.
4. **Alarm** if the count is ≥ ``min_count`` and either ``z ≥ z_threshold`` (spikes and large
   steps) or a one-sided CUSUM of the capped residuals ``S = max(0, S + min(z, cap) − k)``
   reaches ``cusum_h`` (ramps and small steps; reset after each alarm). Once a unit has alarmed,
   it stays quiet for ``refractory`` weeks unless the score grows: one alert per episode rather
   than one per week of a lasting surge (and a seasonal change not yet in the history costs
   fewer false alarms), while a small alarm never hides a bigger surge that follows it.
5. **Late reports read as zero**: a zero in a series whose expected level is ≥ ``zero_level``
   is taken as a missing report: kept out of the baselines, of the dispersion and of the CUSUM.
   Weeks absent from the input are missing, never zero.
"""

from __future__ import annotations

import bisect
import csv
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

LUNAR_YEAR_WEEKS = 354.367 / 7
SOLAR_YEAR_WEEKS = 365.2425 / 7


@dataclass(frozen=True)
class DetectorParams:
    """Tuning knobs. The defaults were chosen with ``benchmarks/detector_eval.py`` (docs/detector.md)."""

    window: int = 12  # weeks in the recent baseline
    guard: int = 2  # most recent weeks kept out of the baseline
    min_baseline: int = 4  # fewer usable baseline weeks: the week is not evaluated
    max_years: int = 3  # previous years used for the seasonal ratio
    seasonal_halfwidth: int = 1  # median of the 2h+1 weeks around the same week in previous years
    lunar: bool = True  # also look for a seasonal bump at lunar-year lags (Ramadan, Eid)
    z_threshold: float = 2.5  # spike / step rule on the standardised residual
    cusum_k: float = 1.0  # CUSUM reference value (sd units): shifts below k are not accumulated
    cusum_h: float = 5.0  # CUSUM decision interval
    cusum_cap: float = 3.0  # one week contributes at most this much to the CUSUM
    no_season_extra: float = 0.0  # added to the z threshold while there is no seasonal history
    refractory: int = 4  # weeks after an alarm during which the unit alarms again only on a higher score
    clean_z: float = 3.0  # past counts enter the baselines winsorised at this z (inf: as they are)
    min_count: int = 5  # no alarm under this many cases in the week
    zero_level: float = 8.0  # a zero where ≥ this many are expected is a missing (late) report
    dispersion_window: int = 104  # past residuals used to estimate the dispersion
    min_residuals: int = 12  # before that many, the dispersion comes from the baseline window
    min_dispersion: float = 1.0  # never less noisy than Poisson
    power: float = 2 / 3  # residuals on the y^power scale (2/3: Anscombe for Poisson; 1/3: gamma-like)
    adaptive_power: bool = False  # score on a power between 2/3 and 1/3 depending on the dispersion
    t_correction: bool = False  # raise the limit when the dispersion rests on few weeks
    mu_floor: float = 0.25  # expected counts below this are scored as this (all-zero baselines)
    seasonal_prior_sd: float = 0.0  # > 0: shrink the seasonal log-ratio by its noise (prior sd)
    max_seasonal_factor: float = 5.0  # the seasonal ratio is kept in [1/max, max]


DEFAULT = DetectorParams()


@dataclass(frozen=True)
class Signal:
    """The detector's verdict on one week of one unit, with what is needed to explain it."""

    unit: str
    period_start: date
    count: int
    expected: float  # baseline_level × seasonal_factor
    score: float  # max(z, threshold × cusum / cusum_h): ≥ threshold means a rule fired
    threshold: float  # the z limit applied this week (z_threshold, unless a correction is on)
    alarm: bool  # a rule fired, count ≥ min_count, not in the quiet weeks after a higher alarm
    method: str  # rule that fired (count ≥ min_count): "spike", "cusum", "spike+cusum"; else ""
    z: float  # standardised residual of this week
    cusum: float  # CUSUM after this week (before the reset that follows an alarm)
    upper: float  # count from which the spike rule fires this week (the alarm limit)
    baseline_level: float  # mean of the cleaned baseline weeks
    baseline_weeks: int  # how many weeks were usable in the baseline window
    baseline_first: date  # first and last week of the baseline window
    baseline_last: date
    baseline: tuple[float, ...]  # the cleaned counts used (winsorised at their own alarm limits)
    zeros_ignored: int  # zeros of the baseline window read as late reports and left out
    seasonal_factor: float  # 1.0 without seasonal history
    seasonal_years: int  # previous years behind the seasonal factor (0 = none)
    seasonal_calendar: str  # "gregorian", "lunar" or "" (which lag gave the factor)
    dispersion: float  # φ: variance / Poisson variance
    method_detail: str  # "recent-level" (< 1 year of history) or "seasonal-ratio"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready explanation (dates as ISO strings), for the alert's "how it was computed"."""
        data = asdict(self)
        for key in ("period_start", "baseline_first", "baseline_last"):
            data[key] = data[key].isoformat()
        data["baseline"] = list(self.baseline)
        return data


class DetectorInputError(ValueError):
    """Bad input (the message names the line and the reason)."""


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _week_index(d: date) -> int:
    # 0001-01-01 is a Monday, so ordinal // 7 numbers the ISO weeks consecutively.
    return (d.toordinal() - 1) // 7


def _transformed(y: float, mu: float, a: float) -> float:
    """Residual on the power-`a` scale (delta method), variance ≈ 1 for Poisson counts."""
    return float((y ** a - mu ** a) / (a * mu ** (a - 0.5)))


def _upper(mu: float, z: float, phi: float, a: float) -> float:
    """The count whose residual is z: the alarm limit."""
    return float(max(0.0, mu ** a + z * a * mu ** (a - 0.5) * math.sqrt(phi)) ** (1 / a))


def _t_factor(z: float, dof: float) -> float:
    """Student-t over normal quantile ratio (Cornish–Fisher), for a dispersion estimated on `dof` degrees of freedom."""
    if dof <= 0:
        return 2.0
    t = z + (z ** 3 + z) / (4 * dof) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * dof ** 2)
    return t / z if z > 0 else 1.0


def _median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def _quantile(sorted_values: list[float], q: float) -> float:
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _run(unit: str, points: Sequence[tuple[date, int]], params: DetectorParams, *,
         keep: str = "all") -> list[Signal]:
    """Evaluated weeks of one series in time order (weeks without enough baseline are skipped).

    keep: "all" weeks, only the "alarms", or the alarms and the "last" week.
    """
    p = params
    if not points:
        return []
    by_week: dict[int, tuple[date, int]] = {}
    for d, c in points:
        by_week[_week_index(d)] = (d, int(c))
    first = min(by_week)
    n = max(by_week) - first + 1
    ys: list[int | None] = [None] * n
    days: list[date | None] = [None] * n
    for w, (d, c) in by_week.items():
        ys[w - first] = c
        days[w - first] = d
    # raw counts without suspected late-report zeros (seasonal numerators) and cleaned counts
    # (winsorised at their alarm limit: recent level and seasonal denominators).
    raw: list[float | None] = [None] * n
    clean: list[float | None] = [None] * n
    fifo: deque[float] = deque()
    resid_sorted: list[float] = []
    cusum = 0.0
    last_alarm, last_score = -10**9, 0.0
    out: list[Signal] = []
    monday0 = date.fromordinal(first * 7 + 1)
    lags: list[tuple[str, float]] = [("gregorian", SOLAR_YEAR_WEEKS)]
    if p.lunar:
        lags.append(("lunar", LUNAR_YEAR_WEEKS))
    h = p.seasonal_halfwidth

    def window_values(end: int) -> list[float]:
        # cleaned values of the baseline window for a week at index `end`
        return [v for v in clean[max(0, end - p.guard - p.window): max(0, end - p.guard)] if v is not None]

    for i in range(n):
        y = ys[i]
        if y is None:
            continue
        lo, hi = i - p.guard - p.window, i - p.guard
        window = clean[max(0, lo): max(0, hi)]
        vals = [v for v in window if v is not None]
        if len(vals) < p.min_baseline:
            raw[i] = clean[i] = float(y)
            continue
        level = math.fsum(vals) / len(vals)

        if len(resid_sorted) >= p.min_residuals:
            iqr = _quantile(resid_sorted, 0.75) - _quantile(resid_sorted, 0.25)
            phi = max(p.min_dispersion, (iqr / 1.349) ** 2)
            dof = 0.37 * len(resid_sorted)  # an IQR is worth ~37 % of the sample for a variance
        else:
            # short history: the baseline window's own dispersion index, inflated for its size
            m = level if level > 0 else 1.0
            var = math.fsum((v - level) ** 2 for v in vals) / max(1, len(vals) - 1)
            phi = max(p.min_dispersion, var / m) * (1 + 1 / len(vals))
            dof = len(vals) - 1
        factor, years, calendar = 1.0, 0, ""
        for name, lag in lags:
            nums: list[float] = []
            dens: list[float] = []
            den_weeks = 0
            for j in range(1, p.max_years + 1):
                c = i - round(lag * j)
                if c - h < 0:
                    break
                around = [v for v in raw[c - h: c + h + 1] if v is not None]
                past = window_values(c)
                if not around or len(past) < p.min_baseline:
                    continue
                nums.append(_median(around))
                dens.append(math.fsum(past) / len(past))
                den_weeks += len(past)
            if nums:
                # +0.5 keeps the ratio finite when the counts are tiny
                num_total, den_total = math.fsum(nums) + 0.5, math.fsum(dens) + 0.5
                ratio = num_total / den_total
                if p.seasonal_prior_sd > 0:
                    # empirical-Bayes shrinkage of log(ratio) towards 0: its sampling variance
                    # (a median of 3 weeks is worth ~2.2 weeks of counts) against a prior spread
                    noise = phi * (1 / (2.2 * num_total) + len(nums) / (den_weeks * den_total))
                    prior = p.seasonal_prior_sd ** 2
                    ratio = math.exp(math.log(ratio) * prior / (prior + noise))
                ratio = min(p.max_seasonal_factor, max(1 / p.max_seasonal_factor, ratio))
                if not calendar or ratio > factor:
                    factor, years, calendar = ratio, len(nums), name
        expected = level * factor
        mu = max(expected, p.mu_floor)

        # the less the dispersion is known, the higher the limit (a Student-t quantile)
        t_factor = _t_factor(p.z_threshold, dof) if p.t_correction else 1.0

        late_zero = y == 0 and expected >= p.zero_level
        raw_resid = _transformed(float(y), mu, p.power)
        # the more over-dispersed, the more gamma-like the counts: the normalising power moves
        # from 2/3 (Poisson, Anscombe) towards 1/3 (gamma, Wilson–Hilferty)
        power = 1 / 3 + (1 / 3) / phi if p.adaptive_power else p.power
        z = _transformed(float(y), mu, power) / math.sqrt(phi)
        threshold = (p.z_threshold + (0.0 if years else p.no_season_extra)) * t_factor
        upper = _upper(mu, threshold, phi, power)
        # a missing report says nothing about a surge: the CUSUM is carried over
        new_cusum = cusum if late_zero else max(0.0, cusum + min(z, p.cusum_cap) - p.cusum_k)
        spike = z >= threshold
        ramp = new_cusum >= p.cusum_h
        fired = (spike or ramp) and y >= p.min_count
        score = max(z, threshold * new_cusum / p.cusum_h)
        # quiet after an alarm, unless the surge grows (a small alarm must not hide a big one)
        alarm = fired and (i - last_alarm > p.refractory or score > last_score)
        if alarm:
            last_alarm, last_score = i, score
        if alarm or keep == "all" or (keep == "last" and i == n - 1):
            # (building the explanation of every quiet week would cost a third of the time)
            method = "+".join(m for m, on in (("spike", spike), ("cusum", ramp)) if on) if fired else ""
            day = days[i]
            assert day is not None
            zeros_ignored = sum(1 for k in range(max(0, lo), max(0, hi)) if ys[k] == 0 and clean[k] is None)
            out.append(Signal(
                unit=unit, period_start=day, count=y, expected=expected, score=score, threshold=threshold,
                alarm=alarm, method=method, z=z, cusum=new_cusum, upper=upper, baseline_level=level,
                baseline_weeks=len(vals), baseline_first=monday0 + timedelta(weeks=max(0, lo)),
                baseline_last=monday0 + timedelta(weeks=max(0, hi) - 1),
                baseline=tuple(vals), zeros_ignored=zeros_ignored, seasonal_factor=factor,
                seasonal_years=years, seasonal_calendar=calendar, dispersion=phi,
                method_detail="seasonal-ratio" if years else "recent-level",
            ))
        cusum = 0.0 if (fired and ramp) else new_cusum

        if late_zero:
            continue  # raw/clean stay None: not part of any baseline
        raw[i] = float(y)
        clean[i] = min(float(y), _upper(mu, p.clean_z * t_factor, phi, power))
        fifo.append(raw_resid)
        bisect.insort(resid_sorted, raw_resid)
        if len(fifo) > p.dispersion_window:
            old = fifo.popleft()
            del resid_sorted[bisect.bisect_left(resid_sorted, old)]
    return out


def detect_series(points: Sequence[tuple[date, int]], *, params: DetectorParams = DEFAULT, unit: str = "",
                  all_weeks: bool = False) -> list[Signal]:
    """Signals of one unit's weekly series ``[(monday, count), ...]`` (any order; absent weeks are missing).

    Each week is judged with the data up to that week only. By default only the alarms are
    returned; ``all_weeks=True`` returns every evaluated week (e.g. to draw the expected line).
    """
    return _run(unit, sorted(points), params, keep="all" if all_weeks else "alarms")


def evaluate_week(history: Sequence[tuple[date, int]], week: date, *, params: DetectorParams = DEFAULT,
                  unit: str = "") -> Signal | None:
    """The live tick: the verdict on ``week`` from the history up to it (later points are ignored).

    ``None`` when the week has no count or too little history to be judged; otherwise a Signal
    whose ``alarm`` says whether to raise an alert.
    """
    target = _week_index(week)
    upto = sorted((d, c) for d, c in history if _week_index(d) <= target)
    if not upto or _week_index(upto[-1][0]) != target:
        return None
    signals = _run(unit, upto, params, keep="last")
    if signals and _week_index(signals[-1].period_start) == target:
        return signals[-1]
    return None


# ---------------------------------------------------------------- CSV interface

INPUT_COLUMNS = ("unit", "period_start", "count")
OUTPUT_HEADER = ("unit", "period_start", "count", "expected", "score")
MISSING_COUNTS = frozenset({"", "na", "nan", "null", "none"})


def read_counts(in_stream: Iterable[str]) -> dict[str, list[tuple[date, int]]]:
    """Parse ``unit,period_start,count`` rows into series per unit; raise DetectorInputError on bad rows.

    Columns are found by name (any order, extra columns ignored, BOM and case tolerated). Blank
    lines are skipped. An empty or ``NA`` count is a missing week, like an absent row. A date that
    is not a Monday stands for the ISO week containing it; an ISO date-time is read as its date.
    A unit and week given twice is an error.
    """
    reader = csv.reader(in_stream)
    header: list[str] | None = None
    for row in reader:
        if any(cell.strip() for cell in row):
            header = [cell.strip().lstrip("\ufeff").strip().lower() for cell in row]
            break
    if header is None:
        raise DetectorInputError("empty input: expected a header line 'unit,period_start,count'")
    missing = [c for c in INPUT_COLUMNS if c not in header]
    if missing:
        raise DetectorInputError(
            f"line {reader.line_num}: header must contain unit,period_start,count (missing: {', '.join(missing)}); "
            f"got {','.join(header)}")
    iu, idate, icount = (header.index(c) for c in INPUT_COLUMNS)
    width = max(iu, idate, icount) + 1
    series: dict[str, list[tuple[date, int]]] = {}
    seen: dict[tuple[str, int], int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(row) < width:
            raise DetectorInputError(f"line {line}: expected {len(header)} columns, got {len(row)}: {','.join(row)}")
        unit = row[iu].strip()
        if not unit:
            raise DetectorInputError(f"line {line}: empty unit")
        text = row[idate].strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            try:  # a date-time at midnight, as some exports write dates
                day = datetime.fromisoformat(text).date()
            except ValueError:
                raise DetectorInputError(
                    f"line {line}: period_start {text!r} is not an ISO date (YYYY-MM-DD)") from None
        raw_count = row[icount].strip()
        if raw_count.lower() in MISSING_COUNTS:
            continue
        try:
            value = float(raw_count)
        except ValueError:
            raise DetectorInputError(f"line {line}: count {raw_count!r} is not a number") from None
        if not math.isfinite(value) or value < 0 or value != int(value):
            raise DetectorInputError(f"line {line}: count {raw_count!r} must be a whole number ≥ 0")
        key = (unit, _week_index(day))
        if key in seen:
            raise DetectorInputError(
                f"line {line}: unit {unit!r} week of {_monday(day).isoformat()} already given on line {seen[key]}")
        seen[key] = line
        series.setdefault(unit, []).append((day, int(value)))
    return series


def detect_all(series: dict[str, list[tuple[date, int]]], *, params: DetectorParams = DEFAULT) -> list[Signal]:
    """Alarms of every unit, sorted by unit then week."""
    out: list[Signal] = []
    for unit in sorted(series):
        out.extend(detect_series(series[unit], params=params, unit=unit))
    return out


def write_alarms(signals: Iterable[Signal], out_stream: IO[str]) -> int:
    writer = csv.writer(out_stream, lineterminator="\n")
    writer.writerow(OUTPUT_HEADER)
    n = 0
    for s in signals:
        writer.writerow((s.unit, s.period_start.isoformat(), s.count, f"{s.expected:.2f}", f"{s.score:.2f}"))
        n += 1
    return n


def detect_csv(in_stream: Iterable[str], out_stream: IO[str], *, params: DetectorParams = DEFAULT) -> int:
    """Read counts, write one row per alarm week; returns the number of alarms.

    The whole input is read and checked before anything is written: on a bad row
    DetectorInputError is raised and ``out_stream`` is left untouched.
    """
    signals = detect_all(read_counts(in_stream), params=params)
    return write_alarms(signals, out_stream)
