"""The gap rules (缺口分析) of a chain, pure: node facts in, gaps out; no ORM.

A node's strength counts the enterprises and pipeline projects on it: none is 空白, fewer than the
node's threshold 薄弱, otherwise 较强. For the nodes of the target map (远景图):
- 补链 (fill): an empty node the chain already has in its current map;
- 延链 (extend): an empty node only in the target map — a new link up- or downstream;
- 强链 (strengthen): a thin node, present or new.
A gap closed this year is a target node that was empty or thin on January 1 and is no longer.
"""

from dataclasses import dataclass

from .choices import Gap, Strength


@dataclass(frozen=True)
class NodeFacts:
    code: str
    name: str
    segment: str
    in_current: bool
    in_target: bool
    threshold: int
    count: int  # enterprises and pipeline projects on the node now
    count_at_year_start: int = 0
    parent: str | None = None


@dataclass(frozen=True)
class GapItem:
    node: NodeFacts
    gap: str
    strength: str
    reason: str


def strength(count: int, threshold: int) -> str:
    if count <= 0:
        return Strength.EMPTY
    return Strength.THIN if count < max(threshold, 1) else Strength.STRONG


def gap_of(node: NodeFacts) -> GapItem | None:
    if not node.in_target:
        return None
    level = strength(node.count, node.threshold)
    if level == Strength.STRONG:
        return None
    if level == Strength.EMPTY:
        if node.in_current:
            return GapItem(node, Gap.FILL, level, f"现状图中的“{node.name}”环节尚无企业和项目")
        return GapItem(node, Gap.EXTEND, level, f"远景图新增的“{node.name}”环节,本区尚无企业和项目")
    return GapItem(
        node,
        Gap.STRENGTHEN,
        level,
        f"“{node.name}”仅有 {node.count} 家企业和项目,少于薄弱阈值 {node.threshold}",
    )


ORDER = {Gap.FILL: 0, Gap.EXTEND: 1, Gap.STRENGTHEN: 2}


def gaps(nodes: list[NodeFacts]) -> list[GapItem]:
    """Every gap of the target map: fill first, then extend, then strengthen; emptier first."""
    found = [g for g in (gap_of(n) for n in nodes) if g is not None]
    return sorted(found, key=lambda g: (ORDER[g.gap], g.node.count, g.node.code))


def closed_this_year(nodes: list[NodeFacts]) -> list[tuple[NodeFacts, str, str]]:
    """(node, strength on January 1, strength now) for each target node that was a gap and is not."""
    out = []
    for node in nodes:
        if not node.in_target:
            continue
        before = strength(node.count_at_year_start, node.threshold)
        now = strength(node.count, node.threshold)
        if before != Strength.STRONG and now == Strength.STRONG or before == Strength.EMPTY and now != before:
            out.append((node, before, now))
    return out
