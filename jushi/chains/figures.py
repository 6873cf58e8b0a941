"""A chain's figures by node, read with a few grouped queries: enterprises (and how many are in the
above-size set), projects by stage, agreed investment and funds in place, current output from the
approved reports, expected output at full capacity. A node's figures include its sub-nodes'.

Every figure is read as of a day: links by their landing and end dates, agreed investment with the contract
changes effective by then, funds dated by then. Pages read today (the application clock); the bulletin
reads its period's end, so a past period keeps the figures it had."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q, Sum

from jushi.core import clock
from jushi.lib.periods import Period, PeriodError
from jushi.projects.choices import COUNTED, StageCode
from jushi.projects.models import FundsRecord, Project, Stage
from jushi.registry.models import SizeMembership

from .gaps import NodeFacts
from .models import Chain, Node, NodeLink

OUTPUT_FIELD = "gross_output"  # 工业总产值, 千元 in the monthly form
QIAN_TO_YI = Decimal("0.00001")


@dataclass
class NodeFigures:
    enterprises: set = field(default_factory=set)
    above_size: int = 0
    projects: dict = field(default_factory=lambda: defaultdict(int))  # stage code → count
    investment: Decimal = Decimal(0)  # 万元
    funds: Decimal = Decimal(0)  # 万元
    output: Decimal = Decimal(0)  # 亿元, the latest approved cumulative output
    expected_output: Decimal = Decimal(0)  # 万元
    count: int = 0  # enterprises and signed projects: what the strength is judged on
    count_at_year_start: int = 0
    hidden: set = field(default_factory=set)  # confidential projects left out for this reader

    @property
    def confidential(self) -> int:
        """How many confidential projects the reader may not see were left out of these figures."""
        return len(self.hidden)

    @property
    def pipeline(self) -> int:
        return self.projects.get(StageCode.LEAD, 0) + self.projects.get(StageCode.TALKS, 0)


def _descendants(nodes: list[Node]) -> dict[int, list[int]]:
    children = defaultdict(list)
    for node in nodes:
        if node.parent_id:
            children[node.parent_id].append(node.pk)
    out = {}

    def walk(pk):
        if pk not in out:
            out[pk] = [pk] + [d for child in children[pk] for d in walk(child)]
        return out[pk]

    for node in nodes:
        walk(node.pk)
    return out


def chain_figures(
    chain: Chain, as_of: dt.date | None = None, *, user=None
) -> tuple[list[Node], dict[int, NodeFigures]]:
    """The chain's nodes (in order) and each node's figures as of a day (default today by the
    application clock), sub-nodes included.

    For a reader (`user`), the confidential projects the reader may not see are left out of every figure
    (count, stage, amounts) and only counted in `hidden`: a node's total would otherwise give away the
    amount of its one confidential project. Without a user (the bulletin, which publishes totals) every
    project counts.

    A link counts when it landed on or before `as_of` and had not ended by then (ended_on is null or
    after `as_of`); a project counts as signed when signed by then, with its agreed investment as it
    stood then and the funds dated by then; output is the latest approved period ending by then. The
    count at the start of the year (for the gaps closed this year) applies the same rule to December 31
    of the year before."""
    as_of = as_of or clock.today()
    year_eve = dt.date(as_of.year, 1, 1) - dt.timedelta(days=1)
    nodes = list(Node.objects.filter(chain=chain).select_related("chain"))
    own: dict[int, NodeFigures] = {n.pk: NodeFigures() for n in nodes}
    signed_order = Stage.objects.get(code=StageCode.SIGNED).order
    links = [
        link
        for link in NodeLink.objects.filter(node__chain=chain, landed_on__lte=as_of)
        .select_related("project__stage")
        .order_by("node_id", "id")
        if link.is_open_on(as_of)
    ]
    enterprise_ids = {link.enterprise_id for link in links if link.enterprise_id}
    project_ids = {link.project_id for link in links if link.project_id}
    ledger = Project.objects.all() if user is None else Project.objects.visible_to(user)
    hidden = project_ids - set(ledger.filter(pk__in=project_ids).values_list("pk", flat=True))
    their_projects = defaultdict(list)
    hidden_of = defaultdict(set)  # enterprise → its confidential projects the reader may not see
    for p in Project.objects.filter(
        enterprise_id__in=enterprise_ids, duplicate_status__in=COUNTED, lead_on__lte=as_of
    ).with_agreed_as_of(as_of):
        their_projects[p.enterprise_id].append(p)
    if user is not None and their_projects:
        seen = set(
            ledger.filter(pk__in=[p.pk for ps in their_projects.values() for p in ps]).values_list(
                "pk", flat=True
            )
        )
        for enterprise_id, projects in their_projects.items():
            hidden_of[enterprise_id] = {p.pk for p in projects if p.pk not in seen}
            projects[:] = [p for p in projects if p.pk in seen]
    agreed_then = dict(
        Project.objects.filter(pk__in=project_ids).with_agreed_as_of(as_of).values_list("pk", "agreed_then")
    )
    funds = _funds(as_of, enterprise_ids, project_ids)
    size_year = SizeMembership.objects.filter(
        enterprise_id__in=enterprise_ids, year__lte=as_of.year
    ).aggregate(y=Max("year"))["y"]
    above = set(
        SizeMembership.objects.filter(enterprise_id__in=enterprise_ids, year=size_year).values_list(
            "enterprise_id", flat=True
        )
    )
    output = _output(chain, enterprise_ids, as_of)
    for link in links:
        f = own[link.node_id]
        at_year_start = link.is_open_on(year_eve)
        if link.enterprise_id:
            f.enterprises.add(link.enterprise_id)
            f.above_size += link.enterprise_id in above
            f.output += output.get(link.enterprise_id, Decimal(0))
            projects = their_projects.get(link.enterprise_id)
            f.hidden |= hidden_of.get(link.enterprise_id, set())
            if projects:  # the ledger's figures when the enterprise has projects there
                f.investment += sum((p.agreed_then or 0 for p in projects), Decimal(0))
                f.funds += sum((funds.get(p.pk, Decimal(0)) for p in projects), Decimal(0))
                f.expected_output += sum((p.expected_output or 0 for p in projects), Decimal(0))
            else:
                f.investment += link.investment or 0
                f.expected_output += link.expected_output or 0
            f.count += 1
            f.count_at_year_start += at_year_start
        elif link.project_id in hidden:
            f.hidden.add(link.project_id)
        elif link.project.duplicate_status in COUNTED:
            p = link.project
            f.projects[p.stage.code] += 1
            if p.enterprise_id in enterprise_ids:
                continue  # its enterprise is on the chain already and brought its figures
            f.investment += agreed_then.get(p.pk) or 0
            f.funds += funds.get(p.pk, Decimal(0))
            f.expected_output += p.expected_output or 0
            signed = p.stage.order >= signed_order and p.signed_on is not None
            if signed and p.signed_on <= as_of:
                f.count += 1
                f.count_at_year_start += at_year_start and p.signed_on <= year_eve
    total: dict[int, NodeFigures] = {}
    for pk, members in _descendants(nodes).items():
        t = NodeFigures()
        for m in members:
            f = own[m]
            t.enterprises |= f.enterprises
            t.above_size += f.above_size
            for code, n in f.projects.items():
                t.projects[code] += n
            t.investment += f.investment
            t.funds += f.funds
            t.output += f.output
            t.expected_output += f.expected_output
            t.count += f.count
            t.count_at_year_start += f.count_at_year_start
            t.hidden |= f.hidden
        total[pk] = t
    return nodes, total


def _funds(as_of: dt.date, enterprise_ids: set, project_ids: set) -> dict[int, Decimal]:
    """Funds in place by project, dated on or before `as_of`."""
    rows = (
        FundsRecord.objects.filter(on__lte=as_of)
        .filter(Q(project__enterprise_id__in=enterprise_ids) | Q(project_id__in=project_ids))
        .values("project_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["project_id"]: row["total"] for row in rows}


def _output(chain: Chain, enterprise_ids: set, as_of: dt.date) -> dict[int, Decimal]:
    """Each enterprise's latest approved cumulative output (亿元) in the zone's latest period that ended
    on or before `as_of`."""
    from jushi.reporting.models import Value

    values = Value.objects.filter(
        submission__enterprise_id__in=enterprise_ids,
        submission__period__zone=chain.zone,
        field__code=OUTPUT_FIELD,
        approved_current__isnull=False,
    )
    ended = []
    for code in values.values_list("submission__period__code", flat=True).distinct():
        try:
            period = Period.parse(code)
        except PeriodError:
            continue
        if period.end <= as_of:
            ended.append(period)
    if not ended:
        return {}
    latest = max(ended).code
    rows = values.filter(submission__period__code=latest).values_list(
        "submission__enterprise_id", "approved_current"
    )
    return {pk: amount * QIAN_TO_YI for pk, amount in rows}


def facts(nodes: list[Node], figures: dict[int, NodeFigures]) -> list[NodeFacts]:
    """What the gap rules need, node by node."""
    codes = {n.pk: n.code for n in nodes}
    return [
        NodeFacts(
            code=n.code,
            name=n.name,
            segment=n.segment,
            in_current=n.in_current,
            in_target=n.in_target,
            threshold=n.threshold,
            count=figures[n.pk].count,
            count_at_year_start=figures[n.pk].count_at_year_start,
            parent=codes.get(n.parent_id),
        )
        for n in nodes
    ]


def bulletin_sentence(zone, period) -> str | None:
    """The chains' sentence in the bulletin, as the chains stood at the period's end, for each chain with a
    bulletin label: 引进落地锂电产业企业31家,
    其中上游材料企业6家、电池企业23家、锂电供应链企业2家,总投资达80亿元,全部建成投产后产值预计可以达到130亿元."""
    from jushi.lib import wording

    sentences = []
    period = Period.parse(period) if isinstance(period, str) else period
    as_of = period.end  # the chain as it stood on the period's last day
    for chain in Chain.objects.filter(zone=zone).exclude(bulletin_label=""):
        nodes, figures = chain_figures(chain, as_of)
        top = [n for n in nodes if n.parent_id is None]
        everyone = set().union(*(figures[n.pk].enterprises for n in top)) if top else set()
        if not everyone:
            continue
        parts = [f"{n.name}企业{len(figures[n.pk].enterprises)}家" for n in top if figures[n.pk].enterprises]
        investment = sum((figures[n.pk].investment for n in top), Decimal(0)) / 10000
        output = sum((figures[n.pk].expected_output for n in top), Decimal(0)) / 10000
        text = f"引进落地{chain.bulletin_label}企业{len(everyone)}家"
        if len(parts) > 1:
            text += ",其中" + "、".join(parts)
        if investment:
            text += f",总投资达{wording.amount_text(investment, '亿元', 2)}"
        if output:
            text += f",全部建成投产后产值预计可以达到{wording.amount_text(output, '亿元', 2)}"
        sentences.append(text)
    return ";".join(sentences) or None
