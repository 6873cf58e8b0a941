from jushi.core.exporters import TableExporter, describe_form

from .columns import CELLS, enterprise_row
from .models import Zone


class EnterpriseExporter(TableExporter):
    """The enterprise list as filtered on its page, in the import's layout: the file imports back."""

    identifier = "enterprises"
    columns = CELLS
    sheet = "企业名录"
    title = "企业名录(按列表页的筛选条件)"

    def __init__(self, fmt: str, queryset, *, actor=None, filterset=None):
        super().__init__(fmt, actor=actor, filters=describe_form(filterset) if filterset is not None else ())
        self.queryset = queryset

    def zone_names(self) -> list[str]:
        ids = self.queryset.order_by().values_list("zone_id", flat=True).distinct()
        return list(Zone.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True))

    def rows(self):
        qs = self.queryset.select_related("zone", "park", "industry").prefetch_related("size_memberships")
        for enterprise in qs.order_by("zone__code", "credit_code"):
            yield enterprise_row(enterprise)
