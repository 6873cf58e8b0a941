"""A project's page (项目详情) and every change made from it: stage, funds in place, contract changes,
milestones, the monthly plan, problems, files and the duplicate decision. Each POST goes through the
service, then back to the page with a message, or the page again with the errors on the form."""

from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from jushi.core import confirm
from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog
from jushi.core.scopes import can
from jushi.lib.growth import percent
from jushi.registry.models import Enterprise

from ..choices import EVIDENCE_GRADE, EVIDENCED, DuplicateStatus, Evidence, StageCode
from ..forms import (
    AttachmentForm,
    ContractForm,
    DuplicateForm,
    FundsDeleteForm,
    FundsForm,
    MilestoneDoneForm,
    MilestoneForm,
    MonthlyForm,
    MoveForm,
    ProblemForm,
    ProjectForm,
    ResolveForm,
    apply_errors,
    needed_fields,
)
from ..models import Attachment, FundsRecord, Milestone, Problem, Project, Stage
from ..services import (
    ProjectError,
    add_attachment,
    add_milestone,
    change_contract,
    complete_milestone,
    contract_closed,
    delete_funds,
    duplicate_outcome,
    duplicate_refusal,
    funds_closed,
    raise_problem,
    record_funds,
    resolve_duplicate,
    resolve_problem,
    set_monthly_investment,
    update_project,
)
from .ledger import YI, attempt_move

WEB = ChangeSource.WEB
RELATED = ("zone", "investor", "stage", "industry", "park", "event", "enterprise", "duplicate_of")


def _project(request, pk, action: str = "view") -> Project:
    return get_object_or_404(Project.objects.restrict(request.user, action).select_related(*RELATED), pk=pk)


def _part(request, model, pk):
    """A funds record, milestone or problem the user may change, with its project."""
    rows = model.objects.restrict(request.user, "change").select_related(
        *(f"project__{name}" for name in RELATED)
    )
    return get_object_or_404(rows, pk=pk)


def may_change(user, project: Project) -> bool:
    return can(user, "change") and Project.objects.restrict(user, "change").filter(pk=project.pk).exists()


def detail_url(project: Project, anchor: str = "") -> str:
    return reverse("projects:project_detail", args=[project.pk]) + (f"#{anchor}" if anchor else "")


def advance_form(project: Project, stages: list[Stage], target_code: str | None = None) -> MoveForm:
    """The advance form for a target stage (the next one unless chosen), asking for what it needs."""
    current = next(s for s in stages if s.pk == project.stage_id)
    later = [s for s in stages if s.order > current.order]
    target = next((s for s in stages if s.code == target_code and s.pk != current.pk), None)
    target = target or (later[0] if later else None)
    if target is None:  # at the last stage: only back
        target = next((s for s in reversed(stages) if s.order < current.order), None)
    form = MoveForm(
        project=project,
        stages=stages,
        keys=needed_fields(project, target, stages),
        initial={"to_stage": target.code if target else ""},
    )
    form.target = target
    form.backwards = target is not None and target.order < current.order
    return form


def _funds_summary(project: Project, funds: list[FundsRecord]) -> dict:
    by_grade = {
        c.value: {"grade": EVIDENCE_GRADE[c], "label": c.label, "total": Decimal(0), "n": 0} for c in Evidence
    }
    for row in funds:
        by_grade[row.evidence]["total"] += row.amount
        by_grade[row.evidence]["n"] += 1
    total = sum((g["total"] for g in by_grade.values()), Decimal(0))
    evidenced = sum((by_grade[e]["total"] for e in EVIDENCED), Decimal(0))
    agreed = project.agreed_investment
    return {
        "grades": list(by_grade.values()),
        "total": total,
        "total_yi": total / YI,
        "evidenced": evidenced,
        "agreed": agreed,
        "rate": percent(total / agreed) if agreed else None,
        "room": None if agreed is None else agreed - total,
    }


def chain_links(user, project: Project) -> list:
    """The chain nodes the project is linked to, as the user may see them (open links first). Chains sit
    above projects in the layering, so the model is looked up by name rather than imported."""
    try:
        node_link = apps.get_model("chains", "NodeLink")
    except LookupError:
        return []
    rows = node_link.objects.visible_to(user).filter(project=project).select_related("node__chain")
    return sorted(rows, key=lambda k: (k.ended_on is not None, k.node.chain.name, k.node.order, k.pk))


def investor_enterprise(user, project: Project) -> Enterprise | None:
    """The investor as an enterprise of the registry (same credit code), when the user may see it."""
    code = project.investor.credit_code
    if not code:
        return None
    return Enterprise.objects.visible_to(user).filter(credit_code=code).first()


def closed_reasons(project: Project, stages: list[Stage], original_named: str) -> dict[str, str]:
    """For each form of the page, why the project's stage or state does not allow it now ("" if it
    does): the page says this instead of offering the form."""
    merged = ""
    if project.duplicate_status == DuplicateStatus.MERGED:
        merged = f"该项目已合并到{original_named},不再单独登记:请在原项目上登记"
    signed = next(s for s in stages if s.code == StageCode.SIGNED)
    return {
        "funds": merged or funds_closed(project, signed),
        "contract": merged or contract_closed(project),
        "milestone": merged,
        "monthly": merged,
        "problem": merged,
        "attachment": merged,
    }


def page(request, project: Project, *, stale: str = "", target_code: str | None = None, **bound):
    """The project page. `bound` holds the form that was just posted (with its errors) by its key;
    the other forms are fresh. The posting form's action carries its anchor, so the browser lands on
    the form with its errors."""
    stages = list(Stage.objects.all())
    attachments = list(project.attachments.select_related("uploaded_by"))
    funds = list(project.funds.select_related("attachment"))
    monthly = list(project.monthly.all())
    for row in monthly:
        row.rate = percent(row.actual / row.planned) if row.planned and row.actual is not None else None
    changeable = may_change(request.user, project)
    duplicate_of = project.duplicate_of
    duplicate_visible = (
        duplicate_of is not None
        and Project.objects.visible_to(request.user).filter(pk=duplicate_of.pk).exists()
    )
    original_named = f" {duplicate_of.code} {duplicate_of.name}" if duplicate_visible else "原项目"
    context = {
        "project": project,
        "stages": stages,
        "light": project.light(),
        "age": project.stage_age(),
        "timeline": project.stage_changes.select_related("from_stage", "to_stage").order_by("on", "id"),
        "duplicate_of": duplicate_of,
        "duplicate_visible": duplicate_visible,
        "flagged": project.duplicate_status == DuplicateStatus.FLAGGED and duplicate_of is not None,
        "funds": funds,
        "funds_summary": _funds_summary(project, funds),
        "contract_changes": project.contract_changes.select_related("attachment"),
        "milestones": project.milestones.all(),
        "monthly": monthly,
        "monthly_planned": sum((r.planned or 0 for r in monthly), Decimal(0)),
        "monthly_actual": sum((r.actual or 0 for r in monthly), Decimal(0)),
        "problems": project.problems.all(),
        "attachments": attachments,
        "chain_links": chain_links(request.user, project),
        "investor_enterprise": investor_enterprise(request.user, project),
        "history": ChangeLog.objects.for_object(project).select_related("content_type")[:100],
        "can_change": changeable,
        "closed": closed_reasons(project, stages, original_named),
        "stale": stale,
        "bound": bound,
    }
    if changeable:
        context.update(
            advance_form=bound.get("advance") or advance_form(project, stages, target_code),
            funds_form=bound.get("funds") or FundsForm(project=project, attachments=attachments),
            contract_form=bound.get("contract") or ContractForm(attachments=attachments),
            milestone_form=bound.get("milestone") or MilestoneForm(),
            monthly_form=bound.get("monthly") or MonthlyForm(),
            problem_form=bound.get("problem") or ProblemForm(),
            attachment_form=bound.get("attachment") or AttachmentForm(),
            duplicate_form=bound.get("duplicate") or DuplicateForm(),
        )
    return render(request, "projects/project_detail.html", context)


@login_required
def project_detail(request, pk):
    return page(request, _project(request, pk), target_code=request.GET.get("to_stage"))


@login_required
def project_edit(request, pk):
    project = _project(request, pk, "change")
    form = ProjectForm(request.POST or None, zones=[project.zone], project=project)
    if request.method == "POST" and form.is_valid():
        try:
            update_project(
                actor=request.user,
                project=project,
                data=form.service_data(),
                source=WEB,
                confirm=form.cleaned_data["confirm"],
            )
        except ProjectError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存修改")
            return redirect(detail_url(project))
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project, "title": f"编辑项目:{project.code} {project.name}"},
    )


@login_required
def project_advance(request, pk):
    """GET: the advance form for another target stage (swapped in by HTMX); POST: move the project."""
    project = _project(request, pk, "change")
    stages = list(Stage.objects.all())
    if request.method != "POST":
        if request.headers.get("HX-Request") != "true":
            return redirect(
                reverse("projects:project_detail", args=[pk])
                + f"?{urlencode({'to_stage': request.GET.get('to_stage', '')})}#advance"
            )
        form = advance_form(project, stages, request.GET.get("to_stage"))
        return render(request, "projects/_project_advance.html", {"project": project, "advance_form": form})
    result = attempt_move(request, project, stages)
    if result.moved:
        messages.success(request, f"已移至“{result.project.stage.name}”阶段")
        return redirect(detail_url(project))
    if result.stale:
        fresh = _project(request, pk, "change")
        return page(request, fresh, stale=result.stale)
    form = result.form
    target = next((s for s in stages if s.code == request.POST.get("to_stage")), None)
    form.target = target
    form.backwards = target is not None and target.order < project.stage.order
    return page(request, project, advance=form)


def _submit(
    request, project: Project, key: str, form: forms.Form, call: Callable[[dict], str], anchor: str, **extra
):
    """Validate the form, call the service, and go back to the page: with a message when it worked,
    with the errors on the form when it did not."""
    if form.is_valid():
        try:
            message = call(form.cleaned_data)
        except ProjectError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(detail_url(project, anchor))
    return page(request, project, **{key: form}, **extra)


def _attachment(project: Project, value: str):
    return Attachment.objects.filter(project=project, pk=value).first() if value else None


@login_required
@require_POST
def project_funds(request, pk):
    project = _project(request, pk, "change")
    attachments = list(project.attachments.all())
    form = FundsForm(request.POST, request.FILES, project=project, attachments=attachments)

    def call(data):
        funds = record_funds(
            actor=request.user,
            project=project,
            on=data["on"],
            amount_wan=data["amount"],
            evidence=data["evidence"],
            source_region=data["source_region"],
            attachment=_attachment(project, data["attachment"]),
            note=data["note"],
            source=WEB,
            confirm=data["confirm"],
            upload=data.get("file"),
        )
        kept = f",凭证文件“{funds.attachment.name}”已存入附件" if data.get("file") else ""
        return f"已登记到位资金 {funds.amount:,.2f} 万元({funds.grade} 级凭证){kept}"

    return _submit(request, project, "funds", form, call, "funds")


@login_required
@require_POST
def funds_delete(request, pk):
    funds = _part(request, FundsRecord, pk)
    project = funds.project
    form = FundsDeleteForm(request.POST)
    if form.is_valid() and not confirm.confirmed(request):
        return confirm.ask(
            request,
            title="删除到位资金",
            changes=_delete_changes(project, funds, form.cleaned_data["reason"]),
            cancel=detail_url(project, "funds"),
            button="确认删除",
        )

    def call(data):
        delete_funds(actor=request.user, funds=funds, reason=data["reason"], source=WEB)
        return f"已删除 {funds.on:%Y-%m-%d} 的到位资金 {funds.amount:,.2f} 万元"

    return _submit(request, project, "delete", form, call, "funds", delete_id=funds.pk)


def _delete_changes(project: Project, funds: FundsRecord, reason: str) -> list[str]:
    after = project.funds_in_place - funds.amount
    evidence = f"{funds.grade} 级 {funds.get_evidence_display()}"
    out = [
        f"删除 {project.code} {project.name} 于 {funds.on:%Y-%m-%d} 到位的 {funds.amount:,.2f} 万元"
        f"({evidence},{funds.get_source_region_display()})。",
        f"项目累计到位资金由 {project.funds_in_place:,.2f} 万元减为 {after:,.2f} 万元,"
        f"含 {funds.on:%Y-%m-%d} 的各期到位资金指标随之重算。",
        f"删除原因“{reason.strip()}”和这笔记录的内容记入变更记录。",
    ]
    if funds.attachment_id:
        out.append(f"凭证附件“{funds.attachment.name}”保留在附件中,不删除。")
    return out


@login_required
@require_POST
def project_contract(request, pk):
    project = _project(request, pk, "change")
    form = ContractForm(request.POST, attachments=list(project.attachments.all()))

    def call(data):
        change = change_contract(
            actor=request.user,
            project=project,
            effective_on=data["effective_on"],
            new_investment=data["new_investment"],
            reason=data["reason"],
            attachment=_attachment(project, data["attachment"]),
            source=WEB,
            confirm=data["confirm"],
        )
        return f"已登记合同变更:自 {change.effective_on:%Y-%m-%d} 起协议投资调整为 {change.new_investment:,.2f} 万元"

    return _submit(request, project, "contract", form, call, "contract")


@login_required
@require_POST
def project_milestone(request, pk):
    project = _project(request, pk, "change")

    def call(data):
        milestone = add_milestone(actor=request.user, project=project, data=data, source=WEB)
        return f"已添加节点“{milestone.name}”"

    return _submit(request, project, "milestone", MilestoneForm(request.POST), call, "milestones")


@login_required
@require_POST
def milestone_done(request, pk):
    milestone = _part(request, Milestone, pk)

    def call(data):
        complete_milestone(
            actor=request.user,
            milestone=milestone,
            actual_on=data["actual_on"],
            note=data["note"],
            source=WEB,
        )
        return f"节点“{milestone.name}”已完成"

    form = MilestoneDoneForm(request.POST)
    return _submit(request, milestone.project, "done", form, call, "milestones", done_id=milestone.pk)


@login_required
@require_POST
def project_monthly(request, pk):
    project = _project(request, pk, "change")

    def call(data):
        row = set_monthly_investment(
            actor=request.user,
            project=project,
            month=data["month"],
            planned=data["planned"],
            actual=data["actual"],
            source=WEB,
        )
        return f"已保存 {row.month} 的投资计划与完成"

    return _submit(request, project, "monthly", MonthlyForm(request.POST), call, "monthly")


@login_required
@require_POST
def project_problem(request, pk):
    project = _project(request, pk, "change")

    def call(data):
        problem = raise_problem(actor=request.user, project=project, data=data, source=WEB)
        return f"已登记问题“{problem.title}”,限期 {problem.due_on:%Y-%m-%d}"

    return _submit(request, project, "problem", ProblemForm(request.POST), call, "problems")


@login_required
@require_POST
def problem_resolve(request, pk):
    problem = _part(request, Problem, pk)

    def call(data):
        resolve_problem(
            actor=request.user,
            problem=problem,
            resolution=data["resolution"],
            resolved_on=data["resolved_on"],
            source=WEB,
        )
        return f"问题“{problem.title}”已解决"

    form = ResolveForm(request.POST)
    return _submit(request, problem.project, "resolve", form, call, "problems", resolve_id=problem.pk)


@login_required
@require_POST
def project_attachment(request, pk):
    project = _project(request, pk, "change")

    def call(data):
        attachment = add_attachment(
            actor=request.user, project=project, kind=data["kind"], upload=data["file"], source=WEB
        )
        return f"已上传“{attachment.name}”"

    form = AttachmentForm(request.POST, request.FILES)
    return _submit(request, project, "attachment", form, call, "files")


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.restrict(request.user, "view"), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@require_POST
def project_duplicate(request, pk):
    """Decide about a suspected duplicate: the page asks first, saying what the decision changes."""
    project = _project(request, pk, "change")
    form = DuplicateForm(request.POST)
    if form.is_valid():
        refusal = duplicate_refusal(request.user, project)
        if refusal:
            form.add_error("decision", refusal)
    if not form.is_valid():
        return page(request, project, duplicate=form)
    decision = form.cleaned_data["decision"]
    if not confirm.confirmed(request):
        original = project.duplicate_of
        return confirm.ask(
            request,
            title=f"确认为新项目:{project.code}"
            if decision == "new"
            else f"合并 {project.code} 到 {original.code}",
            changes=duplicate_outcome(project, decision),
            cancel=detail_url(project, "duplicate"),
            button="确认为新项目" if decision == "new" else "确认合并",
            warning="" if decision == "new" else "合并后不能在页面上撤销。",
        )
    try:
        resolve_duplicate(
            actor=request.user,
            project=project,
            decision=decision,
            reason=form.cleaned_data["reason"],
            source=WEB,
        )
    except ProjectError as exc:
        apply_errors(form, exc)
        return page(request, _project(request, pk, "change"), duplicate=form)
    if decision == "new":
        messages.success(request, "已确认为新项目,计入签约统计")
    else:
        original = project.duplicate_of
        messages.success(request, f"已合并到 {original.code} {original.name}")
    return redirect(detail_url(project))


urlpatterns = [
    path("<int:pk>/", project_detail, name="project_detail"),
    path("<int:pk>/edit/", project_edit, name="project_edit"),
    path("<int:pk>/advance/", project_advance, name="project_advance"),
    path("<int:pk>/funds/", project_funds, name="project_funds"),
    path("funds/<int:pk>/delete/", funds_delete, name="funds_delete"),
    path("<int:pk>/contract/", project_contract, name="project_contract"),
    path("<int:pk>/milestones/", project_milestone, name="project_milestone"),
    path("milestones/<int:pk>/done/", milestone_done, name="milestone_done"),
    path("<int:pk>/monthly/", project_monthly, name="project_monthly"),
    path("<int:pk>/problems/", project_problem, name="project_problem"),
    path("problems/<int:pk>/resolve/", problem_resolve, name="problem_resolve"),
    path("<int:pk>/files/", project_attachment, name="project_attachment"),
    path("files/<int:pk>/", attachment_download, name="attachment_download"),
    path("<int:pk>/duplicate/", project_duplicate, name="project_duplicate"),
]
