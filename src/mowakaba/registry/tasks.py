"""The duplicate scan as a background job, with its progress on the job page."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mowakaba.audit.services import journal_write, origin
from mowakaba.core.models import Job
from mowakaba.core.tasks import task
from mowakaba.registry.duplicates import scan


@task()  # type: ignore[untyped-decorator]
def duplicates_scan_job(job_id: int) -> dict[str, Any]:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)

    def progress(done: int, total: int, message: str) -> None:
        Job.objects.filter(pk=job.pk).update(done=done, total=max(total, 1), message=message[:500])

    try:
        with origin("job"):
            result = scan(progress=progress)
            journal_write(actor=job.requested_by, action="duplicates.scan", object_type="registry.duplicatepair",
                          changes=result)
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=str(exc)[:2000],
                                             finished_at=timezone.now())
        raise
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, result=result, message="",
                                         finished_at=timezone.now())
    return result
