"""Large exports as background jobs: an export of more than settings.JUSHI_JOB_ROWS rows leaves the request.

Each app registers its export pages' exporters by name: `@exportjobs.exporter("app.what", title=..., link=...)`
on a builder `(actor, query) -> TableExporter` that applies the page's filters to what the actor may export
(its `restrict()`), so the page and the job build the same file. The export view checks its parameters as
before and answers with `respond(request, name)`: the file at once when it is small (today's behaviour), else
a job ("core.export") and a redirect to the job page, which shows the rows written of rows and then 下载.

The job runs the builder again as the person who asked (`job.requested_by`, never the worker's system user),
with the query they sent, writes the file under JUSHI_VAR_DIR/jobs (kept 7 days: core.cleanup), and records
the export in the audit trail once, as theirs. Only they may download it (jobviews.job_download).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from . import jobs
from .exporters import TableExporter

KIND = "core.export"
# Parameters that choose the file's format, not its rows: left out of the link back to the list.
FORMAT_PARAMS = ("format", "export")


@dataclass(frozen=True)
class Registered:
    name: str
    title: str  # what the file holds: 企业名录, 招商项目台账 …
    build: Callable[..., TableExporter]  # (actor, query: QueryDict) -> TableExporter
    link: str  # the list page's URL name, for the link back
    count: Callable[[TableExporter], int] | None = None  # rows the file will have (default: its queryset)


EXPORTERS: dict[str, Registered] = {}


def exporter(name: str, *, title: str, link: str, count: Callable[[TableExporter], int] | None = None):
    """Register `build(actor, query) -> TableExporter` as the export called `name`."""

    def register(fn):
        EXPORTERS[name] = Registered(name=name, title=title, build=fn, link=link, count=count)
        return fn

    return register


class QueryRequest:
    """What the list pages' filter helpers read from a request (the user and the query string), for a
    builder that runs in the worker, where there is no request."""

    method = "GET"

    def __init__(self, user, query: QueryDict):
        self.user = user
        self.GET = query
        self.POST = QueryDict()
        self.META: dict = {}
        self.path = ""


def as_request(user, query: QueryDict):
    return QueryRequest(user, query)


def row_count(registered: Registered, built: TableExporter) -> int:
    """How many rows the file will have, counted before anything is rendered."""
    if registered.count is not None:
        return registered.count(built)
    queryset = getattr(built, "queryset", None)
    if queryset is not None:
        return queryset.count()
    raise TypeError(f"导出“{registered.name}”没有给出行数的方法")


def list_link(registered: Registered, query: QueryDict) -> str:
    """The list the export came from, with its filters (not the format)."""
    rest = query.copy()
    for key in FORMAT_PARAMS:
        rest.pop(key, None)
    encoded = rest.urlencode()
    return reverse(registered.link) + (f"?{encoded}" if encoded else "")


def respond(request, name: str):
    """The export view's answer once its parameters are checked: the file at once up to JUSHI_JOB_ROWS rows,
    else a background job and a redirect to its page (progress, then 下载)."""
    registered = EXPORTERS[name]
    built = registered.build(request.user, request.GET)
    count = row_count(registered, built)
    if count <= settings.JUSHI_JOB_ROWS:
        return built.response()
    from .audit import sole_zone

    job = jobs.start(
        KIND,
        actor=request.user,
        params={"exporter": name, "query": request.GET.urlencode(), "format": built.fmt},
        title=f"导出{registered.title}({count} 行,{built.fmt.upper()})",
        zone_id=built.audit_zone_id() or sole_zone(request.user),
        total=count,
    )
    messages.info(
        request,
        f"共 {count} 行,超过 {settings.JUSHI_JOB_ROWS} 行,已转为后台导出;完成后在本页下载文件(保留 "
        f"{jobs.JOB_FILE_DAYS} 天,仅限本人下载)。",
    )
    return redirect("core:job", pk=job.pk)


def _registered(name: str) -> Registered:
    if name not in EXPORTERS:
        # The builders sit beside their export views: loading the URLconf imports (registers) them all.
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018
    registered = EXPORTERS.get(name)
    if registered is None:
        raise jobs.JobError(f"未知的导出“{name}”")
    return registered


@jobs.kind(KIND, title="导出", action="export")
def run_export(job, progress):
    """Build the export as the person who asked, with their query and rights; write the file, audit it."""
    registered = _registered(job.params.get("exporter", ""))
    user = job.requested_by
    if user is None or not user.is_active:
        raise jobs.JobError("发起人账号已停用,不能导出")
    query = QueryDict(job.params.get("query", ""))
    try:
        built = registered.build(user, query)
    except (PermissionDenied, Http404) as exc:
        raise jobs.JobError(f"发起人已无权导出{registered.title}:{exc}") from exc
    total = row_count(registered, built)
    progress(0, total, phase="读取数据")
    rows = built.rows
    written = 0

    def counted():
        nonlocal written
        for row in rows():
            yield row
            written += 1
            progress(written, total, phase="读取数据")
        progress(written, max(total, written), phase="生成文件")

    built.rows = counted
    filename, _mimetype, data = built.render()
    folder = Path(settings.VAR_DIR) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"export-{job.pk}-{uuid.uuid4().hex}.{built.fmt}"
    partial = folder / f".{stored}.part"
    partial.write_bytes(data)
    partial.replace(folder / stored)  # the file appears whole or not at all
    built.record(filename, data, actor=user)
    return {
        "file": stored,
        "filename": filename,
        "rows": written,
        "summary": f"导出 {written} 行",
        "link": list_link(registered, query),
        "link_text": f"返回{registered.title}",
        "audited": True,  # the download of this file is the export recorded here, not a second one
    }
