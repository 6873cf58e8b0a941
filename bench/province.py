"""The synthetic province of bench/indicators_province.py: zones, parks, enterprises, periods, approved
reports and department figures, written in bulk one zone at a time. Not timed; see that script."""

import math
import random
import sys
from decimal import Decimal

FORM_CODE = "ind-monthly"
FIRST_YEAR = 2022
PARKS = ("core", "north", "south")
# Class codes (GB/T 4754) in sections B, C and D: the industry breakdowns get several divisions.
INDUSTRY_CODES = ("3841", "1711", "2614", "3311", "3891", "2511", "4411", "3011", "1311", "0610")
# The ten headline indicators: every ENT indicator the generated fields feed (growth where it has
# one), then the bulletin's department figures that lead it, entered as department figures.
DEPT_HEADLINE = ("GDP", "IND_VA", "FAI")
RESTATED_SHARE = 0.03  # last-year figures restated against what was approved then


def period_codes(months: int) -> list[str]:
    """Monthly reporting periods of months 2022-01…: January is reported with February (1-2月)."""
    codes = []
    for i in range(months):
        year, month = FIRST_YEAR + i // 12, i % 12 + 1
        if month != 1:
            codes.append(f"{year}-{month:02d}")
    return codes


# ---------------------------------------------------------------------------------------------------
# Synthetic figures, in integer units of each field's last decimal so that every sum is exact.

SEASON = (0.70, 0.75, 0.95, 1.00, 1.02, 1.08, 0.98, 0.97, 1.03, 1.05, 1.10, 1.37)
RATIOS = {  # a field's monthly flow as a share of gross output: (low, high)
    "gross_output": (1.0, 1.0),
    "sales_output": (0.93, 1.02),
    "export_value": (0.0, 0.35),
    "revenue": (0.95, 1.10),
    "cost": (0.80, 0.92),
    "operating_profit": (0.02, 0.12),
    "non_op_income": (0.0, 0.01),
    "non_op_expense": (0.0, 0.01),
    "total_profit": (0.02, 0.12),
    "taxes": (0.01, 0.05),
    "receivables": (1.0, 3.0),  # a stock: months of output outstanding at period end
    "electricity": (0.02, 0.2),  # 万千瓦时 per 千元, roughly
    "energy": (0.005, 0.05),
    "employees": (0.002, 0.006),
    "rd_spending": (0.0, 0.05),
}


def firm_rows(rng: random.Random, fields, years: range):
    """One enterprise's reported figures: {(year, month): {field code: (cumulative, last year)}} for
    every month of `years`, in integer units. Flows are cumulative within the year (1–本月); stocks are
    the period-end figure. Last year is the previous year's figure as approved then, a few restated."""
    scale = min(200_000.0, max(2_000.0, rng.lognormvariate(math.log(8_000), 0.8)))  # 千元 a month
    growth = {}
    level = 1.0
    for year in range(years.start - 1, years.stop):  # one year before the first, for its last-year
        growth[year] = level
        level *= rng.uniform(0.93, 1.18)
    ratios = [(f, rng.uniform(*RATIOS.get(f.code, (0.01, 0.5))) * 10**f.decimals) for f in fields]
    noise = {(y, m): rng.uniform(0.9, 1.1) for y in growth for m in range(12)}
    reported: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
    cumulative = {}  # (year, month) → {code: figure}
    for year in growth:
        running = dict.fromkeys((f.code for f in fields), 0)
        for m in range(12):
            base = scale * growth[year] * SEASON[m] * noise[(year, m)]
            figures = {}
            for f, ratio in ratios:
                units = round(base * ratio)
                if f.aggregation == "flow":
                    running[f.code] += units
                    figures[f.code] = running[f.code]
                else:
                    figures[f.code] = units
            cumulative[(year, m + 1)] = figures
    for year in years:
        for month in range(2, 13):
            now, before = cumulative[(year, month)], cumulative[(year - 1, month)]
            restate = rng.random() < RESTATED_SHARE
            reported[(year, month)] = {
                code: (value, round(before[code] * rng.uniform(0.97, 1.03)) if restate else before[code])
                for code, value in now.items()
            }
    return reported


# ---------------------------------------------------------------------------------------------------


def setup(args):
    """Province, zones, parks, enterprises, periods, approved reports and department figures."""
    from django.db import transaction
    from django.utils import timezone

    from jushi.accounts.choices import Role
    from jushi.accounts.models import User
    from jushi.core.bulk import insert_rows
    from jushi.core.commanding import ActorCommand
    from jushi.indicators.models import DeptFigure, Indicator
    from jushi.lib import uscc
    from jushi.lib.periods import Period
    from jushi.registry.models import Enterprise, Industry, Park, Region, SizeMembership, UserScope, Zone
    from jushi.reporting.choices import Status
    from jushi.reporting.models import ReportForm, ReportingPeriod, Submission, Value
    from jushi.reporting.services.periods import window

    if Zone.objects.filter(code="bench-001").exists():
        sys.exit("the database already holds a benchmark run (zone “bench-001”); give an empty database")
    system = ActorCommand().actor("system")
    form = ReportForm.objects.get(code=FORM_CODE)
    fields = list(form.fields.all())[: args.fields]
    codes = period_codes(args.months)
    latest = codes[-1]
    years = range(FIRST_YEAR, int(latest[:4]) + 1)
    now = timezone.now()
    counts = {}

    region, _ = Region.objects.get_or_create(
        code="650000", defaults={"name": "新疆维吾尔自治区", "level": "province"}
    )
    industries = list(Industry.objects.filter(code__in=INDUSTRY_CODES).values_list("pk", flat=True))
    if not industries:
        sys.exit("none of the benchmark's industry codes is in the registry; is migrate complete?")
    with transaction.atomic():
        zones = Zone.objects.bulk_create(
            Zone(
                code=f"bench-{z:03d}",
                name=f"基准测试第{z:03d}开发区",
                level="provincial",
                kind="etdz",
                region=region,
                is_synthetic=True,
            )
            for z in range(1, args.zones + 1)
        )
        zones = list(Zone.objects.filter(code__startswith="bench-").order_by("code"))
        Park.objects.bulk_create(
            Park(zone=z, code=p, name=f"{z.name}{p}园", is_synthetic=True) for z in zones for p in PARKS
        )
        parks = {z.pk: [] for z in zones}
        for pk, zone_id in Park.objects.filter(zone__in=zones).values_list("pk", "zone_id"):
            parks[zone_id].append(pk)
        rng = random.Random(args.seed)
        Enterprise.objects.bulk_create(
            (
                Enterprise(
                    zone=zones[i % len(zones)],
                    park_id=rng.choice(parks[zones[i % len(zones)].pk]),
                    industry_id=rng.choice(industries),
                    name=f"基准测试{i:06d}有限公司",
                    credit_code=uscc.complete(f"91650000{i:09d}"),
                    is_synthetic=True,
                )
                for i in range(args.enterprises)
            ),
            batch_size=2000,
        )
        by_zone = {z.pk: [] for z in zones}
        for pk, zone_id in (
            Enterprise.objects.filter(zone__in=zones).order_by("pk").values_list("pk", "zone_id")
        ):
            by_zone[zone_id].append(pk)
        counts["size memberships"] = insert_rows(
            SizeMembership,
            ["enterprise", "year", "note"],
            ((e, y, "") for ids in by_zone.values() for e in ids for y in years),
        )
        periods = []
        for z in zones:
            for code in codes:
                opens_at, deadline = window(form, Period.parse(code))
                periods.append(
                    ReportingPeriod(form=form, zone=z, code=code, opens_at=opens_at, deadline=deadline)
                )
        ReportingPeriod.objects.bulk_create(periods, batch_size=2000)
        counts["reporting periods"] = len(periods)

    # One approved report per enterprise and period, except one report of the first zone's latest
    # period: submitted and waiting for approval (the timed approval approves it).
    period_ids = {
        (zone_id, code): pk
        for pk, zone_id, code in ReportingPeriod.objects.filter(form=form).values_list(
            "pk", "zone_id", "code"
        )
    }
    waiting_enterprise = by_zone[zones[0].pk][0]
    sub_columns = [
        "period", "enterprise", "status", "revision", "version", "submitted_at", "submitted_by",
        "first_submitted_at", "reviewed_at", "reviewed_by", "return_reason", "correction_reason",
        "reminder_count", "is_synthetic", "created", "updated",
    ]  # fmt: skip
    value_columns = [
        "submission", "field", "current", "last_year", "approved_current", "approved_last_year", "revision"
    ]  # fmt: skip
    rng = random.Random(args.seed + 1)
    values = submissions = 0
    waiting_key = (zones[0].pk, waiting_enterprise, latest)
    for z in zones:
        ids = by_zone[z.pk]
        with transaction.atomic():

            def waiting(e, code, zone_id=z.pk):
                return (zone_id, e, code) == waiting_key

            submissions += insert_rows(
                Submission,
                sub_columns,
                (
                    (
                        period_ids[(z.pk, code)], e,
                        Status.SUBMITTED if waiting(e, code) else Status.APPROVED,
                        1, 1, now, system.pk, now,
                        None if waiting(e, code) else now, None if waiting(e, code) else system.pk,
                        "", "", 0, True, now, now,
                    )
                    for e in ids
                    for code in codes
                ),
            )  # fmt: skip
            sub_id = {
                (pid, e): pk
                for pk, pid, e in Submission.objects.filter(period__zone=z).values_list(
                    "pk", "period_id", "enterprise_id"
                )
            }
            rows = []
            for e in ids:
                reported = firm_rows(rng, fields, years)
                for code in codes:
                    key = (int(code[:4]), int(code[5:]))
                    sid = sub_id[(period_ids[(z.pk, code)], e)]
                    approve = not waiting(e, code)
                    for f in fields:
                        cur, ly = reported[key][f.code]
                        cur, ly = cur / 10**f.decimals, ly / 10**f.decimals
                        rows.append(
                            (sid, f.pk, cur, ly, cur if approve else None, ly if approve else None, 1)
                        )
            values += insert_rows(Value, value_columns, rows)
            del rows
    counts["submissions"] = submissions
    counts["values"] = values

    dept = list(Indicator.objects.filter(code__in=DEPT_HEADLINE))
    rng = random.Random(args.seed + 2)
    figures = []
    for z in zones:
        size = len(by_zone[z.pk]) * 8_000 * 12 * 1e-5  # 亿元 a year, about the zone's output
        for ind in dept:
            share = {"GDP": 0.45, "IND_VA": 0.25, "FAI": 0.30}.get(ind.code, 0.2) * rng.uniform(0.7, 1.3)
            for code in codes:
                month = int(code[5:])
                value = Decimal(f"{size * share * month / 12:.4f}")
                growth = Decimal(f"{rng.uniform(-0.02, 0.12):.4f}")
                figures.append(
                    DeptFigure(
                        zone=z,
                        indicator=ind,
                        period=code,
                        value=value,
                        last_year=(value / (1 + growth)).quantize(Decimal("0.0001")),
                        official_growth=growth if ind.growth_method == "OFF" else None,
                        caliber="自然口径",
                        source="import",
                        is_synthetic=True,
                    )
                )
    DeptFigure.objects.bulk_create(figures, batch_size=2000)
    counts["department figures"] = len(figures)

    user = User.objects.create_user("bench-province", role=Role.REGIONAL)
    UserScope.objects.create(user=user, all_zones=True)
    waiting_submission = Submission.objects.get(
        period_id=period_ids[(zones[0].pk, latest)], enterprise_id=waiting_enterprise
    )
    return {
        "system": system,
        "user": user,
        "zones": zones,
        "fields": fields,
        "codes": codes,
        "latest": latest,
        "counts": counts,
        "waiting": waiting_submission,
    }


def headline(fields) -> tuple[list, list]:
    """(the 10 headline indicators in catalog order, the ENT ones among them the raw SQL can answer)."""
    from jushi.indicators.models import Indicator

    field_codes = {f.code for f in fields}
    ent = [
        i
        for i in Indicator.objects.filter(source="ENT", is_active=True, form_code=FORM_CODE)
        if i.field_code in field_codes
    ]
    chosen = ent[: 10 - len(DEPT_HEADLINE)]
    chosen += list(Indicator.objects.filter(code__in=DEPT_HEADLINE))[: 10 - len(chosen)]
    chosen.sort(key=lambda i: (i.order, i.code))
    return chosen, [i for i in chosen if i.source == "ENT"]
