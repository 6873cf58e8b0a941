"""Which target companies to suggest for a gap, and why; pure: facts in, scored suggestions out.

A company in the pool is a candidate for a gap node when it sits on the node itself, on one of its
sub-nodes, or on a sibling under the same parent. Its score adds up reasons, each shown to the user:
node fit (the node itself 50, a sub-node 30, a sibling 15), size (large 25, medium 15, small 5), a
listed company 10, and neighbours — enterprises already on the parent or child nodes it would supply
or buy from, 5 each up to 15.
"""

from dataclasses import dataclass, field

from .choices import CompanySize

FIT_NODE, FIT_CHILD, FIT_SIBLING = 50, 30, 15
SIZE_POINTS = {CompanySize.LARGE: 25, CompanySize.MEDIUM: 15, CompanySize.SMALL: 5}
LISTED = 10
NEIGHBOUR_EACH, NEIGHBOUR_MAX = 5, 15


@dataclass(frozen=True)
class Candidate:
    key: int | str
    name: str
    node: str  # node code
    size: str
    listed: bool = False
    region: str = ""
    products: str = ""


@dataclass
class Suggestion:
    candidate: Candidate
    score: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)

    def add(self, text: str, points: int) -> None:
        self.reasons.append((text, points))
        self.score += points


def suggest(
    gap_node: str,
    candidates: list[Candidate],
    *,
    parent: dict[str, str | None],
    names: dict[str, str],
    enterprises: dict[str, int],
    limit: int = 10,
) -> list[Suggestion]:
    """Candidates for `gap_node`, best first. `parent` maps node code → parent code, `names` code →
    name, `enterprises` code → enterprises on the node in the zone now."""
    children = {code for code, up in parent.items() if up == gap_node}
    siblings = {code for code, up in parent.items() if up is not None and up == parent.get(gap_node)}
    siblings.discard(gap_node)
    neighbours = ([parent[gap_node]] if parent.get(gap_node) else []) + sorted(children)
    nearby = sum(enterprises.get(code, 0) for code in neighbours)
    out = []
    for c in candidates:
        s = Suggestion(c)
        if c.node == gap_node:
            s.add(
                f"主营产品对应“{names.get(gap_node, gap_node)}”环节"
                + (f"({c.products})" if c.products else ""),
                FIT_NODE,
            )
        elif c.node in children:
            s.add(f"属于“{names.get(gap_node, gap_node)}”的细分环节“{names.get(c.node, c.node)}”", FIT_CHILD)
        elif c.node in siblings:
            s.add(
                f"同属“{names.get(parent[gap_node], '')}”下的相邻环节“{names.get(c.node, c.node)}”",
                FIT_SIBLING,
            )
        else:
            continue
        size_points = SIZE_POINTS.get(c.size, 0)
        if size_points:
            s.add(f"{CompanySize(c.size).label}企业", size_points)
        if c.listed:
            s.add("上市公司", LISTED)
        if nearby:
            s.add(
                f"上下游环节已有 {nearby} 家本区企业,可就近配套", min(nearby * NEIGHBOUR_EACH, NEIGHBOUR_MAX)
            )
        out.append(s)
    out.sort(key=lambda s: (-s.score, s.candidate.name))
    return out[:limit]
