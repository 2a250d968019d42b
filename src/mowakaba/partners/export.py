"""Excel exports of the association and convention lists (``core.xlsx``), right to left in Arabic.

The rows come from the same selectors as the pages, so an export never holds more than the
list the reader sees; each export is journalled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mowakaba.core.xlsx import workbook_bytes
from mowakaba.partners.models import rib_masked


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
    return workbook_bytes(_("Partner associations"), header, rows, language=get_language())


def conventions_sheet(conventions: Iterable[Any]) -> bytes:
    header = [_("reference"), _("partner association"), _("signed for the institution by"), _("object"),
              _("start date"), _("end date"), _("total amount (MAD)"), _("paid (MAD)"), _("status"),
              _("late report")]
    rows = [[c.reference, str(c.association), c.unit.name, c.subject, c.starts_on, c.ends_on, float(c.amount),
             float(getattr(c, "paid", None) or 0), c.get_status_display(),
             _("yes") if getattr(c, "has_late", False) else ""] for c in conventions]
    return workbook_bytes(_("Conventions"), header, rows, language=get_language())
