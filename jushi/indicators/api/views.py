"""/api/indicators/: the indicator catalog, the computed values (Result rows) and the annual targets,
read-only.

Values and targets start from the zones the user may view (`Zone.objects.restrict(user, "view")`).
Enterprise reporters get none, although that gives them their enterprise's zone: a park or industry
breakdown over a handful of enterprises shows the other enterprises' figures, and a reporter sees
nothing of another enterprise. The catalog is the same for every signed-in user.
"""

import datetime as dt
from decimal import Decimal
from functools import lru_cache

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BrowsableAPIRenderer

from jushi.core import scopes
from jushi.core.bulk import raw_values, to_decimal
from jushi.core.renderers import FastJSONRenderer
from jushi.lib.growth import percent
from jushi.lib.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError
from jushi.registry.models import Zone

from ..choices import Scope
from ..engine import stored_period
from ..models import Indicator, Publication, PublishedFigure, Result, Target
from ..publishing import current_periods
from . import serializers

# Filters --------------------------------------------------------------------------------------------


class PeriodField(forms.CharField):
    """Any period the one parser reads (2024H1, 2024Q2, 2024-06, 2024), cleaned to the cumulative month
    code results are stored under, so 2024H1 and 2024-06 find the same rows."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value or value == "all":  # all: every period (without a period, each zone's current one)
            return ""
        try:
            return stored_period(value)
        except PeriodError as exc:
            raise forms.ValidationError("%(reason)s", code="invalid", params={"reason": str(exc)}) from None


class PeriodFilter(django_filters.CharFilter):
    field_class = PeriodField


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class CodeInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """One code or several separated by commas: GDP,IND_GO."""


division_validator = RegexValidator(r"^\d{2}$", _("行业应为两位数字的国民经济行业大类代码,如 38"))


class ResultFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))
    indicator = CodeInFilter(field_name="indicator__code", label=_("指标代码;多个用逗号分隔,如 GDP,IND_GO"))
    scope = django_filters.ChoiceFilter(
        choices=Scope.choices, label=_("范围:zone 开发区合计、park 园区、industry 行业;不填为全部")
    )
    park = django_filters.CharFilter(method="filter_park", label=_("园区代码(只返回该园区的分组结果)"))
    industry = django_filters.CharFilter(
        method="filter_industry",
        validators=[division_validator],
        label=_("行业大类代码,两位数字(只返回该行业的分组结果)"),
    )
    period = PeriodFilter(field_name="period", label=_("报告期"))
    year = YearFilter(method="filter_year", min_value=MIN_YEAR, max_value=MAX_YEAR, label=_("年度"))

    class Meta:
        model = Result
        fields = ["zone", "indicator", "scope", "park", "industry", "period", "year"]

    def filter_park(self, queryset, name, value):
        return queryset.filter(scope=Scope.PARK, scope_key=value)

    def filter_industry(self, queryset, name, value):
        return queryset.filter(scope=Scope.INDUSTRY, scope_key=value)

    def filter_year(self, queryset, name, value):
        return queryset.filter(period__startswith=f"{value}-")  # stored codes are months: 2024-06


class TargetFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))
    indicator = CodeInFilter(field_name="indicator__code", label=_("指标代码;多个用逗号分隔,如 GDP,IND_GO"))
    year = YearFilter(field_name="year", min_value=MIN_YEAR, max_value=MAX_YEAR, label=_("年度"))

    class Meta:
        model = Target
        fields = ["zone", "indicator", "year"]


# Views ----------------------------------------------------------------------------------------------


INDICATOR_PARAMETER = OpenApiParameter(
    "indicator",
    OpenApiTypes.STR,
    many=True,
    explode=False,
    style="form",
    description="指标代码;多个用逗号分隔,如 GDP,IND_GO",
)


class ZoneScopedMixin:
    """Rows of the zones the user may view; none for an enterprise reporter (see the module docstring)."""

    def get_queryset(self):
        user = self.request.user
        if scopes.scope_of(user).enterprise_id is not None:
            return self.queryset.none()
        return self.queryset.filter(zone__in=Zone.objects.restrict(user, "view"))


@extend_schema_view(
    list=extend_schema(
        summary="指标目录",
        description="默认只列启用的指标,按目录顺序。",
        parameters=[
            OpenApiParameter(
                "all", OpenApiTypes.BOOL, description="为 1 或 true 时也列出停用的指标", required=False
            )
        ],
    ),
    retrieve=extend_schema(
        summary="一个指标(按代码,停用的也可查)",
        description="指标的来源(企业报表、部门数据、项目台账或公式)、单位、汇总方式和增速的算法。",
    ),
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicator catalog: where each figure comes from, how it adds up and how growth is measured."""

    queryset = Indicator.objects.all()
    serializer_class = serializers.IndicatorSerializer
    lookup_field = "code"

    def get_queryset(self):
        queryset = super().get_queryset().visible_to(self.request.user)
        if self.action == "list" and self.request.query_params.get("all", "").lower() not in (
            "1",
            "true",
            "yes",
        ):
            queryset = queryset.filter(is_active=True)
        return queryset


class ResultPages(PageNumberPagination):
    """50 rows a page unless `page_size` asks for up to 1,000 (all zones × 10 indicators in one answer)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        """When the first page holds the whole answer (a province in one 1,000-row page), its length is
        the count: no COUNT query. Any other page is paged as DRF pages it."""
        size = self.get_page_size(request)
        if size and request.query_params.get(self.page_query_param, "1") in ("1", ""):
            rows = list(queryset[0 : size + 1])
            self.request = request
            if len(rows) <= size:
                self.page = DjangoPaginator(rows, size).page(1)
            else:  # more pages: the count is asked for, the first page is already here
                self.page = Page(rows[:size], 1, DjangoPaginator(queryset, size))
            return list(self.page)
        return super().paginate_queryset(queryset, request, view)


_FIGURES = (
    "value", "last_year", "growth", "change", "units", "frame_units", "blank_base_units", "coverage",
    "month_value", "month_last_year", "month_growth",
)  # fmt: skip
_FAST_FIELDS = (
    "zone_id", "zone__code", "zone__name", "scope", "scope_key", "indicator_id", "indicator__code",
    "indicator__name", "indicator__unit", "period", "growth_method", "price_basis", "computed", *_FIGURES,
)  # fmt: skip


@lru_cache(maxsize=512)
def _period_label(code: str) -> str:
    return Period.parse(code).label


def _text(value):
    return None if value is None else f"{value.normalize():f}"


def _pct_text(rate):
    pct = percent(rate)
    return None if pct is None else f"{pct:f}"  # always one decimal, as the serializer: "21.0"


@extend_schema_view(
    list=extend_schema(
        summary="指标数值",
        description=(
            "引擎算出的指标结果:开发区合计及按园区、行业大类的分组,按开发区、指标目录顺序、报告期排列。"
            "数值为十进制字符串;growth 为小数,growth_pct 为四舍五入到一位小数的百分数,"
            "增速口径见 growth_method,价格见 price_basis。只含用户有权查看的开发区;企业填报员没有。"
        ),
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                description=(
                    "报告期,任一写法:2024H1、2024Q2、2024-06、2024;按累计到的月份匹配,"
                    "2024H1 与 2024-06 是同一批结果,全年即 12 月。不填 period 和 year 时为各开发区的当前报告期"
                    "(最近发布的,否则最近已过报送截止的);all 为全部报告期。"
                    '无法识别时返回 400({"period": [原因]})'
                ),
                examples=[
                    OpenApiExample("上半年", value="2024H1"),
                    OpenApiExample("1-6月", value="2024-06"),
                    OpenApiExample("二季度", value="2024Q2"),
                ],
            ),
            INDICATOR_PARAMETER,
            OpenApiParameter("year", OpenApiTypes.INT, description="年度:该年全部报告期"),
            OpenApiParameter(
                "live",
                OpenApiTypes.BOOL,
                description="为 1 时返回实时计算结果;默认已发布的报告期返回最新一版发布的数据",
            ),
        ],
    )
)
class ResultViewSet(ZoneScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Result.objects.select_related("zone", "indicator").order_by(
        "zone__code", "indicator__order", "indicator__code", "period", "scope", "scope_key"
    )
    serializer_class = serializers.ResultSerializer  # documents the rows; list() builds them the same way
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]
    filterset_class = ResultFilterSet
    pagination_class = ResultPages

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        params = self.request.query_params
        if not params.get("period") and not params.get("year"):
            # Each zone's current period (latest published, else latest past its deadline); period=all
            # or a year for more.
            zone_ids = set(queryset.values_list("zone_id", flat=True).distinct())
            wanted = Q(pk__in=[])
            for zone_id, period in current_periods(zone_ids).items():
                wanted |= Q(zone_id=zone_id, period=period.code)
            queryset = queryset.filter(wanted)
        return queryset

    def list(self, request, *args, **kwargs):
        """The serializer's rows, built from plain tuples: a provincial page of 1,000 rows is the
        dashboard of a whole province, and DRF's per-field machinery would take most of its time.

        Published figures by default: a row of a published period carries the latest revision's
        figures (and its number); `live=1` gives the live computation, with `published` still naming
        the revision so that a difference can be seen."""
        queryset = self.filter_queryset(self.get_queryset()).values_list(*_FAST_FIELDS)
        rows = self.paginate_queryset(RawRows(queryset))
        live = request.query_params.get("live", "").lower() in ("1", "true", "yes")
        publications = _latest_publications({(row[0], row[9]) for row in rows})
        frozen = {} if live else _frozen_figures(publications.values(), {(row[5], row[3]) for row in rows})
        local = timezone.get_current_timezone()
        times: dict = {}  # a refresh stamps all its rows alike: write each time once
        out = []
        for (
            zone_id, zone, zone_name, scope, key, indicator_id, code, name, unit, period, method, basis, computed,
            *figures,
        ) in rows:  # fmt: skip
            publication = publications.get((zone_id, period))
            source = "live"
            if publication is not None and not live:
                published = frozen.get((publication[0], indicator_id, scope, key))
                if published is not None:
                    figures, source = published, "published"
            value, last_year, rate, change, units, frame, blank, coverage, month, month_before, month_rate = (
                figures
            )
            rate, month_rate = _decimal(rate, RATE), _decimal(month_rate, RATE)
            out.append(
                {
                    "zone": zone,
                    "zone_name": zone_name,
                    "scope": scope,
                    "scope_key": key,
                    "indicator": code,
                    "indicator_name": name,
                    "unit": unit,
                    "period": period,
                    "period_label": _period_label(period),
                    "value": _dtext(value, AMOUNT),
                    "last_year": _dtext(last_year, AMOUNT),
                    "growth": _text(rate),
                    "growth_pct": _pct_text(rate),
                    "change": _dtext(change, AMOUNT),
                    "growth_method": method,
                    "price_basis": basis,
                    "units": units,
                    "frame_units": frame,
                    "blank_base_units": blank,
                    "coverage": _dtext(coverage, SHARE),
                    "provisional": frame is not None and (units or 0) < frame,
                    "month_value": _dtext(month, AMOUNT),
                    "month_last_year": _dtext(month_before, AMOUNT),
                    "month_growth": _text(month_rate),
                    "month_growth_pct": _pct_text(month_rate),
                    "published": publication[1] if publication is not None else None,
                    "source": source,
                    "computed": times[computed]
                    if computed in times
                    else times.setdefault(computed, _iso(computed, local)),
                }
            )
        return self.get_paginated_response(out)


# Where each figure's decimals stop (the model's decimal_places): a float from SQLite is read as Django's
# converter reads it, 15 significant digits quantized to them.
AMOUNT, RATE, SHARE = (
    Decimal(1).scaleb(-Result._meta.get_field(name).decimal_places)
    for name in ("value", "growth", "coverage")
)


def _dtext(value, places: Decimal) -> str | None:
    """`_text(_decimal(value, places))` in one step: most figures are only written out."""
    if value is None:
        return None
    if type(value) is float or type(value) is int:
        value = to_decimal(value).quantize(places)
    return f"{value.normalize():f}"


def _decimal(value, places: Decimal):
    if type(value) is float or type(value) is int:
        return to_decimal(value).quantize(places)
    return value


class RawRows:
    """A values_list queryset paged as the driver returns its rows (no per-cell converters: 1,000 rows
    × 11 figures would spend most of the answer in them); decimals go through `to_decimal`, which gives
    the value Django's converter would."""

    ordered = True

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        try:
            return list(raw_values(self.queryset[index]))
        except EmptyResultSet:  # a filter that matches nothing (no zone has a current period)
            return []


def _iso(moment, local) -> str | None:
    """A datetime as the driver gave it (naive UTC from SQLite) as DRF's DateTimeField writes it: in the
    current time zone, ISO 8601, "Z" for UTC. A thousand rows a page: DRF's field is too slow for it."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    text = moment.astimezone(local).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _latest_publications(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, int]]:
    """(zone id, period) → (publication id, revision) of the latest revision, for the pairs on a page."""
    if not pairs:
        return {}
    zones, periods = {z for z, _ in pairs}, {p for _, p in pairs}
    latest: dict[tuple[int, str], tuple[int, int]] = {}
    for pk, zone_id, period, revision in Publication.objects.filter(
        zone_id__in=zones, period__in=periods
    ).values_list("pk", "zone_id", "period", "revision"):
        if (zone_id, period) not in latest or revision > latest[(zone_id, period)][1]:
            latest[(zone_id, period)] = (pk, revision)
    return latest


def _frozen_figures(publications, wanted: set[tuple[int, str]]) -> dict[tuple, list]:
    """The published figures of the page's rows: (publication, indicator, scope, key) → figures."""
    ids = [pk for pk, _ in publications]
    if not ids:
        return {}
    figures = PublishedFigure.objects.filter(
        publication_id__in=ids,
        indicator_id__in={indicator for indicator, _ in wanted},
        scope__in={scope for _, scope in wanted},
    ).values_list("publication_id", "indicator_id", "scope", "scope_key", *_FIGURES)
    return {
        (publication, indicator, scope, key): rest
        for publication, indicator, scope, key, *rest in raw_values(figures)
    }


@extend_schema_view(
    list=extend_schema(
        summary="年度目标",
        description="用户有权查看的开发区的年度目标;企业填报员没有。",
        parameters=[INDICATOR_PARAMETER, OpenApiParameter("year", OpenApiTypes.INT, description="年度")],
    )
)
class TargetViewSet(ZoneScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Target.objects.select_related("zone", "indicator").order_by(
        "zone__code", "-year", "indicator__order", "indicator__code"
    )
    serializer_class = serializers.TargetSerializer
    filterset_class = TargetFilterSet
