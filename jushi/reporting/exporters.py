from jushi.core.exporters import TableExporter
from jushi.lib.periods import Period

from .columns import cells_for, field_columns
from .models import ReportForm
from .services.importing import period_rows_for_export


def explanation_text(results, labels: dict[str, str]) -> str:
    """The 情况说明 cell of a submission: each distinct explanation once, in the order first given.

    One explanation for every warning (the usual case) is written as given, so the file imports back
    unchanged; several are each preceded by the fields they explain: 工业总产值、营业收入:… ; 从业人员:…"""
    by_text: dict[str, list[str]] = {}
    for r in results:
        text = r.explanation.strip()
        if not text:
            continue
        fields = by_text.setdefault(text, [])
        label = labels.get(r.field_code, "")
        if label and label not in fields:
            fields.append(label)
    if len(by_text) <= 1:
        return next(iter(by_text), "")
    return ";".join(f"{'、'.join(fields)}:{text}" if fields else text for text, fields in by_text.items())


class PeriodExporter(TableExporter):
    """A period in the import's layout: an exported file imports back unchanged."""

    identifier = "reporting-period"

    def __init__(self, *, actor, form: ReportForm, period: Period, zone=None, fmt: str = "xlsx", filters=()):
        super().__init__(fmt, actor=actor, filters=filters)
        self.form, self.period, self.zone = form, period, zone
        self.identifier = f"{form.code}-{period.code}"
        self.fields = list(form.fields.all())
        self.columns = cells_for(self.fields)
        label = period.label
        self.sheet = form.name[: max(0, 31 - len(label))] + label  # the period is never cut off
        self.title = f"{form}{period.label}各企业报表(本期与上年同期,一企一行)"
        if not self.filters:
            self.filters = [f"表式:{form}", f"报告期:{period.label}"] + (
                [f"开发区:{zone.name}"] if zone is not None else []
            )

    def zone_names(self) -> list[str]:
        if self.zone is not None:
            return [self.zone.name]
        from jushi.registry.models import Zone

        return list(
            Zone.objects.restrict(self.actor, "export").order_by("name").values_list("name", flat=True)
        )

    def about_extra(self) -> list[tuple[str, str]]:
        return [
            ("报送状态", "每家企业本期报表的状态;未审核的数字可能还会修改"),
            ("情况说明", "企业对审核提示的说明,同一说明只写一次;多条说明时注明所说明的指标"),
        ]

    def rows(self):
        columns = field_columns(self.fields)
        labels = {f.code: f.label for f in self.fields}
        for submission, figures in period_rows_for_export(
            actor=self.actor, form=self.form, period=self.period, zone=self.zone
        ):
            values = []
            for c in columns:
                pair = figures.get(c.field_code, (None, None))
                values.append(pair[0] if c.part == "current" else pair[1])
            results = sorted(
                (r for r in submission.check_results.all() if r.revision == submission.revision),
                key=lambda r: r.pk,
            )
            yield [
                submission.enterprise.credit_code,
                submission.enterprise.name,
                submission.get_status_display(),
                *values,
                explanation_text(results, labels),
            ]
