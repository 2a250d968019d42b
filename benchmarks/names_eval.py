"""Evaluate the person-name matcher on a labelled TSV and print JSON.

The TSV has a header with ``left``, ``right``, ``same`` (1/0) and optionally ``kind`` columns.
Prints the number of pairs, precision, recall, F1 and accuracy at the threshold, accuracy per kind,
and throughput (scores per second, cold caches then warm).

    .venv/bin/python benchmarks/names_eval.py [tests/data/name_pairs.tsv] [--threshold 0.85]
        [--errors] [--no-lexicon]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mowakaba.registry import names  # noqa: E402
from mowakaba.registry.names.match import clear_caches  # noqa: E402
from mowakaba.registry.names.parts import set_lexicon_enabled  # noqa: E402


def read_pairs(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip()]
    header = [h.strip().lower() for h in lines[0].split("\t")]
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        rows.append({h: (cells[k].strip() if k < len(cells) else "") for k, h in enumerate(header)})
    return rows


def evaluate(rows: list[dict[str, str]], threshold: float) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    kinds: dict[str, list[int]] = {}
    errors = []
    for row in rows:
        s = names.score(row["left"], row["right"])
        predicted = s >= threshold
        actual = row["same"] == "1"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        tn += not predicted and not actual
        k = kinds.setdefault(row.get("kind", "") or "-", [0, 0])
        k[0] += 1
        k[1] += predicted == actual
        if predicted != actual:
            errors.append({"kind": row.get("kind", ""), "score": round(s, 4), "left": row["left"],
                           "right": row["right"], "why": names.explain(row["left"], row["right"])})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs": len(rows),
        "positives": tp + fn,
        "threshold": threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "accuracy": round((tp + tn) / len(rows), 4) if rows else 0.0,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "per_kind": {k: {"n": v[0], "accuracy": round(v[1] / v[0], 4)} for k, v in sorted(kinds.items())},
        "_errors": errors,
    }


def throughput(rows: list[dict[str, str]], seconds: float = 1.5) -> dict[str, float]:
    pairs = [(r["left"], r["right"]) for r in rows]
    # cold: caches cleared, every name parsed once
    clear_caches()
    start = time.perf_counter()
    for left, right in pairs:
        names.score(left, right)
    cold = len(pairs) / (time.perf_counter() - start)
    # warm: parsed names cached, as in a duplicates scan where each name meets many others
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for left, right in pairs:
            names.score(left, right)
        count += len(pairs)
    warm = count / (time.perf_counter() - start)
    # cross pairs: each name against other names (no pair cache hits)
    lefts = [p[0] for p in pairs]
    rights = [p[1] for p in pairs]
    start = time.perf_counter()
    n = 0
    for shift in range(1, 40):
        for k, left in enumerate(lefts):
            names.score(left, rights[(k + shift) % len(rights)])
            n += 1
    cross = n / (time.perf_counter() - start)
    return {"cold_pairs_per_s": round(cold), "warm_pairs_per_s": round(warm), "cross_pairs_per_s": round(cross)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", nargs="?", default=str(ROOT / "tests" / "data" / "name_pairs.tsv"))
    parser.add_argument("--threshold", type=float, default=names.DEFAULT_THRESHOLD)
    parser.add_argument("--errors", action="store_true", help="also list the misclassified pairs")
    parser.add_argument("--no-lexicon", action="store_true", help="switch the variant lexicon off (skeletons only)")
    args = parser.parse_args()
    if args.no_lexicon:
        set_lexicon_enabled(False)
    rows = read_pairs(Path(args.tsv))
    result = evaluate(rows, args.threshold)
    errors = result.pop("_errors")
    result["lexicon"] = not args.no_lexicon
    result["throughput"] = throughput(rows)
    if args.errors:
        result["errors"] = errors
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
