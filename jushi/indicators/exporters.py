"""Spreadsheets of indicator results and department figures."""

from decimal import ROUND_HALF_UP, Decimal

from jushi.core.exporters import TableExporter
from jushi.lib import growth
from jushi.lib.periods import Period
from jushi.lib.tabular import CODE, NUMBER, TEXT, Column

RATE = {"kind": NUMBER, "decimals": 1, "grouping": False}  # a growth rate in %, one place
COUNT = {"kind": NUMBER, "decimals": 0, "grouping": False}


def _revision_lines(publication, latest=None) -> list[tuple[str, str]]:
    """The 说明 lines of published figures: which revision, when and by whom, and why it was revised."""
    if publication is None:
        return [("数据", "实时数据(未发布):审核后还可能变化")]
    when = publication.published_at
    from django.utils import timezone

    lines = [
        ("数据", f"已发布数据 第{publication.revision}版"),
        ("发布", f"{timezone.localtime(when):%Y-%m-%d %H:%M} {publication.published_by_name}"),
    ]
    if publication.reason:
        lines.append(("修订原因", publication.reason))
    if publication.incomplete:
        lines.append(("覆盖", "发布时尚未全部审核,标“初步”的数字为初步数"))
    if latest is not None and latest.revision != publication.revision:
        lines.append(("最新版本", f"第{latest.revision}版"))
    return lines


class IndicatorExporter(TableExporter):
    """One indicator of one zone, every period: as the indicator page shows it."""

    identifier = "indicator"

    def __init__(self, indicator, zone, rows, fmt: str = "xlsx", *, actor=None, live: bool = False):
        super().__init__(fmt, actor=actor)
        self.indicator, self.zone, self.table_rows, self.live = indicator, zone, rows, live
        self.identifier = f"{indicator.code}-{zone.code}"
        places = {"kind": NUMBER, "decimals": indicator.decimals, "unit": indicator.unit}
        self.columns = [
            Column("报告期", kind=TEXT),
            Column("本期", **places),
            Column("上年同期", **places),
            Column("增速(%)", **RATE),
            Column("增减", **places),
            Column("增速口径", kind=TEXT),
            Column("价格", kind=TEXT),
            Column("已审核(家)", **COUNT),
            Column("应报(家)", **COUNT),
            Column("数据", kind=TEXT),
        ]
        self.sheet = f"{indicator.name}"
        self.title = f"{zone.name}{indicator.name}({indicator.code})各报告期的累计值、上年同期和增速"
        self.filters = [
            f"开发区:{zone.name}",
            f"指标:{indicator.name}",
            "实时数据" if live else "已发布的期别用最新发布版本",
        ]

    def about_extra(self) -> list[tuple[str, str]]:
        revisions = sorted({row["published"] for row in self.table_rows if row.get("published")})
        words = "、".join(f"第{r}版" for r in revisions) if revisions else "无(均为实时数据)"
        return [("单位", self.indicator.unit or "—"), ("已发布版本", words)]

    def rows(self):
        for row in self.table_rows:
            r = row["r"]
            yield (
                row["period"].label,
                r.value,
                r.last_year,
                row["pct"],
                r.change,
                r.get_growth_method_display(),
                r.get_price_basis_display(),
                r.units,
                r.frame_units,
                (f"已发布第{row['published']}版" if row.get("published") else "实时")
                + (" 初步" if r.provisional else ""),
            )


class MonthlyTableExporter(TableExporter):
    """The standard monthly table: 指标 | 本月 | 同比 | 1–本月 | 同比, for one zone and month.

    The month's own value is the engine's (DOMAIN §3): a flow's per-enterprise differences of cumulatives
    on the same caliber, a stock's period-end value, a count of events' difference of cumulative counts;
    ratios and department figures show only the cumulative. Published figures by default (the latest
    revision), live ones with `live=True`; a figure over incomplete coverage is marked 初步. Each row has
    its own unit (the 单位 column) and is shown to its indicator's decimals."""

    identifier = "monthly"

    def __init__(self, zone, period, fmt: str = "xlsx", *, live: bool = False, actor=None):
        from .engine import stored_period
        from .publishing import view_of

        super().__init__(fmt, actor=actor)
        self.zone = zone
        self.period = Period.parse(stored_period(period))
        self.view = view_of(zone, self.period, live=live)
        self.identifier = f"monthly-{zone.code}-{self.period.code}"
        own = self.period.own_label()
        amount = {"kind": NUMBER}  # decimals from each row's value, rounded to its indicator's
        self.columns = [
            Column("指标", kind=TEXT),
            Column("单位", kind=TEXT),
            Column(own.removeprefix(f"{self.period.year}年"), **amount),
            Column("同比(%)", **RATE),
            Column(self.period.label.removeprefix(f"{self.period.year}年"), **amount),
            Column("同比(%)", **RATE),
            Column("增速口径", kind=TEXT),
            Column("覆盖", kind=TEXT),
        ]
        self.sheet = f"主要指标月报{own}"
        self.title = f"{zone.name}{self.period.label}主要经济指标(本月、累计及同比)"
        self.filters = [
            f"开发区:{zone.name}",
            f"报告期:{self.period.label}",
            "实时数据" if live else "已发布数据",
        ]

    @property
    def status(self) -> str:
        """发布第N版 or 实时数据, for the command line's header."""
        if self.view.publication is not None:
            return f"已发布(第{self.view.publication.revision}版)"
        return "实时数据(未发布)" if self.view.latest is None else "实时数据"

    def about_extra(self) -> list[tuple[str, str]]:
        return _revision_lines(self.view.publication, self.view.latest)

    def rows(self):
        for result in self.view.rows:
            indicator = result.indicator
            coverage = result.coverage_text
            if result.provisional:
                coverage = f"初步 {coverage}"
            yield (
                indicator.name,
                indicator.unit,
                _rounded(result.month_value, indicator.decimals),
                growth.percent(result.month_growth),
                _rounded(result.value, indicator.decimals),
                growth.percent(result.growth),
                result.get_growth_method_display(),
                coverage,
            )


class FigureExporter(TableExporter):
    """The department figures of the zones in scope, as the 部门数据 page lists them, in the import's
    layout (an exported file imports back unchanged); the units of each indicator are on the 说明 sheet."""

    identifier = "dept-figures"
    sheet = "部门数据"
    title = "各部门公布的数据(地区生产总值、一般公共预算收入等),带官方增速和口径"

    def __init__(self, fmt: str, queryset, *, actor=None, filters=(), zones=()):
        from .services import HEADERS

        super().__init__(fmt, actor=actor, filters=filters)
        self.queryset = queryset.select_related("zone", "indicator").order_by(
            "zone__name", "-period", "indicator__order", "indicator__code"
        )
        self.zones = list(zones)
        self.columns = [
            Column(HEADERS["zone"], kind=CODE),
            Column(HEADERS["indicator"], kind=CODE),
            Column(HEADERS["period"], kind=CODE),
            Column(HEADERS["value"], kind=NUMBER),
            Column(HEADERS["last_year"], kind=NUMBER),
            Column(HEADERS["official_growth"], kind=NUMBER, grouping=False),
            Column(HEADERS["caliber"], kind=TEXT),
            Column(HEADERS["note"], kind=TEXT),
            Column(HEADERS["explanation"], kind=TEXT),
        ]

    def zone_names(self) -> list[str]:
        return [z.name for z in self.zones]

    def audit_zone_id(self) -> int | None:
        return self.zones[0].pk if len(self.zones) == 1 else None

    def about_extra(self) -> list[tuple[str, str]]:
        seen = {}
        for f in self.queryset:
            seen.setdefault(f.indicator.code, f.indicator)
        units = ";".join(
            f"{i.code} {i.name}({i.unit})" if i.unit else f"{i.code} {i.name}" for i in seen.values()
        )
        return [
            ("单位", units or "—"),
            ("官方增速(%)", "部门公布的增速,百分数:14.3 即增长 14.3%"),
        ]

    def rows(self):
        for f in self.queryset:
            yield (
                f.zone.code,
                f.indicator.code,
                f.period,
                _plain(f.value),
                _plain(f.last_year),
                None if f.official_growth is None else _plain(f.official_growth * 100),
                f.caliber,
                f.note,
                f.explanation,
            )


def _plain(value: Decimal | None) -> Decimal | None:
    """A stored amount without the trailing zeros of its column (1234.5000 → 1234.5)."""
    if value is None:
        return None
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def _rounded(value, places: int):
    """An amount as displayed (half-up to the indicator's decimals): the table is read, not recomputed."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
