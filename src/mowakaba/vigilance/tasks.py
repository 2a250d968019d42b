"""Background job: an authority report (PDF and Excel) for one territory and period.

The job rebuilds the requester's scope (the territory is checked again when it runs), writes its
progress section by section on ``Job`` and leaves both files under ``VAR_DIR/reports``; the
download view hands them back to the requester only. Only aggregates are built (``reports.py``).
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from mowakaba.accounts.models import User
from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.audit.services import journal_write, origin
from mowakaba.core.models import Job
from mowakaba.core.tasks import task

from . import reports

JOB_KIND = "vigilance.report"
FORMATS = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# building the content (6 steps, see reports.build_report), then the PDF, then the workbook
TOTAL_STEPS = 8
KEEP = 10  # a person's recent reports kept on disk (the list on the reports page)


def reports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_file(job: Job, fmt: str) -> Path | None:
    """The file of a finished report job, if it is still there (a name we wrote, nothing else)."""
    name = (job.result or {}).get("files", {}).get(fmt)
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = reports_dir() / name
    return path if path.is_file() else None


def prune(user_id: int) -> int:
    """Delete the files of a person's older reports (beyond the ``KEEP`` most recent): reports are
    remade in seconds from the facts, and the var folder must not grow without end."""
    old = Job.objects.filter(requested_by_id=user_id, kind=JOB_KIND).order_by("-created_at", "-pk")[KEEP:]
    removed = 0
    for job in old:
        files = (job.result or {}).get("files") or {}
        if not files:
            continue
        for fmt in list(files):
            path = report_file(job, fmt)
            if path is not None:
                path.unlink(missing_ok=True)
                removed += 1
        Job.objects.filter(pk=job.pk).update(result={**job.result, "files": {}})
    return removed


def generate_report(job: Job) -> dict[str, Any]:
    """Run the report job (the task body, also callable directly)."""
    user = User.objects.get(pk=job.requested_by_id or 0)
    scope = scope_for_user(user)
    p = job.params
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, total=TOTAL_STEPS, done=0)

    def progress(done: int, _total: int) -> None:
        Job.objects.filter(pk=job.pk).update(done=done, total=TOTAL_STEPS)

    started = time.perf_counter()
    language = p.get("language") or "ar"
    period = reports.Period.parse(p["period"])
    with translation.override(language):
        report = reports.build_report(scope, p["level"], p.get("territory_id"), period, language=language,
                                      progress=progress)
        built = time.perf_counter()
        pdf = reports.report_pdf(report, printed_by=user.display_name)
        progress(7, TOTAL_STEPS)
        pdf_done = time.perf_counter()
        xlsx = reports.report_xlsx(report)
        title = report.title
    stem = f"{job.pk}-{secrets.token_hex(8)}"
    files = {}
    for fmt, data in (("pdf", pdf), ("xlsx", xlsx)):
        name = f"{stem}.{fmt}"
        (reports_dir() / name).write_bytes(data)
        files[fmt] = name
    seconds = {"content": round(built - started, 3), "pdf": round(pdf_done - built, 3),
               "xlsx": round(time.perf_counter() - pdf_done, 3), "total": round(time.perf_counter() - started, 3)}
    result = {"files": files, "title": title, "seconds": seconds, "sections": report.timings,
              "slug": f"{report.territory_code}-{period.key}-{language}"}
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=TOTAL_STEPS, total=TOTAL_STEPS,
                                         result=result, finished_at=timezone.now())
    journal_write(actor=user, action="report.generate", object_type="vigilance.report", object_id=job.pk,
                  object_repr=f"{p['level']}{p.get('territory_id') or ''} {period.key} {language}",
                  changes={"level": p["level"], "territory_id": p.get("territory_id"), "period": period.key,
                           "language": language, "seconds": seconds["total"]},
                  kind=JournalEntry.Kind.EXPORT)
    prune(user.pk)
    return result


@task()  # type: ignore[untyped-decorator]
def report_job(job_id: int) -> dict[str, Any]:
    job = Job.objects.get(pk=job_id)
    try:
        with origin("job"):
            return generate_report(job)
    except Exception as exc:  # the page must say it failed rather than spin forever
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=str(exc)[:2000],
                                             finished_at=timezone.now())
        raise
