from jushi.core.exporters import TableExporter

from .columns import HEADERS, enterprise_row


class EnterpriseExporter(TableExporter):
    identifier = "enterprises"
    headers = HEADERS

    def __init__(self, fmt: str, queryset):
        super().__init__(fmt)
        self.queryset = queryset

    def rows(self):
        qs = self.queryset.select_related("zone", "park", "industry").prefetch_related("size_memberships")
        for enterprise in qs.order_by("zone__code", "credit_code"):
            yield enterprise_row(enterprise)
