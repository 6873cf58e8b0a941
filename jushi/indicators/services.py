"""Department figures and targets: every change through these functions, validated, logged, recomputed.

A figure is entered on the page or imported from a spreadsheet (dry run first, every error as
"第 N 行 字段: 错误", all rows or none). Saving one recomputes the zone's results for that period once
the transaction commits.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction
from jushi.core.importing import Change, Plan, PlanLine, same_number
from jushi.core.scopes import can
from jushi.lib import expr, growth, wording
from jushi.lib.periods import Period, PeriodError
from jushi.lib.tabular import Table
from jushi.registry.models import Zone
from jushi.registry.services.importing import RowError  # one "第 N 行 字段: 错误" for every import

from . import engine
from .choices import Aggregation, GrowthMethod, PriceBasis, Source
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
    "explanation": "情况说明",
    "year": "年度",
    "growth": "目标增速(%)",
}
REQUIRED = ("zone", "indicator", "period")
ENTERED = (Source.DEPT,)  # LEDGER figures come from the project ledger, CALC from formulas
UNIT_SLIP = Decimal(100)  # a value this many times last year's (or a hundredth of it) is a unit slip
# Checks an explanation (情况说明) lets stand (DOMAIN §3, issue 12 point 5):
GROWTH_GAP = Decimal("0.005")  # official vs implied growth of a nominal figure, beyond rounding: 0.5 个百分点
HISTORY_SLIP = Decimal(20)  # without a base: 20× (or a 20th of) the earlier figure; slips are ×100 and up
GROWING = (Aggregation.SUM, Aggregation.EVENTS)  # cumulative flows grow through the year: scale by months
EXPLAIN = "请核对,或在“情况说明”中说明原因"
TEXTS = ("caliber", "note", "explanation")  # refused when too long, never cut
NUMBERS = ("value", "last_year", "official_growth")


class FigureError(ValueError):
    """Bad input for a department figure; `errors` maps field → message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{HEADERS.get(k, k)}: {v}" for k, v in errors.items()))


def _number(
    text, what: str, errors: dict, key: str, *, percent: bool = False, field=None, unit: str = ""
) -> Decimal | None:
    """A typed number, or None for blank; a problem goes to errors[key]. With `field` (the model's
    DecimalField) the number must fit it: within its digits, and never rounded (0.00001 would be
    stored as 0), so finer figures are refused naming the smallest unit."""
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
    if field is not None:
        places = field.decimal_places - (2 if percent else 0)  # a percentage is stored as a fraction
        limit = Decimal(10) ** (field.max_digits - field.decimal_places + (2 if percent else 0))
        smallest = Decimal(1).scaleb(-places)
        if abs(value) >= limit:
            errors[key] = f"{what}超出范围(绝对值应小于 {limit:f}{'%' if percent else unit})"
            return None
        if value != value.quantize(smallest):
            errors[key] = f"{what}最小单位为 {smallest:f}{'%' if percent else unit},请勿填写更多小数位"
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


def _plain(value: Decimal) -> str:
    return format(value, "f")  # as typed: 5.50 stays 5.50


def _growth_gap(indicator: Indicator, value, last_year, official) -> str | None:
    """Why a nominal figure's official growth is not the one its value and base imply, or None.

    Comparable-price growth (GDP, 增加值) is meant to differ from the nominal ratio, and a ratio's change
    is in points, so both are exempt; a base of zero or less has no rate to compare."""
    if indicator.price_basis != PriceBasis.NOMINAL or indicator.growth_method == GrowthMethod.POINTS:
        return None
    implied = growth.ratio_growth(value, last_year)
    if implied is None or official is None or abs(official - implied) <= GROWTH_GAP:
        return None
    return (
        f"官方增速 {growth.percent(official)}% 与数值、上年同期推算的 {growth.percent(implied)}%"
        f"({_plain(value)} ÷ {_plain(last_year)})相差 {growth.percent(abs(official - implied))} 个百分点:"
        f"{EXPLAIN}"
    )


def _reference(period: Period, earlier: list[tuple[Period, Decimal]]) -> tuple[Period, Decimal] | None:
    """The earlier figure a base-less one is held against: the same period last year, which needs no
    scaling, else the latest earlier period."""
    same = [(p, v) for p, v in earlier if p.as_month() == period.last_year().as_month()]
    if same:
        return same[0]
    return max(earlier, key=lambda pv: pv[0].as_month(), default=None)


def _history_slip(indicator: Indicator, period: Period, value, earlier) -> str | None:
    """Why a figure without a base looks like a unit slip against the zone's earlier figures, or None.

    A cumulative flow is scaled by months (1-3月 2.6 → 1-6月 about 5.2); a stock is compared as it is.
    Normal growth, even doubling with an uneven season, stays far inside 20×; a unit slip is ×100 and up."""
    if value is None or value <= 0:
        return None
    ref = _reference(period, [(p, v) for p, v in earlier if v is not None and v > 0])
    if ref is None:
        return None
    ref_period, ref_value = ref
    unit = indicator.unit
    compared = f"{ref_period.label} {wording.amount_text(ref_value, unit, 4)}"
    expected = ref_value
    if indicator.aggregation in GROWING and ref_period.end_month != period.end_month:
        expected = ref_value * period.end_month / ref_period.end_month
        compared += f"(按月数折算到 {period.end_month} 个月约 {wording.amount_text(expected, unit, 2)})"
    ratio = value / expected
    if 1 / HISTORY_SLIP < ratio < HISTORY_SLIP:
        return None
    size = f"的约 {ratio:.0f} 倍" if ratio > 1 else f"的约 1/{1 / ratio:.0f}"
    return f"数值 {_plain(value)}{unit} 是{compared}{size},像是单位填错:本项按“{unit}”填写,{EXPLAIN}"


def clean_figure(
    *,
    indicator: Indicator | None,
    period: str,
    value,
    last_year,
    official_growth_pct,
    caliber: str = "",
    note: str = "",
    explanation: str = "",
    history: Iterable[tuple[str, Decimal | None]] = (),
) -> dict:
    """Validate one figure's parts; returns the cleaned values or raises FigureError naming each field.

    `history` is the zone's figures of this indicator as (period code, value): a figure entered for the
    same cumulative span under another code is refused, and the earlier ones are what a figure without a
    base is held against. Two checks may stand with an explanation (情况说明): a nominal official growth
    more than 0.5 个百分点 from the one value and base imply, and a base-less value 20× off its history
    (a real jump happens: a new plant, a changed caliber; the explanation is stored and logged)."""
    errors: dict[str, str] = {}
    if indicator is None:
        errors["indicator"] = "未知的指标代码"
    elif indicator.source not in ENTERED:
        errors["indicator"] = f"“{indicator.name}”来自{indicator.get_source_display()},不能录入部门数据"
    try:
        parsed = Period.parse((period or "").strip())
    except PeriodError as exc:
        errors["period"] = str(exc)
        parsed = None
    unit = indicator.unit if indicator is not None else ""
    field = DeptFigure._meta.get_field
    cleaned = {
        "period": parsed.code if parsed else "",
        "value": _number(value, "数值", errors, "value", field=field("value"), unit=unit),
        "last_year": _number(last_year, "上年同期", errors, "last_year", field=field("last_year"), unit=unit),
        "official_growth": _number(
            official_growth_pct,
            "官方增速",
            errors,
            "official_growth",
            percent=True,
            field=field("official_growth"),
        ),
    }
    for key, text in zip(TEXTS, (caliber, note, explanation), strict=True):
        cleaned[key] = (text or "").strip()
        limit = DeptFigure._meta.get_field(key).max_length
        if len(cleaned[key]) > limit:
            errors[key] = f"最多 {limit} 个字,现有 {len(cleaned[key])} 个字;请删减后再保存"
    if "value" not in errors and "official_growth" not in errors:
        if cleaned["value"] is None and cleaned["official_growth"] is None:
            errors["value"] = "数值和官方增速至少填一项"
    now, before = cleaned["value"], cleaned["last_year"]
    if indicator is not None and now and before and not (before / UNIT_SLIP < now < before * UNIT_SLIP):
        errors["value"] = (
            f"数值 {now} 与上年同期 {before} 相差约 {max(now / before, before / now):.0f} 倍;"
            f"请确认两者的单位都是{indicator.unit}"
        )
    earlier = []
    if parsed is not None:
        for code, figure_value in history:
            other = Period.parse(code)
            if other.as_month() == parsed.as_month() and other.code != parsed.code:
                errors["period"] = f"与已录入的 {code} 是同一累计期;请修改那条数据"
            elif other.as_month() < parsed.as_month():
                earlier.append((other, figure_value))
    numbers_ok = indicator is not None and not errors.keys() & {*NUMBERS, "indicator", "period"}
    if numbers_ok and not cleaned["explanation"]:
        gap = _growth_gap(indicator, now, before, cleaned["official_growth"])
        if gap:
            errors["official_growth"] = gap
        slip = None if before is not None else _history_slip(indicator, parsed, now, earlier)
        if slip:
            errors["value"] = slip
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
    explanation: str = "",
    source: str,
    batch: str = "",
    refresh: bool = True,
) -> DeptFigure:
    """Create or update one department figure; the zone's results for the period follow after commit
    (an import passes refresh=False and recomputes each zone and period once)."""
    _ensure(actor, zone)
    indicator = _usable(indicator, zone)
    cleaned = clean_figure(
        indicator=indicator,
        period=period,
        value=value,
        last_year=last_year,
        official_growth_pct=official_growth_pct,
        caliber=caliber,
        note=note,
        explanation=explanation,
        history=list(
            DeptFigure.objects.filter(zone=zone, indicator=indicator).values_list("period", "value")
        ),
    )
    return _write(
        actor=actor,
        zone=zone,
        indicator=indicator,
        cleaned=cleaned,
        source=source,
        batch=batch,
        refresh=refresh,
    )


def _write(*, actor, zone: Zone, indicator: Indicator, cleaned: dict, source: str, batch: str, refresh: bool):
    with transaction.atomic():
        figure = DeptFigure.objects.filter(zone=zone, indicator=indicator, period=cleaned["period"]).first()
        before = snapshot(figure) if figure else None
        if figure is None:
            figure = DeptFigure(zone=zone, indicator=indicator, period=cleaned["period"])
        figure.value, figure.last_year = cleaned["value"], cleaned["last_year"]
        figure.official_growth = cleaned["official_growth"]
        figure.caliber, figure.note, figure.explanation = (
            cleaned["caliber"],
            cleaned["note"],
            cleaned["explanation"],
        )
        figure.source, figure.entered_by = source, actor if actor.pk else None
        figure.save()
        record(
            actor=actor,
            action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
            obj=figure,
            before=before,
            after=snapshot(figure),
            source=source,
            reason=cleaned["explanation"],
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
    rows: list[dict] = field(default_factory=list)  # every valid row, with its action and changes
    dry_run: bool = True
    batch: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row["action"] == action)

    def groups(self) -> Plan:
        """The dry run's three groups: figures new to the zone, figures that change (old → new per
        column), and the count already stored as the file has them."""
        created, updated = [], []
        for row in self.rows:
            title = f"{row['zone'].short_name or row['zone'].name} {row['indicator'].name} {row['cleaned']['period']}"
            if row["action"] == ChangeAction.CREATE:
                created.append(PlanLine(row["row"], title))
            elif row["action"] == ChangeAction.UPDATE:
                updated.append(PlanLine(row["row"], title, row["changes"]))
        return Plan(
            created=created,
            updated=updated,
            unchanged=self.count(UNCHANGED),
            noun="条数据",
            notes=["同一开发区、指标和报告期已有数据的,按文件更新;修改记录可在变更审计中查看。"],
        )


UNCHANGED = "unchanged"
COMPARED = ("value", "last_year", "official_growth", "caliber", "note", "explanation")


def _figure_changes(figure: DeptFigure | None, cleaned: dict, unit: str) -> list[Change]:
    """What saving `cleaned` over the stored figure changes, compared by value (1234.50 is 1234.5, an
    empty cell is nothing); the official growth in percent, as the column holds it."""
    if figure is None:
        return []
    changes = []
    for key in COMPARED:
        old, new = getattr(figure, key), cleaned[key]
        if key in NUMBERS:
            if same_number(old, new):
                continue
            if key == "official_growth":
                old, new = (None if v is None else v * 100 for v in (old, new))
            label = f"{HEADERS[key]}({unit})" if unit and key != "official_growth" else HEADERS[key]
        else:
            if (old or "") == (new or ""):
                continue
            label = HEADERS[key]
        changes.append(Change(label, old, new))
    return changes


def import_figures(*, actor, table: Table, source: str, dry_run: bool = False, progress=None) -> FigureImport:
    """Check every row and compare it with the stored figure of its zone, indicator and period (new,
    changed or unchanged); unless it is a dry run or a row is wrong, save the new and changed ones in
    one transaction, one change-log batch. `progress(done, total, phase=...)` hears of each row checked
    (校验) and written (写入)."""
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
    gets = [{k: raw.get(h, "") for k, h in HEADERS.items()} for raw in table.rows]
    history = _import_history(gets, zones, indicators)
    stored = {
        (f.zone_id, f.indicator_id, f.period): f
        for f in DeptFigure.objects.filter(
            zone__in=list(zones.values()),
            indicator__code__in={g["indicator"].strip().upper() for g in gets},
        )
    }
    seen: dict[tuple, int] = {}
    for index, get in enumerate(gets):
        if progress:
            progress(index + 1, len(gets), phase="校验")
        row_no = table.first_row_number + index
        zone = zones.get(get["zone"].strip())
        if zone is None:
            result.errors.append(
                RowError(row_no, HEADERS["zone"], f"“{get['zone']}”不存在或不在您管理的范围")
            )
            continue
        code = get["indicator"].strip().upper()
        try:
            cleaned = clean_figure(
                indicator=_usable(indicators.get(code), zone),
                period=get["period"],
                value=get["value"],
                last_year=get["last_year"],
                official_growth_pct=get["official_growth"],
                caliber=get["caliber"],
                note=get["note"],
                explanation=get["explanation"],
                history=history(zone.code, code, get["period"]),
            )
        except FigureError as exc:
            for key, message in exc.errors.items():
                result.errors.append(RowError(row_no, HEADERS[key], message))
            continue
        key = (zone.code, code, engine.stored_period(cleaned["period"]))
        if key in seen:  # 2024H1 and 2024-06 are the same cumulative period
            result.errors.append(
                RowError(row_no, HEADERS["period"], f"与第 {seen[key]} 行是同一开发区、指标和累计期,重复")
            )
            continue
        seen[key] = row_no
        indicator = indicators[code]
        figure = stored.get((zone.pk, indicator.pk, cleaned["period"]))
        changes = _figure_changes(figure, cleaned, indicator.unit)
        if figure is None:
            action = ChangeAction.CREATE
        else:
            action = ChangeAction.UPDATE if changes else UNCHANGED
        result.rows.append(
            {
                **get,
                "row": row_no,
                "zone": zone,
                "indicator": indicator,
                "cleaned": cleaned,
                "action": action,
                "changes": changes,
            }
        )
    if dry_run or not result.ok:
        return result
    result.batch = str(uuid.uuid4())
    with transaction.atomic():
        for zone in {row["zone"] for row in result.rows}:
            _ensure(actor, zone)
        written = [row for row in result.rows if row["action"] != UNCHANGED]
        for done, row in enumerate(written, start=1):
            if progress:
                progress(done, len(written), phase="写入")
            _write(
                actor=actor,
                zone=row["zone"],
                indicator=row["indicator"],
                cleaned=row["cleaned"],
                source=source,
                batch=result.batch,
                refresh=False,
            )
        for zone, period in {(row["zone"], row["cleaned"]["period"]) for row in written}:
            transaction.on_commit(lambda zone=zone, period=period: engine.refresh(zone, period))
    return result


def _import_history(gets: list[dict], zones: dict, indicators: dict):
    """The history each row of a file is checked against: the stored figures of its zone and indicator,
    with the file's own rows in place of the stored ones of the same cumulative period (so 2023H1 and
    2024H1 imported together are held against each other)."""
    in_file: dict[tuple, dict[str, tuple[str, Decimal]]] = defaultdict(dict)
    for get in gets:
        try:
            period = Period.parse(get["period"].strip())
            value = Decimal(get["value"].strip().replace(",", "")) if get["value"].strip() else None
        except (PeriodError, InvalidOperation):
            continue
        key = (get["zone"].strip(), get["indicator"].strip().upper())
        in_file[key].setdefault(period.as_month().code, (period.code, value))
    stored: dict[tuple, list[tuple[str, Decimal | None]]] = defaultdict(list)
    figures = DeptFigure.objects.filter(
        zone__code__in={z for z, _ in in_file} & set(zones),
        indicator__code__in={i for _, i in in_file} & set(indicators),
    ).values_list("zone__code", "indicator__code", "period", "value")
    for zone_code, indicator_code, period, value in figures:
        stored[zone_code, indicator_code].append((period, value))

    def history(zone_code: str, indicator_code: str, period: str) -> list[tuple[str, Decimal | None]]:
        try:
            own = Period.parse(period.strip()).as_month().code
        except PeriodError:
            return []
        mine = in_file.get((zone_code, indicator_code), {})
        kept = [
            (p, v)
            for p, v in stored[zone_code, indicator_code]
            if engine.stored_period(p) == own or engine.stored_period(p) not in mine
        ]
        return kept + [figure for span, figure in mine.items() if span != own]

    return history


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
    indicator = _usable(indicator, zone)
    if indicator is None:
        errors["indicator"] = "未知的指标代码"
    try:
        year = int(str(year).strip())
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        errors["year"] = "年度应为 2000 到 2100 之间的整数"
    field = Target._meta.get_field
    unit = indicator.unit if indicator is not None else ""
    cleaned_value = _number(value, "目标值", errors, "value", field=field("value"), unit=unit)
    cleaned_growth = _number(growth_pct, "目标增速", errors, "growth", percent=True, field=field("growth"))
    note = (note or "").strip()
    note_limit = field("note").max_length
    if len(note) > note_limit:  # refused, never cut
        errors["note"] = f"最多 {note_limit} 个字,现有 {len(note)} 个字;请删减后再保存"
    if not errors and cleaned_value is None and cleaned_growth is None:
        errors["value"] = "目标值和目标增速至少填一项"
    if errors:
        raise FigureError(errors)
    with transaction.atomic():
        target = Target.objects.filter(zone=zone, indicator=indicator, year=year).first()
        before = snapshot(target) if target else None
        target = target or Target(zone=zone, indicator=indicator, year=year)
        target.value, target.growth, target.note = cleaned_value, cleaned_growth, note
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


NATIONAL_ONLY = "全国指标目录只能由全国管理员修改;可添加本开发区自己的指标"


def ensure_may_change_indicator(actor, indicator: Indicator) -> None:
    """National indicators: superusers only. A zone's own: staff who may change that zone."""
    if not can(actor, "change") or not can(actor, "import"):
        raise PermissionDenied("无权修改指标目录")
    if indicator.zone_id is None:
        if not actor.is_superuser:
            raise PermissionDenied(NATIONAL_ONLY)
    elif not Zone.objects.restrict(actor, "change").filter(pk=indicator.zone_id).exists():
        raise PermissionDenied("无权修改该开发区的指标")


def _usable(indicator: Indicator | None, zone: Zone) -> Indicator | None:
    """The indicator if the zone may hold figures of it (national, or the zone's own), else None."""
    if indicator is None or indicator.zone_id not in (None, zone.pk):
        return None
    return indicator


def add_indicator(*, actor, data: dict, source: str) -> Indicator:
    """An indicator: a department figure, or a formula over other indicators' codes. With `zone` in
    `data` it is that zone's own; without, national (national admins only).

    The formula must parse, name only indicators the new one can see (national ones, and the zone's
    own for a zone's indicator; not itself) and not close a cycle."""
    if "zone" not in data and not actor.is_superuser:  # zone staff add their own zone's indicator
        zones = list(Zone.objects.restrict(actor, "change")[:2])
        if len(zones) != 1:
            raise FigureError({"zone": "请选择开发区"})
        data = {**data, "zone": zones[0]}
    indicator = Indicator(**data)
    ensure_may_change_indicator(actor, indicator)
    errors: dict[str, str] = {}
    try:
        indicator.full_clean()
    except ValidationError as exc:
        errors.update({k: "; ".join(v) for k, v in exc.message_dict.items()})
    if indicator.source == Source.ENT:
        errors.setdefault("source", "企业报表来源的指标随报表表式提供;自定义指标请选部门数据或计算")
    if indicator.source == Source.CALC and "formula" not in errors:
        others = list(Indicator.objects.filter(is_active=True).for_zone(indicator.zone_id))
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
            zone_id=indicator.zone_id,
        )
    return indicator
