"""An export running in the background: its progress (polled by the page) and, when done, its file."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from jianguan.core.choices import ImportStatus
from jianguan.core.models import ExportJob
from jianguan.platform.apitools import file_response
from jianguan.platform.lists import EXPORT_DIR


def _own_job(request, pk: int) -> ExportJob:
    # An export holds what its owner may see: nobody else may follow or fetch it.
    job = ExportJob.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404
    return job


@login_required
def job(request, pk: int):
    job = _own_job(request, pk)
    template = "platform/export_progress.html" if request.htmx else "platform/export_job.html"
    return render(request, template, {"job": job, "running": job.status == ImportStatus.RUNNING})


@login_required
def download(request, pk: int):
    job = _own_job(request, pk)
    path = EXPORT_DIR / f"{job.pk}.{job.format}"
    if job.status != ImportStatus.COMPLETED or not path.exists():
        raise Http404
    return file_response(path.read_bytes(), job.filename, job.format)
