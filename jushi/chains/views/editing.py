"""Staff keep a chain's map: edit a node (name, segment, place in the tree, current/target map,
threshold), add a node, and put enterprises and projects on nodes or take them off. Every change goes
through `chains.services`; a node under its own descendant is refused with the loop named."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from jushi.core import scopes
from jushi.core.choices import ChangeSource
from jushi.projects.models import Project
from jushi.registry.models import Enterprise, Zone

from .. import services
from ..choices import Role, Segment
from ..models import Chain, Node, NodeLink
from .shared import chain_zones

WEB = ChangeSource.WEB
ID_MAX = 2**63 - 1  # the largest primary key a database holds
PROJECT_CHOICES = 500  # the latest projects offered in the link form's list; an older one is looked up


def may_change(user, zone) -> bool:
    return scopes.can(user, "change") and Zone.objects.restrict(user, "change").filter(pk=zone.pk).exists()


def _editable_node(request, pk) -> Node:
    chain_zones(request)  # refuses reporters
    node = get_object_or_404(Node.objects.restrict(request.user, "view").select_related("chain__zone"), pk=pk)
    if not may_change(request.user, node.chain.zone):
        raise PermissionDenied("无权修改该产业链")
    return node


class NodeForm(forms.Form):
    code = forms.SlugField(label="节点代码", max_length=40, help_text="链内唯一;目标企业库导入时用它指明节点")
    name = forms.CharField(label="节点名称", max_length=60)
    segment = forms.ChoiceField(label="环节", choices=Segment.choices)
    parent = forms.ChoiceField(label="上级节点", required=False)
    in_current = forms.BooleanField(label="在现状图中", required=False)
    in_target = forms.BooleanField(
        label="在远景图中", required=False, help_text="只在远景图中的节点即为延链方向"
    )
    thin_threshold = forms.IntegerField(
        label="薄弱阈值", required=False, min_value=1, max_value=1000, help_text="空为沿用本链的阈值"
    )
    industry_prefixes = forms.CharField(label="对应行业代码", required=False, max_length=100)
    note = forms.CharField(label="说明", required=False, max_length=300)

    def __init__(self, *args, chain: Chain, node: Node | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = {
            str(n.pk): n for n in Node.objects.filter(chain=chain).exclude(pk=getattr(node, "pk", None))
        }
        self.fields["parent"].choices = [("", "(顶层)")] + [(k, n.name) for k, n in self.nodes.items()]
        if node is not None:
            del self.fields["code"]  # the pool's files name it: it stays

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["parent"] = self.nodes.get(data.get("parent") or "")
        return data


def _node_form_page(request, chain, node, form):
    return render(request, "chains/node_form.html", {"chain": chain, "node": node, "form": form})


@login_required
def node_edit(request, pk):
    node = _editable_node(request, pk)
    initial = {
        "name": node.name,
        "segment": node.segment,
        "parent": str(node.parent_id or ""),
        "in_current": node.in_current,
        "in_target": node.in_target,
        "thin_threshold": node.thin_threshold,
        "industry_prefixes": node.industry_prefixes,
        "note": node.note,
    }
    form = NodeForm(request.POST or None, initial=initial, chain=node.chain, node=node)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_node(actor=request.user, node=node, data=form.service_data(), source=WEB)
        except services.ChainError as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, f"已保存节点“{node.name}”")
            return redirect("chains:node_detail", node.pk)
    return _node_form_page(request, node.chain, node, form)


@login_required
def node_add(request, pk):
    chain_zones(request)
    chain = get_object_or_404(Chain.objects.restrict(request.user, "view"), pk=pk)
    if not may_change(request.user, chain.zone):
        raise PermissionDenied("无权修改该产业链")
    form = NodeForm(request.POST or None, initial={"in_current": True, "in_target": True}, chain=chain)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.add_node(actor=request.user, chain=chain, data=form.service_data(), source=WEB)
        except services.ChainError as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, f"已添加节点“{node.name}”")
            return redirect("chains:node_detail", node.pk)
    return _node_form_page(request, chain, None, form)


# A finer amount is refused by name, never rounded: 0.001 万元 would be stored as 0.
AMOUNT_ERRORS = {
    "max_decimal_places": "最小单位为 0.01 万元",
    "max_digits": "不能超过 999999999999.99 万元",
    "max_whole_digits": "不能超过 999999999999.99 万元",
}


class LinkForm(forms.Form):
    enterprise = forms.ChoiceField(label="企业", required=False)
    project = forms.ChoiceField(label="或招商项目", required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices, initial=Role.SUPPORTING)
    landed_on = forms.DateField(
        label="落地日期",
        required=False,
        help_text="企业入链或项目签约的日期;不填则取项目签约日期或企业入区日期,都没有时为今天",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    investment = forms.DecimalField(
        label="投资额(万元)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages=AMOUNT_ERRORS,
    )
    expected_output = forms.DecimalField(
        label="达产后年产值(万元)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages=AMOUNT_ERRORS,
    )

    def __init__(self, *args, node: Node, user, **kwargs):
        super().__init__(*args, **kwargs)
        zone = node.chain.zone
        on_node = NodeLink.objects.filter(node=node).open()
        self.enterprises = {
            str(e.pk): e
            for e in Enterprise.objects.filter(zone=zone)
            .exclude(pk__in=on_node.values("enterprise_id"))
            .order_by("name")
        }
        self.projects = {
            str(p.pk): p
            for p in Project.objects.visible_to(user)  # no confidential project to those who may not see it
            .filter(zone=zone)
            .exclude(pk__in=on_node.exclude(project=None).values("project_id"))
            .order_by("-updated")[:PROJECT_CHOICES]
        }
        asked = str(self.data.get("project") or "").strip() if self.is_bound else ""
        if asked.isdigit() and asked not in self.projects:  # an older project (a 建议关联 suggestion)
            found = (
                Project.objects.visible_to(user)
                .filter(zone=zone, pk=int(asked))
                .exclude(pk__in=on_node.exclude(project=None).values("project_id"))
                .first()
                if int(asked) <= ID_MAX
                else None
            )
            if found is not None:
                self.projects[asked] = found
        self.fields["enterprise"].choices = [("", "—")] + [(k, e.name) for k, e in self.enterprises.items()]
        self.fields["project"].choices = [("", "—")] + [
            (k, f"{p.code} {p.name}") for k, p in self.projects.items()
        ]

    def clean(self):
        data = super().clean()
        if bool(data.get("enterprise")) == bool(data.get("project")):
            raise forms.ValidationError("请选择一家企业或一个项目(二选一)")
        return data


@login_required
@require_POST
def node_link(request, pk):
    node = _editable_node(request, pk)
    form = LinkForm(request.POST, node=node, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.link(
                actor=request.user,
                node=node,
                enterprise=form.enterprises.get(data["enterprise"]),
                project=form.projects.get(data["project"]),
                role=data["role"],
                landed_on=data.get("landed_on"),
                investment=data.get("investment"),
                expected_output=data.get("expected_output"),
                source=WEB,
            )
        except services.ChainError as exc:
            labels = {"landed_on": "落地日期", "investment": "投资额", "expected_output": "达产后年产值"}
            for key, message in exc.errors.items():
                messages.error(request, f"{labels[key]}:{message}" if key in labels else message)
        else:
            project = form.projects.get(data["project"])
            messages.success(
                request,
                f"已将项目“{project.code} {project.name}”关联到“{node.name}”"
                if project is not None
                else "已挂接到本节点",
            )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else "挂接"
            messages.error(request, f"{label}:{errors[0]}")
    back = _back_node(request, node)
    if back is not None:  # linked from a suggestion on this node's page or an upper node's
        return redirect(reverse("chains:node_detail", args=[back]) + "#ledger-suggestions")
    return redirect(reverse("chains:node_detail", args=[node.pk]) + "#links")


def _back_node(request, node: Node) -> int | None:
    """The node page a 建议关联 click came from (`back`): a node of the same chain, else None."""
    back = str(request.POST.get("back") or "").strip()
    if not back.isdigit() or int(back) > ID_MAX:
        return None
    return Node.objects.filter(chain_id=node.chain_id, pk=int(back)).values_list("pk", flat=True).first()


class UnlinkForm(forms.Form):
    ended_on = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_reason = forms.CharField(label="原因", max_length=300, required=False)


@login_required
@require_POST
def link_remove(request, pk):
    """End a link (移出节点): from the end date it no longer counts; the periods before keep it."""
    chain_zones(request)
    found = get_object_or_404(
        NodeLink.objects.visible_to(request.user).select_related("node__chain__zone"), pk=pk
    )
    node = _editable_node(request, found.node_id)
    form = UnlinkForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else "移出"
            messages.error(request, f"{label}:{errors[0]}")
        return redirect(reverse("chains:node_detail", args=[node.pk]) + "#ended")
    data = form.cleaned_data
    try:
        services.unlink(
            actor=request.user,
            link_=found,
            ended_on=data.get("ended_on"),
            reason=data.get("end_reason") or "",
            source=WEB,
        )
    except services.ChainError as exc:
        labels = {"ended_on": "结束日期", "end_reason": "原因"}
        for key, message in exc.errors.items():
            messages.error(request, f"{labels.get(key, '移出')}:{message}")
    else:
        messages.success(request, f"已从“{node.name}”移出(自 {found.ended_on:%Y-%m-%d} 起不再计入)")
    return redirect(reverse("chains:node_detail", args=[node.pk]) + "#ended")


urlpatterns = [
    path("nodes/<int:pk>/edit/", node_edit, name="node_edit"),
    path("<int:pk>/nodes/new/", node_add, name="node_add"),
    path("nodes/<int:pk>/link/", node_link, name="node_link"),
    path("links/<int:pk>/remove/", link_remove, name="link_remove"),
]
