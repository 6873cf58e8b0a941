"""Demo monthly reports for the Kashgar EDZ, 2023-02 … 2024-07 (synthetic, labelled `is_synthetic`).

Every enterprise of the demo's above-size set files the monthly industrial form (ind-monthly). The
figures are synthetic; they are calibrated so that the one published aggregate holds: gross industrial
output of the above-size set grew 30.6% in H1 2024, same-caliber (DOMAIN.md section 2), over the approved
reports with a last-year value — which, in 2024-06, is every enterprise of the frame. Enterprises enter
and leave the set between 2023 and 2024 (from the registry demo), so the naive growth differs. Every
report carries its last-year value (an enterprise new to the set reports its small output of a year
earlier), and each enterprise's cumulative output rises month by month in both years. 盛跃恒昌's annual
output is near 1.2 亿元, as reported.

The demo runs as of 2024-07-20 (jushi.core.clock.DEMO_DATE). Every period up to 2024-06 is complete and
approved; one 2024-05 report came in after its deadline (the board's 逾期后补报). 2024-07 (1-7月) is the
cycle in progress, so the board and the queue have something to show: its statistics staff opened it
for early filling on 2024-07-17, the day after June's deadline (the form's own window opens on
2024-08-01), and it is due 2024-08-16 12:00, so none of its reports is late yet. 盛跃恒昌 (`qiye`) has a
draft, two reports are returned with a reason (one of them 长盛纺织's, `qiye2`), two wait for review
with their warnings explained, and the rest have not started.

After loading, the zone-level plausibility check runs over every period; what it flags (small fields
such as exports, where one of a few exporters makes most of the change) is marked reviewed with a demo
note, so nothing waits for review in the demo's published periods.
"""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from jushi.core.choices import ChangeSource
from jushi.core.commanding import ActorCommand
from jushi.lib.periods import Period, period_range
from jushi.registry.models import Enterprise, UserScope, Zone

from .checks import Checker
from .choices import EventKind, Status
from .models import CheckResult, ReportForm, ReportingPeriod, Submission, SubmissionEvent, Value, ValueChange
from .services.history import histories
from .services.periods import open_period
from .services.plausibility import refresh_flags, review_flag

ZONE = "kashgar-edz"
FORM = "ind-monthly"
CURRENT = "2024-07"  # the cycle in progress on the demo date, 2024-07-20
EARLY_OPENING = dt.datetime(2024, 7, 17, tzinfo=ZoneInfo("Asia/Shanghai"))
REVIEW_NOTE = "演示:已与企业核对台账,数据属实(合成数据)"
TARGET_GROWTH = Decimal("0.306")  # 规上工业总产值 H1 2024, same caliber (seed report)
SHENGYUE = "新疆盛跃恒昌锂业有限公司"
CHANGSHENG = "喀什市长盛纺织科技有限公司"
MONTH_WEIGHT = {
    1: 0.7,
    2: 0.75,
    3: 1.0,
    4: 1.0,
    5: 1.05,
    6: 1.1,
    7: 1.0,
    8: 1.0,
    9: 1.05,
    10: 1.05,
    11: 1.1,
    12: 1.2,
}
ONE = Decimal("0.1")
TWO = Decimal("0.01")

# Output scale (annual gross output, 千元) by industry class.
SCALE = {
    "3841": (40_000, 220_000),
    "2613": (60_000, 300_000),
    "3985": (50_000, 250_000),
    "3091": (40_000, 160_000),
    "3974": (30_000, 150_000),
    "3951": (30_000, 120_000),
    "3922": (20_000, 90_000),
    "3961": (15_000, 60_000),
    "1711": (25_000, 90_000),
    "1771": (20_000, 60_000),
    "1819": (20_000, 50_000),
    "3770": (25_000, 80_000),
}


def _q(value: float | Decimal, places: Decimal = ONE) -> Decimal:
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


def _monthly_output(rng: random.Random, enterprise: Enterprise, years: list[int]) -> dict[int, list[float]]:
    """Own monthly gross output (千元) for 2023 and 2024, before calibration."""
    low, high = SCALE.get(enterprise.industry.code if enterprise.industry else "", (20_000, 80_000))
    annual_2023 = rng.uniform(low, high)
    if enterprise.name == SHENGYUE:
        annual_2023 = 95_000  # grows to about 1.2 亿元 a year in 2024
    in_2023, in_2024 = 2023 in years, 2024 in years
    growth = rng.uniform(0.05, 0.55)
    # The threshold is 20 million yuan of main-business revenue a year (20,000 千元).
    if in_2024 and not in_2023:  # grew above the threshold in 2024
        annual_2023 = rng.uniform(6_000, 18_000)
        growth = max(rng.uniform(0.3, 1.5), 24_000 / annual_2023 - 1)
    if in_2023 and not in_2024:  # fell below it in 2024
        annual_2023 = rng.uniform(21_000, 32_000)
        growth = min(rng.uniform(-0.5, -0.2), 17_000 / annual_2023 - 1)
    out = {}
    for year, level in ((2023, annual_2023), (2024, annual_2023 * (1 + growth))):
        out[year] = [level / 12 * MONTH_WEIGHT[m] * rng.uniform(0.93, 1.07) for m in range(1, 13)]
    return out


def _figures(rng: random.Random, monthly: list[float], upto: int, mix: dict) -> dict[str, Decimal]:
    """Cumulative figures 1–`upto` month from own monthly output, every field consistent with the rules."""
    go = sum(monthly[:upto])
    sales = go * mix["sales"]
    revenue = sales * mix["revenue"]
    cost = revenue * mix["cost"]
    op_profit = revenue - cost - revenue * mix["expenses"]
    non_in = revenue * 0.002
    non_out = revenue * 0.001
    figures = {
        "gross_output": _q(go),
        "sales_output": _q(sales),
        "export_value": _q(sales * mix["export"]),
        "revenue": _q(revenue),
        "cost": _q(cost),
        "operating_profit": _q(op_profit),
        "non_op_income": _q(non_in),
        "non_op_expense": _q(non_out),
        "taxes": _q(revenue * 0.032),
        "receivables": _q(revenue / upto * 2.4),
        "electricity": _q(go * mix["power"], TWO),
        "energy": _q(go * mix["power"] * 1.229, TWO),
        "employees": Decimal(mix["employees"]),
        "rd_spending": _q(revenue * mix["rd"]),
    }
    figures["total_profit"] = (
        figures["operating_profit"] + figures["non_op_income"] - figures["non_op_expense"]
    )
    return figures


def _mix(rng: random.Random) -> dict:
    return {
        "sales": rng.uniform(0.93, 1.02),
        "revenue": rng.uniform(1.0, 1.06),
        "cost": rng.uniform(0.78, 0.9),
        "expenses": rng.uniform(0.04, 0.12),
        "export": rng.choice([0, 0, 0, 0.03, 0.06, 0.1]),
        "power": rng.uniform(0.0015, 0.004),
        "rd": rng.uniform(0.005, 0.03),
        "employees": rng.randint(60, 900),
    }


@transaction.atomic
def load(stdout, *, password: str) -> list[tuple[str, str]]:
    form = ReportForm.objects.get(code=FORM)
    zone = Zone.objects.filter(code=ZONE).first()
    if zone is None:
        return []
    if Submission.objects.filter(period__form=form, period__zone=zone).exists():
        stdout.write("企业直报:演示报表已存在,未改动")
        return []
    rng = random.Random(20240716)
    actor = ActorCommand().actor("system")
    enterprises = list(
        Enterprise.objects.filter(zone=zone, size_memberships__year__in=[2023, 2024])
        .distinct()
        .select_related("industry")
        .prefetch_related("size_memberships")
        .order_by("name")
    )
    reporters = {
        s.enterprise_id: s.user
        for s in UserScope.objects.filter(enterprise__isnull=False).select_related("user")
    }
    plan = {}
    for e in enterprises:
        years = e.size_years()
        plan[e.pk] = {"years": years, "monthly": _monthly_output(rng, e, years), "mix": _mix(rng)}

    # 2024-07: who ends up where. 2024-06 and every earlier period are approved in full.
    set_2024 = [e for e in enterprises if 2024 in plan[e.pk]["years"]]
    by_name = {e.name: e for e in set_2024}
    others = [e for e in set_2024 if e.name not in (SHENGYUE, CHANGSHENG)]
    rng.shuffle(others)
    roles = {}
    if SHENGYUE in by_name:
        roles[by_name[SHENGYUE].pk] = "draft"
    if CHANGSHENG in by_name:
        roles[by_name[CHANGSHENG].pk] = "returned"
    for e, role in zip(others, ["returned", "submitted", "submitted", "draft"], strict=False):
        roles[e.pk] = role
    late_in_may = others[4].pk if len(others) > 4 else None  # sent 2024-05 after its deadline

    # Two reports restate last year's output by 3% (the >1% check flags them, explained).
    approved = sorted(set_2024, key=lambda e: e.name)
    restated = {e.pk for e in approved[:2]}
    # Calibrate 2024 output so that H1 2024 same-caliber growth over the approved reports of 2024-06
    # (all of the frame) is 30.6%: this year's H1 over last year's H1 as reported now.
    now_sum = sum(sum(plan[e.pk]["monthly"][2024][:6]) for e in approved)
    base_sum = sum(sum(plan[e.pk]["monthly"][2023][:6]) * (1.03 if e.pk in restated else 1) for e in approved)
    factor = (1 + float(TARGET_GROWTH)) * base_sum / now_sum
    for p in plan.values():
        p["monthly"][2024] = [v * factor for v in p["monthly"][2024]]

    periods = period_range(Period.parse("2023-02"), Period.parse(CURRENT))
    values, changes, events, checks, to_check = [], [], [], [], []
    checker = Checker.for_form(form, zone.pk)
    fields = {f.code: f for f in form.fields.all()}
    for period in periods:
        row, _ = open_period(actor=actor, form=form, zone=zone, period=period)
        current_period = period.code == CURRENT
        if current_period:  # opened for early filling the day after June's deadline (see above)
            row.opens_at = EARLY_OPENING
            row.save(update_fields=["opens_at"])
        deadline = row.deadline
        subs = list(row.submissions.select_related("enterprise"))
        for s in subs:
            p = plan[s.enterprise_id]
            role = roles.get(s.enterprise_id, "pending") if current_period else "approved"
            if period.code == "2024-05" and s.enterprise_id == late_in_may:
                role = "late_approved"
            year = period.year
            mine = _figures(rng, p["monthly"][year], period.end_month, p["mix"])
            last = _figures(rng, p["monthly"][year - 1], period.end_month, p["mix"]) if year == 2024 else None
            if last is None:  # 2022 as reported in 2023: a little below 2023
                last = {k: _q(v / Decimal("1.12")) if k != "employees" else v for k, v in mine.items()}
                last["total_profit"] = (
                    last["operating_profit"] + last["non_op_income"] - last["non_op_expense"]
                )
            if 2023 not in p["years"] and year == 2024 and sum(p["monthly"][2023]) == 0:
                last = dict.fromkeys(last, Decimal(0))
            if s.enterprise_id in restated and year == 2024:
                last["gross_output"] = _q(last["gross_output"] * Decimal("1.03"))
            s.is_synthetic = True
            if role == "pending":
                continue
            if current_period:  # sent between the early opening and the demo date
                submitted_at = EARLY_OPENING + dt.timedelta(days=rng.randint(0, 1), hours=rng.randint(9, 18))
            else:
                submitted_at = deadline - dt.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 8))
            if role == "late_approved":
                submitted_at = deadline + dt.timedelta(days=2, hours=3)
            user = reporters.get(s.enterprise_id)
            for code, field in fields.items():
                cur, ly = mine[code], last[code]
                approved_now = role in ("approved", "late_approved")
                values.append(
                    Value(
                        submission=s,
                        field=field,
                        current=cur,
                        last_year=ly,
                        approved_current=cur if approved_now else None,
                        approved_last_year=ly if approved_now else None,
                    )
                )
            changes.append(
                ValueChange(
                    submission=s,
                    revision=1,
                    changes={
                        c: {"current": [None, f"{mine[c]}"], "last_year": [None, f"{last[c]}"]}
                        for c in fields
                    },
                    user=user,
                    user_name=user.username if user else "",
                    time=submitted_at - dt.timedelta(hours=1),
                    source=ChangeSource.DEMO,
                    reason="演示数据(合成)",
                )
            )
            if role == "draft":
                s.status = Status.DRAFT
                events.append(_ev(s, EventKind.SAVED, user, submitted_at, "保存草稿(演示)"))
                continue
            s.submitted_at = s.first_submitted_at = submitted_at
            s.submitted_by = user
            events.append(_ev(s, EventKind.SUBMITTED, user, submitted_at, ""))
            if period.code >= "2024-05":  # the checks as they ran, with explanations, for recent reports
                to_check.append((row, s, mine, last))
            if role == "submitted":
                s.status = Status.SUBMITTED
                continue
            reviewed_at = submitted_at + dt.timedelta(hours=rng.randint(2, 40 if not current_period else 12))
            s.reviewed_at = reviewed_at
            if role == "returned":
                s.status = Status.RETURNED
                s.return_reason = (
                    "工业用电量较上月变化与产值不匹配,请与供电公司抄表数核对后重报"
                    if s.enterprise.name == CHANGSHENG
                    else "营业收入同比增幅与产值增幅差距较大,请核实营业收入是否含非主营收入"
                )
                events.append(_ev(s, EventKind.RETURNED, None, reviewed_at, s.return_reason, name="tongji"))
                continue
            s.status = Status.APPROVED
            events.append(_ev(s, EventKind.APPROVED, None, reviewed_at, "", name="tongji"))
        Submission.objects.bulk_update(
            subs,
            [
                "status",
                "submitted_at",
                "first_submitted_at",
                "submitted_by",
                "reviewed_at",
                "return_reason",
                "is_synthetic",
            ],
        )
    Value.objects.bulk_create(values, batch_size=2000)
    by_period: dict = {}  # one history read per period for all its checked reports, not one a report
    for row, s, _, _ in to_check:
        by_period.setdefault(row.pk, (row, []))[1].append(s.enterprise_id)
    history_of = {
        (row.pk, enterprise): h
        for row, ids in by_period.values()
        for enterprise, h in histories(form, row, ids).items()
    }
    for row, s, mine, last in to_check:  # the checks as they ran when these were sent, with explanations
        history = history_of[(row.pk, s.enterprise_id)]
        for f in checker.run(mine, last, history):
            checks.append(
                CheckResult(
                    submission=s,
                    rule_id=f.rule_id,
                    key=f.key,
                    field_code=f.field_code,
                    severity=f.severity,
                    message=f.message[:500],
                    explanation=_explain(f.rule_code),
                )
            )
    ValueChange.objects.bulk_create(changes, batch_size=2000)
    SubmissionEvent.objects.bulk_create(events, batch_size=2000)
    CheckResult.objects.bulk_create(checks, batch_size=2000)
    tongji = _user("tongji")
    if tongji is not None:
        Submission.objects.filter(period__zone=zone, reviewed_at__isnull=False).update(reviewed_by=tongji)
        SubmissionEvent.objects.filter(
            Q(kind=EventKind.APPROVED) | Q(kind=EventKind.RETURNED), actor__isnull=True, actor_name="tongji"
        ).update(actor=tongji)
    flagged = _review_flags(zone, form, tongji or actor)
    stdout.write(
        f"企业直报:{len(periods)} 期月报({periods[0].code} 至 {periods[-1].code}),"
        f"{Submission.objects.filter(period__zone=zone).count()} 份报表(合成数据);"
        f"合理性核实 {flagged} 条,已按演示核实"
    )
    return []


def _review_flags(zone, form, reviewer) -> int:
    """Run the plausibility check over every period and mark what it flags reviewed, with a demo note."""
    count = 0
    for row in ReportingPeriod.objects.filter(zone=zone, form=form).order_by("code"):
        for flag in refresh_flags(row, source=ChangeSource.DEMO):
            review_flag(actor=reviewer, flag=flag, note=REVIEW_NOTE, source=ChangeSource.DEMO)
            count += 1
    return count


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _ev(submission, kind, user, time, note, *, name=""):
    return SubmissionEvent(
        submission=submission,
        kind=kind,
        time=time,
        actor=user,
        actor_name=user.username if user else name,
        revision=1,
        note=note,
        source=ChangeSource.DEMO,
    )


EXPLANATIONS = {
    "yoy_30": "新生产线投产,订单增加(演示说明)",
    "month_swing_30": "本月集中交付订单(演示说明)",
    "last_year_restated": "上年数据经统计局联审调整(演示说明)",
    "sales_ratio": "年中备货,库存增加(演示说明)",
    "unit_scale": "上年同期尚处试生产阶段(演示说明)",
}


def _explain(rule_code: str) -> str:
    return EXPLANATIONS.get(rule_code, "已核实(演示说明)")
