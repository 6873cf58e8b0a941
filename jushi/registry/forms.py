from django import forms
from django.utils.translation import gettext_lazy as _

from jushi.lib import uscc

from .choices import EnterpriseStatus
from .models import Enterprise, Industry, Park, Zone
from .widgets import IndustryField

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
# A finer value than the field stores is refused, never rounded (0.001 亩 would silently become 0).
LAND_AREA_ERRORS = {
    "max_decimal_places": _("占地面积的最小单位为 0.01 亩(小数点后最多 2 位),不能四舍五入"),
    "max_digits": _("占地面积过大:最多 10 位整数(亩)"),
    "max_whole_digits": _("占地面积过大:最多 10 位整数(亩)"),
}


def parse_years(text: str) -> list[int]:
    years = set()
    for part in text.replace(",", ",").replace("、", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not (part.isdigit() and 2000 <= int(part) <= 2100):
            raise forms.ValidationError(_("“%(part)s”不是 2000–2100 之间的年份"), params={"part": part})
        years.add(int(part))
    return sorted(years)


class EnterpriseForm(forms.ModelForm):
    """The enterprise form of the pages; the importer validates every row with a subclass of it."""

    size_years = forms.CharField(
        label=_("规上年份"),
        required=False,
        help_text=_("该企业在哪些年份的规上企业名录中,以逗号分隔,如 2023,2024"),
    )
    reason = forms.CharField(label=_("修改原因"), required=False, max_length=500, help_text=_("写入变更记录"))
    industry = IndustryField(
        label=_("行业"),
        required=False,
        help_text=_("输入行业名称或代码搜索(如“电池”或“3841”),从下拉列表中选择"),
    )

    class Meta:
        model = Enterprise
        fields = [
            "zone",
            "park",
            "industry",
            "name",
            "credit_code",
            "address",
            "established_on",
            "entered_on",
            "status",
            "land_area_mu",
            "contact_name",
            "contact_phone",
            "notes",
        ]
        widgets = {
            "established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "entered_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {"land_area_mu": LAND_AREA_ERRORS}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if isinstance(self.fields.get("zone"), forms.ModelChoiceField) and actor is not None:
            action = "change" if self.instance.pk else "add"
            zones = Zone.objects.restrict(actor, action)
            self.fields["zone"].queryset = zones
            self.fields["park"].queryset = Park.objects.filter(zone__in=zones).select_related("zone")
            self.fields["industry"].queryset = Industry.objects.all()
        if self.instance.pk and not self.is_bound:
            self.initial["size_years"] = ",".join(str(y) for y in self.instance.size_years())

    def clean_credit_code(self):
        try:
            return uscc.validate(self.cleaned_data["credit_code"])
        except uscc.InvalidCode as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_size_years(self):
        return parse_years(self.cleaned_data.get("size_years") or "")


class _CodeField(forms.CharField):
    """A reference typed as its code in a spreadsheet cell, resolved by the import form."""


class EnterpriseImportForm(EnterpriseForm):
    """One spreadsheet row: the page form with references as codes and labels instead of ids."""

    zone = _CodeField(label=_("开发区代码"))
    park = _CodeField(label=_("园区代码"), required=False)
    industry = _CodeField(label=_("行业代码"), required=False)
    status = forms.CharField(label=_("状态"), required=False)
    is_synthetic = forms.CharField(label=_("合成数据"), required=False)
    established_on = forms.DateField(label=_("成立日期"), required=False, input_formats=DATE_FORMATS)
    entered_on = forms.DateField(label=_("入区日期"), required=False, input_formats=DATE_FORMATS)

    class Meta(EnterpriseForm.Meta):
        fields = [*EnterpriseForm.Meta.fields, "is_synthetic"]

    def __init__(self, *args, lookups, **kwargs):
        self.lookups = lookups
        super().__init__(*args, **kwargs)

    def clean_zone(self):
        code = self.cleaned_data["zone"]
        zone = self.lookups.zones.get(code)
        if zone is None:
            raise forms.ValidationError(
                _("未知的开发区代码“%(code)s”,或无权导入到该开发区"), params={"code": code}
            )
        return zone

    def clean_industry(self):
        code = self.cleaned_data.get("industry")
        if not code:
            return None
        industry = self.lookups.industries.get(code)
        if industry is None:
            raise forms.ValidationError(
                _("未知的行业代码“%(code)s”(应为 GB/T 4754-2017 代码)"), params={"code": code}
            )
        return industry

    def clean_status(self):
        value = self.cleaned_data.get("status") or EnterpriseStatus.OPERATING
        by_label = {str(label): code for code, label in EnterpriseStatus.choices}
        if value in EnterpriseStatus.values:
            return value
        if value in by_label:
            return by_label[value]
        raise forms.ValidationError(
            _("未知的状态“%(value)s”,应为 %(choices)s"),
            params={"value": value, "choices": "、".join(by_label)},
        )

    def clean_is_synthetic(self):
        value = (self.cleaned_data.get("is_synthetic") or "").strip().lower()
        if value in {"是", "true", "1", "yes", "y"}:
            return True
        if value in {"", "否", "false", "0", "no", "n"}:
            return False
        raise forms.ValidationError(_("应为“是”或“否”"))

    def clean(self):
        cleaned = super().clean()
        zone, park_code = cleaned.get("zone"), cleaned.get("park")
        if park_code and zone is not None:
            park = self.lookups.parks.get((zone.pk, park_code))
            if park is None:
                self.add_error(
                    "park",
                    _("开发区“%(zone)s”中没有代码为“%(code)s”的园区")
                    % {"zone": zone.code, "code": park_code},
                )
            else:
                cleaned["park"] = park
                self.instance.park = park
        elif not park_code:
            cleaned["park"] = None
        return cleaned

    def _get_validation_exclusions(self):
        # Zone, park and industry come from the import's lookups (restricted to the actor), not from ids
        # typed in: checking that each exists would cost three queries a row (most of a large dry run).
        return super()._get_validation_exclusions() | {"zone", "park", "industry"}

    def validate_unique(self):
        # The credit code's uniqueness is the plan's: a registered code updates that enterprise, a code
        # twice in the file is refused, and the database's constraint still guards the write.
        pass

    def _post_clean(self):
        # Parks resolve only once the zone is known (in clean); put resolved objects on the instance.
        park = self.cleaned_data.get("park")
        if isinstance(park, str):
            self.cleaned_data["park"] = None
        super()._post_clean()
