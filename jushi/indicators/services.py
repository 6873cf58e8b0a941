"""Department figures and targets: every change through these functions, validated, logged, recomputed.

A figure is entered on the page or imported from a spreadsheet (dry run first, every error as
"第 N 行 字段: 错误", all rows or none). Saving one recomputes the zone's results for that period once
the transaction commits.
"""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction
from jushi.core.scopes import can
from jushi.lib import expr
from jushi.lib.periods import Period, PeriodError
from jushi.lib.tabular import Table
from jushi.registry.models import Zone
from jushi.registry.services.importing import RowError  # one "第 N 行 字段: 错误" for every import

from . import engine
from .choices import Source
from .models import DeptFigure, Indicator, Target

MAX_AMOUNT = Decimal("1e15")
HEADERS = {
    "zone": "开发区代码",
    "indicator": "指标代码",
    "period": "报告期",
    "value": "数值",
    "last_year": "上年同期",
    "official_growth": "官方增速(%)",
    "caliber": "口径",
    "note": "备注",
    "year": "年度",
    "growth": "目标增速(%)",
}
REQUIRED = ("zone", "indicator", "period")
ENTERED = (Source.DEPT,)  # LEDGER figures come from the project ledger, CALC from formulas
UNIT_SLIP = Decimal(100)  # a value this many times last year's (or a hundredth of it) is a unit slip


class FigureError(ValueError):
    """Bad input for a department figure; `errors` maps field → message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{HEADERS.get(k, k)}: {v}" for k, v in errors.items()))


def _number(text, what: str, errors: dict, key: str, *, percent: bool = False) -> Decimal | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = Decimal(str(text).strip().replace(",", "").rstrip("%"))
    except InvalidOperation:
        errors[key] = f"“{str(text)[:20]}”不是数字"
        return None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        errors[key] = f"{what}超出范围"
        return None
    if percent:
        if value <= -100:
            errors[key] = "增速不能低于 -100%"
            return None
        return value / 100
    if value < 0:
        errors[key] = f"{what}不能为负数"
        return None
    return value


def clean_figure(*, indicator: Indicator | None, period: str, value, last_year, official_growth_pct) -> dict:
    """Validate one figure's parts; returns the cleaned values or raises FigureError naming each field."""
    errors: dict[str, str] = {}
    if indicator is None:
        errors["indicator"] = "未知的指标代码"
    elif indicator.source not in ENTERED:
        errors["indicator"] = f"“{indicator.name}”来自{indicator.get_source_display()},不能录入部门数据"
    try:
        period_code = Period.parse((period or "").strip()).code
    except PeriodError as exc:
        errors["period"] = str(exc)
        period_code = ""
    cleaned = {
        "period": period_code,
        "value": _number(value, "数值", errors, "value"),
        "last_year": _number(last_year, "上年同期", errors, "last_year"),
        "official_growth": _number(official_growth_pct, "官方增速", errors, "official_growth", percent=True),
    }
    if "value" not in errors and "official_growth" not in errors:
        if cleaned["value"] is None and cleaned["official_growth"] is None:
            errors["value"] = "数值和官方增速至少填一项"
    now, before = cleaned["value"], cleaned["last_year"]
    if indicator is not None and now and before and not (before / UNIT_SLIP < now < before * UNIT_SLIP):
        errors["value"] = (
            f"数值 {now} 与上年同期 {before} 相差约 {max(now / before, before / now):.0f} 倍;"
            f"请确认两者的单位都是{indicator.unit}"
        )
    if errors:
        raise FigureError(errors)
    return cleaned


def _ensure(actor, zone: Zone) -> None:
    if not can(actor, "change") or not Zone.objects.restrict(actor, "change").filter(pk=zone.pk).exists():
        raise PermissionDenied("无权录入该开发区的部门数据")


def save_figure(
    *,
    actor,
    zone: Zone,
    indicator: Indicator | None,
    period: str,
    value,
    last_year=None,
    official_growth_pct=None,
    caliber: str = "",
    note: str = "",
    source: str,
    batch: str = "",
    refresh: bool = True,
) -> DeptFigure:
    """Create or update one department figure; the zone's results for the period follow after commit
    (an import passes refresh=False and recomputes each zone and period once)."""
    _ensure(actor, zone)
    cleaned = clean_figure(
        indicator=indicator,
        period=period,
        value=value,
        last_year=last_year,
        official_growth_pct=official_growth_pct,
    )
    stored = engine.stored_period(cleaned["period"])
    same_span = [
        f.period
        for f in DeptFigure.objects.filter(zone=zone, indicator=indicator).exclude(period=cleaned["period"])
        if engine.stored_period(f.period) == stored
    ]
    if same_span:
        raise FigureError({"period": f"与已录入的 {same_span[0]} 是同一累计期;请修改那条数据"})
    with transaction.atomic():
        figure = DeptFigure.objects.filter(zone=zone, indicator=indicator, period=cleaned["period"]).first()
        before = snapshot(figure) if figure else None
        if figure is None:
            figure = DeptFigure(zone=zone, indicator=indicator, period=cleaned["period"])
        figure.value, figure.last_year = cleaned["value"], cleaned["last_year"]
        figure.official_growth = cleaned["official_growth"]
        figure.caliber, figure.note = caliber.strip()[:30], note.strip()[:300]
        figure.source, figure.entered_by = source, actor if actor.pk else None
        figure.save()
        record(
            actor=actor,
            action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
            obj=figure,
            before=before,
            after=snapshot(figure),
            source=source,
            zone_id=zone.pk,
            batch=batch,
        )
        if refresh:
            transaction.on_commit(lambda: engine.refresh(zone, cleaned["period"]))
    return figure


@dataclass
class FigureImport:
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    dry_run: bool = True
    batch: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def import_figures(*, actor, table: Table, source: str, dry_run: bool = False) -> FigureImport:
    """Check every row; unless it is a dry run or a row is wrong, save them all in one transaction."""
    if not can(actor, "import"):
        raise PermissionDenied("无权导入部门数据")
    result = FigureImport(total=len(table.rows), dry_run=dry_run)
    missing = [HEADERS[k] for k in REQUIRED if HEADERS[k] not in table.headers]
    if "数值" not in table.headers and "官方增速(%)" not in table.headers:
        missing.append("数值 或 官方增速(%)")
    unknown = [h for h in table.headers if h and h not in HEADERS.values()]
    if missing:
        result.errors.append(RowError(1, "表头", f"缺少必需的列:{'、'.join(missing)}"))
    if unknown:
        result.errors.append(RowError(1, "表头", f"未知的列:{'、'.join(unknown)}"))
    if result.errors:
        return result
    zones = {z.code: z for z in Zone.objects.restrict(actor, "change")}
    indicators = {i.code: i for i in Indicator.objects.all()}
    seen: dict[tuple, int] = {}
    for index, raw in enumerate(table.rows):
        row_no = table.first_row_number + index
        get = {k: raw.get(h, "") for k, h in HEADERS.items()}
        zone = zones.get(get["zone"].strip())
        if zone is None:
            result.errors.append(
                RowError(row_no, HEADERS["zone"], f"“{get['zone']}”不存在或不在您管理的范围")
            )
            continue
        try:
            cleaned = clean_figure(
                indicator=indicators.get(get["indicator"].strip().upper()),
                period=get["period"],
                value=get["value"],
                last_year=get["last_year"],
                official_growth_pct=get["official_growth"],
            )
        except FigureError as exc:
            for key, message in exc.errors.items():
                result.errors.append(RowError(row_no, HEADERS[key], message))
            continue
        key = (zone.code, get["indicator"].strip().upper(), engine.stored_period(cleaned["period"]))
        if key in seen:  # 2024H1 and 2024-06 are the same cumulative period
            result.errors.append(
                RowError(row_no, HEADERS["period"], f"与第 {seen[key]} 行是同一开发区、指标和累计期,重复")
            )
            continue
        seen[key] = row_no
        result.rows.append({**get, "row": row_no, "zone": zone, "indicator": indicators[key[1]]})
    if dry_run or not result.ok:
        return result
    result.batch = str(uuid.uuid4())
    with transaction.atomic():
        for row in result.rows:
            save_figure(
                actor=actor,
                zone=row["zone"],
                indicator=row["indicator"],
                period=row["period"],
                value=row["value"],
                last_year=row["last_year"],
                official_growth_pct=row["official_growth"],
                caliber=row["caliber"],
                note=row["note"],
                source=source,
                batch=result.batch,
                refresh=False,
            )
        for zone, period in {(row["zone"], Period.parse(row["period"].strip()).code) for row in result.rows}:
            transaction.on_commit(lambda zone=zone, period=period: engine.refresh(zone, period))
    return result


def set_target(
    *,
    actor,
    zone: Zone,
    indicator: Indicator | None,
    year,
    value=None,
    growth_pct=None,
    note: str = "",
    source: str,
) -> Target:
    """Set (or change) a zone's annual target for an indicator: an amount, a growth rate, or both."""
    _ensure(actor, zone)
    errors: dict[str, str] = {}
    if indicator is None:
        errors["indicator"] = "未知的指标代码"
    try:
        year = int(str(year).strip())
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        errors["year"] = "年度应为 2000 到 2100 之间的整数"
    cleaned_value = _number(value, "目标值", errors, "value")
    cleaned_growth = _number(growth_pct, "目标增速", errors, "growth", percent=True)
    if not errors and cleaned_value is None and cleaned_growth is None:
        errors["value"] = "目标值和目标增速至少填一项"
    if errors:
        raise FigureError(errors)
    with transaction.atomic():
        target = Target.objects.filter(zone=zone, indicator=indicator, year=year).first()
        before = snapshot(target) if target else None
        target = target or Target(zone=zone, indicator=indicator, year=year)
        target.value, target.growth, target.note = cleaned_value, cleaned_growth, note.strip()[:200]
        target.set_by = actor if actor.pk else None
        target.save()
        record(
            actor=actor,
            action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
            obj=target,
            before=before,
            after=snapshot(target),
            source=source,
            zone_id=zone.pk,
        )
    return target


def add_indicator(*, actor, data: dict, source: str) -> Indicator:
    """A zone's own indicator: a department figure, or a formula over other indicators' codes.

    The formula must parse, name only indicators that exist (not itself) and not close a cycle."""
    if not can(actor, "change") or not can(actor, "import"):
        raise PermissionDenied("无权修改指标目录")
    indicator = Indicator(**data)
    errors: dict[str, str] = {}
    try:
        indicator.full_clean()
    except ValidationError as exc:
        errors.update({k: "; ".join(v) for k, v in exc.message_dict.items()})
    if indicator.source == Source.ENT:
        errors.setdefault("source", "企业报表来源的指标随报表表式提供;自定义指标请选部门数据或计算")
    if indicator.source == Source.CALC and "formula" not in errors:
        others = list(Indicator.objects.filter(is_active=True))
        codes = frozenset(i.code for i in others) | {indicator.code}
        try:
            names = engine.formula_names(indicator.formula, codes)
        except expr.ExprError as exc:
            errors["formula"] = str(exc)
        else:
            if indicator.code in names:
                errors["formula"] = "公式不能引用指标自身"
            else:
                try:
                    engine.calculation_order(
                        [*(i for i in others if i.source == Source.CALC), indicator], codes
                    )
                except ValueError as exc:
                    errors["formula"] = str(exc)
    if errors:
        raise FigureError(errors)
    with transaction.atomic():
        indicator.save()
        record(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=indicator,
            before=None,
            after=snapshot(indicator),
            source=source,
        )
    return indicator
