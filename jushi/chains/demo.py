"""Kashgar demo chains, calibrated to the seed report where it speaks.

Published (seed): 引进落地锂电产业企业31家,其中上游材料企业6家、电池企业23家、锂电供应链企业2家,总投资达80亿元;
31家企业全部建成投产后,产值预计可以达到130个亿 — the lithium chain's 31 enterprises (the registry's
demo: 6 upstream-material, 23 battery and 2 supply-chain enterprises) carry agreed investment summing to
800,000 万元 and expected output to 1,300,000 万元 on their links (they came before the demo ledger
starts; the split between them is synthetic). 盛跃恒昌 landed in September 2022 (seed); the other 30
landing dates are synthetic, spread over 2021 – June 2024 (never before the enterprise's entry), so the
2024H1 bulletin states all 31 and the 2023H1 bulletin the chain as it stood on 2023-06-30. The textile chain has 长盛纺织; the electronic-information
chain the 12 display and terminal projects of the ledger; the drone chain 中天智控 and its project.
The node trees' details, the thresholds, the target map's extension nodes and the target-company pool
are synthetic and marked so.

The ledger's lithium projects (the 锂电池/锂盐/正极材料/固态电池 projects, industries 3841, 2613, 3985) are left
off the lithium chain on purpose: the chain's published totals (80 亿元, 130 亿元) are the 31 enterprises'
alone, and a linked project adds its agreed investment to the bulletin's sentence. The node pages list them
as 建议关联 (by the nodes' industry codes, `suggested.py`), not counted until a user links them.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jushi.projects.models import Project
from jushi.registry.models import Enterprise, Zone

from .models import Chain, Node, NodeLink, PoolCompany

ZONE = "kashgar-edz"
SYNTHETIC = "合成数据(演示用)"

# chain code, name, bulletin label, threshold, [(node code, name, segment, parent, in_current, in_target,
# industry prefixes)]
CHAINS = [
    (
        "lithium",
        "锂电产业链",
        "锂电产业",
        3,
        [
            ("materials", "上游材料", "up", None, True, True, ""),
            ("lithium-salt", "锂盐", "up", "materials", True, True, "2613"),
            ("cathode", "正极材料", "up", "materials", True, True, "3985"),
            ("anode", "负极材料", "up", "materials", True, True, "3091"),
            ("electrolyte", "电解液", "up", "materials", True, True, "3985"),
            ("separator", "隔膜", "up", "materials", True, True, "2922"),
            ("cells", "电池", "mid", None, True, True, "384"),
            ("power-cells", "动力电池", "mid", "cells", True, True, "3841"),
            ("storage-cells", "储能电池", "mid", "cells", True, True, "3841"),
            ("small-cells", "小动力电池", "mid", "cells", True, True, "3841"),
            ("supply", "锂电供应链", "support", None, True, True, "7224"),
            ("applications", "下游应用", "down", None, False, True, ""),
            ("storage-systems", "储能系统集成", "down", "applications", False, True, "3849"),
            ("two-wheelers", "电动两轮车", "down", "applications", False, True, "3770"),
            ("recycling", "电池回收利用", "support", None, False, True, "4210"),
        ],
    ),
    (
        "textile",
        "纺织服装产业链",
        "",
        2,
        [
            ("spinning", "纺纱", "up", None, True, True, "1711"),
            ("weaving", "织造印染", "mid", None, True, True, "1712,1713"),
            ("home-textile", "家纺", "down", None, True, True, "177"),
            ("garments", "服装", "down", None, True, True, "181"),
        ],
    ),
    (
        "electronics",
        "电子信息产业链",
        "",
        3,
        [
            ("display", "显示面板与模组", "mid", None, True, True, "3974"),
            ("terminals", "智能终端整机", "down", None, True, True, "395,392,396"),
            ("chips", "芯片与元器件", "up", None, False, True, "397"),
        ],
    ),
    (
        "drones",
        "无人机产业链",
        "",
        2,
        [
            ("airframes", "整机制造", "mid", None, True, True, "3963"),
            ("flight-control", "飞控与导航", "up", None, True, True, "3963"),
            ("services", "无人机应用服务", "down", None, False, True, ""),
        ],
    ),
]
# Where the lithium chain's enterprises sit: (park, industry, name contains) → node code.
LITHIUM_PLACES = [
    ("2613", "", "lithium-salt"),
    ("3985", "正极", "cathode"),
    ("3985", "电解液", "electrolyte"),
    ("3091", "", "anode"),
    ("7224", "", "supply"),
]
POOL = [
    # name, region, products, chain, node, size, listed
    ("华东隔膜材料股份有限公司(合成)", "江苏省", "湿法隔膜、涂覆隔膜", "lithium", "separator", "large", True),
    ("中原隔膜科技有限公司(合成)", "河南省", "干法隔膜", "lithium", "separator", "medium", False),
    (
        "海纳储能系统有限公司(合成)",
        "广东省",
        "储能集装箱、PCS 集成",
        "lithium",
        "storage-systems",
        "large",
        True,
    ),
    ("西部储能集成有限公司(合成)", "陕西省", "工商业储能柜", "lithium", "storage-systems", "small", False),
    ("绿环电池回收有限公司(合成)", "湖南省", "梯次利用、湿法回收", "lithium", "recycling", "medium", False),
    (
        "骑程电动车股份有限公司(合成)",
        "浙江省",
        "电动自行车、电动摩托车",
        "lithium",
        "two-wheelers",
        "large",
        True,
    ),
    ("锂源正极材料有限公司(合成)", "四川省", "磷酸铁锂正极", "lithium", "cathode", "medium", False),
    (
        "天眼飞控科技有限公司(合成)",
        "广东省",
        "飞控系统、导航模块",
        "drones",
        "flight-control",
        "medium",
        False,
    ),
    ("云翼无人机服务有限公司(合成)", "四川省", "植保、巡检服务", "drones", "services", "small", False),
    ("芯程半导体有限公司(合成)", "江苏省", "驱动芯片", "electronics", "chips", "large", True),
]


def load(stdout, *, password: str) -> list[tuple[str, str]]:
    zone = Zone.objects.filter(code=ZONE).first()
    if zone is None or Chain.objects.filter(zone=zone).exists():
        return []
    rng = random.Random(20240706)
    with transaction.atomic():
        nodes = {}
        for order, (code, name, label, threshold, tree) in enumerate(CHAINS):
            chain = Chain.objects.create(
                zone=zone,
                code=code,
                name=name,
                bulletin_label=label,
                thin_threshold=threshold,
                order=order,
                description="节点划分、阈值与远景图为合成数据(演示用)",
                is_synthetic=True,
            )
            for i, (node_code, node_name, segment, parent, current, target, prefixes) in enumerate(tree):
                nodes[(code, node_code)] = Node.objects.create(
                    chain=chain,
                    code=node_code,
                    name=node_name,
                    segment=segment,
                    order=i,
                    parent=nodes.get((code, parent)) if parent else None,
                    in_current=current,
                    in_target=target,
                    industry_prefixes=prefixes,
                )
        links = _lithium(zone, nodes, rng) + _others(zone, nodes)
        NodeLink.objects.bulk_create(links)
        for name, region, products, chain, node, size, listed in POOL:
            PoolCompany.objects.create(
                zone=zone,
                name=name,
                region=region,
                products=products,
                node=nodes[(chain, node)],
                size=size,
                listed=listed,
                note=SYNTHETIC,
                is_synthetic=True,
            )
    stdout.write(f"产业链:{len(CHAINS)} 条链,{len(links)} 个企业/项目挂链,{len(POOL)} 家目标企业(合成)")
    return []


def _split(total: int, n: int, rng) -> list[Decimal]:
    """`total` 万元 in n parts that add up exactly (synthetic split)."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    parts = [int(total * w / sum(weights)) for w in weights]
    parts[0] += total - sum(parts)
    return [Decimal(p) for p in parts]


def _lithium(zone, nodes, rng) -> list[NodeLink]:
    """The 31 lithium enterprises: 6 upstream, 23 battery makers, 2 supply chain (published), 80 亿元 of
    investment and 130 亿元 of expected output among them (published totals, synthetic split)."""
    energy = (
        Enterprise.objects.filter(zone=zone, park__code="new-energy")
        .select_related("industry")
        .order_by("id")
    )
    placed = []
    for e in energy:
        code = e.industry.code if e.industry else ""
        if code == "3841":
            node = ("power-cells", "storage-cells", "small-cells")[len(placed) % 3]
            if "盛跃恒昌" in e.name:
                node = "small-cells"  # 电动摩托车、无人机、电动工具用电池 (seed)
        else:
            node = next((n for ind, part, n in LITHIUM_PLACES if ind == code and part in e.name), None)
        if node:
            placed.append((e, node))
    investment = _split(800_000, len(placed), rng)
    output = _split(1_300_000, len(placed), rng)
    others = [e for e, _node in placed if "盛跃恒昌" not in e.name]
    landed = {e.pk: _landing(i, len(others), e.entered_on) for i, e in enumerate(others)}
    return [
        NodeLink(
            node=nodes[("lithium", node)],
            enterprise=e,
            role="leader" if "盛跃恒昌" in e.name else "core" if node.endswith("cells") else "supporting",
            landed_on=landed.get(e.pk, SHENGYUE_LANDED),
            investment=inv,
            expected_output=out,
            note=(
                "投资额与达产产值:合成拆分(合计为公布数)"
                + (";2022年9月入驻(据报道)" if e.pk not in landed else ";落地日期为合成数据")
            ),
        )
        for (e, node), inv, out in zip(placed, investment, output, strict=True)
    ]


SHENGYUE_LANDED = dt.date(2022, 9, 1)  # 盛跃恒昌: entered September 2022 (seed)
LANDING_FIRST = dt.date(2021, 1, 1)
LANDING_LAST = dt.date(2024, 6, 1)  # all landed by 2024-06-30: the 2024H1 bulletin states all 31


def _landing(i: int, n: int, entered: dt.date | None) -> dt.date:
    """Synthetic landing date of the i-th of n lithium enterprises: the first of a month spread evenly
    over January 2021 – June 2024, never before the enterprise entered the zone."""
    months = (LANDING_LAST.year - LANDING_FIRST.year) * 12 + LANDING_LAST.month - LANDING_FIRST.month
    step = round(i * months / max(n - 1, 1))
    year, month = divmod(LANDING_FIRST.month - 1 + step, 12)
    spread = dt.date(LANDING_FIRST.year + year, month + 1, 1)
    return max(spread, entered) if entered else spread


def _others(zone, nodes) -> list[NodeLink]:
    links = []
    for e in Enterprise.objects.filter(zone=zone, park__code="textile").select_related("industry"):
        code = e.industry.code if e.industry else ""
        node = "spinning" if code == "1711" else "home-textile" if code.startswith("177") else "garments"
        links.append(
            NodeLink(
                node=nodes[("textile", node)],
                enterprise=e,
                landed_on=e.entered_on or dt.date(2020, 1, 1),
                role="leader" if "长盛" in e.name else "core",
            )
        )
    for p in Project.objects.filter(zone=zone, park__code="electronics", signed_on__year=2024):
        node = "display" if p.industry and p.industry.code == "3974" else "terminals"
        links.append(
            NodeLink(node=nodes[("electronics", node)], project=p, landed_on=p.signed_on, role="core")
        )
    drone = Enterprise.objects.filter(zone=zone, name__startswith="中天智控").first()
    if drone is not None:
        links.append(
            NodeLink(
                node=nodes[("drones", "airframes")],
                enterprise=drone,
                landed_on=dt.date(2024, 6, 26),
                role="leader",
            )
        )
        project = Project.objects.filter(
            zone=zone, investor__name__startswith="中天智控", duplicate_status=""
        ).first()
        if project is not None:
            Project.objects.filter(pk=project.pk).update(
                enterprise=drone
            )  # the project company is registered
            links.append(
                NodeLink(
                    node=nodes[("drones", "airframes")],
                    project=project,
                    landed_on=project.signed_on,
                    role="leader",
                )
            )
    return links
