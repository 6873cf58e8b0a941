"""Kashgar demo ledger, calibrated to the seed report (H1 2024) and labelled synthetic elsewhere.

Published (seed, 喀什经开区 2024年上半年):
- 新签订招商引资合同项目20个、总投资58.8亿元 — the 20 projects signed in H1 2024 below sum to 588,000 万元;
- among them 中天智控 (1.5 亿元, drones) signed at the 8th China–Eurasia Expo's Kashgar session, and
  the 山东小蚁电动车 project; 12 video-display and smart-terminal projects, 20.05 亿元 in all, expected
  annual output 22.1 亿元; the 启迪冰雪文旅综合体, whose parcel was acquired (摘牌);
- 新疆金正实业集团's 2.5 亿元 smart logistics port under construction;
- 新建亿元以上项目26个、同比增长30% — 26 projects of ≥ 1 亿元 started in H1 2024, 20 in H1 2023;
- 招商引资到位资金58.32亿元、同比增长7.0% — evidenced funds of 583,200 万元 in H1 2024 and 545,000 万元
  in H1 2023 (last year's figure derived from the published growth).
Everything else — the other projects' names, amounts and dates, the 2022–2023 cohorts, the funds
records' split, milestones, problems, the second signing caught as a duplicate — is synthetic and
marked so (`is_synthetic`, notes). Rows are written directly (the demo is a loader; the services'
rules hold by construction and `tests/test_demo.py` checks them), then the zone is rebuilt once.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jushi.core.choices import ChangeSource
from jushi.indicators import engine
from jushi.indicators.choices import Source
from jushi.indicators.models import DeptFigure, Indicator, Target
from jushi.registry.models import Industry, Park, Zone

from .choices import DuplicateStatus, Evidence, ProblemStatus, SourceRegion, StageCode
from .models import (
    Event,
    FundsRecord,
    Investor,
    Milestone,
    MonthlyInvestment,
    Problem,
    Project,
    Stage,
    StageChange,
)

ZONE = "kashgar-edz"
SYNTHETIC = "合成数据(演示用,非公布数)"
D = dt.date
EXPO = "第八届中国—亚欧博览会喀什地区专场推介会"

# name, investor, park, industry, amount 万元, expected output 万元, signed, stage, dates {field: date}, note
PUBLISHED = [
    (
        "无人机装备制造项目",
        "中天智控科技控股股份有限公司",
        "equipment",
        "3963",
        15000,
        None,
        D(2024, 6, 26),
        "signed",
        {},
        "公布:第八届中国—亚欧博览会喀什地区专场推介会签约,投资1.5亿元,发展无人机产业",
    ),
    (
        "山东小蚁电动车生产项目",
        "山东小蚁电动车有限公司",
        "equipment",
        "3770",
        30000,
        None,
        D(2024, 6, 26),
        "signed",
        {},
        "公布:项目顺利签约;投资额、签约日期为合成值",
    ),
    (
        "启迪冰雪文旅综合体项目",
        "启迪冰雪体育发展有限公司",
        "logistics",
        "9020",
        80000,
        None,
        D(2024, 1, 15),
        "land",
        {"land_on": D(2024, 5, 20)},
        "公布:项目用地已摘牌,正加快推进建设;投资额、日期为合成值",
    ),
]
# The 12 video-display and smart-terminal projects: 200,500 万元, expected output 221,000 万元 (published
# totals); the split, names and dates are synthetic.
ELECTRONICS = [
    ("新型显示模组", "3974", 30000, 33000),
    ("Mini LED背光显示", "3974", 25000, 27500),
    ("智能电视整机", "3951", 22000, 24000),
    ("商用显示终端", "3974", 20000, 22000),
    ("车载显示屏", "3974", 18000, 20000),
    ("智能投影仪", "3953", 16500, 18000),
    ("智能手机组装", "3922", 15000, 16500),
    ("平板电脑", "3922", 14000, 15500),
    ("智能手表", "3961", 12000, 13500),
    ("液晶拼接屏", "3974", 11000, 12500),
    ("智能音箱", "3952", 9000, 10000),
    ("视频会议终端", "3922", 8000, 8500),
]
# The other five 2024 H1 signings (synthetic): 262,500 万元, so the 20 add up to 588,000.
OTHERS_2024 = [
    ("锂离子动力电池生产线", "new-energy", "3841", 100000, D(2024, 2, 28), D(2024, 5, 10)),
    ("储能电池PACK生产基地", "new-energy", "3841", 72500, D(2024, 3, 22), D(2024, 6, 5)),
    ("高档家纺生产项目", "textile", "1771", 30000, D(2024, 1, 30), D(2024, 4, 18)),
    ("农产品冷链物流中心", "logistics", "5930", 40000, D(2024, 2, 8), D(2024, 6, 20)),
    ("棉纺印染技改项目", "textile", "1713", 20000, D(2024, 5, 16), None),
]
BRANDS = "恒远 华拓 金川 瑞丰 鼎盛 宏图 天润 昆仑 北辰 新元 丝路 远航 兴业 博通 海纳 凯旋 万通 德润 佳禾 聚能".split()
PROVINCES = ["江苏省", "浙江省", "广东省", "山东省", "河南省", "湖北省", "上海市", "福建省"]


def _zone_parts(zone):
    parks = {p.code: p for p in Park.objects.filter(zone=zone)}
    industries = {i.code: i for i in Industry.objects.filter(level="class")}
    return parks, industries


class _Builder:
    def __init__(self, zone, rng):
        self.zone, self.rng = zone, rng
        self.parks, self.industries = _zone_parts(zone)
        self.stages = {s.code: s for s in Stage.objects.all()}
        self.order = [s.code for s in sorted(self.stages.values(), key=lambda s: s.order)]
        self.serial: dict[int, int] = {}
        self.changes: list[StageChange] = []

    def investor(self, name, region=""):
        investor = Investor.objects.filter(name=name).first()
        return investor or Investor.objects.create(name=name, region=region)

    def project(
        self,
        *,
        name,
        investor,
        park,
        industry,
        amount,
        signed,
        stage,
        dates=None,
        output=None,
        note="",
        synthetic=True,
        event=None,
        region=SourceRegion.OUT_PROVINCE,
        **extra,
    ):
        dates = dict(dates or {})
        lead_on = dates.pop("lead_on", signed - dt.timedelta(days=self.rng.randint(60, 200)))
        talks_on = dates.pop("talks_on", lead_on + dt.timedelta(days=self.rng.randint(2, 3)))
        year = lead_on.year
        self.serial[year] = self.serial.get(year, 0) + 1
        values = {"lead_on": lead_on, "talks_on": talks_on, "signed_on": signed, **dates}
        reached = self.order.index(stage)
        # dates of the stages the project passed, each after the one before
        previous = signed
        for code in self.order[3 : reached + 1]:
            field = self.stages[code].date_field
            if field not in values:
                values[field] = previous + dt.timedelta(days=self.rng.randint(40, 120))
            previous = values[field]
        if reached >= self.order.index("land"):
            extra.setdefault("parcel", f"KS{signed.year}-{self.rng.randint(10, 99)}")
            extra.setdefault("land_mu", Decimal(self.rng.randint(30, 300)))
        project = Project.objects.create(
            zone=self.zone,
            code=f"P{year}-{self.serial[year]:04d}",
            name=name,
            investor=investor,
            source_region=region,
            industry=self.industries.get(industry),
            park=self.parks.get(park),
            agreed_investment=Decimal(amount),
            fixed_asset_investment=(Decimal(amount) * Decimal("0.8")).quantize(Decimal(1)),
            expected_output=Decimal(output)
            if output
            else (Decimal(amount) * Decimal("1.2")).quantize(Decimal(1)),
            expected_tax=(Decimal(output or amount) * Decimal("0.05")).quantize(Decimal(1)),
            contract_no=f"KSEDZ-{signed.year}-{self.serial[year]:03d}",
            event=event,
            official="分管副主任(合成)",
            unit="招商局" if reached < self.order.index("started") else "项目办",
            stage=self.stages[stage],
            stage_entered_on=values[self.stages[stage].date_field],
            planned_start_on=signed + dt.timedelta(days=180),
            note=note or SYNTHETIC,
            is_synthetic=synthetic,
            **values,
            **extra,
        )
        previous_change = None
        for code in self.order[: reached + 1]:
            on = values[self.stages[code].date_field]
            change = StageChange(
                project=project,
                from_stage=self.stages[previous_change] if previous_change else None,
                to_stage=self.stages[code],
                on=on,
                actor_name="演示数据",
            )
            if self.changes and self.changes[-1].project is project:
                self.changes[-1].days = (on - self.changes[-1].on).days
            self.changes.append(change)
            previous_change = code
        return project


def _split_funds(rng, projects, total, start, end, evidence_weights):
    """Records summing exactly to `total` 万元 over the projects, each dated in [start, end] on or after
    its project's signing, never past a project's agreed investment."""
    room = {p.pk: p.agreed_investment - p._funds for p in projects}
    eligible = [p for p in projects if p.signed_on <= end and room[p.pk] > 0]
    weights = {p.pk: rng.uniform(0.5, 1.5) * float(p.agreed_investment) for p in eligible}
    scale = sum(weights.values())
    shares: dict[int, Decimal] = {}
    left = Decimal(total)
    for p in eligible:
        share = min(Decimal(int(total * weights[p.pk] / scale)), room[p.pk], left)
        shares[p.pk] = share
        left -= share
    for p in eligible:  # what rounding and caps left over goes where there is room
        if left <= 0:
            break
        more = min(room[p.pk] - shares[p.pk], left)
        shares[p.pk] += more
        left -= more
    assert left == 0, "demo funds do not fit the agreed investments"
    records = []
    kinds, kind_weights = zip(*evidence_weights, strict=True)
    for p in eligible:
        amount = shares[p.pk]
        if amount <= 0:
            continue
        first = max(start, p.signed_on)
        pieces = rng.randint(1, 3) if amount > 1000 else 1
        cuts = sorted(Decimal(int(amount * Decimal(rng.uniform(0.2, 0.8)))) for _ in range(pieces - 1))
        parts = [b - a for a, b in zip([Decimal(0), *cuts], [*cuts, amount], strict=True)]
        for part in parts:
            if part <= 0:
                continue
            on = first + dt.timedelta(days=rng.randint(0, max((end - first).days, 0)))
            records.append(
                FundsRecord(
                    zone_id=p.zone_id,
                    park_id=p.park_id,
                    industry_id=p.industry_id,
                    project=p,
                    on=on,
                    amount=part,
                    evidence=rng.choices(kinds, kind_weights)[0],
                    source_region=p.source_region,
                    note=SYNTHETIC,
                )
            )
        p._funds += amount
    return records


EVIDENCED_MIX = [(Evidence.BANK, 6), (Evidence.VERIFIED, 3), (Evidence.INVOICE, 2)]


def _ledger(zone) -> int:
    rng = random.Random(20240630)
    b = _Builder(zone, rng)
    expo = Event.objects.create(
        zone=zone,
        name=EXPO,
        held_on=D(2024, 6, 26),
        place="乌鲁木齐",
        note="公布:中天智控无人机项目在该推介会上签约落地",
    )
    spring = Event.objects.create(
        zone=zone,
        name="2024年喀什经开区春季招商推介会(合成)",
        held_on=D(2024, 3, 20),
        place="喀什",
        note=SYNTHETIC,
        is_synthetic=True,
    )
    autumn = Event.objects.create(
        zone=zone,
        name="2023年喀什地区招商引资推介会(合成)",
        held_on=D(2023, 5, 18),
        place="喀什",
        note=SYNTHETIC,
        is_synthetic=True,
    )
    projects: list[Project] = []
    brand = iter(BRANDS * 4)

    # 2022 cohort (synthetic): 20 projects of ≥ 1 亿元 signed in H2 2022, all started in H1 2023.
    for i in range(20):
        signed = D(2022, 7, 1) + dt.timedelta(days=rng.randint(0, 170))
        started = D(2023, 1, 10) + dt.timedelta(days=rng.randint(0, 165))
        stage = "full" if i < 6 else "producing" if i < 14 else "started"
        dates = {"land_on": signed + dt.timedelta(days=30), "started_on": started}
        if stage in ("producing", "full"):
            dates["produced_on"] = started + dt.timedelta(days=rng.randint(200, 330))
        if stage == "full":
            dates["full_on"] = dates["produced_on"] + dt.timedelta(days=rng.randint(90, 200))
            dates["full_on"] = min(dates["full_on"], D(2024, 6, 28))
            dates["produced_on"] = min(dates["produced_on"], dates["full_on"] - dt.timedelta(days=30))
        park, industry, kind = rng.choice(
            [
                ("new-energy", "3841", "锂电池"),
                ("textile", "1711", "纺纱"),
                ("electronics", "3974", "显示器件"),
                ("logistics", "5920", "仓储物流"),
                ("new-energy", "3985", "正极材料"),
            ]
        )
        name = next(brand)
        projects.append(
            b.project(
                name=f"{name}{kind}项目(合成)",
                investor=b.investor(f"{name}{kind}集团有限公司(合成)", rng.choice(PROVINCES)),
                park=park,
                industry=industry,
                amount=rng.randrange(30000, 70000, 500),
                signed=signed,
                stage=stage,
                dates=dates,
                region=SourceRegion.OUT_PROVINCE if i % 5 else SourceRegion.OUT_CITY,
            )
        )
    # 2023 cohort (synthetic): 30 projects; 17 signed in H1 2023, 13 in H2; 20 started in H1 2024,
    # among them 新疆金正实业集团's smart logistics port (published: 2.5 亿元, under construction).
    for i in range(30):
        signed = (
            (D(2023, 1, 5) + dt.timedelta(days=rng.randint(0, 170)))
            if i < 17
            else (D(2023, 7, 3) + dt.timedelta(days=rng.randint(0, 170)))
        )
        if i < 20:
            stage, dates = "started", {"started_on": D(2024, 1, 8) + dt.timedelta(days=rng.randint(0, 170))}
            dates["land_on"] = min(signed + dt.timedelta(days=40), dates["started_on"] - dt.timedelta(days=5))
            amount = rng.randrange(12000, 60000, 500)
        elif i < 24:  # signed in H2 2023, land acquired, not started by mid-2024
            stage, dates = "land", {"land_on": signed + dt.timedelta(days=20)}
            amount = rng.randrange(12000, 40000, 500)
        else:
            stage, dates, amount = rng.choice(["signed", "land"]), {}, rng.randrange(3000, 9500, 500)
        event = autumn if i < 5 else None
        if i == 0:
            project = b.project(
                name="开发区智慧物流港项目",
                investor=b.investor("新疆金正实业集团有限公司", "新疆维吾尔自治区"),
                park="logistics",
                industry="5920",
                amount=25000,
                signed=D(2023, 8, 18),
                stage="started",
                dates={"land_on": D(2023, 10, 12), "started_on": D(2024, 3, 16)},
                region=SourceRegion.OUT_CITY,
                note="公布:新疆金正实业集团总投资2.5亿元的开发区智慧物流港项目正在加快建设;签约、开工日期为合成值",
                synthetic=False,
            )
        else:
            park, industry, kind = rng.choice(
                [
                    ("new-energy", "3841", "锂电池"),
                    ("new-energy", "2613", "锂盐"),
                    ("textile", "1712", "织造"),
                    ("electronics", "3922", "智能终端"),
                    ("equipment", "3770", "电动车零部件"),
                    ("logistics", "7224", "供应链"),
                ]
            )
            name = next(brand)
            project = b.project(
                name=f"{name}{kind}项目(合成)",
                investor=b.investor(f"{name}{kind}有限公司(合成)", rng.choice(PROVINCES)),
                park=park,
                industry=industry,
                amount=amount,
                signed=signed,
                stage=stage,
                dates=dates,
                event=event,
            )
        projects.append(project)
    # 2024 H1: the 20 published signings.
    for name, investor, park, industry, amount, output, signed, stage, dates, note in PUBLISHED:
        projects.append(
            b.project(
                name=name,
                investor=b.investor(investor, "山东省" if "山东" in investor else ""),
                park=park,
                industry=industry,
                amount=amount,
                output=output,
                signed=signed,
                stage=stage,
                dates=dates,
                note=note,
                synthetic=False,
                event=expo if signed == expo.held_on else None,
            )
        )
    for i, (kind, industry, amount, output) in enumerate(ELECTRONICS):
        name = next(brand)
        signed = D(2024, 1, 20) + dt.timedelta(days=rng.randint(0, 150))
        stage, dates = (
            ("started", {"land_on": signed + dt.timedelta(days=15)}) if amount >= 25000 else ("signed", {})
        )
        if stage == "started":
            dates["started_on"] = D(2024, 4, 25) if i == 0 else D(2024, 5, 30)
            signed = min(signed, D(2024, 3, 10))
            dates["land_on"] = signed + dt.timedelta(days=15)
        projects.append(
            b.project(
                name=f"{name}{kind}项目",
                investor=b.investor(f"{name}电子科技有限公司(合成)", rng.choice(PROVINCES)),
                park="electronics",
                industry=industry,
                amount=amount,
                output=output,
                signed=signed,
                stage=stage,
                dates=dates,
                event=spring if i < 4 else None,
                note="公布:电子信息领域引进12家视频显示和智能终端类项目,总投资20.05亿元,预计年产值22.1亿元;"
                "单个项目名称、金额与日期为合成值",
            )
        )
    for name, park, industry, amount, signed, started in OTHERS_2024:
        b_name = next(brand)
        dates = {"land_on": signed + dt.timedelta(days=20), "started_on": started} if started else {}
        projects.append(
            b.project(
                name=f"{b_name}{name}(合成)",
                investor=b.investor(f"{b_name}实业有限公司(合成)", rng.choice(PROVINCES)),
                park=park,
                industry=industry,
                amount=amount,
                signed=signed,
                stage="started" if started else "signed",
                dates=dates,
            )
        )
    # The same drone project entered again by another department two days later: the guard flags it and
    # it is not counted (synthetic, to show the duplicate check).
    original = next(p for p in projects if p.investor.name.startswith("中天智控"))
    b.project(
        name="中天智控无人机产业园项目",
        investor=original.investor,
        park="equipment",
        industry="3963",
        amount=15000,
        signed=D(2024, 6, 28),
        stage="signed",
        dates={"lead_on": D(2024, 6, 20)},
        note="合成:项目办按地区推介会清单重复录入的同一项目,待招商局确认",
        duplicate_status=DuplicateStatus.FLAGGED,
        duplicate_of=original,
    )
    # Leads and talks in the pipeline (synthetic), for the kanban and the forecast.
    for i in range(14):
        name = next(brand)
        lead_on = D(2024, 4, 1) + dt.timedelta(days=rng.randint(0, 85))
        stage = "talks" if i % 2 else "lead"
        park, industry, kind = rng.choice(
            [
                ("new-energy", "3841", "固态电池"),
                ("electronics", "3974", "显示面板"),
                ("equipment", "3963", "无人机配套"),
                ("textile", "1819", "服装"),
                ("logistics", "5990", "跨境仓储"),
            ]
        )
        project = Project.objects.create(
            zone=zone,
            code=f"P2024-{900 + i}",
            name=f"{name}{kind}项目(合成)",
            investor=b.investor(f"{name}{kind}股份有限公司(合成)", rng.choice(PROVINCES)),
            source_region=SourceRegion.ABROAD if i == 3 else SourceRegion.OUT_PROVINCE,
            industry=b.industries.get(industry),
            park=b.parks.get(park),
            agreed_investment=Decimal(rng.randrange(5000, 80000, 1000)),
            official="分管副主任(合成)",
            unit="招商局",
            stage=b.stages[stage],
            stage_entered_on=lead_on if stage == "lead" else lead_on + dt.timedelta(days=3),
            lead_on=lead_on,
            talks_on=lead_on + dt.timedelta(days=3) if stage == "talks" else None,
            confidential=stage == "talks" and i % 4 == 1,
            note=SYNTHETIC,
            is_synthetic=True,
        )
        b.changes.append(
            StageChange(
                project=project,
                to_stage=b.stages["lead"],
                on=lead_on,
                actor_name="演示数据",
                days=3 if stage == "talks" else None,
            )
        )
        if stage == "talks":
            b.changes.append(
                StageChange(
                    project=project,
                    from_stage=b.stages["lead"],
                    to_stage=b.stages["talks"],
                    on=lead_on + dt.timedelta(days=3),
                    actor_name="演示数据",
                )
            )
    StageChange.objects.bulk_create(b.changes)

    # Funds in place, half-year by half-year (amounts in 万元).
    for p in projects:
        p._funds = Decimal(0)
    by_half = [
        (D(2022, 7, 1), D(2022, 12, 31), 260000, EVIDENCED_MIX),
        (D(2023, 1, 1), D(2023, 6, 30), 545000, EVIDENCED_MIX),  # derived from the published +7.0%
        (D(2023, 7, 1), D(2023, 12, 31), 512000, EVIDENCED_MIX),
        (D(2024, 1, 1), D(2024, 6, 30), 583200, EVIDENCED_MIX),  # published: 58.32 亿元
        (D(2024, 1, 1), D(2024, 6, 30), 36800, [(Evidence.SELF, 1)]),  # self-reported: not counted
    ]
    records = []
    for start, end, total, mix in by_half:
        records += _split_funds(rng, projects, total, start, end, mix)
    FundsRecord.objects.bulk_create(records, batch_size=500)
    for p in projects:
        if p._funds:
            Project.objects.filter(pk=p.pk).update(funds_in_place=p._funds)
    _schedule(zone, projects, rng)
    return len(projects) + 1 + 14


def _schedule(zone, projects, rng) -> None:
    """Milestones, monthly investment and problems for the key projects under construction."""
    key = [p for p in projects if p.stage.code == StageCode.STARTED and p.started_on >= D(2024, 1, 1)][:8]
    for n, p in enumerate(key):
        steps = [
            ("开工", p.started_on, p.started_on),
            ("主体结构封顶", p.started_on + dt.timedelta(days=150), None),
            ("设备进场", p.started_on + dt.timedelta(days=240), None),
            ("竣工投产", p.started_on + dt.timedelta(days=365), None),
        ]
        if n % 2 == 0:  # half of them topped out on time
            steps[1] = (steps[1][0], steps[1][1], steps[1][1] + dt.timedelta(days=rng.randint(-10, 12)))
        for name, planned, actual in steps:
            Milestone.objects.create(
                project=p, name=name, planned_on=planned, actual_on=actual, note=SYNTHETIC
            )
        month = D(p.started_on.year, p.started_on.month, 1)
        cumulative = Decimal(0)
        while month <= D(2024, 6, 1):
            planned = (p.agreed_investment * Decimal("0.06")).quantize(Decimal(1))
            actual = (planned * Decimal(rng.uniform(0.6, 1.1))).quantize(Decimal(1))
            cumulative += actual
            MonthlyInvestment.objects.create(
                project=p, month=f"{month:%Y-%m}", planned=planned, actual=actual
            )
            month = D(month.year + (month.month == 12), month.month % 12 + 1, 1)
    problems = [
        (
            "施工用电专线接入滞后",
            "供电公司对接人(合成)",
            "开发区经济发展局",
            D(2024, 5, 10),
            D(2024, 6, 30),
            None,
        ),
        ("环评批复待办理", "生态环境分局对接人(合成)", "生态环境分局", D(2024, 6, 1), D(2024, 7, 15), None),
        ("项目用工缺口约120人", "人社局对接人(合成)", "人社局", D(2024, 4, 20), D(2024, 6, 20), None),
        (
            "厂区道路未贯通",
            "建设局对接人(合成)",
            "规划建设局",
            D(2024, 3, 5),
            D(2024, 4, 30),
            "道路已于4月25日贯通",
        ),
        (
            "设备进口报关资料不全",
            "海关对接人(合成)",
            "喀什海关",
            D(2024, 4, 8),
            D(2024, 5, 8),
            "补齐资料,设备于5月6日通关",
        ),
        ("天然气管网接入", "燃气公司对接人(合成)", "城投公司", D(2024, 2, 20), D(2024, 4, 10), "管网已接通"),
    ]
    for (title, owner, unit, raised, due, resolution), p in zip(problems, key * 2, strict=False):
        Problem.objects.create(
            project=p,
            title=title,
            detail=SYNTHETIC,
            owner=owner,
            owner_unit=unit,
            raised_on=raised,
            due_on=due,
            status=ProblemStatus.RESOLVED if resolution else ProblemStatus.OPEN,
            resolution=resolution or "",
            resolved_on=due - dt.timedelta(days=5) if resolution else None,
        )


def load(stdout, *, password: str) -> list[tuple[str, str]]:
    zone = Zone.objects.filter(code=ZONE).first()
    if zone is None or Project.objects.filter(zone=zone).exists():
        return []
    with transaction.atomic():
        # The investment bureau's reported total stood in for the ledger until now; the ledger computes it.
        DeptFigure.objects.filter(
            zone=zone, indicator__source=Source.LEDGER, source=ChangeSource.DEMO
        ).delete()
        count = _ledger(zone)
        for code, value in (("INV_FUND", "120"), ("INV_SIGN_AMT", "100")):
            Target.objects.get_or_create(
                zone=zone,
                indicator=Indicator.objects.get(code=code),
                year=2024,
                defaults={"value": Decimal(value), "note": SYNTHETIC},
            )
    periods, rows = engine.rebuild(zone)
    # The open problems are long past due by now: escalate them as the daily job would.
    from jushi.core.commanding import ActorCommand

    from .services import escalate_overdue

    escalated = escalate_overdue(actor=ActorCommand().actor("system"), zone=zone, source=ChangeSource.DEMO)
    stdout.write(
        f"招商项目台账:{count} 个项目;重算 {periods} 个报告期共 {rows} 条指标结果;{len(escalated)} 个逾期问题已督办"
    )
    return []
