"""The ledger export: the columns of `columns.COLUMNS`, so that an exported file imports back."""

from decimal import Decimal

from jushi.core.exporters import TableExporter

from .choices import SourceRegion, StageCode
from .columns import COLUMNS, HEADERS
from .models import Project

KEYS = [key for key, _header, _help in COLUMNS]


def project_values(project: Project, funds_total: Decimal) -> dict:
    """A project as the spreadsheet holds it: references as codes or names, choices by label, amounts
    in 万元, dates as dates (written ISO)."""
    investor = project.investor
    return {
        "code": project.code,
        "name": project.name,
        "investor_name": investor.name,
        "credit_code": investor.credit_code or "",
        "investor_region": investor.region,
        "source_region": str(SourceRegion(project.source_region).label),
        "industry": project.industry.code if project.industry_id else "",
        "park": project.park.code if project.park_id else "",
        "stage": str(StageCode(project.stage.code).label),
        "lead_on": project.lead_on,
        "talks_on": project.talks_on,
        "signed_on": project.signed_on,
        "event": project.event.name if project.event_id else "",
        "contract_no": project.contract_no,
        "agreed_investment": project.agreed_investment,
        "fixed_asset_investment": project.fixed_asset_investment,
        "expected_output": project.expected_output,
        "expected_tax": project.expected_tax,
        "land_mu": project.land_mu,
        "parcel": project.parcel,
        "land_on": project.land_on,
        "planned_start_on": project.planned_start_on,
        "started_on": project.started_on,
        "produced_on": project.produced_on,
        "full_on": project.full_on,
        "official": project.official,
        "unit": project.unit,
        "confidential": "是" if project.confidential else "否",
        "funds_total": funds_total,
        "note": project.note,
    }


def project_row(project: Project, funds_total: Decimal) -> list:
    values = project_values(project, funds_total)
    return [values[key] for key in KEYS]


class LedgerExporter(TableExporter):
    """The filtered ledger as XLSX or CSV; used by the ledger page and `jushi projects export`."""

    identifier = "projects"
    headers = HEADERS

    def __init__(self, fmt: str, queryset):
        super().__init__(fmt)
        self.queryset = queryset

    def rows(self):
        rows = self.queryset.select_related("investor", "industry", "park", "stage", "event").order_by(
            "zone_id", "code"
        )
        for project in rows.iterator(chunk_size=2000):
            yield project_row(project, project.funds_in_place)
