"""Excel exports of the association and convention lists (openpyxl), right to left in Arabic.

The rows come from the same selectors as the pages, so an export never holds more than the
list the reader sees; each export is journalled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from mowakaba.partners.models import rib_masked

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.sheet_view.rightToLeft = (get_language() or "ar")[:2] == "ar"
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for i, _h in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 22
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def associations_sheet(associations: Iterable[Any], *, full_rib: bool) -> bytes:
    header = [_("name"), _("registration receipt number"), _("registration receipt date"), _("province"),
              _("legal representative"), _("phone"), _("email"), _("domains of action"), _("RIB"),
              _("establishments"), _("running conventions")]
    rows = []
    for a in associations:
        profile = getattr(a, "profile", None) if hasattr(a, "profile") else None
        rib = profile.rib if profile else ""
        rows.append([str(a), a.registration_number, profile.receipt_date if profile else None,
                     a.province.name if a.province else "", a.representative, a.phone, a.email,
                     ", ".join(profile.domain_labels()) if profile else "",
                     (rib if full_rib else rib_masked(rib)) if rib else "",
                     getattr(a, "n_establishments", 0), getattr(a, "n_running", 0)])
    return workbook(_("Partner associations"), header, rows)


def conventions_sheet(conventions: Iterable[Any]) -> bytes:
    header = [_("reference"), _("partner association"), _("signed for the institution by"), _("object"),
              _("start date"), _("end date"), _("total amount (MAD)"), _("paid (MAD)"), _("status"),
              _("late report")]
    rows = [[c.reference, str(c.association), c.unit.name, c.subject, c.starts_on, c.ends_on, float(c.amount),
             float(getattr(c, "paid", None) or 0), c.get_status_display(),
             _("yes") if getattr(c, "has_late", False) else ""] for c in conventions]
    return workbook(_("Conventions"), header, rows)
