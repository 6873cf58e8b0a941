"""What every chain page reads: the zones and chains a user may see, and one chain as the pages show
it — its nodes in tree order with their figures, strength and gap, the gaps closed this year, the
whole chain's totals — and the target companies suggested for a gap.

The figures come from `figures.chain_figures` (a few grouped queries per chain), the gaps from the pure
rules in `gaps.py`, the suggestions from the pure scoring in `recommend.py`; nothing here writes."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jushi.core import clock, scopes
from jushi.projects.models import Project
from jushi.registry.models import Zone

from ..choices import CompanySize, Gap, Segment, Strength
from ..figures import NodeFigures, chain_figures, facts
from ..gaps import GapItem, closed_this_year, gaps, strength
from ..models import Chain, Node, PoolCompany
from ..recommend import Candidate, Suggestion, suggest

YI = Decimal(10000)  # 万元 in one 亿元
SEGMENT_ORDER = {value: i for i, value in enumerate(Segment.values)}
SENTINEL = 987654321  # a pk no chain reaches: one reverse() gives every node's link


def chain_zones(request) -> list[Zone]:
    """Zones whose chains the user may read. Enterprise reporters have no business with the chains:
    a node's figures add up a handful of named enterprises."""
    user = request.user
    if getattr(user, "is_reporter", False) or scopes.scope_of(user).enterprise_id is not None:
        raise PermissionDenied("企业填报账号无权查看产业链")
    return list(Zone.objects.restrict(user, "view").order_by("name"))


def visible_chains(request):
    chain_zones(request)  # refuses reporters
    return Chain.objects.restrict(request.user, "view").select_related("zone")


def may_convert(user, zone: Zone) -> bool:
    """Staff who may add projects in the zone may turn a suggestion into a lead."""
    return scopes.can(user, "add") and Zone.objects.restrict(user, "add").filter(pk=zone.pk).exists()


def yi(wan: Decimal) -> Decimal:
    return (wan or Decimal(0)) / YI


@dataclass
class Row:
    """A node as the pages show it."""

    node: Node
    figures: NodeFigures
    depth: int
    strength: str
    gap: GapItem | None
    url: str

    @property
    def strength_label(self) -> str:
        return str(Strength(self.strength).label)

    @property
    def gap_label(self) -> str:
        return str(Gap(self.gap.gap).label) if self.gap else ""

    @property
    def extension(self) -> bool:
        """A node of the target map only: a new link up- or downstream (延链)."""
        return self.node.in_target and not self.node.in_current

    @property
    def enterprise_count(self) -> int:
        return len(self.figures.enterprises)

    @property
    def investment_yi(self) -> Decimal:
        return yi(self.figures.investment)

    @property
    def funds_yi(self) -> Decimal:
        return yi(self.figures.funds)

    @property
    def expected_yi(self) -> Decimal:
        return yi(self.figures.expected_output)


@dataclass
class Totals:
    nodes: int = 0
    enterprises: int = 0
    pipeline: int = 0
    investment: Decimal = Decimal(0)  # 万元
    funds: Decimal = Decimal(0)  # 万元
    output: Decimal = Decimal(0)  # 亿元
    expected_output: Decimal = Decimal(0)  # 万元
    gaps: dict = field(default_factory=dict)  # gap code → count
    confidential: int = 0  # confidential projects left out for this reader

    @property
    def investment_yi(self) -> Decimal:
        return yi(self.investment)

    @property
    def funds_yi(self) -> Decimal:
        return yi(self.funds)

    @property
    def expected_yi(self) -> Decimal:
        return yi(self.expected_output)

    @property
    def fill(self) -> int:
        return self.gaps.get(Gap.FILL, 0)

    @property
    def extend(self) -> int:
        return self.gaps.get(Gap.EXTEND, 0)

    @property
    def strengthen(self) -> int:
        return self.gaps.get(Gap.STRENGTHEN, 0)


@dataclass
class Closed:
    row: Row
    before: str
    now: str

    @property
    def before_label(self) -> str:
        return str(Strength(self.before).label)

    @property
    def now_label(self) -> str:
        return str(Strength(self.now).label)


@dataclass
class ChainView:
    chain: Chain
    rows: list[Row]  # tree order: segment by segment, each node followed by its sub-nodes
    gaps: list[Row]  # the rows with a gap, in the rules' order (补链, 延链, 强链; emptier first)
    closed: list[Closed]
    totals: Totals

    def row(self, node_pk: int) -> Row:
        return next(r for r in self.rows if r.node.pk == node_pk)

    def descendants(self, node_pk: int) -> list[Row]:
        """The node's sub-nodes at every depth, in tree order."""
        rows, out, start = self.rows, [], None
        for i, r in enumerate(rows):
            if r.node.pk == node_pk:
                start = i
                break
        if start is None:
            return out
        for r in rows[start + 1 :]:
            if r.depth <= rows[start].depth:
                break
            out.append(r)
        return out


def node_url(pk: int) -> str:
    return reverse("chains:node_detail", args=[SENTINEL]).replace(str(SENTINEL), str(pk))


def load(chain: Chain, today: dt.date | None = None, *, user=None) -> ChainView:
    """One chain as `user` may read it (confidential projects the user may not see are left out of the
    figures and only counted); without a user, everything."""
    nodes, figures = chain_figures(chain, today or clock.today(), user=user)
    node_facts = facts(nodes, figures)
    found = gaps(node_facts)
    gap_of = {g.node.code: g for g in found}
    children: dict[int | None, list[Node]] = {}
    for node in nodes:  # already in (order, id)
        children.setdefault(node.parent_id, []).append(node)
    roots = sorted(children.get(None, []), key=lambda n: (SEGMENT_ORDER.get(n.segment, 9), n.order, n.pk))
    rows: list[Row] = []

    def walk(node: Node, depth: int) -> None:
        f = figures[node.pk]
        rows.append(
            Row(
                node=node,
                figures=f,
                depth=depth,
                strength=strength(f.count, node.threshold),
                gap=gap_of.get(node.code),
                url=node_url(node.pk),
            )
        )
        for child in children.get(node.pk, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    by_code = {r.node.code: r for r in rows}
    top = [figures[n.pk] for n in roots]
    totals = Totals(
        nodes=len(nodes),
        enterprises=len(set().union(*(f.enterprises for f in top))) if top else 0,
        pipeline=sum(f.pipeline for f in top),
        investment=sum((f.investment for f in top), Decimal(0)),
        funds=sum((f.funds for f in top), Decimal(0)),
        output=sum((f.output for f in top), Decimal(0)),
        expected_output=sum((f.expected_output for f in top), Decimal(0)),
        confidential=len(set().union(*(f.hidden for f in top))) if top else 0,
    )
    for g in found:
        totals.gaps[g.gap] = totals.gaps.get(g.gap, 0) + 1
    closed = [Closed(by_code[n.code], before, now) for n, before, now in closed_this_year(node_facts)]
    return ChainView(
        chain=chain,
        rows=rows,
        gaps=[by_code[g.node.code] for g in found],
        closed=closed,
        totals=totals,
    )


@dataclass
class Pick:
    """A suggested target company: the pool row, its score and every reason with its points."""

    company: PoolCompany
    score: int
    reasons: list[tuple[str, int]]


def suggestions(view: ChainView, row: Row, pool: list[PoolCompany], limit: int | None = 10) -> list[Pick]:
    """Target companies of the chain's pool for the gap on `row`, best first, with their reasons."""
    codes = {r.node.pk: r.node.code for r in view.rows}
    candidates = [
        Candidate(
            key=c.pk,
            name=c.name,
            node=codes[c.node_id],
            size=c.size,
            listed=c.listed,
            region=c.region,
            products=c.products,
        )
        for c in pool
        if c.node_id in codes
    ]
    found: list[Suggestion] = suggest(
        row.node.code,
        candidates,
        parent={r.node.code: codes.get(r.node.parent_id) for r in view.rows},
        names={r.node.code: r.node.name for r in view.rows},
        enterprises={r.node.code: r.enterprise_count for r in view.rows},
        limit=len(candidates) if limit is None else limit,
    )
    companies = {c.pk: c for c in pool}
    return [Pick(companies[s.candidate.key], s.score, s.reasons) for s in found]


def mark_leads(companies, user) -> None:
    """Set `shown_lead` on each pool company: its lead when the user may see it, else None (a
    confidential lead stays unnamed: the page says only that the company was converted)."""
    companies = list(companies)
    ids = {c.lead_id for c in companies if c.lead_id}
    seen = (
        set(Project.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
        if ids
        else set()
    )
    for c in companies:
        c.shown_lead = c.lead if c.lead_id in seen else None


def size_label(code: str) -> str:
    return str(CompanySize(code).label) if code in CompanySize.values else code
