"""Import of enrolments and of attendance into one offering, from CSV or XLSX.

Enrolments: columns ``record_no`` (MWK-0000123), optional ``wait`` (1 to put the person on the
waiting list whatever the places) and ``note``. Attendance: ``date`` (YYYY-MM-DD), ``topic``,
``record_no``, ``mark`` (present/absent/excused, or P/A/E, or حاضر/غائب/معذور), one row per
person and session.

Nothing is half-imported: every row is checked first and reported with its line; if any row is
wrong nothing is written. The rows are then written through the same services as the pages, in
one transaction, so a refusal found while writing (someone already enrolled) rolls everything
back and is reported like the others.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Scope
from mowakaba.audit.services import journal_write
from mowakaba.core.xlsx import upload_rows
from mowakaba.programs import services
from mowakaba.programs.models import Enrolment, Offering
from mowakaba.registry.models import Person, parse_record_number

MARKS = {"present": "present", "p": "present", "حاضر": "present", "présent": "present", "1": "present",
         "absent": "absent", "a": "absent", "غائب": "absent", "0": "absent",
         "excused": "excused", "e": "excused", "excusé": "excused", "معذور": "excused"}


@dataclass
class ImportReport:
    written: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def _message(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def enrolments_import(*, actor: Any, scope: Scope, offering: Offering, name: str, data: bytes) -> ImportReport:
    report = ImportReport()
    parsed: list[tuple[int, int, bool, str]] = []
    rows = list(upload_rows(name, data))
    numbers = {line: parse_record_number(r.get("record_no", "")) for line, r in rows}
    people = set(Person.objects.editable_by(scope).filter(pk__in=[n for n in numbers.values() if n])
                 .values_list("pk", flat=True))
    seen: set[int] = set()
    for line, row in rows:
        pk = numbers[line]
        if pk is None:
            report.errors.append((line, _("record_no %(v)s is not a record number (MWK-0000123).")
                                  % {"v": repr(row.get("record_no", ""))}))
        elif pk not in people:
            report.errors.append((line, _("No person %(v)s in your territory.") % {"v": row.get("record_no")}))
        elif pk in seen:
            report.errors.append((line, _("%(v)s appears twice in the file.") % {"v": row.get("record_no")}))
        else:
            seen.add(pk)
            parsed.append((line, pk, row.get("wait", "") in {"1", "yes", "oui", "نعم"}, row.get("note", "")))
    if not rows:
        report.errors.append((1, _("The file has no rows.")))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for line, pk, wait, note in parsed:
                try:
                    services.enrolment_request(actor=actor, scope=scope, offering_id=offering.pk, person_id=pk,
                                               wait=wait, note=note)
                except ValidationError as exc:
                    report.errors.append((line, _message(exc)))
            if report.errors:
                raise _Rollback
            report.written = len(parsed)
            journal_write(actor=actor, action="enrolments.import", obj=offering, object_repr=name,
                          org_unit_id=offering.establishment_id, changes={"imported": report.written})
    except _Rollback:
        report.written = 0
    return report


def attendance_import(*, actor: Any, scope: Scope, offering: Offering, name: str, data: bytes) -> ImportReport:
    report = ImportReport()
    rows = list(upload_rows(name, data))
    enrolled = dict(Enrolment.objects.filter(offering=offering, state__in=["admitted", "exited"])
                    .values_list("person_id", "pk"))
    sessions: dict[tuple[date, str], dict[int, str]] = defaultdict(dict)
    today = timezone.localdate()
    for line, row in rows:
        problems = []
        try:
            day = date.fromisoformat(row.get("date", "")[:10])
            if day > today:
                problems.append(_("date %(v)s is in the future") % {"v": row.get("date")})
        except ValueError:
            day = today
            problems.append(_("date %(v)s is not a date (YYYY-MM-DD)") % {"v": repr(row.get("date", ""))})
        pk = parse_record_number(row.get("record_no", ""))
        enrolment_id = enrolled.get(pk or 0)
        if enrolment_id is None:
            problems.append(_("%(v)s is not in this group") % {"v": row.get("record_no") or "—"})
        mark = MARKS.get(row.get("mark", "").strip().lower())
        if mark is None:
            problems.append(_("mark %(v)s is not present, absent or excused") % {"v": repr(row.get("mark", ""))})
        if problems:
            report.errors.append((line, "; ".join(problems)))
            continue
        assert enrolment_id is not None and mark is not None
        key = (day, row.get("topic", "")[:200])
        if enrolment_id in sessions[key]:
            report.errors.append((line, _("%(v)s is marked twice for this session") % {"v": row.get("record_no")}))
        sessions[key][enrolment_id] = mark
    if not rows:
        report.errors.append((1, _("The file has no rows.")))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for (day, topic), marks in sorted(sessions.items()):
                try:
                    services.session_record_attendance(actor=actor, scope=scope, offering_id=offering.pk,
                                                       marks=marks, held_on=day, topic=topic)
                except ValidationError as exc:
                    report.errors.append((0, f"{day.isoformat()} {topic}: {_message(exc)}"))
            if report.errors:
                raise _Rollback
            report.written = sum(len(m) for m in sessions.values())
            journal_write(actor=actor, action="attendance.import", obj=offering, object_repr=name,
                          org_unit_id=offering.establishment_id,
                          changes={"sessions": len(sessions), "marks": report.written})
    except _Rollback:
        report.written = 0
    return report
