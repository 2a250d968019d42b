"""The one Excel writer and reader of ``core.xlsx``."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from mowakaba.core.xlsx import upload_rows, workbook_bytes


def test_writer_rtl_bold_frozen_typed_cells_and_no_formulas() -> None:
    data = workbook_bytes("حالات", ["رقم", "تاريخ", "مبلغ", "نص"],
                          [[1, date(2024, 5, 1), Decimal("12.50"), "=1+1"]], language="ar",
                          more=[("B", ["x"], [["y"]])])
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert ws.sheet_view.rightToLeft and ws.freeze_panes == "A2" and ws["A1"].font.b
    assert ws["A2"].value == 1 and ws["B2"].is_date and ws["C2"].value == 12.5
    assert ws["D2"].data_type == "s" and ws["D2"].value == "=1+1"
    assert wb.worksheets[1].title == "B" and wb.worksheets[1].sheet_view.rightToLeft
    assert not load_workbook(io.BytesIO(workbook_bytes("t", ["a"], [], language="fr"))).active.sheet_view.rightToLeft


def test_reader_reads_xlsx_and_csv_alike() -> None:
    data = workbook_bytes("t", ["Code", "Name"], [["A1", "x"], ["", ""], ["A2", date(2024, 1, 2)]], language="fr")
    assert list(upload_rows("f.XLSX", data)) == [(2, {"code": "A1", "name": "x"}),
                                                 (4, {"code": "A2", "name": "2024-01-02"})]
    assert list(upload_rows("f.csv", b"Code;Name\nA1;x\n")) == [(2, {"code": "A1", "name": "x"})]
