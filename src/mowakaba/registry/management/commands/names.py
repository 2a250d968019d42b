"""``mowakaba names compare FILE.tsv``: score name pairs from a TSV file (a stable interface).

Input: a UTF-8 TSV (a BOM and CRLF line ends are accepted, no quoting) whose header names a
``left`` and a ``right`` column, in any position; other columns are ignored. ``-`` reads stdin.
Output (stdout): a TSV with the header ``left	right	score	same`` and one row per input row, in
order; ``score`` in [0, 1] with 4 decimals, ``same`` 1 or 0 at the default threshold.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mowakaba.registry.names import DEFAULT_THRESHOLD, score


def compare_tsv(data: bytes, threshold: float = DEFAULT_THRESHOLD) -> str:
    """Score every ``left``/``right`` row of a TSV document; return the output TSV text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"the file is not UTF-8: {exc}") from exc
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise CommandError("the file is empty; it needs a header with 'left' and 'right' columns")
    header = [h.strip().lstrip("\ufeff").lower() for h in lines[0].split("\t")]
    try:
        li, ri = header.index("left"), header.index("right")
    except ValueError:
        raise CommandError("the header needs a 'left' and a 'right' column (tab-separated)") from None
    out = ["left\tright\tscore\tsame"]
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = line.split("\t")
        left = cells[li].strip() if li < len(cells) else ""
        right = cells[ri].strip() if ri < len(cells) else ""
        s = score(left, right)
        out.append(f"{left}\t{right}\t{s:.4f}\t{1 if s >= threshold else 0}")
    return "\n".join(out) + "\n"


class Command(BaseCommand):
    help = (
        "Person-name matching. `compare FILE.tsv` reads a UTF-8 TSV with 'left' and 'right' columns "
        "('-' for stdin) and prints left, right, score (4 decimals) and same (1/0 at the default threshold)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["compare"])
        parser.add_argument("file", help="TSV file with 'left' and 'right' columns, or '-' for stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
        self.stdout.write(compare_tsv(data), ending="")
