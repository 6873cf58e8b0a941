"""The ledger export: the columns of `columns.COLUMNS`, so that an exported file imports back."""

from decimal import Decimal

from jushi.core.exporters import TableExporter, describe_form
from jushi.lib.tabular import CODE, DATE, NUMBER, TEXT, Column
from jushi.registry.models import Zone

from .choices import SourceRegion, StageCode
from .columns import COLUMNS
from .models import Project

KEYS = [key for key, _header, _help in COLUMNS]
CODES = {"code", "credit_code", "industry", "park", "contract_no", "parcel"}
AMOUNTS = {  # 万元 and 亩, two places as the ledger keeps them (the unit is in the header already)
    "agreed_investment",
    "fixed_asset_investment",
    "expected_output",
    "expected_tax",
    "land_mu",
    "funds_total",
}


def _kind(key: str) -> dict:
    if key in CODES:
        return {"kind": CODE}
    if key in AMOUNTS:
        return {"kind": NUMBER, "decimals": 2}
    if key.endswith("_on"):
        return {"kind": DATE}
    return {"kind": TEXT}


CELLS = [Column(header, **_kind(key)) for key, header, _help in COLUMNS]


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
    columns = CELLS
    sheet = "招商项目台账"
    title = "招商项目台账(按台账页的筛选条件;保密项目仅限有权查看的人员)"

    def __init__(self, fmt: str, queryset, *, actor=None, filterset=None, filters=()):
        if filterset is not None:
            filters = [line for line in describe_form(filterset) if not line.startswith("排序")]
            request = getattr(filterset, "request", None)
            actor = actor if actor is not None else getattr(request, "user", None)
        super().__init__(fmt, actor=actor, filters=filters)
        self.queryset = queryset

    def zone_names(self) -> list[str]:
        ids = self.queryset.order_by().values_list("zone_id", flat=True).distinct()
        return list(Zone.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True))

    def rows(self):
        rows = self.queryset.select_related("investor", "industry", "park", "stage", "event").order_by(
            "zone_id", "code"
        )
        for project in rows.iterator(chunk_size=2000):
            yield project_row(project, project.funds_in_place)
