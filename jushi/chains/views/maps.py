"""The chain list, the chain map (现状图/远景图) with its node table and export, the node page with the
target companies suggested for its gap, and the gap list (DOMAIN.md §7).

Every page starts from `Chain.objects.restrict(user, "view")` (nodes, links and pool likewise); enterprise
reporters are refused. A chain's figures are read once per request through `shared.load`, as the user may
read them: a confidential project the user may not see is neither listed nor in the figures, only counted
("另有 N 个保密项目")."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path

from jushi.core.scopes import can
from jushi.projects.models import Stage
from jushi.registry.models import Enterprise, Industry

from .. import suggested
from ..choices import Segment
from ..exporters import ChainExporter
from ..forms import GapFilterForm
from ..models import Node, NodeLink, PoolCompany
from .editing import LinkForm, may_change
from .shared import (
    ChainView,
    Row,
    chain_zones,
    load,
    mark_leads,
    may_convert,
    suggestions,
    visible_chains,
)

CURRENT, TARGET = "current", "target"
MAPS = {CURRENT: "现状图", TARGET: "远景图"}
COLOURS = {"strong": "#1a7f37", "thin": "#b7791f", "empty": "#c53030"}
GROUP_COLOUR = "#66788a"


def _zone_filter(request, zones):
    """The zone asked for by `?zone=`, and a notice naming the parameter when it is not one of the user's."""
    code = request.GET.get("zone", "").strip()
    zone = next((z for z in zones if z.code == code), None)
    notice = ""
    if code and zone is None:
        notice = f"开发区: “{code[:30]}”不存在或不在您的权限范围内,已显示全部开发区"
    return zone, notice


@login_required
def chain_list(request):
    zones = chain_zones(request)
    zone, notice = _zone_filter(request, zones)
    chains = visible_chains(request)
    if zone is not None:
        chains = chains.filter(zone=zone)
    views = [load(chain, user=request.user) for chain in chains]
    for v in views:  # ledger projects of the chain's industries not on it yet: one query a chain
        v.waiting = suggested.for_chain(v.chain, [r.node for r in v.rows], user=request.user).count_under(
            [r.node.pk for r in v.rows]
        )
    context = {"zones": zones, "zone": zone, "notice": notice, "views": views, "show_zone": len(zones) > 1}
    return render(request, "chains/chain_list.html", context)


def _tip(row: Row) -> list[str]:
    f = row.figures
    lines = [
        f"{row.node.name}({Segment(row.node.segment).label})",
        f"强度:{row.strength_label}" + (f" · 缺口:{row.gap_label}" if row.gap else ""),
        f"企业 {row.enterprise_count} 家(规上 {f.above_size} 家)· 在谈项目 {f.pipeline} 个",
        f"协议投资 {row.investment_yi:.2f} 亿元 · 当前产值 {f.output:.2f} 亿元",
        f"达产后预计产值 {row.expected_yi:.2f} 亿元",
    ]
    if row.gap:
        lines.append(row.gap.reason)
    return lines


def tree_data(view: ChainView, mode: str) -> tuple[dict, int]:
    """The ECharts tree of the map `mode`: the chain, its segments, then the nodes of that map, each
    under its nearest ancestor on the same map. Returns the tree and how many leaves it has (for the
    chart's height)."""
    shown = [r for r in view.rows if (r.node.in_current if mode == CURRENT else r.node.in_target)]
    shown_pks = {r.node.pk for r in shown}
    parent_of = {r.node.pk: r.node.parent_id for r in view.rows}
    groups = {
        value: {"name": str(label), "children": [], "itemStyle": {"color": GROUP_COLOUR}}
        for value, label in Segment.choices
    }
    items = {}
    for r in shown:
        extension = mode == TARGET and r.extension
        items[r.node.pk] = {
            "name": r.node.name,
            "url": r.url,
            "strength": r.strength,
            "sub": f"企业 {r.enterprise_count} · 在谈 {r.figures.pipeline}",
            "ext": extension,
            "tip": _tip(r),
            "symbol": "diamond" if extension else "circle",
            "symbolSize": 16 if extension else 12,
            "itemStyle": {
                "color": COLOURS[r.strength],
                "borderColor": "#1f2933" if extension else COLOURS[r.strength],
                "borderType": "dashed" if extension else "solid",
                "borderWidth": 2 if extension else 1,
            },
            "children": [],
        }
        up = parent_of[r.node.pk]
        while up is not None and up not in shown_pks:
            up = parent_of.get(up)
        siblings = items[up]["children"] if up is not None else groups[r.node.segment]["children"]
        siblings.append(items[r.node.pk])
    tree = {
        "name": view.chain.name,
        "itemStyle": {"color": "#b4232a"},
        "children": [g for g in groups.values() if g["children"]],
    }

    def leaves(item) -> int:
        return sum(leaves(c) for c in item["children"]) if item.get("children") else 1

    return tree, leaves(tree)


@login_required
def chain_detail(request, pk):
    chain = get_object_or_404(visible_chains(request), pk=pk)
    mode = request.GET.get("map", CURRENT)
    notice = ""
    if mode not in MAPS:
        notice = f"map: 应为 current(现状图)或 target(远景图),收到“{mode[:20]}”,已显示现状图"
        mode = CURRENT
    view = load(chain, user=request.user)
    rows = [r for r in view.rows if (r.node.in_current if mode == CURRENT else r.node.in_target)]
    waiting = suggested.for_chain(chain, [r.node for r in view.rows], user=request.user)
    for r in view.rows:  # a parent's count holds its sub-nodes', each project once (as its figures do)
        r.waiting = waiting.count_under([r.node.pk] + [d.node.pk for d in view.descendants(r.node.pk)])
    tree, leaves = tree_data(view, mode)
    context = {
        "chain": chain,
        "view": view,
        "rows": rows,
        "mode": mode,
        "map_label": MAPS[mode],
        "maps": MAPS,
        "notice": notice,
        "tree": tree,
        "chart_height": max(360, leaves * 44),
        "can_export": can(request.user, "export"),
        "waiting": waiting.count_under([r.node.pk for r in view.rows]),
    }
    return render(request, "chains/chain_detail.html", context)


@login_required
def chain_export(request, pk):
    chain = get_object_or_404(visible_chains(request), pk=pk)
    if not can(request.user, "export"):
        raise PermissionDenied("无权导出产业链")
    return ChainExporter(load(chain, user=request.user), actor=request.user).response()


LINK_RELATED = ("node", "enterprise", "project__stage")


@login_required
def node_detail(request, pk):
    chain_zones(request)  # refuses reporters
    node = get_object_or_404(
        Node.objects.restrict(request.user, "view").select_related("chain__zone", "parent"), pk=pk
    )
    view = load(node.chain, user=request.user)
    row = view.row(node.pk)
    below = view.descendants(node.pk)
    path_up, up = [], node.parent_id
    while up is not None:
        above = view.row(up)
        path_up.insert(0, above)
        up = above.node.parent_id
    links = list(
        NodeLink.objects.visible_to(request.user)
        .filter(node_id__in=[node.pk, *(r.node.pk for r in below)])
        .select_related(*LINK_RELATED)
        .order_by("node__order", "node_id", "role", "id")
    )
    stages = list(Stage.objects.all())
    ledger = suggested.for_chain(node.chain, [r.node for r in view.rows], user=request.user).under(
        [node.pk, *(r.node.pk for r in below)]
    )
    ledger_investment, ledger_funds = suggested.totals(ledger)
    picks = []
    if row.gap is not None:
        pool = list(
            PoolCompany.objects.restrict(request.user, "view")
            .filter(node__chain=node.chain)
            .select_related("lead__stage")
        )
        picks = suggestions(view, row, pool)
        mark_leads((p.company for p in picks), request.user)
        mark_registered((p.company for p in picks), request.user, node.chain.zone_id)
    context = {
        "chain": node.chain,
        "node": node,
        "row": row,
        "below": below,
        "path_up": path_up,
        "enterprise_links": [k for k in links if k.enterprise_id and k.ended_on is None],
        "project_links": [k for k in links if k.project_id and k.ended_on is None],
        "ended_links": sorted(
            (k for k in links if k.ended_on is not None), key=lambda k: (k.ended_on, k.pk), reverse=True
        ),
        "by_stage": [(s, row.figures.projects[s.code]) for s in stages if row.figures.projects.get(s.code)],
        "picks": picks,
        "ledger": ledger,
        "ledger_investment_yi": ledger_investment / 10000,
        "ledger_funds_yi": ledger_funds / 10000,
        "pool": _pool_on(request.user, node, below),
        "industries": _industries(node),
        "can_convert": may_convert(request.user, node.chain.zone),
        "can_change": may_change(request.user, node.chain.zone),
        "link_form": LinkForm(node=node, user=request.user)
        if may_change(request.user, node.chain.zone)
        else None,
        "segment": Segment(node.segment).label,
    }
    return render(request, "chains/node_detail.html", context)


def _pool_on(user, node: Node, below) -> list[PoolCompany]:
    """The target companies of the pool on the node and its sub-nodes, each marked with its lead as the
    user may see it and with the registry enterprise of the same credit code, when the zone has one."""
    pool = list(
        PoolCompany.objects.restrict(user, "view")
        .filter(node_id__in=[node.pk, *(r.node.pk for r in below)])
        .select_related("node", "lead__stage")
        .order_by("node__order", "node_id", "name")
    )
    mark_leads(pool, user)
    mark_registered(pool, user, node.chain.zone_id)
    return pool


def mark_registered(companies, user, zone_id) -> None:
    """Set `registered_id` on each pool company: the registry enterprise of the zone with its credit code
    that the user may see, else None (one query)."""
    companies = list(companies)
    codes = {c.credit_code for c in companies if c.credit_code}
    registered = (
        dict(
            Enterprise.objects.visible_to(user)
            .filter(zone_id=zone_id, credit_code__in=codes)
            .values_list("credit_code", "pk")
        )
        if codes
        else {}
    )
    for company in companies:
        company.registered_id = registered.get(company.credit_code)


def _industries(node: Node) -> list[tuple[str, str]]:
    """The node's industry codes with their GB/T 4754 names ("" for a code the classification lacks)."""
    codes = suggested.prefixes_of(node)
    names = dict(Industry.objects.filter(code__in=codes).values_list("code", "name"))
    return [(code, names.get(code, "")) for code in codes]


@login_required
def gap_list(request):
    """Every gap of the chains in scope, with its reason and how many untaken target companies suit it,
    and the gaps closed this year."""
    zones = chain_zones(request)
    chains = visible_chains(request).order_by("zone__name", "order", "name")
    form = GapFilterForm(request.GET, zones=zones, chains=chains)
    zone, chain, kind = form.value("zone"), form.value("chain"), form.value("kind")
    if zone:
        chains = chains.filter(zone=zone)
    if chain:
        chains = chains.filter(pk=chain.pk)
    views = [load(c, user=request.user) for c in chains]
    pool: dict[int, list[PoolCompany]] = {}
    for company in PoolCompany.objects.restrict(request.user, "view").filter(
        node__chain__in=[v.chain for v in views], lead__isnull=True
    ):
        pool.setdefault(company.node_id, []).append(company)
    gaps, closed = [], []
    for v in views:
        chain_pool = [c for r in v.rows for c in pool.get(r.node.pk, [])]
        for r in v.gaps:
            if kind and r.gap.gap != kind:
                continue
            gaps.append({"view": v, "row": r, "suggested": len(suggestions(v, r, chain_pool, limit=None))})
        closed += [{"view": v, "closed": c} for c in v.closed]
    context = {
        "form": form,
        "notices": form.error_texts(),
        "gaps": gaps,
        "closed": closed,
        "show_zone": len(zones) > 1,
    }
    return render(request, "chains/gap_list.html", context)


urlpatterns = [
    path("", chain_list, name="chain_list"),
    path("<int:pk>/", chain_detail, name="chain_detail"),
    path("<int:pk>/export/", chain_export, name="chain_export"),
    path("nodes/<int:pk>/", node_detail, name="node_detail"),
    path("gaps/", gap_list, name="gap_list"),
]
