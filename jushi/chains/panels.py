"""The enterprise page's chain-nodes panel (registered in ChainsConfig.ready; registry cannot import us)."""

from django.db.models import Q
from django.urls import reverse

from jushi.core import scopes
from jushi.core.panels import Cell, Panel, register
from jushi.projects.models import Project

from .models import NodeLink


def enterprise_nodes(enterprise, user) -> Panel | None:
    """The chain nodes the enterprise is on: linked itself, or through a project it lands or invests in.
    Links start from `NodeLink.objects.visible_to(user)`, which hides links to projects the user may not
    see; enterprise reporters see no chains, so they get no panel."""
    if scopes.scope_of(user).enterprise_id is not None:
        return None
    projects = Project.objects.visible_to(user).of_enterprise(enterprise)
    links = (
        NodeLink.objects.visible_to(user)
        .filter(Q(enterprise=enterprise) | Q(project__in=projects.values("pk")))
        .select_related("node__chain", "project")
        .order_by("ended_on", "node__chain__order", "node__order", "id")
    )
    panel = Panel(
        key="nodes",
        title="产业链节点",
        headers=["产业链", "节点", "环节", "角色", "经由", "落地日期", "状态"],
        empty="该企业及其项目不在任何产业链节点上",
        note="企业本身或其项目挂在的节点;已结束的挂接保留在最后",
    )
    for link in links:
        node, chain = link.node, link.node.chain
        if link.project_id:
            via = Cell(
                link.project.code,
                url=reverse("projects:project_detail", args=[link.project_id]),
                title=f"经项目“{link.project.name}”",
                code=True,
            )
        else:
            via = Cell("企业本身")
        ended = link.ended_on is not None
        panel.rows.append(
            [
                Cell(chain.name, url=reverse("chains:chain_detail", args=[chain.pk])),
                Cell(node.name, url=reverse("chains:node_detail", args=[node.pk])),
                Cell(node.get_segment_display()),
                Cell(link.get_role_display()),
                via,
                Cell(link.landed_on.isoformat()),
                Cell(
                    f"{link.ended_on.isoformat()} 起不再计入" if ended else "在链",
                    title=link.end_reason if ended else "",
                    badge="" if ended else "ok",
                ),
            ]
        )
    return panel


register("enterprise", enterprise_nodes, order=30)
