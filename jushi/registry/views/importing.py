from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from jushi.core import importjobs, uploads
from jushi.core.choices import ChangeSource
from jushi.lib.tabular import TableError, limits, read_table

from ..columns import ENTERPRISE_COLUMNS
from ..models import Zone
from ..services.importing import RowError, import_enterprises

SESSION_KEY = "registry_imports"
IMPORTER = "registry.enterprises"


class ImportForm(forms.Form):
    file = forms.FileField(label="文件(CSV 或 XLSX)")
    zone = forms.ModelChoiceField(
        label="默认开发区",
        queryset=Zone.objects.none(),
        required=False,
        to_field_name="code",
        help_text="文件中“开发区代码”为空的行归入此开发区",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.restrict(actor, "import")


def _stash(request, data: bytes, filename: str, options: dict) -> str:
    return uploads.stash(request, SESSION_KEY, data, filename, options)


def _unstash(request, token: str) -> tuple[bytes, dict] | None:
    return uploads.unstash(request, SESSION_KEY, token)


def _drop(request, token: str) -> None:
    uploads.drop(request, SESSION_KEY, token)


def _finish(result, info: dict) -> dict:
    """A confirmed import run as a job: what it did and the list of what this batch created or changed."""
    link = reverse("registry:enterprise_list")
    if result.created or result.updated:
        link += f"?batch={result.batch}"
    return {
        "summary": f"导入完成:新建 {result.created} 家,更新 {result.updated} 家,未变化 {result.unchanged} 家",
        "link": link,
        "link_text": "查看本次导入的企业",
    }


@importjobs.importer(
    "registry.enterprises", title="导入企业", page="registry:enterprise_import", finish=_finish
)
def _import(actor, data: bytes, info: dict, *, dry_run: bool, progress=None):
    zone = Zone.objects.restrict(actor, "import").filter(code=info.get("zone") or "").first()
    try:
        table = read_table(data, info["filename"], max_bytes=settings.JUSHI_IMPORT_MAX_BYTES)
    except TableError as exc:
        return None, [RowError(0, "文件", str(exc))]
    result = import_enterprises(
        actor=actor,
        table=table,
        zone=zone,
        dry_run=dry_run,
        source=ChangeSource.IMPORT,
        reason=f"批量导入 {info['filename']}",
        progress=progress,
    )
    return result, result.errors


def _run(request, data: bytes, info: dict, *, dry_run: bool):
    return _import(request.user, data, info, dry_run=dry_run)


@login_required
def enterprise_import(request):
    if not request.user.can("import"):
        raise PermissionDenied("无权导入企业")
    context = {"columns": ENTERPRISE_COLUMNS, "import_limits": limits()}
    if request.method == "GET" and request.GET.get("job"):  # a large import running as a job
        answer = importjobs.show(request, IMPORTER, request.GET["job"], context)
        if answer is not None:
            return answer
        context["form"] = ImportForm(actor=request.user)
        return render(request, "registry/enterprise_import.html", context)
    if request.method == "POST" and request.POST.get("job"):
        return importjobs.confirm(request, IMPORTER)
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        stashed = _unstash(request, token)
        if stashed is None:
            messages.error(request, "导入文件已失效,请重新上传")
            return redirect("registry:enterprise_import")
        data, info = stashed
        result, errors = _run(request, data, info, dry_run=False)
        if errors:
            context.update(form=ImportForm(actor=request.user), errors=errors, result=result, info=info)
            return render(request, "registry/enterprise_import.html", context)
        _drop(request, token)
        messages.success(
            request,
            f"导入完成:新建 {result.created} 家,更新 {result.updated} 家,未变化 {result.unchanged} 家",
        )
        if result.created or result.updated:  # the list shows what this batch created or changed
            return redirect(reverse("registry:enterprise_list") + f"?batch={result.batch}")
        return redirect("registry:enterprise_list")

    form = ImportForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        info = {"zone": form.cleaned_data["zone"].code if form.cleaned_data["zone"] else ""}
        try:
            data = uploads.read_upload(upload)
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            zone = form.cleaned_data["zone"]
            queued = importjobs.dry_run_if_large(
                request,
                IMPORTER,
                session_key=SESSION_KEY,
                data=data,
                filename=upload.name,
                options=info,
                zone_id=zone.pk if zone else importjobs.default_zone_id(request.user),
            )
            if queued:
                return queued
            result, errors = _run(request, data, {"filename": upload.name, **info}, dry_run=True)
            context.update(result=result, errors=errors, info={"filename": upload.name, **info})
            if result is not None and not errors:
                context["token"] = _stash(request, data, upload.name, info)
                context["plan"] = result.groups()
    context["form"] = form
    return render(request, "registry/enterprise_import.html", context)
