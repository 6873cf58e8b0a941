"""The 后台任务 pages: the jobs a user may see, one job with its live progress (polled by HTMX while it
runs), retry, and the download of a file a job produced."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import jobs, runtime, scopes
from .models import Job, JobStatus

PAGE_SIZE = 50


def _visible(request):
    if not request.user.can("view") or scopes.scope_of(request.user).enterprise_id is not None:
        raise PermissionDenied("无权查看后台任务")
    return Job.objects.visible_to(request.user).select_related("requested_by")


@login_required
def job_list(request):
    queryset = _visible(request)
    jobs.reap()
    status = request.GET.get("status", "")
    if status in JobStatus.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for job in page:
        jobs.live(job)
    return render(
        request,
        "core/jobs.html",
        {
            "page": page,
            "status": status,
            "statuses": JobStatus.choices,
            "schedule": jobs.schedule_rows(request.user),
            "workers": runtime.live_workers(),
            "kinds": jobs.KINDS,
        },
    )


def _job(request, pk):
    job = get_object_or_404(_visible(request), pk=pk)
    if job.status == JobStatus.RUNNING:
        jobs.reap()
        job.refresh_from_db()
    return jobs.live(job)


def _context(request, job):
    return {
        "job": job,
        "kind": jobs.KINDS.get(job.kind),
        "may_retry": jobs.may_retry(request.user, job),
        "may_download": _may_download(request.user, job),
        "workers": runtime.live_workers(),
    }


@login_required
def job_detail(request, pk):
    job = _job(request, pk)
    return render(request, "core/job.html", _context(request, job))


@login_required
def job_progress(request, pk):
    """The progress block alone, for HTMX to poll every second while the job is unfinished."""
    job = _job(request, pk)
    return render(request, "core/_job_progress.html", _context(request, job))


@login_required
@require_POST
def job_retry(request, pk):
    job = get_object_or_404(_visible(request), pk=pk)
    if not jobs.may_retry(request.user, job):
        raise PermissionDenied("只有失败的任务可以重试,且须由发起人或有相应权限的人重试")
    again = jobs.retry(job, actor=request.user)
    messages.success(request, "已重新排队")
    return redirect("core:job", pk=again.pk)


def _may_download(user, job) -> bool:
    result = job.result or {}
    return bool(
        job.status == JobStatus.SUCCEEDED
        and result.get("file")
        and (job.requested_by_id == user.pk or user.is_superuser)
    )


def job_file(job) -> Path:
    """Where a job's output file lives: under JUSHI_VAR_DIR/jobs, named in the job's result."""
    return Path(settings.VAR_DIR) / "jobs" / Path(job.result["file"]).name


@login_required
def job_download(request, pk):
    """A job's file, for the person who asked for it (an export is made with their filters and rights)."""
    job = get_object_or_404(_visible(request), pk=pk)
    if not _may_download(request.user, job):
        raise PermissionDenied("只有发起人可以下载该任务生成的文件")
    path = job_file(job)
    if not path.is_file():
        raise Http404("文件已被清理,请重新导出")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=job.result.get("filename") or path.name
    )
    # The job recorded the export in the audit trail when it wrote the file; the download is not a second one.
    response.audit_recorded = bool(job.result.get("audited"))
    return response
