"""Background work of the platform: exports of long lists."""

from huey.contrib.djhuey import db_task

from jianguan.core.models import ExportJob
from jianguan.platform.lists import run_export


@db_task()
def export_in_background(job_id: int) -> None:
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is not None:
        run_export(job)
