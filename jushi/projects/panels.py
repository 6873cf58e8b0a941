"""The enterprise page's projects panel (registered in ProjectsConfig.ready; registry cannot import us)."""

from django.urls import reverse

from jushi.core import scopes
from jushi.core.panels import Cell, Panel, register

from .models import Project

SHOWN = 50


def enterprise_projects(enterprise, user) -> Panel | None:
    """Projects the enterprise lands (落地企业) or invests in (投资方 with the same credit code), as the
    user may see them: `visible_to` leaves out confidential projects for those who may not see them,
    and gives enterprise reporters nothing, so they get no panel at all."""
    if scopes.scope_of(user).enterprise_id is not None:
        return None
    rows = (
        Project.objects.visible_to(user)
        .of_enterprise(enterprise)
        .select_related("stage", "investor", "industry")
        .order_by("-lead_on", "-id")
    )
    rows = list(rows[: SHOWN + 1])
    panel = Panel(
        key="projects",
        title="招商项目",
        headers=["项目编号", "项目名称", "关系", "阶段", "行业", "协议投资(万元)", "签约日期"],
        empty="台账中没有以该企业为落地企业或投资方的项目",
        note="作为落地企业或投资方(按统一社会信用代码)的项目;金额单位万元",
        numeric=(5,),
    )
    if len(rows) > SHOWN:
        rows = rows[:SHOWN]
        panel.note += f";只列出线索日期最近的 {SHOWN} 个"
    for p in rows:
        url = reverse("projects:project_detail", args=[p.pk])
        roles = []
        if p.enterprise_id == enterprise.pk:
            roles.append("落地企业")
        if p.investor.credit_code and p.investor.credit_code == enterprise.credit_code:
            roles.append("投资方")
        industry = p.industry
        panel.rows.append(
            [
                Cell(p.code, url=url, title=p.name, code=True),
                Cell(p.name + ("(保密)" if p.confidential else ""), url=url),
                Cell("、".join(roles)),
                Cell(p.stage.name),
                Cell(industry.name, title=f"行业代码 {industry.code}") if industry else Cell("—"),
                Cell(_amount(p.agreed_investment), num=True),
                Cell(p.signed_on.isoformat() if p.signed_on else "—"),
            ]
        )
    return panel


def _amount(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


register("enterprise", enterprise_projects, order=20)
