"""Every change to the chains: nodes (no cycles), links (once per node while open; ended, never deleted), the target-company pool
(imported all or nothing) and turning a suggestion into a lead in the project ledger."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from jushi.core import clock
from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction
from jushi.core.importing import Change, Plan, PlanLine
from jushi.core.scopes import can
from jushi.lib import uscc
from jushi.lib.tabular import Table
from jushi.projects.models import Project
from jushi.projects.models.pipeline import normalize_name
from jushi.projects.services import ProjectError, create_project
from jushi.registry.models import Enterprise, Industry, Park, Zone
from jushi.registry.services.importing import RowError

from .choices import CompanySize, Role, Segment
from .models import Chain, Node, NodeLink, PoolCompany


class ChainError(ValueError):
    """Bad input for a chain; `errors` maps field → message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _ensure(actor, zone: Zone, action: str = "change") -> None:
    if not can(actor, action) or not Zone.objects.restrict(actor, action).filter(pk=zone.pk).exists():
        raise PermissionDenied("无权修改该开发区的产业链")


def _log(actor, obj, before, source, zone_id, action=None, reason=""):
    record(
        actor=actor,
        action=action or (ChangeAction.CREATE if before is None else ChangeAction.UPDATE),
        obj=obj,
        before=before,
        after=None if action == ChangeAction.DELETE else snapshot(obj),
        source=source,
        reason=reason,
        zone_id=zone_id,
    )


def _check_parent(node: Node, parent: Node | None) -> None:
    if parent is not None:
        if parent.chain_id != node.chain_id:
            raise ChainError({"parent": "上级节点须在同一条产业链上"})
        path, up = [parent], parent
        while up is not None:
            if up.pk == node.pk:
                loop = " → ".join(n.name for n in reversed(path))
                raise ChainError(
                    {"parent": f"不能把“{node.name}”移到它自己的下级之下(会形成循环:{loop} → {node.name})"}
                )
            up = up.parent
            if up is not None:
                path.append(up)


def _node_particulars(data: dict, errors: dict) -> tuple[str, int | None, str, str]:
    """A node's name, threshold, industry prefixes and note, checked; a value too long for its field is
    refused by name, never cut to fit."""
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = "必填"
    if data.get("segment") not in Segment.values:
        errors["segment"] = f"应为 {'、'.join(str(s.label) for s in Segment)} 之一"
    texts = {key: str(data.get(key) or "").strip() for key in ("industry_prefixes", "note")}
    for key, value, limit in (
        ("name", name, 60),
        ("industry_prefixes", texts["industry_prefixes"], 100),
        ("note", texts["note"], 300),
    ):
        if len(value) > limit:
            errors[key] = f"不能超过 {limit} 个字(现为 {len(value)} 个字)"
    threshold = data.get("thin_threshold")
    if threshold not in (None, ""):
        try:
            threshold = int(threshold)
        except (TypeError, ValueError):
            threshold = 0
        if not 1 <= threshold <= 1000:
            errors["thin_threshold"] = "应在 1 到 1000 之间"
    else:
        threshold = None
    return name, threshold, texts["industry_prefixes"], texts["note"]


def move_node(*, actor, node: Node, parent: Node | None, source: str) -> Node:
    """Put a node under another (or at the top). A node under itself or its own descendant is refused,
    with the loop named."""
    _ensure(actor, node.chain.zone)
    _check_parent(node, parent)
    with transaction.atomic():
        before = snapshot(node)
        node.parent = parent
        node.save(update_fields=["parent"])
        _log(actor, node, before, source, node.chain.zone_id)
    return node


def update_node(*, actor, node: Node, data: dict, source: str) -> Node:
    """Change a node's particulars and place in the tree (no loops), validated field by field."""
    _ensure(actor, node.chain.zone)
    errors: dict[str, str] = {}
    name, threshold, prefixes, note = _node_particulars(data, errors)
    parent = data.get("parent")
    try:
        _check_parent(node, parent)
    except ChainError as exc:
        errors.update(exc.errors)
    if errors:
        raise ChainError(errors)
    with transaction.atomic():
        before = snapshot(node)
        node.name, node.segment, node.parent = name, data["segment"], parent
        node.in_current, node.in_target = bool(data.get("in_current")), bool(data.get("in_target"))
        node.thin_threshold = threshold
        node.industry_prefixes, node.note = prefixes, note
        node.save()
        _log(actor, node, before, source, node.chain.zone_id)
    return node


def add_node(*, actor, chain: Chain, data: dict, source: str) -> Node:
    _ensure(actor, chain.zone, "add")
    errors: dict[str, str] = {}
    code = str(data.get("code") or "").strip()
    name, threshold, prefixes, note = _node_particulars(data, errors)
    if not code:
        errors["code"] = "必填"
    elif len(code) > 40:
        errors["code"] = f"不能超过 40 个字符(现为 {len(code)} 个)"
    elif Node.objects.filter(chain=chain, code=code).exists():
        errors["code"] = f"本链已有代码为“{code}”的节点"
    parent = data.get("parent")
    if parent is not None and parent.chain_id != chain.pk:
        errors["parent"] = "上级节点须在同一条产业链上"
    if errors:
        raise ChainError(errors)
    with transaction.atomic():
        node = Node.objects.create(
            chain=chain,
            parent=parent,
            code=code,
            name=name,
            segment=data["segment"],
            order=data.get("order") or 0,
            in_current=data.get("in_current", True),
            in_target=data.get("in_target", True),
            thin_threshold=threshold,
            industry_prefixes=prefixes,
            note=note,
        )
        _log(actor, node, None, source, chain.zone_id)
    return node


YEARS = (1900, 2100)  # any date from outside lies within these years
AMOUNT_UNIT = Decimal("0.01")  # 万元: the link's amounts keep two decimals
AMOUNT_MAX = Decimal("999999999999.99")  # 14 digits, 2 of them decimals


def _as_date(value, key: str, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors[key] = f"“{str(value)[:30]}”不是日期(格式 2024-06-30)"
            return None
    if not YEARS[0] <= value.year <= YEARS[1]:
        errors[key] = f"日期 {value:%Y-%m-%d} 超出范围(应在 {YEARS[0]} 年到 {YEARS[1]} 年之间)"
        return None
    return value


def _as_amount(value, key: str, errors: dict) -> Decimal | None:
    """An amount in 万元: a finite number from 0 to the field's largest, in whole 0.01 万元; a finer
    value is refused, never rounded (0.001 would be stored as 0)."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        errors[key] = f"“{str(value)[:30]}”不是数字"
        return None
    if not amount.is_finite():
        errors[key] = "应为有限的数字"
    elif amount < 0:
        errors[key] = "不能为负数"
    elif amount > AMOUNT_MAX:
        errors[key] = f"不能超过 {AMOUNT_MAX} 万元"
    elif amount != amount.quantize(AMOUNT_UNIT, rounding=ROUND_DOWN):
        errors[key] = f"最小单位为 {AMOUNT_UNIT} 万元"
    else:
        return amount
    return None


def _sees_project(actor, project: Project) -> bool:
    return Project.objects.visible_to(actor).filter(pk=project.pk).exists()


def link(
    *,
    actor,
    node: Node,
    enterprise: Enterprise | None = None,
    project: Project | None = None,
    role: str = Role.SUPPORTING,
    landed_on: dt.date | str | None = None,
    investment=None,
    expected_output=None,
    source: str,
) -> NodeLink:
    """Put an enterprise or a project on a node from its landing date (given, else the project's signing
    or lead date, the enterprise's entry date, or today by the application clock). A landing date after today is
    refused; so is a second open link of the same enterprise or project on the node, and a return that
    lands before the previous link on the node ended (the two would count twice in between)."""
    _ensure(actor, node.chain.zone)
    errors: dict[str, str] = {}
    if (enterprise is None) == (project is None):
        raise ChainError({"enterprise": "须指定一家企业或一个项目"})
    if role not in Role.values:
        raise ChainError({"role": f"应为 {'、'.join(str(r.label) for r in Role)} 之一"})
    target = enterprise or project
    if project is not None and not _sees_project(actor, project):
        # a confidential project: the actor may not name it, so may not put it on a chain either
        raise PermissionDenied("无权查看该项目,不能挂接")
    if target.zone_id != node.chain.zone_id:
        raise ChainError({"enterprise": "企业或项目须在本开发区"})
    investment = _as_amount(investment, "investment", errors)
    expected_output = _as_amount(expected_output, "expected_output", errors)
    today = clock.today()
    when = (
        _as_date(landed_on, "landed_on", errors)
        or getattr(project, "signed_on", None)
        or getattr(project, "lead_on", None)
        or getattr(enterprise, "entered_on", None)
        or today
    )
    if "landed_on" not in errors and when > today:
        errors["landed_on"] = f"落地日期 {when:%Y-%m-%d} 晚于今天({today:%Y-%m-%d}),尚未落地的不能挂链"
    same = NodeLink.objects.filter(
        node=node, **({"enterprise": enterprise} if enterprise else {"project": project})
    )
    if same.open().exists():
        raise ChainError({"enterprise": f"“{target}”已在“{node.name}”节点上"})
    last_end = same.order_by("-ended_on").values_list("ended_on", flat=True).first()
    if last_end is not None and when < last_end and "landed_on" not in errors:
        errors["landed_on"] = (
            f"“{target}”在本节点的上一次挂接到 {last_end:%Y-%m-%d} 才结束,落地日期不能早于这一天"
        )
    if errors:
        raise ChainError(errors)
    try:
        with transaction.atomic():
            made = NodeLink.objects.create(
                node=node,
                enterprise=enterprise,
                project=project,
                role=role,
                landed_on=when,
                investment=investment,
                expected_output=expected_output,
            )
            _log(actor, made, None, source, node.chain.zone_id)
    except IntegrityError:  # two users at once: the constraint has the last word
        raise ChainError({"enterprise": f"“{target}”已在“{node.name}”节点上"}) from None
    return made


def unlink(
    *, actor, link_: NodeLink, reason: str, ended_on: dt.date | str | None = None, source: str
) -> NodeLink:
    """End a link: from `ended_on` (default today by the application clock) the enterprise or project no
    longer counts on the node. The row stays, so the periods before keep their figures. The end date may
    not be before the landing date nor after today; the reason is required."""
    _ensure(actor, link_.node.chain.zone)
    if link_.project_id is not None and not _sees_project(actor, link_.project):
        raise PermissionDenied("无权查看该项目,不能移出")
    errors: dict[str, str] = {}
    today = clock.today()
    when = _as_date(ended_on, "ended_on", errors) or (None if "ended_on" in errors else today)
    if link_.ended_on is not None:
        errors["ended_on"] = f"该挂接已于 {link_.ended_on:%Y-%m-%d} 结束"
    elif when is not None and when < link_.landed_on:
        errors["ended_on"] = f"结束日期 {when:%Y-%m-%d} 不能早于落地日期 {link_.landed_on:%Y-%m-%d}"
    elif when is not None and when > today:
        errors["ended_on"] = f"结束日期 {when:%Y-%m-%d} 晚于今天({today:%Y-%m-%d})"
    reason = (reason or "").strip()
    if not reason:
        errors["end_reason"] = "移出节点须说明原因"
    elif len(reason) > 300:
        errors["end_reason"] = "不能超过 300 个字"
    if errors:
        raise ChainError(errors)
    with transaction.atomic():
        locked = NodeLink.objects.select_for_update().get(pk=link_.pk)
        if locked.ended_on is not None:
            raise ChainError({"ended_on": f"该挂接已于 {locked.ended_on:%Y-%m-%d} 结束"})
        before = snapshot(locked)
        locked.ended_on, locked.end_reason = when, reason
        locked.save(update_fields=["ended_on", "end_reason"])
        _log(actor, locked, before, source, link_.node.chain.zone_id, reason=reason)
    link_.ended_on, link_.end_reason = when, reason
    return link_


# The pool spreadsheet: header → key.
POOL_COLUMNS = {
    "企业名称": "name",
    "统一社会信用代码": "credit_code",
    "所在地区": "region",
    "主要产品": "products",
    "产业链代码": "chain",
    "节点代码": "node",
    "规模": "size",
    "是否上市": "listed",
    "备注": "note",
}
POOL_REQUIRED = ("企业名称", "产业链代码", "节点代码", "规模")
SIZES = {str(s.label): s.value for s in CompanySize} | {s.value: s.value for s in CompanySize}
YES = {"是", "上市", "yes", "true", "1", "Y", "y"}
NO = {"否", "", "no", "false", "0", "N", "n"}


# Columns the pool export adds after the import's own (names of related things, the lead the company
# became): read back, never imported; 开发区 is checked against the zone imported into.
POOL_EXPORT_ONLY = ("开发区", "产业链", "节点", "招商线索")
POOL_FIELDS = ("name", "credit_code", "region", "products", "node", "size", "listed", "note")
POOL_LABELS = {key: header for header, key in POOL_COLUMNS.items()} | {"node": "产业链 · 节点"}


@dataclass
class PoolUpdate:
    """A company already in the pool that a row changes."""

    row: int
    company: PoolCompany
    before: dict
    changes: list[Change]


@dataclass
class PoolImport:
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    companies: list[PoolCompany] = field(default_factory=list)  # new to the pool
    updates: list[PoolUpdate] = field(default_factory=list)  # in the pool, changed by the file
    unchanged: int = 0  # in the pool as the file has them
    dry_run: bool = True
    batch: str = ""
    rows: list[int] = field(default_factory=list)  # the sheet row of each new company

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created_count(self) -> int:
        return len(self.companies)

    @property
    def updated_count(self) -> int:
        return len(self.updates)

    def groups(self) -> Plan:
        """The dry run's three groups: companies new to the pool, companies whose particulars change
        (old → new per column), and the count already in the pool as the file has them."""
        return Plan(
            created=[
                PlanLine(number, f"{c.name}({_pool_node(c.node)})")
                for number, c in zip(self.rows, self.companies, strict=True)
            ],
            updated=[PlanLine(u.row, u.company.name, u.changes) for u in self.updates],
            unchanged=self.unchanged,
            noun="家企业",
            notes=["企业名称(忽略空格和括号的写法)已在目标企业库中的,按文件更新;其余新增。"],
        )


def _clip(text: str, limit: int = 30) -> str:
    """A value quoted back in an error message, cut so a 10 MB cell does not become a 10 MB message."""
    return text if len(text) <= limit else text[:limit] + "…"


def _pool_node(node: Node) -> str:
    return f"{node.chain.name} · {node.name}"


def _pool_shown(key: str, value):
    if key == "node":
        return _pool_node(value)
    if key == "size":
        return str(CompanySize(value).label) if value in CompanySize.values else value
    return value


def _pool_changes(company: PoolCompany, values: dict) -> list[Change]:
    changes = []
    for key in POOL_FIELDS:
        old, new = getattr(company, key), values[key]
        same = old.pk == new.pk if key == "node" else (old or "") == (new or "")
        if not same:
            changes.append(Change(POOL_LABELS[key], _pool_shown(key, old), _pool_shown(key, new)))
    return changes


def import_pool(
    *, actor, zone: Zone, table: Table, source: str, dry_run: bool = True, progress=None
) -> PoolImport:
    """Target companies from a spreadsheet: every row checked (known chain and node, size, credit code,
    no company twice in the file); a company already in the zone's pool (by its name, spacing and
    brackets aside) is updated from its row, any other added; then all saved or none, one batch.
    `progress(done, total, phase=...)` hears of each row checked (校验) and written (写入)."""
    _ensure(actor, zone, "import")
    result = PoolImport(dry_run=dry_run)
    headers = list(table.headers)
    unknown = [h for h in headers if h not in POOL_COLUMNS and h not in POOL_EXPORT_ONLY]
    missing = [h for h in POOL_REQUIRED if h not in headers]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(f"缺少列 {'、'.join(missing)}")
        if unknown:
            parts.append(f"不认识的列 {'、'.join(unknown)}")
        result.errors.append(RowError(1, "表头", ";".join(parts)))
        return result
    nodes = {(n.chain.code, n.code): n for n in Node.objects.filter(chain__zone=zone).select_related("chain")}
    existing = {
        c.normalized_name: c for c in PoolCompany.objects.filter(zone=zone).select_related("node__chain")
    }
    zone_names = {zone.name, zone.short_name, zone.code} - {""}
    seen: dict[str, int] = {}
    for number, row in enumerate(table.rows, start=table.first_row_number):
        result.total += 1
        if progress:
            progress(result.total, len(table.rows), phase="校验")
        values = {POOL_COLUMNS[h]: (row.get(h) or "").strip() for h in headers if h in POOL_COLUMNS}
        errors = []
        name = values.get("name", "")
        key = normalize_name(name)
        if not name:
            errors.append(("企业名称", "必填"))
        elif key in seen:
            errors.append(("企业名称", f"与第 {seen[key]} 行是同一家企业"))
        seen.setdefault(key, number)
        zone_cell = (row.get("开发区") or "").strip()
        if zone_cell and zone_cell not in zone_names:
            errors.append(
                ("开发区", f"该行属于“{_clip(zone_cell)}”,不是导入的开发区“{zone}”;请删去该行或分开导入")
            )
        node = nodes.get((values.get("chain", ""), values.get("node", "")))
        if node is None:
            errors.append(
                (
                    "节点代码",
                    f"产业链“{_clip(values.get('chain', ''))}”中没有节点“{_clip(values.get('node', ''))}”",
                )
            )
        size = SIZES.get(values.get("size", ""))
        if size is None:
            errors.append(("规模", "应为 大型、中型、小型 之一"))
        code = uscc.normalize(values.get("credit_code", "")) if values.get("credit_code") else ""
        if code:
            try:
                uscc.validate(code)
            except ValueError as exc:
                errors.append(("统一社会信用代码", str(exc)))
        listed = values.get("listed", "")
        if listed not in YES | NO:
            errors.append(("是否上市", "应为 是 或 否"))
        for label_, limit in (("企业名称", 100), ("所在地区", 50), ("主要产品", 200), ("备注", 300)):
            key_ = {"企业名称": "name", "所在地区": "region", "主要产品": "products", "备注": "note"}[label_]
            if len(values.get(key_, "")) > limit:  # refused, never cut to fit
                errors.append((label_, f"不能超过 {limit} 个字(现为 {len(values[key_])} 个字)"))
        if errors:
            result.errors += [RowError(number, f, m) for f, m in errors]
            continue
        cleaned = {
            "name": name,
            "credit_code": code,
            "region": values.get("region", ""),
            "products": values.get("products", ""),
            "node": node,
            "size": size,
            "listed": listed in YES,
            "note": values.get("note", ""),
        }
        company = existing.get(key)
        if company is None:
            result.rows.append(number)
            result.companies.append(PoolCompany(zone=zone, **cleaned))
            continue
        changes = _pool_changes(company, cleaned)
        if not changes:
            result.unchanged += 1
            continue
        before = snapshot(company)
        for attr, value in cleaned.items():
            setattr(company, attr, value)
        result.updates.append(PoolUpdate(number, company, before, changes))
    if result.errors or dry_run:
        return result
    result.batch = str(uuid.uuid4())
    failed = (0, "")
    try:
        with transaction.atomic():
            writing = len(result.updates) + len(result.companies)
            for done, update in enumerate(result.updates, start=1):
                if progress:
                    progress(done, writing, phase="写入")
                update.company.save()
                _record_pool(actor, update.company, update.before, source, zone, result.batch)
            for done, (number, company) in enumerate(
                zip(result.rows, result.companies, strict=True), start=len(result.updates) + 1
            ):
                if progress:
                    progress(done, writing, phase="写入")
                failed = (number, company.name)
                company.save()
                _record_pool(actor, company, None, source, zone, result.batch)
    except IntegrityError:  # added by someone else since the check: nothing of this file is kept
        for company in result.companies:
            company.pk = None
        result.errors.append(
            RowError(failed[0], "企业名称", f"目标企业库中刚刚已有“{_clip(failed[1])}”,未导入任何数据")
        )
    return result


def _record_pool(actor, company: PoolCompany, before: dict | None, source: str, zone: Zone, batch: str):
    record(
        actor=actor,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        obj=company,
        before=before,
        after=snapshot(company),
        source=source,
        zone_id=zone.pk,
        batch=batch,
    )


def _converted(lead: Project, actor, name: str) -> str:
    """Why a company is not converted again, naming its lead only to those who may see it."""
    if not Project.objects.visible_to(actor).filter(pk=lead.pk).exists():
        return f"“{name}”已转为线索(保密项目,您无权查看)"
    return f"“{name}”已转为线索 {lead.code}({lead.stage.name}),见该项目"


@dataclass
class LeadParticulars:
    """What a lead made from a chain recommendation takes from its node, and where each came from (said
    to the user, so an empty field is explained rather than silently left blank)."""

    industry: Industry | None
    industry_from: str
    park: Park | None
    park_from: str

    def sentences(self) -> list[str]:
        return [self.industry_from, self.park_from]


def _most_common_park(enterprise_parks, project_parks) -> Park | None:
    counts: dict[int, int] = {}
    for park_id in [*enterprise_parks, *project_parks]:
        if park_id:
            counts[park_id] = counts.get(park_id, 0) + 1
    if not counts:
        return None
    parks = {p.pk: p for p in Park.objects.filter(pk__in=counts)}
    best = max(counts, key=lambda pk: (counts[pk], -pk))
    return parks.get(best)


def lead_particulars(node: Node) -> LeadParticulars:
    """The industry and park a lead for `node` carries.

    Industry: the first of the node's industry codes (or, for a node without any, its nearest ancestor's)
    that is a GB/T 4754 code. Park: chains have no park of their own, so the park where the node's
    enterprises and projects sit (the node and its sub-nodes, the most of them); failing that, where the
    chain's sit; failing that, where the zone's ledger projects of the node's industry sit; else none, and
    the user is told to fill it in on the project page."""
    from .suggested import prefixes_of

    industry, industry_from, up = None, "", node
    while up is not None and industry is None:
        codes = prefixes_of(up)
        found = {i.code: i for i in Industry.objects.filter(code__in=codes)}
        industry = next((found[c] for c in codes if c in found), None)
        if industry is not None:
            where = "本节点" if up.pk == node.pk else f"上级节点“{up.name}”"
            industry_from = f"行业取自{where}的对应行业:{industry.code} {industry.name}"
        up = up.parent
    if industry is None:
        industry_from = f"行业未填:节点“{node.name}”及其上级未设对应行业代码,请在项目页补填"
    nodes = list(Node.objects.filter(chain_id=node.chain_id).values_list("pk", "parent_id"))
    below, grew = {node.pk}, True
    while grew:
        more = {pk for pk, parent in nodes if parent in below} - below
        grew, below = bool(more), below | more
    open_links = NodeLink.objects.filter(node__chain_id=node.chain_id, ended_on__isnull=True)
    park, park_from = None, ""
    for links, said in (
        (open_links.filter(node_id__in=below), "本节点已有企业和项目最多所在的"),
        (open_links, f"产业链“{node.chain.name}”已有企业和项目最多所在的"),
    ):
        park = _most_common_park(
            links.exclude(enterprise=None).values_list("enterprise__park_id", flat=True),
            links.exclude(project=None).values_list("project__park_id", flat=True),
        )
        if park is not None:
            park_from = f"功能区取自{said}“{park.name}”"
            break
    if park is None and industry is not None:
        ledger = Project.objects.filter(
            zone_id=node.chain.zone_id, industry__code__startswith=industry.code, park__isnull=False
        )
        park = _most_common_park([], ledger.values_list("park_id", flat=True))
        if park is not None:
            park_from = f"功能区取自台账中{industry.name}项目最多所在的“{park.name}”"
    if park is None:
        park_from = "功能区未填:本节点和本链尚无落在功能区的企业或项目,请在项目页补填"
    return LeadParticulars(industry, industry_from, park, park_from)


def convert_to_lead(*, actor, company: PoolCompany, source: str) -> Project:
    """Turn a suggested company into a lead in the project ledger in one step (nothing retyped): the
    investor, region, the node's industry and park (`lead_particulars`), a note pointing back to the chain
    gap, and the lead put on the node. A company already converted points to its lead instead. The
    returned lead carries `particulars`: where its industry and park came from, or why they are empty."""
    if company.lead_id is not None:
        raise ChainError({"lead": _converted(company.lead, actor, company.name)})
    node = company.node
    particulars = lead_particulars(node)
    data = {
        "name": f"{company.name}{node.name}项目",
        "investor_name": company.name,
        "credit_code": company.credit_code or None,
        "investor_region": company.region,
        "industry": particulars.industry.code if particulars.industry else None,
        "park": particulars.park.code if particulars.park else None,
        "note": (
            f"来自产业链“{node.chain.name}”缺口“{node.name}”的目标企业推荐"
            f"(节点页 /chains/nodes/{node.pk}/)" + (f":{company.products}" if company.products else "")
        ),
    }
    try:
        with transaction.atomic():
            locked = PoolCompany.objects.select_for_update().get(pk=company.pk)
            if locked.lead_id is not None:
                raise ChainError({"lead": _converted(locked.lead, actor, company.name)})
            lead = create_project(actor=actor, zone=company.zone, data=data, source=source)
            link(actor=actor, node=node, project=lead, landed_on=lead.lead_on, source=source)
            before = snapshot(locked)
            locked.lead = lead
            locked.save(update_fields=["lead"])
            _log(actor, locked, before, source, company.zone_id)
    except ProjectError as exc:
        raise ChainError(exc.errors) from None
    company.lead = lead
    lead.particulars = particulars
    return lead
