"""The target-company pool (目标企业库): the list with its filters, the spreadsheet import (dry run with
every row's errors, then all or nothing) and turning a suggested company into a lead in the ledger."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from jushi.core import importjobs, uploads
from jushi.core.choices import ChangeSource
from jushi.core.scopes import can
from jushi.lib.tabular import TableError, limits, read_table
from jushi.projects.models import Project
from jushi.registry.models import Zone
from jushi.registry.services.importing import RowError

from ..forms import PoolFilterForm, PoolImportForm
from ..models import Chain, Node, PoolCompany
from ..services import POOL_COLUMNS, POOL_REQUIRED, ChainError, convert_to_lead, import_pool
from .shared import chain_zones, mark_leads, node_url, visible_chains

PAGE_SIZE = 50
SESSION_KEY = "chain_pool_imports"


def filtered_pool(request, zones, *, action: str = "view"):
    """The pool list's filter form and its rows, as the page and its export both show them: companies the
    user may see (and, for `action`, act on), filtered, ordered by zone, chain and node."""
    chains = visible_chains(request).order_by("zone__name", "order", "name")
    nodes = (
        Node.objects.restrict(request.user, "view")
        .select_related("chain")
        .order_by("chain__zone__name", "chain__order", "chain__name", "order", "id")
    )
    form = PoolFilterForm(request.GET, zones=zones, chains=chains, nodes=nodes)
    companies = PoolCompany.objects.restrict(request.user, "view")
    if action != "view":
        companies = companies.restrict(request.user, action)
    rows = form.apply(companies.select_related("zone", "node__chain", "lead__stage")).order_by(
        "zone__name", "node__chain__order", "node__chain__name", "node__order", "node_id", "name"
    )
    return form, rows


@login_required
def pool_list(request):
    zones = chain_zones(request)
    form, rows = filtered_pool(request, zones)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for company in page.object_list:
        company.node_url = node_url(company.node_id)
    mark_leads(page.object_list, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "notices": form.error_texts(),
        "page": page,
        "query": query.urlencode(),
        "show_zone": len(zones) > 1,
        "may_import": can(request.user, "import") and Zone.objects.restrict(request.user, "import").exists(),
    }
    return render(request, "chains/pool_list.html", context)


def _import_zones(request) -> list[Zone]:
    chain_zones(request)  # refuses reporters
    zones = list(Zone.objects.restrict(request.user, "import").order_by("name"))
    if not can(request.user, "import") or not zones:
        raise PermissionDenied("无权导入目标企业")
    return zones


IMPORTER = "chains.pool"


def _finish(result, info: dict) -> dict:
    return {
        "summary": f"导入完成(文件 {info['filename']}):新增 {result.created_count} 家,"
        f"更新 {result.updated_count} 家,未变化 {result.unchanged} 家目标企业",
        "link": reverse("chains:pool_list"),
        "link_text": "查看目标企业库",
    }


@importjobs.importer(IMPORTER, title="导入目标企业", page="chains:pool_import", finish=_finish)
def _import(actor, data: bytes, info: dict, *, dry_run: bool, progress=None):
    zone = Zone.objects.restrict(actor, "import").filter(code=info["zone"]).first()
    if zone is None:
        return None, [RowError(0, "开发区", f"“{info['zone']}”不在您可导入的开发区之内")]
    try:
        table = read_table(data, info["filename"], max_bytes=settings.JUSHI_IMPORT_MAX_BYTES)
    except TableError as exc:
        return None, [RowError(0, "文件", str(exc))]
    result = import_pool(
        actor=actor, zone=zone, table=table, source=ChangeSource.IMPORT, dry_run=dry_run, progress=progress
    )
    return result, result.errors


def _run(request, data: bytes, info: dict, *, dry_run: bool):
    return _import(request.user, data, info, dry_run=dry_run)


@login_required
def pool_import(request):
    """Upload → a dry run listing every row's errors (第 N 行 字段: 错误) or the companies it would add,
    update (old → new) and leave unchanged → confirm. The confirmation re-reads the stashed file and
    imports all of it or none."""
    zones = _import_zones(request)
    context = {
        "columns": [(header, header in POOL_REQUIRED) for header in POOL_COLUMNS],
        "import_limits": limits(),
        "chains": Chain.objects.restrict(request.user, "import")
        .filter(zone__in=zones)
        .select_related("zone")
        .prefetch_related("nodes")
        .order_by("zone__name", "order", "name"),
        "show_zone": len(zones) > 1,
    }
    if request.method == "GET" and request.GET.get("job"):  # a large import running as a job
        answer = importjobs.show(request, IMPORTER, request.GET["job"], context)
        if answer is not None:
            return answer
        context["form"] = PoolImportForm(zones=zones, initial={"zone": zones[0].code})
        return render(request, "chains/pool_import.html", context)
    if request.method == "POST" and request.POST.get("job"):
        return importjobs.confirm(request, IMPORTER)
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        stashed = uploads.unstash(request, SESSION_KEY, token)
        if stashed is None:
            messages.error(request, "导入文件已失效,请重新上传")
            return redirect("chains:pool_import")
        data, info = stashed
        result, errors = _run(request, data, info, dry_run=False)
        if errors:
            context.update(form=PoolImportForm(zones=zones), errors=errors, result=result, info=info)
            return render(request, "chains/pool_import.html", context)
        uploads.drop(request, SESSION_KEY, token)
        messages.success(
            request,
            f"导入完成(文件 {info['filename']}):新增 {result.created_count} 家,"
            f"更新 {result.updated_count} 家,未变化 {result.unchanged} 家目标企业",
        )
        return redirect("chains:pool_list")

    form = PoolImportForm(
        request.POST or None, request.FILES or None, zones=zones, initial={"zone": zones[0].code}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        info = {"filename": upload.name, "zone": form.cleaned_data["zone"].code}
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
                options={"zone": info["zone"]},
                zone_id=form.cleaned_data["zone"].pk,
            )
            if queued:
                return queued
            result, errors = _run(request, data, info, dry_run=True)
            context.update(result=result, errors=errors, info=info)
            if result is not None and not errors:
                context["token"] = uploads.stash(
                    request, SESSION_KEY, data, upload.name, {"zone": info["zone"]}
                )
                context["plan"] = result.groups()
    context["form"] = form
    return render(request, "chains/pool_import.html", context)


def _label(key: str) -> str:
    """A project field's name as the ledger shows it (the service names fields by their keys)."""
    try:
        return str(Project._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:  # investor_name, credit_code and the like
        return {"investor_name": "投资方", "credit_code": "统一社会信用代码", "lead": "线索"}.get(key, key)


def _sees(user, project_id: int) -> bool:
    return Project.objects.visible_to(user).filter(pk=project_id).exists()


@login_required
@require_POST
def pool_convert(request, pk):
    """A suggested company becomes a lead in the project ledger (nothing retyped) and the user lands on
    it. A company converted before is not converted again: the user is sent to its lead."""
    chain_zones(request)  # refuses reporters
    if not can(request.user, "add"):
        raise PermissionDenied("无权登记招商线索")
    company = get_object_or_404(
        PoolCompany.objects.restrict(request.user, "add").select_related("node__chain", "lead__stage"), pk=pk
    )
    if company.lead_id is not None and not _sees(request.user, company.lead_id):
        messages.warning(request, f"“{company.name}”已于此前转为招商线索(保密项目,您无权查看),未重复登记")
        return redirect(node_url(company.node_id))
    if company.lead_id is not None:
        lead = company.lead
        messages.warning(
            request,
            f"“{company.name}”已于此前转为招商线索 {lead.code}({lead.stage.name}),未重复登记,已打开该项目",
        )
        return redirect("projects:project_detail", pk=lead.pk)
    try:
        lead = convert_to_lead(actor=request.user, company=company, source=ChangeSource.WEB)
    except ChainError as exc:
        company.refresh_from_db()
        if company.lead_id is not None and not _sees(request.user, company.lead_id):
            messages.warning(request, f"“{company.name}”已转为招商线索(保密项目,您无权查看),未重复登记")
            return redirect(node_url(company.node_id))
        if company.lead_id is not None:  # converted by someone else a moment ago
            messages.warning(request, f"{exc.errors.get('lead', exc)},未重复登记,已打开该项目")
            return redirect("projects:project_detail", pk=company.lead_id)
        for key, message in exc.errors.items():
            messages.error(request, f"未能转为线索 · {_label(key)}: {message}")
        return redirect(node_url(company.node_id))
    messages.success(
        request,
        f"已将目标企业“{company.name}”转为招商线索 {lead.code}"
        f"(产业链“{company.node.chain.name}”·{company.node.name}),已挂到该节点;"
        + ";".join(lead.particulars.sentences())
        + "。可在项目看板的“线索”列找到",
    )
    return redirect("projects:project_detail", pk=lead.pk)


urlpatterns = [
    path("pool/", pool_list, name="pool_list"),
    path("pool/import/", pool_import, name="pool_import"),
    path("pool/<int:pk>/convert/", pool_convert, name="pool_convert"),
]
