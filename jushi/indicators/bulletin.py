"""The period's bulletin paragraph (经济运行简报), written from stored results in NBS wording.

One clause per bulletin indicator that has data, in catalog order: the amount where there is one, then
its change by the indicator's method — a rate (增长/下降, 倍), words when last year's base is not
positive (由亏转盈, 减亏…), percentage points for a ratio, units for a count. Indicators without data
for the period are left out, never written as zero. The project ledger's signings and 亿元 projects
are phrased as bulletins phrase them: 新签订招商引资合同项目20个,总投资58.8亿元;新建亿元以上项目26个,同比增长30%.
"""

from decimal import Decimal

from jushi.lib import wording
from jushi.lib.periods import Period
from jushi.registry.models import Zone

from .choices import GrowthMethod, Scope
from .engine import stored_period
from .models import Result


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


def clause(result: Result) -> str | None:
    """One indicator's clause, e.g. "地区生产总值54.4亿元,同比增长14.3%"; None when there is nothing to say."""
    indicator = result.indicator
    method = result.growth_method
    amount = None
    if result.value is not None:
        if indicator.unit == "%":
            amount = f"{wording.amount_text(result.value, '', 1)}%"
        elif indicator.decimals == 0:
            amount = wording.count_text(result.value.quantize(Decimal(1)), indicator.unit)
        else:
            amount = wording.amount_text(result.value, indicator.unit, indicator.decimals)
    change = change_words(result)
    if change is not None and method not in (GrowthMethod.POINTS, GrowthMethod.UNITS):
        change = "同比" + change
    elif change is not None:
        change = "比上年同期" + change
    if amount is None and change is None:
        return None
    if amount is None:
        return f"{indicator.name}{change}"
    return f"{indicator.name}{amount}" + (f",{change}" if change else "")


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


def bulletin(zone: Zone, period: Period | str) -> str:
    """The paragraph for a zone and period; the period is named as given (2024H1 → 2024年上半年)."""
    period = Period.parse(period) if isinstance(period, str) else period
    results = (
        Result.objects.filter(
            zone=zone,
            scope=Scope.ZONE,
            period=stored_period(period),
            indicator__is_active=True,
            indicator__in_bulletin=True,
        )
        .select_related("indicator")
        .order_by("indicator__order", "indicator__code")
    )
    results = list(results)
    investment = _investment({r.indicator.code: r for r in results if r.indicator.code in INVESTMENT_CODES})
    clauses = []
    for result in results:
        code = result.indicator.code
        text = investment.get(code) if code in INVESTMENT_CODES else clause(result)
        if text:
            clauses.append(text)
    more = [text for text in (f(zone, period) for f in _SENTENCES.values()) if text]
    if not clauses:
        head = f"{period.label},{zone.name}暂无可发布的指标数据。"
    else:
        head = f"{period.label},{zone.name}" + ";".join(clauses) + "。"
    return head + "".join(f"{text}。" for text in more)
