"""The period's bulletin paragraph (经济运行简报), written from stored results in NBS wording.

One clause per bulletin indicator that has data, in catalog order: the amount where there is one, then
its change by the indicator's method — a rate (增长/下降, 倍), words when last year's base is not
positive (由亏转盈, 减亏…), percentage points for a ratio, units for a count. Indicators without data
for the period are left out, never written as zero. The project ledger's signings and 亿元 projects
are phrased as bulletins phrase them: 新签订招商引资合同项目20个,总投资58.8亿元;新建亿元以上项目26个,同比增长30%.

A published period's paragraph is the frozen text of its latest revision (DOMAIN §3a); `live=True` asks
for the current computation, which opens with its coverage line while reports are still unapproved
(按已审核的21家企业计算,应报28家). A rate is compared with the previous cumulative period as the NBS writes
it (增速比1-5月加快2.4个百分点; 比一季度提高…), a loss is written 亏损0.16亿元, and an indicator whose
catalog entry asks for it gets its two-year average growth (geometric).
"""

from decimal import Decimal

from jushi.lib import growth, wording
from jushi.lib.indicator_math import two_year_average
from jushi.lib.periods import HALF, MONTH, QUARTER, YEAR, Period
from jushi.registry.models import Zone

from .choices import GrowthMethod, Scope
from .engine import stored_period
from .models import Result

# Compare with the previous cumulative period: months with the month before; quarters, the half-year
# and the year with the quarter before (上半年 against 一季度, 全年 against 前三季度).
_PREVIOUS_VERBS = {
    MONTH: ("加快", "回落"),
    QUARTER: ("提高", "回落"),
    HALF: ("提高", "回落"),
    YEAR: ("提高", "回落"),
}


def previous_cumulative(period: Period) -> Period | None:
    """The cumulative period a bulletin compares with: 2024-06 → 2024-05 (1-5月), 2024H1 → 2024Q1."""
    if period.kind == MONTH:
        return period.previous()
    if period.end_month <= 3:
        return None
    return Period.quarter(period.year, period.end_month // 3 - 1)


def _short_label(period: Period) -> str:
    return period.label.removeprefix(f"{period.year}年")


def change_words(result: Result) -> str | None:
    """How the figure changed, in NBS words: 增长14.3%, 提高0.5个百分点, 增加3家, or 由亏转盈 and the like
    when last year's base is not positive or this year's figure is a loss (no rate is printed then)."""
    method = result.growth_method
    if method == GrowthMethod.POINTS:
        return None if result.change is None else wording.pp_text(result.change / 100)
    if method == GrowthMethod.UNITS:
        return wording.count_change_text(result.value, result.last_year, result.indicator.unit)
    now, before = result.value, result.last_year
    if now is not None and before is not None and (before <= 0 or now < 0):
        return wording.profit_change_text(now, before)
    return wording.rate_text(result.growth)


def _is_rate(result) -> bool:
    """Whether the change is printed as a rate (not words, points or units)."""
    if result.growth is None or result.growth_method in (GrowthMethod.POINTS, GrowthMethod.UNITS):
        return False
    now, before = result.value, result.last_year
    return not (now is not None and before is not None and (before <= 0 or now < 0))


# The headline rates bulletins compare with the previous cumulative period: the statistics bureau's
# same-caliber industrial figures and its official rates (GDP, value added); ledger and finance totals
# are stated without it.
COMPARED_METHODS = (GrowthMethod.SAME_CALIBER, GrowthMethod.OFFICIAL)


def compared_with_previous(result, previous, period: Period) -> str | None:
    """增速比1-5月加快2.4个百分点: the difference of the two rates as printed (one decimal each), so a
    reader who subtracts the printed rates gets the printed points."""
    earlier = previous_cumulative(period)
    if earlier is None or previous is None or result.growth_method not in COMPARED_METHODS:
        return None
    if not _is_rate(result) or not _is_rate(previous):
        return None
    points = growth.percent(result.growth) - growth.percent(previous.growth)
    label = _short_label(earlier)
    if points == 0:
        return f"增速与{label}持平"
    up, down = _PREVIOUS_VERBS[period.kind]
    return f"增速比{label}{up if points > 0 else down}{abs(points)}个百分点"


def clause(result, *, previous=None, last_year=None, period: Period | None = None) -> str | None:
    """One indicator's clause, e.g. "地区生产总值54.4亿元,同比增长14.3%"; None when there is nothing to say.

    `previous` is the same indicator's figure for the previous cumulative period and `last_year` for the
    same period a year earlier (for the two-year average), when the caller has them."""
    indicator = result.indicator
    method = result.growth_method
    amount = None
    if result.value is not None:
        if indicator.unit == "%":
            amount = f"{wording.amount_text(result.value, '', 1)}%"
        elif indicator.decimals == 0:
            amount = wording.count_text(result.value.quantize(Decimal(1)), indicator.unit)
        elif result.value < 0:  # a loss is named, not signed: 亏损0.16亿元
            amount = "亏损" + wording.amount_text(-result.value, indicator.unit, indicator.decimals)
        else:
            amount = wording.amount_text(result.value, indicator.unit, indicator.decimals)
    change = change_words(result)
    if change is not None and method not in (GrowthMethod.POINTS, GrowthMethod.UNITS):
        change = "同比" + change
    elif change is not None:
        change = "比上年同期" + change
    more = []
    if period is not None and change is not None:
        compared = compared_with_previous(result, previous, period)
        if compared:
            more.append(compared)
    if (
        indicator.two_year_average
        and _is_rate(result)
        and last_year is not None
        and last_year.growth is not None
    ):
        average = two_year_average((1 + result.growth) * (1 + last_year.growth) - 1)
        if average is not None:
            more.append(f"两年平均{wording.rate_text(average)}")
    if amount is None and change is None:
        return None
    text = (
        f"{indicator.name}{change}"
        if amount is None
        else f"{indicator.name}{amount}" + (f",{change}" if change else "")
    )
    return ",".join([text, *more])


def _count_rate(rate: Decimal | None) -> str | None:
    """A count's growth as bulletins print it: "增长30%" (a whole percent needs no ".0")."""
    text = wording.rate_text(rate)
    return text.replace(".0%", "%") if text else None


def _investment(by_code: dict[str, Result]) -> dict[str, str]:
    """The investment clauses in the words bulletins use (新签订招商引资合同项目20个,总投资58.8亿元;
    新建亿元以上项目26个,同比增长30%), keyed by the indicator they stand in place of."""
    out: dict[str, str] = {}
    signed, amount = by_code.get("INV_SIGN_N"), by_code.get("INV_SIGN_AMT")
    if signed is not None and signed.value is not None:
        text = f"新签订招商引资合同项目{wording.count_text(signed.value.quantize(Decimal(1)), signed.indicator.unit)}"
        if amount is not None and amount.value is not None:
            text += f",总投资{wording.amount_text(amount.value, amount.indicator.unit, amount.indicator.decimals)}"
        out["INV_SIGN_N"] = text
    started = by_code.get("INV_BIG_START")
    if started is not None and started.value is not None:
        text = f"新建亿元以上项目{wording.count_text(started.value.quantize(Decimal(1)), started.indicator.unit)}"
        change = _count_rate(started.growth) if started.last_year else None
        out["INV_BIG_START"] = text + (f",同比{change}" if change else "")
    return out


INVESTMENT_CODES = {"INV_SIGN_N", "INV_SIGN_AMT", "INV_BIG_START"}

# Sentences higher apps add after the indicators' (the chains' 引进落地锂电产业企业31家…), by name.
_SENTENCES: dict = {}


def register_sentence(name: str, function) -> None:
    """Plug in a sentence: function(zone, period) → text without the final 。, or None."""
    _SENTENCES[name] = function


def _rows(zone: Zone, period: Period, live: bool) -> dict[int, object]:
    from .publishing import view_of

    return {r.indicator_id: r for r in view_of(zone, period, live=live).rows}


def bulletin(zone: Zone, period: Period | str, *, live: bool = False, as_published: bool = False) -> str:
    """The paragraph for a zone and period; the period is named as given (2024H1 → 2024年上半年).

    A published period gives its latest revision's text unless `live`; live text opens with the coverage
    line while reports are unapproved. `as_published` is the text being frozen by `publish`: computed
    live, compared with what was published for the periods before it."""
    from .publishing import coverage_line, coverage_of, latest_publication

    period = Period.parse(period) if isinstance(period, str) else period
    if not live and not as_published:
        published = latest_publication(zone, period)
        if published is not None:
            return published.bulletin
    results = [
        r
        for r in Result.objects.filter(
            zone=zone,
            scope=Scope.ZONE,
            period=stored_period(period),
            indicator__is_active=True,
            indicator__in_bulletin=True,
        )
        .select_related("indicator")
        .order_by("indicator__order", "indicator__code")
    ]
    earlier = previous_cumulative(period)
    # What readers saw for the earlier periods: their published figures where published.
    previous = _rows(zone, earlier, live and not as_published) if earlier is not None else {}
    year_before = (
        _rows(zone, period.last_year(), live and not as_published)
        if any(r.indicator.two_year_average for r in results)
        else {}
    )
    investment = _investment({r.indicator.code: r for r in results if r.indicator.code in INVESTMENT_CODES})
    clauses = []
    for result in results:
        code = result.indicator.code
        if code in INVESTMENT_CODES:
            text = investment.get(code)
        else:
            text = clause(
                result,
                previous=previous.get(result.indicator_id),
                last_year=year_before.get(result.indicator_id),
                period=period,
            )
        if text:
            clauses.append(text)
    more = [text for text in (f(zone, period) for f in _SENTENCES.values()) if text]
    if not clauses:
        head = f"{period.label},{zone.name}暂无可发布的指标数据。"
    else:
        head = f"{period.label},{zone.name}" + ";".join(clauses) + "。"
    line = coverage_line(coverage_of(zone, period))
    return (line or "") + head + "".join(f"{text}。" for text in more)
