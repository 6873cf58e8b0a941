"""The target-company pool as a spreadsheet: the rows the pool page lists for the same filters."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from jushi.core import exportjobs
from jushi.core.exporters import describe_form
from jushi.core.scopes import can

from ..exporters import PoolExporter
from .pool import filtered_pool
from .shared import chain_zones


@login_required
def pool_export(request):
    """XLSX (typed, with its 说明 sheet) or CSV of the pool list: the page's filters and visibility, every
    row rather than one page; a filter that is not valid is left out and said so, as on the page."""
    chain_zones(request)  # refuses reporters
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("导出格式应为 xlsx 或 csv")
    if not can(request.user, "export"):
        raise PermissionDenied("无权导出目标企业库")
    return exportjobs.respond(request, "chains.pool")


@exportjobs.exporter(
    "chains.pool", title="目标企业库", link="chains:pool_list", count=lambda e: len(e.companies)
)
def pool_exporter(actor, query):
    """The pool's export for `actor`: the page's filters on the companies they may see and export."""
    request = exportjobs.as_request(actor, query)
    zones = chain_zones(request)  # refuses reporters
    if not can(actor, "export"):
        raise PermissionDenied("无权导出目标企业库")
    form, rows = filtered_pool(request, zones, action="export")
    filters = describe_form(form) + [f"未采用的筛选条件 · {text}" for text in form.error_texts()]
    return PoolExporter(
        query.get("format", "xlsx"), rows, actor=actor, filters=filters, zone=form.value("zone")
    )


urlpatterns = [
    path("pool/export/", pool_export, name="pool_export"),
]
