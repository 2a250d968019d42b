"""The full refresh of the facts as a background job, with its progress on the job page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from mowakaba.core.models import Job
from mowakaba.core.tasks import task

from .refresh import refresh_full


@task()  # type: ignore[untyped-decorator]
def refresh_job(job_id: int) -> dict[str, Any]:
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING)

    def progress(done: int, total: int, measure: str) -> None:
        Job.objects.filter(pk=job_id).update(done=done, total=total, message=measure)

    try:
        run = refresh_full(progress=progress, job_id=job_id)
        from .coverage import coverage_refresh

        coverage_refresh()
    except Exception as exc:  # the job page must say it failed rather than spin forever
        Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, message=str(exc)[:2000],
                                             finished_at=timezone.now())
        raise
    result = {"rows": run.rows, "seconds": sum(run.timings.values()), "url": reverse("vigilance:home")}
    Job.objects.filter(pk=job_id).update(status=Job.Status.DONE, result=result, message="",
                                         finished_at=timezone.now())
    return result
