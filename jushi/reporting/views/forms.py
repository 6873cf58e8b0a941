from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jushi.core.scopes import can

from ..checks import REF_FUNCTIONS
from ..forms import RuleForm
from ..models import ReportForm, Rule
from ..services.rules import add_rule, set_rule_active
from .common import SOURCE


@login_required
def form_list(request):
    forms = ReportForm.objects.prefetch_related("fields", "rules")
    return render(request, "reporting/form_list.html", {"forms": forms})


@login_required
def form_detail(request, code: str):
    form = get_object_or_404(ReportForm, code=code)
    can_edit = can(request.user, "review")
    rule_form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("无权维护审核规则")
        rule_form = RuleForm(request.POST, form=form)
        if rule_form.is_valid():
            rule = add_rule(actor=request.user, rule=rule_form.save(commit=False), source=SOURCE)
            messages.success(request, f"已添加规则“{rule.name}”")
            return redirect(form.get_absolute_url() + "#rules")
    if can_edit and rule_form is None:
        rule_form = RuleForm(form=form, initial={"severity": "warning", "applies_to": "form"})
    return render(
        request,
        "reporting/form_detail.html",
        {
            "form": form,
            "fields": form.fields.all(),
            "rules": form.rules.all(),
            "rule_form": rule_form,
            "can_edit": can_edit,
            "ref_functions": sorted(REF_FUNCTIONS),
        },
    )


@login_required
@require_POST
def rule_toggle(request, pk: int):
    rule = get_object_or_404(Rule.objects.select_related("form"), pk=pk)
    active = request.POST.get("active") == "1"
    set_rule_active(actor=request.user, rule=rule, active=active, source=SOURCE)
    messages.success(request, f"规则“{rule.name}”已{'启用' if active else '停用'}")
    return redirect(rule.form.get_absolute_url() + "#rules")
