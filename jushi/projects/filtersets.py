"""The ledger's filters, shared by the ledger list, the kanban and the export (and open to the API)."""

import datetime as dt
import math
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from jushi.core import clock

from .choices import MAX_AMOUNT, DuplicateStatus, Light, SourceRegion, StageCode
from .models import Project, Stage
from .services.common import FIRST_YEAR, LAST_YEAR, MAX_ID

# Filters bounded as the services bound input: a value outside them is the field's error (400 in the
# API, a notice on the pages), never a database overflow (500).


class IdField(forms.IntegerField):
    default_error_messages = {"invalid": "应为正整数 id"}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
        self.error_messages["min_value"] = self.error_messages["max_value"] = "应为正整数 id"


class YearField(forms.IntegerField):
    default_error_messages = {"invalid": f"应为 {FIRST_YEAR}–{LAST_YEAR} 之间的年份"}

    def __init__(self, **kwargs):
        super().__init__(min_value=FIRST_YEAR, max_value=LAST_YEAR, **kwargs)
        message = f"应为 {FIRST_YEAR}–{LAST_YEAR} 之间的年份"
        self.error_messages["min_value"] = self.error_messages["max_value"] = message


class BoundedDateField(forms.DateField):
    default_error_messages = {"invalid": "应为日期,格式 2024-06-30"}

    def validate(self, value):
        super().validate(value)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(f"日期应在 {FIRST_YEAR}–{LAST_YEAR} 年之间", code="range")


class AmountField(forms.DecimalField):
    """An amount in 万元 as a model field holds it: not negative, within its digits, cents at most."""

    default_error_messages = {"invalid": "应为数字(单位万元)"}

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=MAX_AMOUNT, max_digits=14, decimal_places=2, **kwargs)
        too_big = "超出合理范围(单位是万元)"
        self.error_messages.update(
            min_value="不能为负数",
            max_value=too_big,
            max_digits=too_big,
            max_whole_digits=too_big,
            max_decimal_places="最小单位为 0.01 万元",
        )


class _StatedBounds:
    """A filter whose bounds the OpenAPI schema states (with its label), so clients and the fuzzer
    know them."""

    schema: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        extend_schema_field({**self.schema, "description": str(self.label or "")})(self)


class IdFilter(_StatedBounds, django_filters.NumberFilter):
    field_class = IdField
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class YearFilter(_StatedBounds, django_filters.NumberFilter):
    field_class = YearField
    schema = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}


class BoundedDateFilter(_StatedBounds, django_filters.DateFilter):
    field_class = BoundedDateField
    schema = {"type": "string", "format": "date"}


class AmountFilter(_StatedBounds, django_filters.NumberFilter):
    field_class = AmountField
    schema = {"type": "number", "minimum": 0, "maximum": float(MAX_AMOUNT), "multipleOf": 0.01}


# Bands of agreed investment: key (its bounds in 亿元) → (label, low inclusive, high exclusive in 万元).
BANDS = {
    "0-0.1": (_("1000 万元以下"), None, Decimal(1000)),
    "0.1-1": (_("1000 万–1 亿元"), Decimal(1000), Decimal(10000)),
    "1-5": (_("1–5 亿元"), Decimal(10000), Decimal(50000)),
    "5-10": (_("5–10 亿元"), Decimal(50000), Decimal(100000)),
    "10-": (_("10 亿元以上"), Decimal(100000), None),
}

# key → (label, ordering). Ties fall back to the newest id so pages never overlap.
SORTS = {
    "-updated": (_("最近更新"), [F("updated").desc(), F("id").desc()]),
    "-signed": (_("签约日期(新→旧)"), [F("signed_on").desc(nulls_last=True), F("id").desc()]),
    "signed": (_("签约日期(旧→新)"), [F("signed_on").asc(nulls_last=True), F("id").asc()]),
    "-amount": (_("协议投资(大→小)"), [F("agreed_investment").desc(nulls_last=True), F("id").desc()]),
    "amount": (_("协议投资(小→大)"), [F("agreed_investment").asc(nulls_last=True), F("id").asc()]),
}
DEFAULT_SORT = "-updated"
# Project.light() once the project has signed: measured against the agreed start date, not the limit.
START_DATE_STAGES = (StageCode.SIGNED, StageCode.LAND)
START_DATE_AMBER_DAYS = 30


def light_q(light: str, today: dt.date | None = None, stages=None) -> Q:
    """The projects whose `Project.light()` is `light` today, as a database filter: one clause per stage
    (there are seven), so the list can filter and count before it reads a row."""
    today = today or clock.today()
    red = Q(pk__in=[])
    amber = Q(pk__in=[])
    for stage in stages if stages is not None else Stage.objects.all():
        limit = stage.time_limit_days
        by_limit = Q(stage_id=stage.pk)
        if stage.code in START_DATE_STAGES:
            dated = Q(stage_id=stage.pk, planned_start_on__isnull=False)
            red |= dated & Q(planned_start_on__lt=today)
            amber |= dated & Q(
                planned_start_on__gte=today,
                planned_start_on__lte=today + dt.timedelta(days=START_DATE_AMBER_DAYS),
            )
            by_limit &= Q(planned_start_on__isnull=True)
        if not limit:
            continue
        # age > limit is red; age ≥ 4/5 of the limit is amber (Project.light: age * 5 >= limit * 4).
        red |= by_limit & Q(stage_entered_on__lt=today - dt.timedelta(days=limit))
        amber |= by_limit & Q(
            stage_entered_on__gte=today - dt.timedelta(days=limit),
            stage_entered_on__lte=today - dt.timedelta(days=math.ceil(limit * 4 / 5)),
        )
    if light == Light.RED:
        return red
    if light == Light.AMBER:
        return amber
    return ~red & ~amber


class ProjectFilterSet(django_filters.FilterSet):
    """Shared by the ledger, the kanban and the ledger export."""

    q = django_filters.CharFilter(method="search", label=_("项目名称、投资方或编号"))
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))
    stage = django_filters.ChoiceFilter(field_name="stage__code", choices=StageCode.choices, label=_("阶段"))
    industry = django_filters.CharFilter(method="filter_industry", label=_("行业代码(含下级)"))
    source_region = django_filters.ChoiceFilter(choices=SourceRegion.choices, label=_("资金来源地"))
    park = django_filters.CharFilter(field_name="park__code", label=_("功能区代码"))
    band = django_filters.ChoiceFilter(
        method="filter_band", choices=[(k, v[0]) for k, v in BANDS.items()], label=_("协议投资")
    )
    event = IdFilter(field_name="event_id", label=_("签约活动"))
    official = django_filters.CharFilter(field_name="official", lookup_expr="icontains", label=_("责任领导"))
    light = django_filters.ChoiceFilter(method="filter_light", choices=Light.choices, label=_("红黄绿灯"))
    duplicate = django_filters.ChoiceFilter(
        field_name="duplicate_status",
        choices=[c for c in DuplicateStatus.choices if c[0]],
        label=_("查重"),
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by", choices=[(k, v[0]) for k, v in SORTS.items()], label=_("排序")
    )

    class Meta:
        model = Project
        fields = [
            "q",
            "zone",
            "stage",
            "industry",
            "source_region",
            "park",
            "band",
            "event",
            "official",
            "light",
            "duplicate",
            "sort",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(investor__name__icontains=value) | Q(code__icontains=value)
        )

    def filter_industry(self, queryset, name, value):
        # A section letter or a code prefix selects the branch: C = manufacturing, 38 = its division 38.
        value = value.strip().upper()
        if len(value) == 1 and value.isalpha():
            return queryset.filter(
                Q(industry__code=value)
                | Q(industry__parent__code=value)
                | Q(industry__parent__parent__code=value)
                | Q(industry__parent__parent__parent__code=value)
            )
        return queryset.filter(industry__code__startswith=value)

    def filter_band(self, queryset, name, value):
        _label, low, high = BANDS[value]
        if low is not None:
            queryset = queryset.filter(agreed_investment__gte=low)
        if high is not None:
            queryset = queryset.filter(agreed_investment__lt=high)
        return queryset

    def filter_light(self, queryset, name, value):
        return queryset.filter(light_q(value))

    def sort_by(self, queryset, name, value):
        return queryset  # applied by `sorted_qs`, after every filter

    def sorted_qs(self):
        rows = self.qs  # validates the form; a bad value of one filter leaves the others applied
        key = self.form.cleaned_data.get("sort") if self.is_bound else None
        return rows.order_by(*SORTS[key or DEFAULT_SORT][1])
