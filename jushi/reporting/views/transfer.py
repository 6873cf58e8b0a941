"""Importing a whole period from the statistics bureau's spreadsheet, and exporting one."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from jushi.core import exportjobs, importjobs, uploads
from jushi.core.choices import ChangeSource
from jushi.core.exporters import MIMETYPES
from jushi.core.scopes import can
from jushi.lib.tabular import TableError, limits, read_table
from jushi.registry.models import Zone

from ..columns import field_columns
from ..exporters import PeriodExporter
from ..forms import PeriodTransferForm
from ..models import ReportForm, Submission
from ..services.errors import ReportingError
from ..services.importing import RowError, import_period
from ..services.periods import parse_period

SESSION_KEY = "reporting_imports"


IMPORTER = "reporting.period"


def _describe(result) -> dict:
    """What the page's template reads of a dry run, kept in the job's result."""
    warned = [p for p in result.plan if p.warnings][: importjobs.ERRORS_KEPT]
    return {
        "total": result.total,
        "period": {"label": result.period.label},
        "skipped": list(result.skipped),
        "warning_count": result.warning_count,
        "plan": [
            {
                "row": p.row,
                "enterprise": {"name": p.enterprise.name},
                "warnings": [{"message": f.message} for f in p.warnings],
            }
            for p in warned
        ],
    }


def _finish(result, info: dict) -> dict:
    zone = result.zones[result.plan[0].enterprise.zone_id].code if result.plan else ""
    return {
        "summary": f"导入完成:新报 {result.count('create')} 家,更新 {result.count('update')} 家,"
        f"未变化 {result.count('unchanged')} 家;导入的报表均为已审核",
        "link": reverse("reporting:board") + f"?form={info['form']}&period={info['period']}&zone={zone}",
        "link_text": "查看报送情况",
    }


@importjobs.importer(
    IMPORTER, title="整期导入报表", page="reporting:period_import", finish=_finish, describe=_describe
)
def _import(actor, data: bytes, info: dict, *, dry_run: bool, progress=None):
    form = ReportForm.objects.get(code=info["form"])
    try:
        period = parse_period(form, info["period"])
        table = read_table(data, info["filename"], max_bytes=settings.JUSHI_IMPORT_MAX_BYTES)
    except (ReportingError, TableError) as exc:
        return None, [RowError(0, "文件" if isinstance(exc, TableError) else "报告期", str(exc))]
    result = import_period(
        actor=actor,
        form=form,
        period=period,
        table=table,
        dry_run=dry_run,
        source=ChangeSource.IMPORT,
        reason=f"批量导入 {info['filename']}",
        progress=progress,
    )
    return result, result.errors


def _run(request, data: bytes, info: dict, *, dry_run: bool):
    return _import(request.user, data, info, dry_run=dry_run)


@login_required
def period_import(request):
    if not (can(request.user, "import") and can(request.user, "review")):
        raise PermissionDenied("无权导入报表数据")
    report_forms = ReportForm.objects.filter(is_active=True)
    context = {"import_limits": limits(), "report_forms": report_forms}
    job = request.GET.get("job") if request.method == "GET" else None
    if job:  # a large import running as a job
        answer = importjobs.show(request, IMPORTER, job, context)
        if answer is not None:
            return answer
        form = PeriodTransferForm(report_forms=report_forms)
    elif request.method == "POST" and request.POST.get("job"):
        return importjobs.confirm(request, IMPORTER)
    elif request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        stashed = uploads.unstash(request, SESSION_KEY, token)
        if stashed is None:
            messages.error(request, "导入文件已失效,请重新上传")
            return redirect("reporting:period_import")
        data, info = stashed
        result, errors = _run(request, data, info, dry_run=False)
        if errors:
            context.update(
                form=PeriodTransferForm(report_forms=report_forms), errors=errors, result=result, info=info
            )
            return render(request, "reporting/period_import.html", context)
        uploads.drop(request, SESSION_KEY, token)
        messages.success(
            request,
            f"导入完成:新报 {result.count('create')} 家,更新 {result.count('update')} 家,"
            f"未变化 {result.count('unchanged')} 家;导入的报表均为已审核",
        )
        zone = result.zones[result.plan[0].enterprise.zone_id].code if result.plan else ""
        return redirect(
            reverse("reporting:board") + f"?form={info['form']}&period={info['period']}&zone={zone}"
        )
    else:
        form = PeriodTransferForm(request.POST or None, request.FILES or None, report_forms=report_forms)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        info = {"form": form.cleaned_data["form"], "period": form.cleaned_data["period"].strip()}
        try:
            data = uploads.read_upload(upload)
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            queued = importjobs.dry_run_if_large(
                request,
                IMPORTER,
                session_key=SESSION_KEY,
                data=data,
                filename=upload.name,
                options=info,
                zone_id=importjobs.default_zone_id(request.user),
            )
            if queued:
                return queued
            result, errors = _run(request, data, {"filename": upload.name, **info}, dry_run=True)
            context.update(result=result, errors=errors, info={"filename": upload.name, **info})
            if result is not None and not errors:
                context["token"] = uploads.stash(request, SESSION_KEY, data, upload.name, info)
                context["plan"] = result.groups()
    context["form"] = form
    selected = (
        ReportForm.objects.filter(code=form["form"].value() or "ind-monthly").first() or report_forms.first()
    )
    context["columns"] = field_columns(selected.fields.all()) if selected else []
    context["selected"] = selected
    return render(request, "reporting/period_import.html", context)


@login_required
def period_export(request):
    # The right first, before the parameters: a whole period's table is not an enterprise reporter's.
    if not can(request.user, "export") or request.user.is_reporter:
        raise PermissionDenied("无权导出整期报表")
    form = ReportForm.objects.filter(code=request.GET.get("form", "")).first()
    fmt = request.GET.get("format", "xlsx")
    if form is None or fmt not in MIMETYPES:
        return HttpResponseBadRequest("表式或格式: 无效")
    try:
        parse_period(form, request.GET.get("period", ""))
    except ReportingError as exc:
        return HttpResponseBadRequest(f"报告期: {exc}")
    return exportjobs.respond(request, "reporting.period")


def _period_rows(exporter) -> int:
    """The period's rows the exporter's actor may export (one a submission), counted before rendering."""
    submissions = Submission.objects.restrict(exporter.actor, "export").filter(
        period__form=exporter.form, period__code=exporter.period.code
    )
    if exporter.zone is not None:
        submissions = submissions.filter(period__zone=exporter.zone)
    return submissions.count()


@exportjobs.exporter("reporting.period", title="整期报表", link="reporting:board", count=_period_rows)
def period_exporter(actor, query):
    """A whole period's table for `actor`: the form, period and zone of the query, in their scope."""
    if not can(actor, "export") or actor.is_reporter:
        raise PermissionDenied("无权导出整期报表")
    form = ReportForm.objects.filter(code=query.get("form", "")).first()
    if form is None:
        raise Http404("表式无效")
    try:
        period = parse_period(form, query.get("period", ""))
    except ReportingError as exc:
        raise Http404(f"报告期: {exc}") from exc
    zone = Zone.objects.visible_to(actor).filter(code=query.get("zone", "")).first()
    return PeriodExporter(actor=actor, form=form, period=period, zone=zone, fmt=query.get("format", "xlsx"))
