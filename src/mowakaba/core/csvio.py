"""Reading the CSV files people export from spreadsheets: comma, semicolon or tab, any header case."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, TextIO


def dict_rows(fh: TextIO) -> Iterator[dict[str, str]]:
    """Rows of a seekable text file as dicts with lower-case, stripped keys and stripped values.

    The delimiter is sniffed from the first 4 KB (Excel in French writes ";").
    """
    sample = fh.read(4096)
    fh.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for row in csv.DictReader(fh, dialect=dialect):
        yield {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
