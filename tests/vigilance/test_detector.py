"""The surge detector and its stable CLI `mowakaba vigilance detect` (pure: no database)."""

from __future__ import annotations

import csv
import io
import math
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mowakaba.vigilance.detector import (
    DEFAULT,
    DetectorInputError,
    Signal,
    detect_csv,
    detect_series,
    evaluate_week,
    read_counts,
)

MONDAY = date(2021, 1, 4)


def poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method split in chunks so that exp(-lam) stays representable.
    total = 0
    while lam > 0:
        part = min(lam, 30.0)
        lam -= part
        limit, k, prod = math.exp(-part), 0, rng.random()
        while prod > limit:
            k += 1
            prod *= rng.random()
        total += k
    return total


def nb_series(rng: random.Random, means: list[float], size: float = 10.0) -> list[tuple[date, int]]:
    """Negative-binomial counts (gamma-Poisson mixture) with the given weekly means."""
    return [(MONDAY + timedelta(weeks=t), poisson(rng, rng.gammavariate(size, mu / size)))
            for t, mu in enumerate(means)]


def write_csv(path: Path, series: dict[str, list[tuple[date, int]]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unit", "period_start", "count"])
        for unit, points in series.items():
            for d, c in points:
                w.writerow([unit, d.isoformat(), c])
    return path


def run_detect(path: Path | str) -> str:
    out = io.StringIO()
    call_command("vigilance", "detect", "--input", str(path), stdout=out)
    return out.getvalue()


def parse(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def with_surge(rng: random.Random) -> list[tuple[date, int]]:
    points = nb_series(rng, [40.0] * 80)
    points[60] = (points[60][0], 160)  # four times the usual week
    return points


# ------------------------------------------------------------------ the CLI contract

def test_cli_writes_the_header_and_one_row_per_alarm_week_sorted_by_unit_then_week(tmp_path: Path) -> None:
    rng = random.Random(1)
    # units given in reverse order and rows shuffled: the output is still sorted
    series = {"zeta": with_surge(rng), "alpha": with_surge(rng), "Khouribga|need=housing": with_surge(rng)}
    rows_in = [(u, d, c) for u, pts in series.items() for d, c in pts]
    rng.shuffle(rows_in)
    path = tmp_path / "counts.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unit", "period_start", "count"])
        for u, d, c in rows_in:
            w.writerow([u, d.isoformat(), c])

    text = run_detect(path)
    lines = text.splitlines()
    assert lines[0] == "unit,period_start,count,expected,score"
    rows = parse(text)
    assert rows, "a fourfold week must raise an alarm"
    keys = [(r["unit"], r["period_start"]) for r in rows]
    assert keys == sorted(keys)
    surge_day = (MONDAY + timedelta(weeks=60)).isoformat()
    for unit in series:
        assert (unit, surge_day) in keys
    counts = {(u, d.isoformat()): c for u, pts in series.items() for d, c in pts}
    for r in rows:
        assert int(r["count"]) == counts[(r["unit"], r["period_start"])]  # only weeks of the input
        date.fromisoformat(r["period_start"])
        assert float(r["expected"]) >= 0
        assert float(r["score"]) >= DEFAULT.z_threshold
        assert r["expected"] == f"{float(r['expected']):.2f}"


def test_cli_reads_standard_input_end_to_end(tmp_path: Path) -> None:
    rng = random.Random(2)
    path = write_csv(tmp_path / "c.csv", {"u1": with_surge(rng)})
    proc = subprocess.run([sys.executable, "-m", "mowakaba.cli", "vigilance", "detect", "--input", "-"],
                          input=path.read_bytes(), capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == run_detect(path)
    assert proc.stdout.decode().startswith("unit,period_start,count,expected,score\n")


def test_appending_later_weeks_never_changes_an_earlier_weeks_output(tmp_path: Path) -> None:
    rng = random.Random(3)
    full = {f"u{k}": nb_series(rng, [20 + 10 * math.sin(t / 8) for t in range(200)], size=5) for k in range(6)}
    for pts in full.values():
        for t in (70, 120, 121, 150):
            pts[t] = (pts[t][0], pts[t][1] * 3 + 5)
    cut = MONDAY + timedelta(weeks=130)
    short = {u: [(d, c) for d, c in pts if d < cut] for u, pts in full.items()}
    rows_full = [r for r in parse(run_detect(write_csv(tmp_path / "full.csv", full)))
                 if r["period_start"] < cut.isoformat()]
    rows_short = parse(run_detect(write_csv(tmp_path / "short.csv", short)))
    assert rows_short, "the injected surges should alarm"
    assert rows_full == rows_short


def test_evaluate_week_gives_the_same_verdict_as_the_whole_series() -> None:
    rng = random.Random(4)
    points = with_surge(rng)
    alarms = {s.period_start for s in detect_series(points)}
    for t in (30, 59, 60, 61, 79):
        week = MONDAY + timedelta(weeks=t)
        signal = evaluate_week(points, week)  # later points are given and must be ignored
        assert signal is not None
        assert signal.alarm == (week in alarms)
    assert evaluate_week(points, MONDAY) is None  # no history yet


def test_missing_weeks_are_missing_not_zero(tmp_path: Path) -> None:
    rng = random.Random(5)
    points = nb_series(rng, [30.0] * 60, size=50)
    holes = [p for t, p in enumerate(points) if not 20 <= t < 30]  # ten weeks without a report
    path = tmp_path / "holes.csv"
    write_csv(path, {"u": holes})
    with path.open("a") as f:
        f.write(f"u,{(MONDAY + timedelta(weeks=60)).isoformat()},\n")  # an empty count is missing too
    assert parse(run_detect(path)) == []


# ------------------------------------------------------------------ what it detects

def test_a_clear_surge_is_detected_with_an_explanation() -> None:
    rng = random.Random(6)
    alarms = detect_series(with_surge(rng), unit="Safi")
    surge = [s for s in alarms if s.period_start == MONDAY + timedelta(weeks=60)]
    assert len(surge) == 1
    s: Signal = surge[0]
    assert s.method.startswith("spike")
    assert 25 < s.expected < 60 and s.count == 160
    assert s.count >= s.upper > s.expected
    assert s.baseline_weeks == DEFAULT.window
    assert s.baseline_last == s.period_start - timedelta(weeks=DEFAULT.guard + 1)
    explained = s.as_dict()
    assert explained["period_start"] == s.period_start.isoformat()
    assert {"expected", "threshold", "dispersion", "seasonal_factor", "baseline"} <= explained.keys()


def test_a_slow_ramp_is_detected() -> None:
    rng = random.Random(7)
    means = [50.0] * 100 + [50.0 * (1 + 0.15 * k) for k in range(1, 11)]
    alarms = detect_series(nb_series(rng, means, size=30))
    assert any(s.period_start >= MONDAY + timedelta(weeks=100) for s in alarms)


def test_a_flat_overdispersed_series_gives_few_alarms() -> None:
    rng = random.Random(8)
    years = 0.0
    alarms = 0
    for _ in range(20):
        points = nb_series(rng, [25.0] * 260, size=5)
        years += len(points) / 52
        alarms += len(detect_series(points))
    assert alarms / years <= 1.0


def test_a_winter_campaign_repeated_every_year_does_not_alarm_after_two_years() -> None:
    rng = random.Random(9)
    means = []
    for t in range(52 * 5):
        month = (MONDAY + timedelta(weeks=t)).month
        means.append(60.0 if month in (12, 1, 2) else 20.0)
    late = []
    for _ in range(10):
        alarms = detect_series(nb_series(rng, means, size=20))
        late += [s for s in alarms if s.period_start >= MONDAY + timedelta(weeks=104)]
    assert len(late) <= 10 * 3 * 0.5, [(s.period_start, s.count, round(s.expected)) for s in late]
    winter = [s for s in late if s.period_start.month in (12, 1)]
    assert len(winter) <= 3


def test_trailing_zeros_from_late_reports_neither_alarm_nor_crash(tmp_path: Path) -> None:
    rng = random.Random(10)
    points = nb_series(rng, [40.0] * 100, size=20)
    for t in range(96, 100):
        points[t] = (points[t][0], 0)
    signals = detect_series(points, all_weeks=True)
    assert not [s for s in signals if s.alarm and s.period_start >= MONDAY + timedelta(weeks=90)]
    # the zeros were read as missing reports: the level did not drop
    assert signals[-1].baseline_level > 25
    # a series that is only zeros, and one that is almost only zeros
    assert parse(run_detect(write_csv(tmp_path / "z.csv", {"a": [(MONDAY + timedelta(weeks=t), 0) for t in range(80)],
                                                                 "b": [(MONDAY, 3)]}))) == []


def test_random_zero_weeks_do_not_pull_the_baseline_down() -> None:
    rng = random.Random(11)
    points = nb_series(rng, [40.0] * 120, size=20)
    for t in range(30, 120, 9):
        points[t] = (points[t][0], 0)
    after_zero = [s for s in detect_series(points) if (s.period_start - MONDAY).days // 7 % 9 in (4, 5)]
    assert len(after_zero) <= 1


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize(("content", "message"), [
    ("", "empty input"),
    ("unit,week,count\nA,2024-01-01,3\n", "header must contain"),
    ("unit,period_start,count\nA,2024-01-01,3\nA,01/08/2024,4\n", "line 3: period_start"),
    ("unit,period_start,count\nA,2024-01-01,three\n", "line 2: count 'three' is not a number"),
    ("unit,period_start,count\nA,2024-01-01,-1\n", "whole number"),
    ("unit,period_start,count\nA,2024-01-01,2.5\n", "whole number"),
    ("unit,period_start,count\nA,2024-01-01\n", "line 2: expected 3 columns"),
    ("unit,period_start,count\nA,2024-01-01,3\n\nA,2024-01-01,4\n",
     "line 4: unit 'A' week of 2024-01-01 already given"),
    ("unit,period_start,count\n,2024-01-01,3\n", "line 2: empty unit"),
])
def test_bad_input_is_refused_with_a_clear_message(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(DetectorInputError, match=message):
        detect_csv(io.StringIO(content), io.StringIO())
    path = tmp_path / "bad.csv"
    path.write_text(content)
    out = io.StringIO()
    with pytest.raises(CommandError, match=message) as caught:
        call_command("vigilance", "detect", "--input", str(path), stdout=out)
    assert caught.value.returncode == 2
    assert out.getvalue() == ""  # nothing written, not even the header


def test_bad_input_exits_non_zero_with_the_message_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = "".join(f"A,{(MONDAY + timedelta(weeks=t)).isoformat()},{t}\n" for t in range(30))
    path.write_text("unit,period_start,count\n" + rows + "A,2021-13-01,5\n")
    proc = subprocess.run([sys.executable, "-m", "mowakaba.cli", "vigilance", "detect", "--input", str(path)],
                          capture_output=True, timeout=120, check=False)
    assert proc.returncode != 0
    assert proc.stdout == b""
    assert b"line 32" in proc.stderr and b"2021-13-01" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "mowakaba.cli", "vigilance", "detect", "--input",
                           str(tmp_path / "nowhere.csv")], capture_output=True, timeout=120, check=False)
    assert proc.returncode != 0 and b"cannot read" in proc.stderr


def test_blank_lines_bom_column_order_and_extra_columns_are_tolerated() -> None:
    rng = random.Random(12)
    points = with_surge(rng)
    body = "".join(f"\n{c},x,{d.isoformat()},Oujda\n" for d, c in points)
    out = io.StringIO()
    detect_csv(io.StringIO("\ufeffCount,note,Period_Start,unit\n" + body), out)
    rows = parse(out.getvalue())
    assert ("Oujda", (MONDAY + timedelta(weeks=60)).isoformat()) in {(r["unit"], r["period_start"]) for r in rows}


def test_a_date_time_at_midnight_is_read_as_its_date() -> None:
    series = read_counts(io.StringIO("unit,period_start,count\nA,2024-01-01T00:00:00,3\nA,2024-01-08,4\n"))
    assert series == {"A": [(date(2024, 1, 1), 3), (date(2024, 1, 8), 4)]}
