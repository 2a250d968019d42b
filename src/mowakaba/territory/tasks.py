"""Background jobs for the structure. Each rebuilds the requester's scope; none has its own rules."""

from __future__ import annotations

import base64
from typing import Any

from django.utils import timezone

from mowakaba.accounts.models import User
from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.services import origin
from mowakaba.core.models import Job
from mowakaba.core.tasks import task
from mowakaba.territory.services import establishments_import


@task()  # type: ignore[untyped-decorator]
def import_establishments_job(job_id: int) -> dict[str, Any]:
    job = Job.objects.get(pk=job_id)
    user = User.objects.get(pk=job.requested_by_id or 0)
    scope = scope_for_user(user)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        with origin("job"):
            if "xlsx" in job.params:
                data: bytes | str = base64.b64decode(job.params["xlsx"])
                filename = "import.xlsx"
            else:
                data, filename = job.params["csv"], "import.csv"
            report = establishments_import(actor=user, scope=scope, data=data, filename=filename,
                                           progress=progress)
    except Exception as exc:  # the job page must say it failed rather than spin forever
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=str(exc)[:2000],
                                             finished_at=timezone.now())
        raise
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE if report.ok else Job.Status.FAILED, result=report.as_dict(),
        finished_at=timezone.now(), done=1, total=1,
    )
    return report.as_dict()
