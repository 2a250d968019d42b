"""Excel export of training sessions and their participants (openpyxl), right to left in Arabic.

The sessions the reader organises for a year: one sheet of sessions, one of participants with
their days present and evaluation. Two queries for the rows, whatever their number; the export
is journalled (``training.export``), since names of staff leave the system.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mowakaba.accounts.scope import Scope, scope_of
from mowakaba.audit.models import JournalEntry
from mowakaba.audit.services import journal_write
from mowakaba.training.models import ORGANISE, Participant, TrainingSession

MAX_ROWS = 100_000


def workbook(scope: Scope, *, year: int) -> tuple[bytes, int, int]:
    """The workbook's bytes, and how many sessions and participants it holds."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rtl = bool(translation.get_language_bidi())
    sessions = list(TrainingSession.objects.visible_to(scope).filter(starts_on__year=year)
                    .select_related("theme", "organiser", "place", "trainer", "region", "province")
                    .annotate(n=Count("participants")).order_by("starts_on", "pk")[:MAX_ROWS])
    people = list(Participant.objects.filter(session__in=[s.pk for s in sessions])
                  .select_related("user", "session")
                  .annotate(days=Count("attendance", filter=Q(attendance__present=True)))
                  .order_by("session__starts_on", "session_id", "user__last_name", "pk")[:MAX_ROWS])
    today = timezone.localdate()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Sessions")[:31]
    ws.sheet_view.rightToLeft = rtl
    ws.append([_("Reference"), _("Title"), _("Theme"), _("Status"), _("First day"), _("Last day"), _("Trainer"),
               _("Place"), _("Organising unit"), _("Region"), _("Province"), _("Capacity"), _("Participants")])
    for s in sessions:
        ws.append([s.code, s.title, s.theme.name, str(s.status_on(today).label), s.starts_on, s.ends_on,
                   s.trainer_label, s.place_label, s.organiser.name, s.region.name if s.region else "",
                   s.province.name if s.province else "", s.capacity, getattr(s, "n", 0)])
    ws2 = wb.create_sheet(_("Participants")[:31])
    ws2.sheet_view.rightToLeft = rtl
    ws2.append([_("Session"), _("Title"), _("Staff member"), _("Account"), _("Days present"), _("Satisfaction"),
                _("Usefulness"), _("Certificate number"), _("Reason for exceeding the capacity")])
    for p in people:
        attended = getattr(p, "days", 0)
        ws2.append([p.session.code, p.session.title, p.user.display_name, p.user.username, attended,
                    p.satisfaction, p.usefulness, p.certificate_number if attended else "", p.over_capacity_reason])
    for sheet in (ws, ws2):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = min(48, max(10, *(len(str(c.value or "")) + 2 for c in column)))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if hasattr(cell.value, "isoformat"):
                    cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(sessions), len(people)


@require_GET
@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(ORGANISE)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    data, n_sessions, n_people = workbook(scope, year=year)
    journal_write(actor=request.user, action="training.export", object_type="training.trainingsession",
                  object_repr=f"{year}", kind=JournalEntry.Kind.EXPORT,
                  changes={"year": [None, year], "sessions": [None, n_sessions], "participants": [None, n_people]})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="training-{year}.xlsx"'
    return response
