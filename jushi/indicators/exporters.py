"""Spreadsheets of indicator results."""

from decimal import ROUND_HALF_UP, Decimal

from jushi.core.exporters import TableExporter
from jushi.lib import growth
from jushi.lib.periods import Period


class IndicatorExporter(TableExporter):
    """One indicator of one zone, every period: as the indicator page shows it."""

    identifier = "indicator"
    headers = ("报告期", "本期", "上年同期", "增速(%)", "增减", "增速口径", "价格", "已审核", "应报", "数据")

    def __init__(self, indicator, zone, rows, fmt: str = "xlsx"):
        super().__init__(fmt)
        self.indicator, self.zone, self.table_rows = indicator, zone, rows
        self.identifier = f"{indicator.code}-{zone.code}"

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
    revision), live ones with `live=True`; a figure over incomplete coverage is marked 初步."""

    identifier = "monthly"

    def __init__(self, zone, period, fmt: str = "xlsx", *, live: bool = False):
        from .engine import stored_period
        from .publishing import view_of

        super().__init__(fmt)
        self.zone = zone
        self.period = Period.parse(stored_period(period))
        self.view = view_of(zone, self.period, live=live)
        self.identifier = f"monthly-{zone.code}-{self.period.code}"
        own = self.period.own_label()
        self.headers = (
            "指标",
            "单位",
            own.removeprefix(f"{self.period.year}年"),
            "同比(%)",
            self.period.label.removeprefix(f"{self.period.year}年"),
            "同比(%)",
            "增速口径",
            "覆盖",
        )

    @property
    def status(self) -> str:
        """发布第N版 or 实时数据, for the command line's header."""
        if self.view.publication is not None:
            return f"已发布(第{self.view.publication.revision}版)"
        return "实时数据(未发布)" if self.view.latest is None else "实时数据"

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


def _rounded(value, places: int):
    """An amount as displayed (half-up to the indicator's decimals): the table is read, not recomputed."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
