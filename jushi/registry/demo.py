"""The Kashgar Economic Development Zone demo (H1 2024 news report), plus a clearly synthetic second zone.

Named in the seed report and kept as published: the zone, the 纺织家纺产业园, 喀什市长盛纺织科技有限公司,
新疆盛跃恒昌锂业有限公司 (entered 2022-09), 中天智控科技控股股份有限公司, and the shape of the lithium
chain (31 enterprises: 6 upstream materials, 23 battery makers, 2 supply-chain) and of the electronic-
information cluster (12 video-display and smart-terminal firms). Everything else is synthetic and flagged
`is_synthetic`; the credit codes of the named companies are synthetic too (their notes say so), and every
code passes the GB 32100 check. Loading is idempotent: existing records are left as they are.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from jushi.accounts.choices import Department, Role
from jushi.core.choices import ChangeSource
from jushi.core.commanding import ActorCommand
from jushi.lib import uscc

from .choices import EnterpriseStatus, ParkKind, RegionLevel, ZoneLevel, ZoneType
from .models import Enterprise, Industry, Park, Region, Zone
from .models.scopes import UserScope
from .services.enterprises import create_enterprise

KASHGAR = "kashgar-edz"
SYNTHETIC_ZONE = "demo-hitech"
CODE_NOTE = "统一社会信用代码为演示用合成值"

REGIONS = [
    ("650000", "新疆维吾尔自治区", RegionLevel.PROVINCE, None),
    ("653100", "喀什地区", RegionLevel.PREFECTURE, "650000"),
    ("653101", "喀什市", RegionLevel.COUNTY, "653100"),
    ("652900", "阿克苏地区", RegionLevel.PREFECTURE, "650000"),
    ("652901", "阿克苏市", RegionLevel.COUNTY, "652900"),
]

KASHGAR_PARKS = [
    # code, name, kind, leading industries, synthetic
    ("textile", "纺织家纺产业园", ParkKind.PARK, "纺织服装、家纺", False),
    ("new-energy", "新能源产业功能区", ParkKind.AREA, "锂电新能源、新能源汽车", True),
    ("electronics", "电子信息产业功能区", ParkKind.AREA, "视频显示、智能终端", True),
    ("equipment", "高端装备制造功能区", ParkKind.AREA, "无人机、电动车、装备制造", True),
    ("logistics", "商贸物流功能区", ParkKind.AREA, "现代物流、商贸、文旅", True),
]

# Words for synthetic names; combinations are checked against each other for uniqueness.
BRANDS = [
    "丝路",
    "昆仑",
    "帕米尔",
    "天山",
    "胡杨",
    "慕士塔格",
    "塔里木",
    "疏勒",
    "喀喇",
    "克孜",
    "西域",
    "雪莲",
    "金沙",
    "驼铃",
    "盘橐",
    "艾提",
    "香妃",
    "玉河",
    "明月",
    "石榴",
    "云岭",
    "远航",
    "恒远",
    "新锐",
    "博汇",
    "宏图",
    "华拓",
    "瑞丰",
    "锦程",
    "腾越",
    "晶耀",
    "聚能",
    "储能",
    "锐电",
    "赛锂",
    "极安",
    "安泰",
    "新程",
]

# (count, park, industry class, status, name pattern, group label)
SYNTHETIC_GROUPS = [
    (2, "new-energy", "2613", "锂盐", "{brand}锂盐化工有限公司", "锂电上游材料(合成)"),
    (2, "new-energy", "3985", "正极", "喀什{brand}正极材料有限公司", "锂电上游材料(合成)"),
    (1, "new-energy", "3091", "负极", "喀什{brand}负极材料有限公司", "锂电上游材料(合成)"),
    (1, "new-energy", "3985", "电解液", "新疆{brand}电解液有限公司", "锂电上游材料(合成)"),
    (22, "new-energy", "3841", "电池", "喀什{brand}新能源电池有限公司", "锂电池制造(合成)"),
    (2, "new-energy", "7224", "供应链", "喀什{brand}锂电供应链管理有限公司", "锂电供应链(合成)"),
    (5, "electronics", "3974", "显示", "喀什{brand}显示科技有限公司", "视频显示(合成)"),
    (3, "electronics", "3951", "电视", "喀什{brand}智能视听有限公司", "视频显示(合成)"),
    (2, "electronics", "3922", "终端", "喀什{brand}智能终端有限公司", "智能终端(合成)"),
    (2, "electronics", "3961", "穿戴", "喀什{brand}智能穿戴科技有限公司", "智能终端(合成)"),
    (4, "textile", "1711", "纺纱", "喀什{brand}纺织有限公司", "纺织(合成)"),
    (2, "textile", "1771", "家纺", "喀什{brand}家纺有限公司", "家纺(合成)"),
    (2, "textile", "1819", "服装", "喀什{brand}服饰有限公司", "服装(合成)"),
    (2, "equipment", "3770", "电动车", "喀什{brand}电动车有限公司", "装备制造(合成)"),
    (3, "logistics", "5990", "仓储", "喀什{brand}仓储物流有限公司", "物流(合成)"),
    (1, "logistics", "7224", "商贸", "喀什{brand}供应链服务有限公司", "物流(合成)"),
]

NAMED = [
    # name, park, industry, entered_on, notes
    (
        "喀什市长盛纺织科技有限公司",
        "textile",
        "1711",
        dt.date(2019, 5, 1),
        "细纱车间每月产量约1500吨,产品运往广东、江苏、湖北等地(据2024年7月报道)。入区日期为合成值。",
    ),
    (
        "新疆盛跃恒昌锂业有限公司",
        "new-energy",
        "3841",
        dt.date(2022, 9, 1),
        "2022年9月入驻;2条日产20万安时锂电池自动化生产线;达产一年累计生产超1GWh,年产值近1.2亿元(据报道)。",
    ),
    (
        "中天智控科技控股股份有限公司",
        "equipment",
        "3963",
        dt.date(2024, 6, 27),
        "第八届中国—亚欧博览会喀什地区专场推介会签约落地,投资1.5亿元,无人机装备制造。入区日期为合成值。",
    ),
]


def _code(rng: random.Random, used: set[str]) -> str:
    while True:
        org = "".join(rng.choice(uscc.ALPHABET) for _ in range(9))
        code = uscc.complete(f"91653101{org}"[:17])
        if code not in used:
            used.add(code)
            return code


def _regions() -> dict[str, Region]:
    out: dict[str, Region] = {}
    for code, name, level, parent in REGIONS:
        out[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": out.get(parent) if parent else None}
        )
    return out


def _zones(regions) -> tuple[Zone, Zone]:
    kashgar, _ = Zone.objects.get_or_create(
        code=KASHGAR,
        defaults={
            "name": "喀什经济开发区",
            "short_name": "喀什经开区",
            "level": ZoneLevel.NATIONAL,
            "kind": ZoneType.ETDZ,
            "region": regions["653101"],
            "description": "围绕“一区三中心”发展定位,落实《喀什经济开发区总体发展规划(2021-2030年)》与"
            "《喀什经济开发区高质量发展三年倍增行动(2023—2025)实施方案》;招商理念:功能集合、项目集中、"
            "资源集约、产业集群。四大功能区名称为合成值。",
        },
    )
    other, _ = Zone.objects.get_or_create(
        code=SYNTHETIC_ZONE,
        defaults={
            "name": "示范高新技术产业开发区(合成)",
            "short_name": "示范高新区",
            "level": ZoneLevel.PROVINCIAL,
            "kind": ZoneType.HIGHTECH,
            "region": regions["652901"],
            "is_synthetic": True,
            "description": "演示多开发区权限范围用的合成开发区,全部数据为合成。",
        },
    )
    for code, name, kind, leading, synthetic in KASHGAR_PARKS:
        Park.objects.get_or_create(
            zone=kashgar,
            code=code,
            defaults={"name": name, "kind": kind, "leading_industries": leading, "is_synthetic": synthetic},
        )
    for code, name, leading in [("core", "核心区", "新材料、生物医药"), ("north", "北区", "农产品加工")]:
        Park.objects.get_or_create(
            zone=other,
            code=code,
            defaults={
                "name": name,
                "kind": ParkKind.AREA,
                "leading_industries": leading,
                "is_synthetic": True,
            },
        )
    return kashgar, other


def _enterprise_specs(rng: random.Random, used_codes: set[str]) -> list[dict]:
    specs = []
    for name, park, industry, entered, notes in NAMED:
        specs.append(
            {
                "zone": KASHGAR,
                "park": park,
                "industry": industry,
                "name": name,
                "entered_on": entered,
                "notes": f"{notes}{CODE_NOTE}。",
                "is_synthetic": False,
            }
        )
    brands = iter(rng.sample(BRANDS, len(BRANDS)))
    used_brand_per_pattern: dict[str, set[str]] = {}
    for count, park, industry, _kind, pattern, label in SYNTHETIC_GROUPS:
        for _ in range(count):
            taken = used_brand_per_pattern.setdefault(pattern, set())
            brand = next(b for b in _cycle(brands, rng) if b not in taken)
            taken.add(brand)
            specs.append(
                {
                    "zone": KASHGAR,
                    "park": park,
                    "industry": industry,
                    "name": pattern.format(brand=brand),
                    "notes": f"合成数据:{label}",
                    "entered_on": _entry_date(rng),
                    "is_synthetic": True,
                }
            )
    for i, (park, industry, pattern) in enumerate(
        [
            ("core", "27", "示范{brand}生物医药有限公司(合成)"),
            ("core", "3985", "示范{brand}新材料有限公司(合成)"),
            ("core", "3985", "示范{brand}电子材料有限公司(合成)"),
            ("north", "13", "示范{brand}农产品加工有限公司(合成)"),
            ("north", "15", "示范{brand}饮品有限公司(合成)"),
            ("north", "5990", "示范{brand}冷链物流有限公司(合成)"),
        ]
    ):
        specs.append(
            {
                "zone": SYNTHETIC_ZONE,
                "park": park,
                "industry": industry,
                "name": pattern.format(brand=BRANDS[-(i + 1)]),
                "notes": "合成数据:示范开发区",
                "entered_on": dt.date(2018 + i, 3, 1),
                "is_synthetic": True,
            }
        )
    for spec in specs:
        spec["credit_code"] = _code(rng, used_codes)
        entered = spec["entered_on"]
        spec["established_on"] = dt.date(entered.year - rng.randint(0, 3), entered.month, 1)
        spec["land_area_mu"] = Decimal(rng.randrange(20, 400, 5))
        spec["status"] = EnterpriseStatus.BUILDING if entered.year >= 2024 else EnterpriseStatus.OPERATING
        spec["address"] = "新疆喀什经济开发区" if spec["zone"] == KASHGAR else "示范高新区(合成地址)"
    return specs


def _entry_date(rng: random.Random) -> dt.date:
    """Synthetic entry dates stop at the seed's period (H1 2024)."""
    year = rng.randint(2016, 2024)
    return dt.date(year, rng.randint(1, 6 if year == 2024 else 12), 1)


def _cycle(iterator, rng):
    yield from iterator
    while True:
        yield rng.choice(BRANDS)


def _size_years(spec: dict, rng: random.Random) -> list[int]:
    """Synthetic 规上 frame: established producers are in it; the named two are in both years."""
    if spec["name"] in ("喀什市长盛纺织科技有限公司", "新疆盛跃恒昌锂业有限公司"):
        return [2023, 2024]
    if spec["status"] != EnterpriseStatus.OPERATING or spec["industry"] in ("7224", "5990"):
        return []
    entered = spec["entered_on"].year
    years = [y for y in (2023, 2024) if entered < y and rng.random() < 0.75]
    return years


DEMO_USERS = [
    # username, full name, role, department, scope: ("zones", [codes]) | ("all",) | ("enterprise", name)
    ("admin", "管理员(演示)", Role.ADMIN, Department.GENERAL, ("zones", [KASHGAR])),
    ("tongji", "统计员(演示)", Role.STAFF, Department.ECONOMY, ("zones", [KASHGAR])),
    ("zhaoshang", "招商专员(演示)", Role.STAFF, Department.INVESTMENT, ("zones", [KASHGAR])),
    ("leader", "分管领导(演示)", Role.LEADER, Department.GENERAL, ("zones", [KASHGAR])),
    ("qiye", "盛跃恒昌填报员(演示)", Role.REPORTER, "", ("enterprise", "新疆盛跃恒昌锂业有限公司")),
    ("qiye2", "长盛纺织填报员(演示)", Role.REPORTER, "", ("enterprise", "喀什市长盛纺织科技有限公司")),
    ("sheng", "自治区商务厅(演示)", Role.REGIONAL, "", ("zones", [KASHGAR, SYNTHETIC_ZONE])),
]


def _users(password: str) -> list[tuple[str, str]]:
    User = get_user_model()
    logins = []
    for username, full_name, role, department, scope in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "role": role,
                "department": department,
                "email": f"{username}@demo.jushi.invalid",  # reserved domain: the demo writes mail under var/mail instead
            },
        )
        if created:
            user.set_password(password)
            user.save()
        row, _ = UserScope.objects.get_or_create(user=user)
        if scope[0] == "enterprise":
            row.enterprise = Enterprise.objects.get(name=scope[1])
            row.save()
        else:
            row.zones.set(Zone.objects.filter(code__in=scope[1]))
        where = (
            scope[1]
            if scope[0] == "enterprise"
            else "、".join(Zone.objects.get(code=c).short_name for c in scope[1])
        )
        logins.append(
            (
                username,
                f"{user.get_role_display()}{' · ' + user.get_department_display() if department else ''}"
                f" — {where}",
            )
        )
    return logins


@transaction.atomic
def load(stdout, *, password: str) -> list[tuple[str, str]]:
    rng = random.Random(20240630)
    regions = _regions()
    _zones(regions)
    actor = ActorCommand().actor("system")
    existing = set(Enterprise.objects.values_list("name", flat=True))
    used_codes = set(Enterprise.objects.values_list("credit_code", flat=True))
    parks = {(p.zone.code, p.code): p for p in Park.objects.select_related("zone")}
    zones = {z.code: z for z in Zone.objects.all()}
    industries = {i.code: i for i in Industry.objects.all()}
    created = 0
    for spec in _enterprise_specs(rng, used_codes):
        years = _size_years(spec, rng)
        if spec["name"] in existing:
            continue
        enterprise = Enterprise(
            zone=zones[spec["zone"]],
            park=parks[(spec["zone"], spec["park"])],
            industry=industries[spec["industry"]],
            **{
                k: spec[k]
                for k in (
                    "name",
                    "credit_code",
                    "address",
                    "established_on",
                    "entered_on",
                    "status",
                    "land_area_mu",
                    "notes",
                    "is_synthetic",
                )
            },
        )
        enterprise.full_clean()
        create_enterprise(
            actor=actor,
            enterprise=enterprise,
            size_years=years,
            source=ChangeSource.DEMO,
            reason="载入演示数据",
        )
        created += 1
    stdout.write(
        f"基础名录:{Zone.objects.count()} 个开发区,{Enterprise.objects.count()} 家企业(本次新建 {created} 家)"
    )
    return _users(password)
