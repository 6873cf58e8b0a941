import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jushi.core.models import ChangeLog

from .choices import EnterpriseStatus
from .models import Enterprise, Industry, Park, Zone


class YearFilter(django_filters.NumberFilter):
    """A calendar year 1900–2100; anything else (0, 1e30, 2**64, abc) is a 400 naming the filter, not a query."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        message = _("年份应在 1900–2100 之间")
        kwargs.update(
            min_value=1900,
            max_value=2100,
            error_messages={"invalid": message, "min_value": message, "max_value": message},
        )
        super().__init__(*args, **kwargs)


class ZoneFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))

    class Meta:
        model = Zone
        fields = ["level", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class ParkFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))

    class Meta:
        model = Park
        fields = ["zone", "kind"]


class IndustryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    # By code, as the API shows the parent; an unknown code is a 400, not an empty list.
    parent = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(),
        to_field_name="code",
        label=_("上级行业代码"),
        error_messages={"invalid_choice": _("未知的行业代码")},
    )

    class Meta:
        model = Industry
        fields = ["level", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class EnterpriseFilterSet(django_filters.FilterSet):
    """Shared by the enterprise list page, its export and /api/enterprises/."""

    q = django_filters.CharFilter(method="search", label=_("名称或信用代码"))
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))
    park = django_filters.CharFilter(field_name="park__code", label=_("园区代码"))
    industry = django_filters.CharFilter(method="filter_industry", label=_("行业代码(含下级)"))
    status = django_filters.MultipleChoiceFilter(choices=EnterpriseStatus.choices, label=_("状态"))
    size_year = YearFilter(method="filter_size_year", label=_("规上年份"))
    synthetic = django_filters.BooleanFilter(field_name="is_synthetic", label=_("合成数据"))
    batch = django_filters.CharFilter(method="filter_batch", label=_("导入批次"))

    class Meta:
        model = Enterprise
        fields = ["q", "zone", "park", "industry", "status", "size_year", "synthetic", "batch"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value.upper()))

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

    def filter_size_year(self, queryset, name, value):
        return queryset.filter(size_memberships__year=value).distinct()

    def filter_batch(self, queryset, name, value):
        touched = ChangeLog.objects.filter(
            batch=value, content_type=ContentType.objects.get_for_model(Enterprise)
        ).values_list("object_id", flat=True)
        return queryset.filter(pk__in=[int(pk) for pk in touched])
