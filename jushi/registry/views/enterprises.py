from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import router
from django.db.models import QuerySet
from django.db.models.deletion import Collector
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render

from jushi.core import clock, exportjobs, panels, scopes, tables
from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog

from ..exporters import EnterpriseExporter
from ..filtersets import EnterpriseFilterSet
from ..forms import EnterpriseForm
from ..models import Enterprise, Park, Zone
from ..services.enterprises import (
    EnterpriseInUse,
    create_enterprise,
    delete_blocker,
    delete_enterprise,
    enterprise_snapshot,
    update_enterprise,
)
from ..widgets import IndustryPicker, industry_param

PAGE_SIZE = 25

# The list's columns on the page (exports always write every column of registry/columns.py).
ENTERPRISE_TABLE = tables.register(
    tables.Table(
        "registry.enterprises",
        "企业名录",
        [
            tables.Column("name", "企业名称", always=True),
            tables.Column("credit_code", "统一社会信用代码"),
            tables.Column("zone", "开发区(有多个开发区时)"),
            tables.Column("park", "园区/功能区"),
            tables.Column("industry", "行业"),
            tables.Column("status", "状态"),
            tables.Column("entered_on", "入区日期"),
            tables.Column("established_on", "成立日期", default=False),
            tables.Column("address", "地址", default=False),
            tables.Column("land_area_mu", "占地面积(亩)", default=False),
            tables.Column("contact", "联系人及电话", default=False),
        ],
    )
)


def filtered_enterprises(request, action: str = "view"):
    base = Enterprise.objects.restrict(request.user, action)
    params, industry_error = industry_param(request.GET)  # an industry typed by name → its code
    filterset = EnterpriseFilterSet(params or None, queryset=base, request=request)
    filterset.industry_error = industry_error
    return filterset


def _bad_filter(filterset) -> bool:
    # An invalid filter is dropped by django-filter, which would list (or export) everything instead.
    return filterset.is_bound and not filterset.is_valid()


@login_required
def enterprise_list(request):
    filterset = filtered_enterprises(request)
    bad = _bad_filter(filterset)
    qs = Enterprise.objects.none() if bad else filterset.qs
    qs = qs.select_related("zone", "park", "industry").order_by("zone__code", "name")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    zones = Zone.objects.visible_to(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    choice = ENTERPRISE_TABLE.chooser(request.user)
    show = choice.show
    if len(zones) <= 1:  # evaluated once; the template reuses it
        show.pop("zone", None)
    return render(
        request,
        "registry/enterprise_list.html",
        {
            "filterset": filterset,
            "page": page,
            "zones": zones,
            "parks": Park.objects.filter(zone__in=zones).select_related("zone"),
            "industry_picker": IndustryPicker(attrs={"id": "f-industry"}).render(
                "industry", filterset.data.get("industry", "") if filterset.is_bound else ""
            ),
            "industry_error": filterset.industry_error,
            "statuses": Enterprise._meta.get_field("status").choices,
            "size_years": range(clock.today().year, 2019, -1),
            "query": query.urlencode(),
            "choice": choice,
            "show": show,
            "span": len(show),
            "can_add": request.user.can("add"),
            "can_import": request.user.can("import"),
            "can_export": request.user.can("export"),
        },
        status=400 if bad else 200,
    )


@login_required
def enterprise_export(request):
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("格式应为 xlsx 或 csv")
    if not request.user.can("export"):
        raise PermissionDenied("无权导出企业名录")
    filterset = filtered_enterprises(request, "export")
    if _bad_filter(filterset):
        errors = ";".join(f"{name}: {' '.join(msgs)}" for name, msgs in filterset.errors.items())
        return HttpResponseBadRequest(
            f"筛选条件有误,未导出:{errors}", content_type="text/plain; charset=utf-8"
        )
    return exportjobs.respond(request, "registry.enterprises")


@exportjobs.exporter("registry.enterprises", title="企业名录", link="registry:enterprise_list")
def enterprise_exporter(actor, query):
    """The enterprise list's export for `actor`: the page's filters on the enterprises they may export."""
    if not actor.can("export"):
        raise PermissionDenied("无权导出企业名录")
    filterset = filtered_enterprises(exportjobs.as_request(actor, query), "export")
    return EnterpriseExporter(query.get("format", "xlsx"), filterset.qs, actor=actor, filterset=filterset)


def _visible_or_404(request, pk, action="view"):
    return get_object_or_404(
        Enterprise.objects.restrict(request.user, action).select_related("zone", "park", "industry"), pk=pk
    )


@login_required
def enterprise_detail(request, pk):
    enterprise = _visible_or_404(request, pk)
    history = ChangeLog.objects.for_object(enterprise).select_related("content_type")[:100]
    memberships = enterprise.size_memberships.all()
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "history": history,
            "memberships": memberships,
            "panels": panels.panels_for("enterprise", enterprise, request.user),
            # a reporter's zone page is a staff page (403 for them): name the zone without the link
            "link_zone": scopes.scope_of(request.user).enterprise_id is None,
            "can_change": Enterprise.objects.restrict(request.user, "change").filter(pk=pk).exists(),
            "can_delete": Enterprise.objects.restrict(request.user, "delete").filter(pk=pk).exists(),
        },
    )


@login_required
def enterprise_create(request):
    if not request.user.can("add"):
        raise PermissionDenied("无权新建企业")
    form = EnterpriseForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        saved = create_enterprise(
            actor=request.user,
            enterprise=form.save(commit=False),
            size_years=form.cleaned_data["size_years"],
            source=ChangeSource.WEB,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"已新建企业“{saved.enterprise}”")
        return redirect(saved.enterprise)
    return render(request, "registry/enterprise_form.html", {"form": form, "title": "新建企业"})


@login_required
def enterprise_edit(request, pk):
    enterprise = _visible_or_404(request, pk, "change")
    before = enterprise_snapshot(enterprise)
    form = EnterpriseForm(request.POST or None, instance=enterprise, actor=request.user)
    if request.method == "POST" and form.is_valid():
        saved = update_enterprise(
            actor=request.user,
            enterprise=form.save(commit=False),
            before=before,
            size_years=form.cleaned_data["size_years"],
            source=ChangeSource.WEB,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "已保存修改" if saved.changed else "没有需要保存的修改")
        return redirect(enterprise)
    return render(
        request,
        "registry/enterprise_form.html",
        {"form": form, "title": f"编辑企业:{enterprise.name}", "enterprise": enterprise},
    )


def _count(objs) -> int:
    return objs.count() if isinstance(objs, QuerySet) else len(objs)


def delete_effects(enterprise: Enterprise) -> list[str]:
    """What deleting the enterprise changes, in the clerk's words, before the button. The deletion
    collector finds the rows of the upper floors (chain links, report assignments, projects) that go
    with it or lose it, without the registry knowing their models; call only when nothing blocks."""
    collector = Collector(using=router.db_for_write(Enterprise, instance=enterprise))
    collector.collect([enterprise])
    gone: dict[str, int] = {}
    for model, objs in collector.data.items():
        if model is not Enterprise and objs:
            gone[str(model._meta.verbose_name)] = gone.get(str(model._meta.verbose_name), 0) + len(objs)
    for qs in collector.fast_deletes:
        n = _count(qs)
        if n:
            name = str(qs.model._meta.verbose_name)
            gone[name] = gone.get(name, 0) + n
    cleared: dict[tuple[str, str], int] = {}
    for (field, _value), batches in collector.field_updates.items():
        n = sum(_count(objs) for objs in batches)
        if n:
            key = (str(field.model._meta.verbose_name), str(field.verbose_name))
            cleared[key] = cleared.get(key, 0) + n
    lines = ["该企业从企业名录中移除:名录、导出和接口中都不再有它"]
    lines += [f"一并删除{name} {n} 条" for name, n in sorted(gone.items())]
    lines += [
        f"{n} 个{model}的“{field}”将清空(记录本身保留)" for (model, field), n in sorted(cleared.items())
    ]
    lines.append("没有企业填报账号受影响(仍有填报账号的企业不能删除,须先停用或改派账号)")
    lines.append(
        "变更记录保留:删除前的全部信息(含规上年份)和删除原因写入变更记录,"
        "以往的修改记录也保留,管理员可在“变更审计”中查看"
    )
    return lines


@login_required
def enterprise_delete(request, pk):
    enterprise = _visible_or_404(request, pk, "delete")
    error = ""
    status = 200
    blocker = delete_blocker(enterprise)  # said before the user types a reason for nothing
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            error = "请填写删除原因"
        else:
            try:
                delete_enterprise(
                    actor=request.user, enterprise=enterprise, source=ChangeSource.WEB, reason=reason
                )
            except EnterpriseInUse as exc:
                blocker, status = "; ".join(exc.messages), 409
            except ValidationError as exc:
                error = "; ".join(exc.messages)
            else:
                messages.success(request, f"已删除企业“{enterprise.name}”")
                return redirect("registry:enterprise_list")
    return render(
        request,
        "registry/enterprise_delete.html",
        {
            "enterprise": enterprise,
            "error": error,
            "blocker": blocker,
            "effects": [] if blocker else delete_effects(enterprise),
        },
        status=status,
    )
