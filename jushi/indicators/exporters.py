"""Spreadsheets of indicator results."""

from jushi.core.exporters import TableExporter


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
