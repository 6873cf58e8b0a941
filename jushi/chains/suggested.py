"""Ledger projects a chain's nodes could take (建议关联): projects of the zone's ledger whose industry belongs
to a node (its GB/T 4754 code starts with one of the node's prefixes) and that are not on the chain yet.

A suggestion is not a link: it counts in none of the node's or the chain's figures until a user links it
(one click on the node page, through `services.link` and its rules). The rules:

- the project is in the chain's zone, counted by the ledger (not a flagged duplicate) and visible to the
  reader — a confidential project the reader may not see is never suggested, nor counted among the
  suggestions;
- it has never been on any node of this chain (a link that was ended was ended on purpose), and its
  landing company is not on the chain already (the company brings the project's figures);
- it goes to the node(s) with the longest matching prefix: a 3841 project is suggested to 动力电池 (3841),
  not to its parent 电池 (384); nodes with equal prefixes each get it (the user chooses one).

All of a chain's suggestions are read with one query."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from jushi.projects.choices import COUNTED
from jushi.projects.models import Project

from .models import Chain, Node, NodeLink


def prefixes_of(node: Node) -> list[str]:
    """The node's industry code prefixes, as typed (commas, 、 or spaces between), digits only."""
    text = (node.industry_prefixes or "").replace("、", ",").replace(",", ",").replace(" ", ",")
    return [p.strip() for p in text.split(",") if p.strip().isdigit()]


@dataclass
class Suggested:
    """A ledger project suggested for one or more nodes of the chain."""

    project: Project
    nodes: list[Node] = field(default_factory=list)


@dataclass
class ChainSuggestions:
    by_node: dict[int, list[Suggested]] = field(default_factory=dict)  # node pk → its own suggestions

    def under(self, node_pks) -> list[Suggested]:
        """The suggestions for these nodes, each project once, largest agreed investment first."""
        seen: dict[int, Suggested] = {}
        for pk in node_pks:
            for s in self.by_node.get(pk, []):
                seen.setdefault(s.project.pk, s)
        return sorted(
            seen.values(),
            key=lambda s: (-(s.project.agreed_investment or 0), s.project.code),
        )

    def count_under(self, node_pks) -> int:
        return len({s.project.pk for pk in node_pks for s in self.by_node.get(pk, [])})


def totals(items: list[Suggested]) -> tuple[Decimal, Decimal]:
    """Agreed investment and funds in place (万元) of the suggested projects: what linking them would add."""
    investment = sum((s.project.agreed_investment or Decimal(0) for s in items), Decimal(0))
    funds = sum((s.project.funds_in_place or Decimal(0) for s in items), Decimal(0))
    return investment, funds


def for_chain(chain: Chain, nodes: list[Node], *, user) -> ChainSuggestions:
    """Every node's suggested ledger projects, as `user` may see them (one query)."""
    prefixes = {n.pk: prefixes_of(n) for n in nodes}
    wanted = sorted({p for ps in prefixes.values() for p in ps})
    out = ChainSuggestions(by_node={n.pk: [] for n in nodes})
    if not wanted:
        return out
    match = Q()
    for prefix in wanted:
        match |= Q(industry__code__startswith=prefix)
    on_chain = NodeLink.objects.filter(node__chain=chain)
    rows = (
        Project.objects.visible_to(user)
        .filter(zone_id=chain.zone_id, duplicate_status__in=COUNTED, industry__isnull=False)
        .filter(match)
        .exclude(pk__in=on_chain.filter(project__isnull=False).values("project_id"))
        .exclude(
            enterprise_id__in=on_chain.filter(enterprise__isnull=False, ended_on__isnull=True).values(
                "enterprise_id"
            )
        )
        .select_related("stage", "industry", "park", "investor")
        .order_by("-agreed_investment", "code")
    )
    order = {n.pk: i for i, n in enumerate(nodes)}
    for project in rows:
        code = project.industry.code
        best, targets = 0, []
        for node in nodes:
            length = max((len(p) for p in prefixes[node.pk] if code.startswith(p)), default=0)
            if length > best:
                best, targets = length, [node]
            elif length and length == best:
                targets.append(node)
        if not targets:
            continue
        targets.sort(key=lambda n: order[n.pk])
        item = Suggested(project=project, nodes=targets)
        for node in targets:
            out.by_node[node.pk].append(item)
    return out
