from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jushi.core import confirm
from jushi.core.scopes import can

from ..checks import REF_FUNCTIONS
from ..forms import RuleForm
from ..models import ReportForm, Rule, RuleOverride
from ..services.errors import ReportingError
from ..services.rules import (
    REASON_LIMIT,
    add_rule,
    ensure_may_change,
    review_zones,
    set_rule_active,
    set_rule_override,
)
from .common import SOURCE


@login_required
def form_list(request):
    rules = Rule.objects.visible_to(request.user)
    forms = ReportForm.objects.prefetch_related("fields", Prefetch("rules", queryset=rules))
    return render(request, "reporting/form_list.html", {"forms": forms})


def _rule_rows(form, user, zone):
    """Each rule the user may see, with its national state and, for national rules, `zone`'s switch."""
    rules = list(Rule.objects.visible_to(user).filter(form=form).select_related("zone"))
    overrides = {}
    if zone is not None:
        overrides = {o.rule_id: o for o in RuleOverride.objects.filter(zone=zone, rule__form=form)}
    rows = []
    for rule in rules:
        override = overrides.get(rule.pk) if rule.zone_id is None else None
        in_force = rule.is_active and (override is None or override.enabled)
        rows.append({"rule": rule, "override": override, "in_force": in_force})
    return rows


def _own_zone(request, zones):
    """The zone a staff member's switches apply to: the one asked for, else their only zone."""
    code = request.POST.get("zone") or request.GET.get("zone") or ""
    if code:
        return zones.filter(code=code).first()
    return zones.first() if zones.count() == 1 else None


@login_required
def form_detail(request, code: str):
    form = get_object_or_404(ReportForm, code=code)
    zones = review_zones(request.user)
    national = request.user.is_superuser
    can_edit = can(request.user, "review") and (national or zones.exists())
    zone = None if national else _own_zone(request, zones)
    rule_form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("无权维护审核规则")
        rule_form = RuleForm(request.POST, form=form, zones=zones, national=national)
        if rule_form.is_valid():
            rule = add_rule(actor=request.user, rule=rule_form.save(commit=False), source=SOURCE)
            messages.success(request, f"已添加规则“{rule.name}”")
            return redirect(form.get_absolute_url() + "#rules")
    if can_edit and rule_form is None:
        rule_form = RuleForm(
            form=form,
            zones=zones,
            national=national,
            initial={"severity": "warning", "applies_to": "form"},
        )
    return render(
        request,
        "reporting/form_detail.html",
        {
            "form": form,
            "fields": form.fields.all(),
            "rule_rows": _rule_rows(form, request.user, zone),
            "rule_form": rule_form,
            "can_edit": can_edit,
            "national_admin": national,
            "own_zone": zone,
            "review_zone_ids": set(zones.values_list("pk", flat=True)),
            "ref_functions": sorted(REF_FUNCTIONS),
        },
    )


def _switch_off_changes(rule, *, where: str, national: bool, reason: str) -> list[str]:
    """What switching `rule` off changes, in the words of the staff who keep the rules."""
    kind = "全国规则" if rule.zone_id is None else "本开发区规则"
    changes = [
        f"{where}今后报送(含导入)的“{rule.form.name}”不再执行{kind}“{rule.name}”({rule.code})"
        + (";全国其他开发区照常执行。" if national else "。"),
        "正在填写、尚未报送的报表,下次检查起不再出现这条规则的提示。",
        "已报送和已审核的报表不受影响:已记录的检查结果和企业写的说明都保留;"
        "退回后重新报送的,按停用后的规则检查。",
    ]
    if reason:
        changes.append(f"停用原因“{reason}”记入变更日志。")
    changes.append("以后可随时重新启用。")
    return changes


@login_required
@require_POST
def rule_toggle(request, pk: int):
    """A national admin switches any rule; a zone switches its own rules, and national ones for itself.

    Switching off asks first (core.confirm), saying what changes; switching back on is direct."""
    rule = get_object_or_404(Rule.objects.visible_to(request.user).select_related("form", "zone"), pk=pk)
    active = request.POST.get("active") == "1"
    reason = request.POST.get("reason", "").strip()
    back_url = rule.form.get_absolute_url() + "#rules"
    back = redirect(back_url)
    if rule.zone_id is not None or request.user.is_superuser:
        ensure_may_change(request.user, rule)  # refused before anything is asked
        if not active and not confirm.confirmed(request):
            if len(reason) > REASON_LIMIT:
                messages.error(request, f"原因:最多 {REASON_LIMIT} 个字,现有 {len(reason)} 个字")
                return back
            where = "全部开发区" if rule.zone_id is None else str(rule.zone)
            return confirm.ask(
                request,
                title=f"停用审核规则“{rule.name}”",
                changes=_switch_off_changes(rule, where=where, national=False, reason=reason),
                cancel=back_url,
                button="确认停用",
            )
        try:
            set_rule_active(actor=request.user, rule=rule, active=active, source=SOURCE, reason=reason)
        except ReportingError as exc:
            messages.error(request, str(exc))
            return back
        messages.success(request, f"规则“{rule.name}”已{'启用' if active else '停用'}")
        return back
    if not can(request.user, "review"):
        raise PermissionDenied("无权维护审核规则")
    zone = _own_zone(request, review_zones(request.user))
    if zone is None:
        raise PermissionDenied("请选择要设置的开发区")
    if not active and not confirm.confirmed(request):
        limit = RuleOverride._meta.get_field("reason").max_length
        if not reason or len(reason) > limit:  # the same refusal the service gives, before asking
            messages.error(
                request,
                "原因:在本开发区停用全国规则须说明原因"
                if not reason
                else f"原因:最多 {limit} 个字,现有 {len(reason)} 个字",
            )
            return back
        return confirm.ask(
            request,
            title=f"在{zone}停用规则“{rule.name}”",
            changes=_switch_off_changes(rule, where=str(zone), national=True, reason=reason),
            cancel=back_url,
            button="确认停用",
        )
    try:
        set_rule_override(
            actor=request.user, rule=rule, zone=zone, enabled=active, reason=reason, source=SOURCE
        )
    except ReportingError as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, f"规则“{rule.name}”已在{zone}{'启用' if active else '停用'}")
    return back
