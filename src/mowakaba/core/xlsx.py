"""Excel files, once for the whole project: writing sheets (right to left when the reader's language
is Arabic, bold frozen header, columns sized to their content, dates and numbers as real cells),
reading the rows of an uploaded CSV or XLSX file as dicts like ``core.csvio``, and the download
response.

Exports are built by the views from the same scoped querysets as their pages, and journalled there.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: A further sheet of a workbook: (title, headers, rows).
Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]

_MIN_WIDTH, _MAX_WIDTH = 10, 48


def is_rtl(language: str | None) -> bool:
    return (language or "")[:2].lower() == "ar"


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                   language: str | None, more: Sequence[Sheet] = ()) -> bytes:
    """An .xlsx with one sheet (and ``more`` after it): bold frozen header row, right to left when
    ``language`` is Arabic, columns as wide as their content (within bounds), dates, datetimes
    and numbers kept as typed cells; strings are never formulas."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    _fill(ws, title, headers, rows, rtl=is_rtl(language))
    for t, h, r in more:
        _fill(wb.create_sheet(), t, h, r, rtl=is_rtl(language))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _fill(ws: Any, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, rtl: bool) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.title = (str(title)[:31] or "Sheet").translate(str.maketrans("[]:*?/\\", "(). ..."))
    ws.sheet_view.rightToLeft = rtl
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) + 2 for h in headers]
    for n, row in enumerate(rows, start=2):
        ws.append([_cell(v) for v in row])
        for i, cell in enumerate(ws[n]):
            value = cell.value
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a text, never a formula
            if i < len(widths):
                widths[i] = max(widths[i], len(str(value if value is not None else "")) + 2)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(_MIN_WIDTH, min(_MAX_WIDTH, w))
    ws.freeze_panes = "A2"


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            from django.utils.timezone import localtime

            return localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, bool | int | float | date | time):
        return value
    return str(value)


def xlsx_response(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def upload_rows(filename: str, data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) pairs of an uploaded file: XLSX by its name, otherwise UTF-8 CSV (any delimiter).
    Keys are lower-case and stripped, values stripped strings (dates as ISO); blank rows skipped
    in XLSX. Raises ``ValueError`` for a file that cannot be read."""
    if filename.lower().endswith(".xlsx"):
        from zipfile import BadZipFile

        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (BadZipFile, KeyError, OSError) as exc:
            raise ValueError(str(exc)) from exc
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
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


#: The most rows an export of a list holds; a bigger list is narrowed with its filters first.
MAX_EXPORT_ROWS = 50_000


def wants_xlsx(request: Any) -> bool:
    """A list page is asked for its Excel export by ``?format=xlsx`` on its own address, so the
    export is built from the very queryset (scope and filters) the page shows."""
    return bool(request.GET.get("format") == "xlsx")


def export_query(request: Any) -> str:
    """The page's query string for its Excel link: the same filters, without the page number."""
    q = request.GET.copy()
    for key in ("page", "format"):
        q.pop(key, None)
    q["format"] = "xlsx"
    return str(q.urlencode())
