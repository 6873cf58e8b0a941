from jushi.core.exporters import TableExporter
from jushi.lib.periods import Period

from .columns import field_columns, headers_for
from .models import ReportForm
from .services.importing import period_rows_for_export


class PeriodExporter(TableExporter):
    """A period in the import's layout: an exported file imports back unchanged."""

    identifier = "reporting-period"

    def __init__(self, *, actor, form: ReportForm, period: Period, zone=None, fmt: str = "xlsx"):
        super().__init__(fmt)
        self.actor, self.form, self.period, self.zone = actor, form, period, zone
        self.identifier = f"{form.code}-{period.code}"
        self.headers = headers_for(form.fields.all())

    def rows(self):
        columns = field_columns(self.form.fields.all())
        for submission, figures in period_rows_for_export(
            actor=self.actor, form=self.form, period=self.period, zone=self.zone
        ):
            values = []
            for c in columns:
                pair = figures.get(c.field_code, (None, None))
                values.append(pair[0] if c.part == "current" else pair[1])
            note = "; ".join(
                r.explanation
                for r in submission.check_results.all()
                if r.explanation and r.revision == submission.revision
            )
            yield [
                submission.enterprise.credit_code,
                submission.enterprise.name,
                submission.get_status_display(),
                *values,
                note,
            ]
