from django import forms
from django.db.models import Q

from jushi.registry.models import Zone

from .choices import Source
from .models import Indicator


class FigureForm(forms.Form):
    """One department figure as typed; the service validates the numbers and the period."""

    zone = forms.ModelChoiceField(label="开发区", queryset=Zone.objects.none())
    indicator = forms.ModelChoiceField(
        label="指标",
        queryset=Indicator.objects.filter(source=Source.DEPT, is_active=True),
        help_text="括号内是该指标的单位,数值按此单位填写",
    )
    period = forms.CharField(
        label="报告期", max_length=10, help_text="如 2024H1、2024Q2、2024-06、2024(累计)"
    )
    value = forms.CharField(
        label="数值", required=False, help_text="按所选指标括号内的单位,如 亿元(不是万元)"
    )
    last_year = forms.CharField(label="上年同期", required=False)
    official_growth = forms.CharField(
        label="官方增速(%)", required=False, help_text="部门公布的同比增速,如 14.3"
    )
    caliber = forms.CharField(
        label="口径", required=False, max_length=30, help_text="如 可比价、自然口径、地方级"
    )
    note = forms.CharField(label="备注", required=False, max_length=300)
    explanation = forms.CharField(
        label="情况说明",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="官方增速与数值、上年同期推算的增速相差超过 0.5 个百分点,"
        "或没有上年同期而数值与以往各期相差数十倍时须填写原因",
    )

    def __init__(self, *args, zones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = zones
        if zones.count() == 1:
            self.fields["zone"].initial = zones.first()
        # national indicators and the own ones of the zones offered (the service checks the pair)
        indicators = self.fields["indicator"].queryset
        self.fields["indicator"].queryset = indicators.filter(Q(zone__isnull=True) | Q(zone__in=zones))


class FigureImportForm(forms.Form):
    file = forms.FileField(label="CSV 或 XLSX 文件")


class TargetForm(forms.Form):
    zone = forms.ModelChoiceField(label="开发区", queryset=Zone.objects.none())
    indicator = forms.ModelChoiceField(label="指标", queryset=Indicator.objects.filter(is_active=True))
    year = forms.CharField(label="年度", max_length=4)
    value = forms.CharField(label="目标值", required=False, help_text="按指标的显示单位")
    growth = forms.CharField(label="目标增速(%)", required=False, help_text="如 8 表示增长 8%")
    note = forms.CharField(
        label="依据", required=False, max_length=200, help_text="如 政府工作报告、倍增行动方案"
    )

    def __init__(self, *args, zones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = zones
        if zones.count() == 1:
            self.fields["zone"].initial = zones.first()
        # national indicators and the own ones of the zones offered (the service checks the pair)
        indicators = self.fields["indicator"].queryset
        self.fields["indicator"].queryset = indicators.filter(Q(zone__isnull=True) | Q(zone__in=zones))


class IndicatorForm(forms.ModelForm):
    """A new indicator: a zone's own (the zones the user may change), or national for a national admin."""

    class Meta:
        model = Indicator
        fields = [
            "zone",
            "code",
            "name",
            "unit",
            "source",
            "aggregation",
            "growth_method",
            "price_basis",
            "department",
            "formula",
            "decimals",
            "description",
        ]
        widgets = {"formula": forms.TextInput(attrs={"placeholder": "如 IND_RD / IND_REV * 100"})}

    def __init__(self, *args, zones, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(c.value, c.label) for c in (Source.DEPT, Source.CALC)]
        self.zones, self.national = zones, national
        field = self.fields["zone"]
        field.queryset = zones
        field.required = False  # see clean_zone
        field.empty_label = "全国(全部开发区)" if national else None
        field.help_text = "不选为全国指标" if national else "本开发区自己的指标,只在本开发区计算和显示"
        if not national and zones.count() == 1:
            field.initial = zones.first().pk

    def clean_zone(self):
        zone = self.cleaned_data.get("zone")
        if zone is None and not self.national:
            if self.zones.count() != 1:
                raise forms.ValidationError("请选择开发区")
            zone = self.zones.first()
        return zone

    def validate_unique(self):  # the service reports a duplicate code with the other errors
        pass
