"""Excel export of training sessions and their participants (``core.xlsx``), right to left in Arabic.

The sessions the reader organises for a year: one sheet of sessions, one of participants with
their days present and evaluation. Two queries for the rows, whatever their number; the export
is journalled (``training.export``), since names of staff leave the system.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mowakaba.accounts.scope import Scope, scope_of
from mowakaba.audit.models import JournalEntry
from mowakaba.audit.services import journal_write
from mowakaba.core.xlsx import workbook_bytes, xlsx_response
from mowakaba.training.models import ORGANISE, Participant, TrainingSession

MAX_ROWS = 100_000


def workbook(scope: Scope, *, year: int) -> tuple[bytes, int, int]:
    """The workbook's bytes, and how many sessions and participants it holds."""
    sessions = list(TrainingSession.objects.visible_to(scope).filter(starts_on__year=year)
                    .select_related("theme", "organiser", "place", "trainer", "region", "province")
                    .annotate(n=Count("participants")).order_by("starts_on", "pk")[:MAX_ROWS])
    people = list(Participant.objects.filter(session__in=[s.pk for s in sessions])
                  .select_related("user", "session")
                  .annotate(days=Count("attendance", filter=Q(attendance__present=True)))
                  .order_by("session__starts_on", "session_id", "user__last_name", "pk")[:MAX_ROWS])
    today = timezone.localdate()
    session_rows = [[s.code, s.title, s.theme.name, str(s.status_on(today).label), s.starts_on, s.ends_on,
                     s.trainer_label, s.place_label, s.organiser.name, s.region.name if s.region else "",
                     s.province.name if s.province else "", s.capacity, getattr(s, "n", 0)] for s in sessions]
    people_rows = []
    for p in people:
        attended = getattr(p, "days", 0)
        people_rows.append([p.session.code, p.session.title, p.user.display_name, p.user.username, attended,
                            p.satisfaction, p.usefulness, p.certificate_number if attended else "",
                            p.over_capacity_reason])
    data = workbook_bytes(
        _("Sessions"),
        [_("Reference"), _("Title"), _("Theme"), _("Status"), _("First day"), _("Last day"), _("Trainer"),
         _("Place"), _("Organising unit"), _("Region"), _("Province"), _("Capacity"), _("Participants")],
        session_rows, language=translation.get_language(),
        more=[(_("Participants"),
               [_("Session"), _("Title"), _("Staff member"), _("Account"), _("Days present"), _("Satisfaction"),
                _("Usefulness"), _("Certificate number"), _("Reason for exceeding the capacity")],
               people_rows)])
    return data, len(sessions), len(people)


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
    return xlsx_response(f"training-{year}.xlsx", data)
