from django import forms

from .models import Rule


class RuleForm(forms.ModelForm):
    """A new rule: a zone's own (the zones the user reviews), or national for a national admin."""

    class Meta:
        model = Rule
        fields = ["zone", "code", "name", "severity", "applies_to", "expression", "message"]
        widgets = {"expression": forms.Textarea(attrs={"rows": 2}), "message": forms.TextInput()}

    def __init__(self, *args, form, zones, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.form = form
        self.zones, self.national = zones, national
        field = self.fields["zone"]
        field.queryset = zones
        field.required = False  # see clean_zone
        field.empty_label = "全国(全部开发区)" if national else None
        field.help_text = (
            "全国规则适用于全部开发区" if national else "本开发区自己的规则,只审核本开发区的报表"
        )
        if not national and zones.count() == 1:
            field.initial = zones.first().pk

    def clean_zone(self):
        zone = self.cleaned_data.get("zone")
        if zone is None and not self.national:
            if self.zones.count() != 1:
                raise forms.ValidationError("请选择开发区")
            zone = self.zones.first()
        self.instance.zone = zone  # Rule.clean checks the code against this zone's rules
        return zone


class PeriodTransferForm(forms.Form):
    form = forms.ChoiceField(label="表式")
    period = forms.CharField(label="报告期", max_length=20, help_text="如 2024-06(月报)、2024Q2(季报)")
    file = forms.FileField(label="文件(CSV 或 XLSX)")

    def __init__(self, *args, report_forms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [(f.code, f"{f.number} {f.name}") for f in report_forms]
