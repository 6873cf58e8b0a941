"""The LEDGER indicator source: funds in place, signings and 亿元 projects computed from the ledger.

Registered with the indicator engine in `ProjectsConfig.ready`, so the engine never imports this app.
Every figure is cumulative from January 1 to the end of the period, compared with the same span a year
earlier (natural caliber: the same definition both years):

- INV_FUND      evidenced funds in place (bank receipt, capital verification, equipment invoice;
                self-reported amounts are shown by grade but not counted), 亿元
- INV_FUND_OUT  the part of it from outside the province or abroad, 亿元
- INV_SIGN_N    projects signed (a suspected or merged duplicate is not counted), 个
- INV_SIGN_AMT  their agreed total investment as it stood at the period's end (contract changes count
                from their effective date), 亿元
- INV_BIG_N     signed projects of 1 亿元 or more (agreed investment at the period's end), 个
- INV_BIG_START projects of 1 亿元 or more started (新建亿元以上项目), 个

Each comes with parts by functional area and industry division, as the ENT figures do.
"""

import datetime as dt
import threading
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum

from jushi.core import clock
from jushi.indicators.choices import Scope
from jushi.indicators.sources import Figures, division_of
from jushi.lib.indicator_math import Pair
from jushi.lib.periods import Period
from jushi.registry.models import Industry, Park

from .choices import BIG_PROJECT, COUNTED, EVIDENCED, OUTSIDE
from .models import FundsRecord, Project

YI = Decimal(10000)  # 万元 in one 亿元
CODES = ("INV_FUND", "INV_FUND_OUT", "INV_SIGN_N", "INV_SIGN_AMT", "INV_BIG_N", "INV_BIG_START")
AMOUNTS = {"INV_FUND", "INV_FUND_OUT", "INV_SIGN_AMT"}


def _span(period: Period) -> tuple[dt.date, dt.date]:
    return period.start, period.end


def _measures(zone, start: dt.date, end: dt.date) -> dict[str, dict[tuple[str, str], Decimal]]:
    """code → {(scope, key): total} for one span, with (zone, "") the zone's total; plus row counts
    under ("units", "")."""
    out: dict[str, dict] = {code: defaultdict(Decimal) for code in CODES}

    def add(code, park, industry, amount):
        bucket = out[code]
        bucket[(Scope.ZONE, "")] += amount
        if park:
            bucket[(Scope.PARK, park)] += amount
        if industry:
            bucket[(Scope.INDUSTRY, division_of(industry))] += amount

    funds = (  # read from the covering index alone; area and industry ids are named below
        FundsRecord.objects.filter(zone=zone, on__gte=start, on__lte=end, evidence__in=EVIDENCED)
        .values("park_id", "industry_id", "source_region")
        .annotate(total=Sum("amount"), n=Count("amount"))
        .order_by()
    )
    funds = list(funds)
    parks = dict(Park.objects.filter(pk__in={r["park_id"] for r in funds}).values_list("pk", "code"))
    industries = dict(
        Industry.objects.filter(pk__in={r["industry_id"] for r in funds}).values_list("pk", "code")
    )
    for row in funds:
        park, industry = parks.get(row["park_id"]), industries.get(row["industry_id"])
        add("INV_FUND", park, industry, row["total"])
        out["INV_FUND"][("units", "")] += row["n"]
        if row["source_region"] in OUTSIDE:
            add("INV_FUND_OUT", park, industry, row["total"])
            out["INV_FUND_OUT"][("units", "")] += row["n"]
    # Agreed investment as it stood at the span's end: a contract change effective later does not move
    # a closed period's figures.
    counted = Project.objects.filter(zone=zone, duplicate_status__in=COUNTED).with_agreed_as_of(end)
    signed = (
        counted.filter(signed_on__gte=start, signed_on__lte=end)
        .values("park__code", "industry__code")
        .annotate(
            n=Count("id"),
            amount=Sum("agreed_then"),
            big=Count("id", filter=Q(agreed_then__gte=BIG_PROJECT)),
        )
        .order_by()
    )
    for row in signed:
        park, industry = row["park__code"], row["industry__code"]
        add("INV_SIGN_N", park, industry, Decimal(row["n"]))
        add("INV_SIGN_AMT", park, industry, row["amount"] or Decimal(0))
        add("INV_BIG_N", park, industry, Decimal(row["big"]))
        for code in ("INV_SIGN_N", "INV_SIGN_AMT"):
            out[code][("units", "")] += row["n"]
        out["INV_BIG_N"][("units", "")] += row["big"]
    started = (
        counted.filter(started_on__gte=start, started_on__lte=end, agreed_then__gte=BIG_PROJECT)
        .values("park__code", "industry__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in started:
        add("INV_BIG_START", row["park__code"], row["industry__code"], Decimal(row["n"]))
        out["INV_BIG_START"][("units", "")] += row["n"]
    return out


def _has_activity(zone, start: dt.date, end: dt.date, cache: dict | None = None) -> bool:
    """Whether the ledger holds anything dated in the span: without it last year is unknown, not 0.
    Asked once per span and computation (every LEDGER indicator of a period asks the same)."""
    if cache is not None:
        key = ("ledger-activity", zone.pk, start, end)
        if key not in cache:
            cache[key] = _has_activity(zone, start, end)
        return cache[key]
    if FundsRecord.objects.filter(zone=zone, on__gte=start, on__lte=end).exists():
        return True
    return (
        Project.objects.filter(zone=zone)
        .filter(
            Q(signed_on__gte=start, signed_on__lte=end)
            | Q(started_on__gte=start, started_on__lte=end)
            | Q(lead_on__gte=start, lead_on__lte=end)
        )
        .exists()
    )


def ledger_measures(zone, period: Period, cache: dict | None = None):
    """(this year's measures, last year's or None) for a zone and period, read once per computation."""
    cache = {} if cache is None else cache
    key = ("ledger", zone.pk, period.code)
    if key not in cache:
        now = _measures(zone, *_span(period))
        last = period.last_year()
        before = _measures(zone, *_span(last)) if _has_activity(zone, *_span(last), cache) else None
        cache[key] = (now, before)
    return cache[key]


def _keeps_a_ledger(zone, cache: dict | None) -> bool:
    """Whether the zone has any project or funds record at all (asked once per computation): a zone
    without a ledger has no ledger figures, and its rebuild should not ask six questions a period."""
    key = ("ledger-kept", zone.pk)
    if cache is not None and key in cache:
        return cache[key]
    kept = Project.objects.filter(zone=zone).exists() or FundsRecord.objects.filter(zone=zone).exists()
    if cache is not None:
        cache[key] = kept
    return kept


def ledger_figures(indicator, zone, period: Period, cache: dict | None = None) -> Figures | None:
    if indicator.code not in CODES:
        return None  # a LEDGER indicator a zone added without a ledger definition has no figure
    if not _keeps_a_ledger(zone, cache):
        return None
    now, before = ledger_measures(zone, period, cache)
    values = now[indicator.code]
    earlier = before[indicator.code] if before is not None else None
    if not values and not earlier:
        if not _has_activity(zone, *_span(period), cache if cache is not None else {}):
            return None
    scale = Decimal(1) / YI if indicator.code in AMOUNTS else Decimal(1)
    total = values.get((Scope.ZONE, ""), Decimal(0)) * scale
    last_total = None if earlier is None else earlier.get((Scope.ZONE, ""), Decimal(0)) * scale
    parts = {}
    for key in set(values) | set(earlier or {}):
        if key[0] in (Scope.PARK, Scope.INDUSTRY):
            parts[key] = Pair(
                values.get(key, Decimal(0)) * scale,
                None if earlier is None else earlier.get(key, Decimal(0)) * scale,
            )
    units = int(values.get(("units", ""), 0))
    return Figures(total, last_total, units=units, parts=parts)


def periods_with_activity(zone) -> set[str]:
    """Month codes the ledger has figures for: every cumulative month (from 1–2月, as the statistics
    combine January with February) of each year from the first dated record to the latest one."""
    funds = FundsRecord.objects.filter(zone=zone).aggregate(first=Min("on"), last=Max("on"))
    projects = Project.objects.filter(zone=zone).aggregate(
        first_signed=Min("signed_on"),
        last_signed=Max("signed_on"),
        first_started=Min("started_on"),
        last_started=Max("started_on"),
    )
    firsts = [d for d in (funds["first"], projects["first_signed"], projects["first_started"]) if d]
    lasts = [d for d in (funds["last"], projects["last_signed"], projects["last_started"]) if d]
    if not firsts:
        return set()
    first, last = min(firsts), min(max(lasts), clock.today())
    codes = set()
    for year in range(first.year, last.year + 1):
        end = last.month if year == last.year else 12
        codes |= {Period.month(year, m).code for m in range(2, end + 1)}
    return codes


def affected_periods(zone, dates) -> list[Period]:
    """The periods whose cumulative figures a change dated on `dates` moves: from each date's month to
    the year end, that year and the next (where it is last year's figure)."""
    from jushi.indicators import engine

    months = {(d.year, d.month) for d in dates if d}
    out = []
    for period in engine.periods_with_data(zone):
        for year, month in months:
            if period.year in (year, year + 1) and period.end_month >= month:
                out.append(period)
                break
    return out


_pending = threading.local()  # zone pk → (zone, dates) changed in the current transaction


def _refresh_pending() -> None:
    from jushi.indicators import engine

    pending, _pending.zones = getattr(_pending, "zones", None) or {}, None
    for zone, dates in pending.values():
        cache: dict = {}
        for period in affected_periods(zone, dates):  # every later month of the year is among them
            engine.refresh(zone, period, cache=cache, following=False)


def refresh_later(zone, dates) -> None:
    """After the transaction commits, recompute the zone's results the change touches. Changes in one
    transaction (an import of many rows) share one refresh of each period they touch."""
    dates = [d for d in dates if d]
    if not dates:
        return
    if getattr(_pending, "zones", None) is None:
        _pending.zones = {}
    _pending.zones.setdefault(zone.pk, (zone, set()))[1].update(dates)
    # Every change registers the callback; the first to run after the commit does all the work and the
    # rest find nothing left. (What a rolled-back change left behind is recomputed too: harmless.)
    transaction.on_commit(_refresh_pending)
