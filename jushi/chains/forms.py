"""The chain pages' forms: the gap list's and the pool's filters, and the pool import's upload.

A filter with a value that is not among the choices is reported by field name on the page and ignored;
the rest of the filters still apply."""

from django import forms

from jushi.registry.models import Zone

from .choices import CompanySize, Gap
from .models import Chain, Node

YES_NO = [("", "全部"), ("yes", "是"), ("no", "否")]


class ZoneField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Zone.objects.none(),
            to_field_name="code",
            required=False,
            empty_label="全部开发区",
            **kwargs,
        )


class ChainField(forms.ModelChoiceField):
    show_zone = False  # set per form when the user works in several zones

    def __init__(self, **kwargs):
        super().__init__(queryset=Chain.objects.none(), required=False, empty_label="全部产业链", **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.zone.short_name or obj.zone.name} · {obj.name}" if self.show_zone else obj.name


class FilterForm(forms.Form):
    """A GET form of the chain pages (always bound, to the query string): zone and chain limited to what
    the user may read."""

    zone = ZoneField(label="开发区")
    chain = ChainField(label="产业链")

    def __init__(self, data, *, zones, chains, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(pk__in=[z.pk for z in zones]).order_by("name")
        self.fields["chain"].queryset = chains
        self.fields["chain"].show_zone = self.show_zone = len(zones) > 1

    def value(self, name):
        """The field's cleaned value; None when it was left empty or was not valid."""
        return None if name in self.errors else self.cleaned_data.get(name)

    def error_texts(self) -> list[str]:
        return [f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items()]


class GapFilterForm(FilterForm):
    kind = forms.ChoiceField(label="缺口类型", choices=[("", "全部"), *Gap.choices], required=False)


class NodeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.chain.name} · {obj.name}"


class PoolFilterForm(FilterForm):
    node = NodeField(label="节点", queryset=Node.objects.none(), required=False, empty_label="全部节点")
    size = forms.ChoiceField(label="规模", choices=[("", "全部"), *CompanySize.choices], required=False)
    listed = forms.ChoiceField(label="上市公司", choices=YES_NO, required=False)
    converted = forms.ChoiceField(
        label="已转线索", choices=[("", "全部"), ("yes", "已转线索"), ("no", "未转线索")], required=False
    )
    q = forms.CharField(label="企业名称", max_length=50, required=False)

    def __init__(self, data, *, zones, chains, nodes, **kwargs):
        super().__init__(data, zones=zones, chains=chains, **kwargs)
        self.fields["node"].queryset = nodes

    def apply(self, rows):
        """The pool rows the valid filters keep."""
        zone, chain, node = self.value("zone"), self.value("chain"), self.value("node")
        if zone:
            rows = rows.filter(zone=zone)
        if chain:
            rows = rows.filter(node__chain=chain)
        if node:
            rows = rows.filter(node=node)
        if self.value("size"):
            rows = rows.filter(size=self.value("size"))
        if self.value("listed"):
            rows = rows.filter(listed=self.value("listed") == "yes")
        if self.value("converted"):
            rows = rows.filter(lead__isnull=self.value("converted") == "no")
        if self.value("q"):
            rows = rows.filter(name__contains=self.value("q").strip())
        return rows


class PoolImportForm(forms.Form):
    file = forms.FileField(label="文件(CSV 或 XLSX)")
    zone = forms.ModelChoiceField(
        label="开发区", queryset=Zone.objects.none(), to_field_name="code", empty_label=None
    )

    def __init__(self, *args, zones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(pk__in=[z.pk for z in zones]).order_by("name")
