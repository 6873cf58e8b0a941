"""Spreadsheets of indicator results."""

from jushi.core.exporters import TableExporter
from jushi.lib import growth
from jushi.lib.periods import Period

from .choices import Aggregation, Scope, Source
from .models import Result


class IndicatorExporter(TableExporter):
    """One indicator of one zone, every period: as the indicator page shows it."""

    identifier = "indicator"
    headers = ("报告期", "本期", "上年同期", "增速(%)", "增减", "增速口径", "价格", "计入单位数")

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
            )


class MonthlyTableExporter(TableExporter):
    """The standard monthly table: 指标 | 本月 | 同比 | 1–本月 | 同比, for one zone and month.

    The month's own value of a flow is the difference of two cumulatives, this year's and last year's
    alike (last year's as reported now), so its growth is on the same caliber as the cumulative's.
    Stocks and counts show their period-end value; ratios and official figures only the cumulative."""

    identifier = "monthly"

    def __init__(self, zone, period, fmt: str = "xlsx"):
        from .engine import stored_period

        super().__init__(fmt)
        self.zone = zone
        self.period = Period.parse(stored_period(period))
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
        )

    def rows(self):
        results = {
            r.indicator_id: r
            for r in Result.objects.filter(
                zone=self.zone, scope=Scope.ZONE, period=self.period.code
            ).select_related("indicator")
        }
        previous = self.period.previous()
        before = (
            {
                r.indicator_id: r
                for r in Result.objects.filter(zone=self.zone, scope=Scope.ZONE, period=previous.code)
            }
            if previous
            else {}
        )
        for result in sorted(results.values(), key=lambda r: (r.indicator.order, r.indicator.code)):
            indicator = result.indicator
            month, month_growth = self._own(result, before.get(indicator.pk), previous is None)
            yield (
                indicator.name,
                indicator.unit,
                month,
                growth.percent(month_growth),
                result.value,
                growth.percent(result.growth),
                result.get_growth_method_display(),
            )

    @staticmethod
    def _own(result, prior, first_of_year: bool):
        aggregation = result.indicator.aggregation
        if aggregation in (Aggregation.STOCK, Aggregation.COUNT):
            return result.value, result.growth
        if aggregation != Aggregation.SUM or result.indicator.source == Source.DEPT:
            return None, None  # ratios and department figures: the cumulative only
        if first_of_year:
            return result.value, result.growth
        if prior is None or None in (result.value, prior.value):
            return None, None
        now = result.value - prior.value
        then = None if None in (result.last_year, prior.last_year) else result.last_year - prior.last_year
        return now, growth.ratio_growth(now, then)
