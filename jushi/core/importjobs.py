"""Large imports as background jobs: a file of more than settings.JUSHI_JOB_ROWS data rows is checked (the
dry run) and then written (the confirmed import) by `jushi worker`, while the import page polls its progress.

One job kind, "core.import", runs every app's import. Each app registers its importer once, by name
(`@importjobs.importer(...)` on the function its page already runs: `(actor, data, info, *, dry_run,
progress) -> (result, errors)`); a job's params name the importer and its module (imported by the worker
on demand, so core names no higher app), the stashed file (jushi.core.uploads: token and file name), the
page's options (zone, form, period...) and whether it is the dry run.

The dry run's job keeps in its result what the page shows today: the plan's counts and first 500 lines of
each group (jushi.core.importing.plan_to_dict), the importer's own summary for its template, and the row
errors (the first 500 and how many in all). The confirmed import is a second job on the same file; its
writes are one transaction (the services' own), so a worker that dies halfway leaves nothing behind and
the job can be retried. Its result links to what the import made (the list filtered by the batch).

Small files keep the synchronous pages of old: this module only decides which files are large.
"""

import importlib
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from openpyxl.utils import column_index_from_string

from jushi.lib.tabular import TableError, _check_zip, format_of, limits, read_table

from . import jobs, runtime, scopes, uploads
from .importing import Sample, plan_from_dict, plan_to_dict
from .models import Job, JobStatus

KIND = "core.import"
ERRORS_KEPT = 500
ERRORS_IN_MESSAGE = 5


@dataclass(frozen=True)
class Importer:
    name: str
    title: str  # the job's title: "导入企业"
    page: str  # the import page's URL name
    run: Callable  # (actor, data, info, *, dry_run, progress) -> (result, errors)
    describe: Callable  # result -> dict: what the page's template reads as `result` after a dry run
    finish: Callable  # (result, info) -> {"summary", "link", "link_text"} after the import


IMPORTERS: dict[str, Importer] = {}


def _describe(result) -> dict:
    return {"total": result.total}


def importer(name: str, *, title: str, page: str, finish: Callable, describe: Callable = _describe):
    """Register `fn(actor, data, info, *, dry_run, progress=None) -> (result, errors)` as an importer."""

    def register(fn):
        IMPORTERS[name] = Importer(name, title, page, fn, describe, finish)
        return fn

    return register


def _importer(params: dict) -> Importer:
    name, module = params.get("importer", ""), params.get("module", "")
    if name not in IMPORTERS and module.startswith("jushi."):
        importlib.import_module(module)  # the worker has not loaded the page's module yet
    if name not in IMPORTERS:
        raise jobs.JobError(f"未知的导入类型“{name}”")
    return IMPORTERS[name]


# -- which files are large ------------------------------------------------------------------------------

_DIMENSION = re.compile(rb'<dimension\s+ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_RID = re.compile(rb'\br:id="([^"]+)"|\b\w+:id="([^"]+)"')
_REL = re.compile(rb"<Relationship\b[^>]*>")


def _attr(tag: bytes, name: bytes) -> str | None:
    found = re.search(rb"\b" + name + rb'="([^"]*)"', tag)
    return found.group(1).decode() if found else None


def _xlsx_rows(data: bytes) -> int | None:
    """The first sheet's declared last row, read from the start of its XML without opening the workbook;
    None when the file does not say (then the table is read to count). A workbook whose directory or
    declared width breaks the caps counts 0: the synchronous path refuses it at once, naming the cap."""
    try:
        _check_zip(data, limits())
    except TableError:
        return 0
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            first = _SHEET.search(archive.read("xl/workbook.xml")[:1_000_000])
            rels = archive.read("xl/_rels/workbook.xml.rels")[:1_000_000]
            if first is None:
                return None
            rid = _RID.search(first.group(0))
            rid = (rid.group(1) or rid.group(2)).decode() if rid else None
            target = None
            for rel in _REL.findall(rels):
                if _attr(rel, b"Id") == rid:
                    target = _attr(rel, b"Target")
            if not target:
                return None
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if path not in names:
                return None
            with archive.open(path) as sheet:
                head = sheet.read(4096)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    found = _DIMENSION.search(head)
    if found is None:
        return None
    if column_index_from_string(found.group(1).decode()) > limits().columns:
        return 0
    return int(found.group(2))


def count_rows(data: bytes, filename: str) -> int:
    """How many data rows the file has, cheaply: a CSV's lines, an XLSX sheet's declared range (at most:
    blank lines count). When the workbook does not declare its range, the table is read and counted; a
    file that cannot be read counts 0 (the synchronous dry run then says what is wrong with it)."""
    try:
        fmt = format_of(filename)
    except TableError:
        return 0
    if fmt == "csv":
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        return max(0, lines - 1)
    declared = _xlsx_rows(data)
    if declared is not None:
        return max(0, declared - 1)
    try:
        return len(read_table(data, filename, max_bytes=settings.JUSHI_IMPORT_MAX_BYTES).rows)
    except TableError:
        return 0


def is_large(data: bytes, filename: str) -> int:
    """The file's row count when it should run as a job (over JUSHI_JOB_ROWS, within the row cap: a file
    over the cap is refused at once by the synchronous path), else 0."""
    rows = count_rows(data, filename)
    if settings.JUSHI_JOB_ROWS < rows < limits().rows:
        return rows
    return 0


# -- starting and running -------------------------------------------------------------------------------


def default_zone_id(user) -> int | None:
    """The zone of an import whose rows name their own zones: the user's one zone, if they have one (the
    job is then seen by that zone's staff); else none (seen by who asked and who sees every zone)."""
    scope = scopes.scope_of(user)
    if scope.all_zones or len(scope.zone_ids) != 1:
        return None
    return next(iter(scope.zone_ids))


def _page_url(importer: Importer, job_pk: int) -> str:
    return reverse(importer.page) + f"?job={job_pk}"


def start_dry_run(
    request, name: str, *, session_key: str, data: bytes, filename: str, options: dict, zone_id, rows: int
) -> Job:
    """Stash the file (as the synchronous dry run does) and queue its dry run."""
    registered = IMPORTERS[name]
    token = uploads.stash(request, session_key, data, filename, options)
    params = {
        "importer": name,
        "module": registered.run.__module__,
        "token": token,
        "filename": filename,
        "options": options,
        "dry_run": True,
    }
    return jobs.start(
        KIND,
        actor=request.user,
        params=params,
        title=f"{registered.title}(试运行):{filename}",
        zone_id=zone_id,
        total=rows,
    )


def dry_run_if_large(
    request, name: str, *, session_key: str, data: bytes, filename: str, options: dict, zone_id
):
    """The import pages' one decision: a file over JUSHI_JOB_ROWS rows is stashed, its dry run queued, and
    the answer is a redirect to the page following that job; None for a file the page checks itself."""
    rows = is_large(data, filename)
    if not rows:
        return None
    job = start_dry_run(
        request,
        name,
        session_key=session_key,
        data=data,
        filename=filename,
        options=options,
        zone_id=zone_id,
        rows=rows,
    )
    return redirect(_page_url(IMPORTERS[name], job.pk))


def start_import(request, dry: Job) -> Job:
    """Queue the confirmed import of a dry run's file, as the person who confirms."""
    registered = _importer(dry.params)
    return jobs.start(
        KIND,
        actor=request.user,
        params={**dry.params, "dry_run": False, "dry_run_job": dry.pk},
        title=f"{registered.title}:{dry.params['filename']}",
        zone_id=dry.zone_id,
        total=dry.total,
    )


@jobs.kind(KIND, title="批量导入", action="import")
def run_import(job, progress):
    params = job.params
    registered = _importer(params)
    try:
        path = uploads.stashed_path(params["token"], params["filename"])
    except (KeyError, ValueError) as exc:
        raise jobs.JobError("导入文件无效,请重新上传") from exc
    if not path.is_file():
        raise jobs.JobError("导入文件已被清理(上传后超过 1 天未确认),请重新上传")
    if job.requested_by is None:
        raise jobs.JobError("发起导入的用户已不存在")
    progress(0, job.total, phase="读取")
    data = path.read_bytes()
    info = {"filename": params["filename"], **params.get("options", {})}
    dry_run = params.get("dry_run", True)
    result, errors = registered.run(job.requested_by, data, info, dry_run=dry_run, progress=progress)
    if dry_run:
        return dry_run_result(registered, job, result, errors)
    if errors:
        shown = ";".join(str(e) for e in errors[:ERRORS_IN_MESSAGE])
        more = f" 等 {len(errors)} 处" if len(errors) > ERRORS_IN_MESSAGE else ""
        raise jobs.JobError(f"校验未通过,未导入任何数据:{shown}{more};请修改文件后重新上传")
    path.unlink(missing_ok=True)
    return registered.finish(result, info)


def dry_run_result(registered: Importer, job: Job, result, errors) -> dict:
    ok = result is not None and not errors
    out = {
        "dry_run": True,
        "ok": ok,
        "link": _page_url(registered, job.pk),
        "link_text": "查看试运行结果",
        "errors": [str(e) for e in errors[:ERRORS_KEPT]],
        "error_count": len(errors),
        "result": registered.describe(result) if result is not None else None,
    }
    if ok:
        plan = result.groups()
        out["plan"] = plan_to_dict(plan)
        out["summary"] = f"试运行通过:{plan.summary()};确认后导入"
    else:
        out["summary"] = f"试运行未通过:{len(errors)} 处错误,未导入任何数据"
    return out


# -- the import pages -------------------------------------------------------------------------------------


def page_job(request, name: str, pk) -> Job:
    """The import job `pk` of importer `name`, if the user may see it; else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404("没有该导入任务") from exc
    job = get_object_or_404(Job.objects.visible_to(request.user).select_related("requested_by"), pk=pk)
    if job.kind != KIND or job.params.get("importer") != name:
        raise Http404("没有该导入任务")
    if job.status == JobStatus.RUNNING:
        jobs.reap()
        job.refresh_from_db()
    return jobs.live(job)


def show(request, name: str, pk, context: dict):
    """What the import page shows for `?job=`: an HTMX poll answer, a redirect to what a finished import
    made, or the page's context (None to render): the progress while unfinished, the plan and the
    confirmation after a clean dry run, the errors after one that found some."""
    job = page_job(request, name, pk)
    if request.headers.get("HX-Request"):
        if job.finished:
            response = HttpResponse(status=286)  # stop polling, and reload the page to show the outcome
            response["HX-Refresh"] = "true"
            return response
        return HttpResponse(status=204)
    params, result = job.params, job.result or {}
    if job.status == JobStatus.SUCCEEDED and not params.get("dry_run", True):
        messages.success(request, result.get("summary") or "导入完成")
        return redirect(result.get("link") or reverse(IMPORTERS[name].page))
    context.update(
        import_job=job,
        info={"filename": params.get("filename", ""), **params.get("options", {})},
        filename=params.get("filename", ""),
        may_retry=jobs.may_retry(request.user, job),
        workers=runtime.live_workers(),
        job_rows=settings.JUSHI_JOB_ROWS,
    )
    if job.status == JobStatus.SUCCEEDED and result.get("dry_run"):
        context["import_done"] = True
        kept = result.get("errors") or []
        context["errors"] = Sample(kept, result.get("error_count", len(kept)))
        context["result"] = result.get("result")
        if result.get("ok"):
            context["plan"] = plan_from_dict(result["plan"])
            context["token"] = params["token"]
    return None


def confirmed_job(request, name: str) -> Job | None:
    """The dry run a confirmation names (POST job + token), if the user may see it, it passed, and the
    token is its file's; None when the POST names no job (a synchronous confirmation)."""
    if not request.POST.get("job"):
        return None
    dry = page_job(request, name, request.POST["job"])
    result = dry.result or {}
    if (
        dry.status != JobStatus.SUCCEEDED
        or not dry.params.get("dry_run")
        or not result.get("ok")
        or request.POST.get("token") != dry.params.get("token")
    ):
        raise Http404("没有可确认的试运行")
    return dry


def confirm(request, name: str):
    """Start the import of a clean dry run's file; the page then shows its progress."""
    dry = confirmed_job(request, name)
    started = Job.objects.filter(kind=KIND, params__dry_run_job=dry.pk).order_by("pk").first()
    if started is not None:  # confirmed twice (a double click, a second tab): one import, the first
        return redirect(_page_url(IMPORTERS[name], started.pk))
    try:
        path = uploads.stashed_path(dry.params["token"], dry.params["filename"])
    except ValueError as exc:
        raise Http404("没有可确认的试运行") from exc
    if not path.is_file():
        messages.error(request, "导入文件已失效,请重新上传")
        return redirect(IMPORTERS[name].page)
    job = start_import(request, dry)
    return redirect(_page_url(IMPORTERS[name], job.pk))
