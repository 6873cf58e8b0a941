from django import forms

from .models import Rule


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["code", "name", "severity", "applies_to", "expression", "message"]
        widgets = {"expression": forms.Textarea(attrs={"rows": 2}), "message": forms.TextInput()}

    def __init__(self, *args, form, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.form = form


class PeriodTransferForm(forms.Form):
    form = forms.ChoiceField(label="表式")
    period = forms.CharField(label="报告期", max_length=20, help_text="如 2024-06(月报)、2024Q2(季报)")
    file = forms.FileField(label="文件(CSV 或 XLSX)")

    def __init__(self, *args, report_forms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [(f.code, f"{f.number} {f.name}") for f in report_forms]
