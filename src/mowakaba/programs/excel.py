"""Excel files: writing a sheet (right to left when the reader's language is Arabic) and reading
the rows of an uploaded CSV or XLSX file as dicts, like ``core.csvio``."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.utils.translation import get_language_bidi

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a bold header row; right to left when the active language is."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31] or "Sheet"
    ws.sheet_view.rightToLeft = bool(get_language_bidi())
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, min(40, len(str(h)) + 4))
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        from django.utils.timezone import localtime

        return localtime(value).replace(tzinfo=None) if value.tzinfo is not None else value
    if value is None or isinstance(value, int | float | date):
        return value
    return str(value)


def upload_rows(name: str, data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) pairs of an uploaded file: XLSX by its name, otherwise UTF-8 CSV (any delimiter).
    Keys are lower-case and stripped, values stripped strings."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.active
        assert ws is not None
        it = ws.iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(it, ())]
        for line, values in enumerate(it, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            yield line, {h: _text(v) for h, v in zip(header, values, strict=False) if h}
        return
    from mowakaba.core.csvio import dict_rows

    text = io.StringIO(data.decode("utf-8-sig"), newline="")
    yield from enumerate(dict_rows(text), start=2)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
