"""The starting indicator catalog of DOMAIN.md §4, as data. Zones add their own on the catalog page.

ENT indicators read the `ind-monthly` form (千元 → 亿元 is × 0.00001). LEDGER indicators get their
figures from the project ledger once it plugs into the engine's source interface. Supporting figures
that ratios need (R&D spending, taxes, energy, land) are indicators too, kept out of the bulletin.
"""

from decimal import Decimal

from django.db import migrations

YI_FROM_QIAN = Decimal("0.00001")  # 千元 → 亿元
WAN_FROM_ONE = Decimal("0.0001")  # 吨 → 万吨

# code, name, unit, source, aggregation, growth method, price basis, department, extra
CATALOG = [
    ("GDP", "地区生产总值", "亿元", "DEPT", "sum", "OFF", "real", "统计局", {"decimals": 2}),
    (
        "IND_N",
        "规上工业企业数",
        "家",
        "ENT",
        "count",
        "UNITS",
        "nominal",
        "统计局",
        {"form_code": "ind-monthly", "field_code": "gross_output", "decimals": 0},
    ),
    (
        "IND_GO",
        "规上工业总产值",
        "亿元",
        "ENT",
        "sum",
        "SC",
        "nominal",
        "统计局",
        {"form_code": "ind-monthly", "field_code": "gross_output", "scale": YI_FROM_QIAN},
    ),
    (
        "IND_SO",
        "规上工业销售产值",
        "亿元",
        "ENT",
        "sum",
        "SC",
        "nominal",
        "统计局",
        {"form_code": "ind-monthly", "field_code": "sales_output", "scale": YI_FROM_QIAN},
    ),
    (
        "IND_EXP",
        "出口交货值",
        "亿元",
        "ENT",
        "sum",
        "SC",
        "nominal",
        "统计局",
        {"form_code": "ind-monthly", "field_code": "export_value", "scale": YI_FROM_QIAN},
    ),
    (
        "IND_VA",
        "规上工业增加值",
        "亿元",
        "DEPT",
        "sum",
        "OFF",
        "real",
        "统计局",
        {"description": "官方数;简报通常只引用增速"},
    ),
    (
        "IND_REV",
        "规上工业营业收入",
        "亿元",
        "ENT",
        "sum",
        "SC",
        "nominal",
        "统计局",
        {"form_code": "ind-monthly", "field_code": "revenue", "scale": YI_FROM_QIAN},
    ),
    (
        "IND_PROFIT",
        "规上工业利润总额",
        "亿元",
        "ENT",
        "sum",
        "SC",
        "nominal",
        "统计局",
        {
            "form_code": "ind-monthly",
            "field_code": "total_profit",
            "scale": YI_FROM_QIAN,
            "description": "上年同期为负时不计增速,写作由亏转盈、减亏等",
        },
    ),
    (
        "IND_RD",
        "规上工业研发费用",
        "亿元",
        "ENT",
        "sum",
        "SC",
        "nominal",
        "统计局",
        {
            "form_code": "ind-monthly",
            "field_code": "rd_spending",
            "scale": YI_FROM_QIAN,
            "in_bulletin": False,
        },
    ),
    (
        "IND_TAXES",
        "规上工业税金",
        "亿元",
        "ENT",
        "sum",
        "SC",
        "nominal",
        "统计局",
        {"form_code": "ind-monthly", "field_code": "taxes", "scale": YI_FROM_QIAN, "in_bulletin": False},
    ),
    (
        "IND_ENERGY",
        "规上工业综合能源消费量",
        "万吨标准煤",
        "ENT",
        "sum",
        "SC",
        "nominal",
        "统计局",
        {"form_code": "ind-monthly", "field_code": "energy", "scale": WAN_FROM_ONE, "in_bulletin": False},
    ),
    (
        "FAI",
        "固定资产投资",
        "亿元",
        "DEPT",
        "sum",
        "NAT",
        "nominal",
        "发展改革局",
        {"description": "计划总投资 500 万元及以上项目"},
    ),
    ("FISC_GPB", "一般公共预算收入", "亿元", "DEPT", "sum", "NAT", "nominal", "财政局", {}),
    (
        "FISC_TAX",
        "税收收入",
        "亿元",
        "DEPT",
        "sum",
        "NAT",
        "nominal",
        "财政局",
        {"description": "口径(全口径或地方级)随数据记录"},
    ),
    (
        "INV_FUND",
        "招商引资到位资金",
        "亿元",
        "LEDGER",
        "sum",
        "NAT",
        "nominal",
        "招商局",
        {"description": "新建和续建项目有凭证的到位资金"},
    ),
    ("INV_FUND_OUT", "区外到位资金", "亿元", "LEDGER", "sum", "NAT", "nominal", "招商局", {}),
    ("INV_SIGN_N", "新签约项目数", "个", "LEDGER", "count", "UNITS", "nominal", "招商局", {"decimals": 0}),
    ("INV_SIGN_AMT", "新签约项目总投资", "亿元", "LEDGER", "sum", "NAT", "nominal", "招商局", {}),
    (
        "INV_BIG_N",
        "新签约亿元以上项目数",
        "个",
        "LEDGER",
        "count",
        "UNITS",
        "nominal",
        "招商局",
        {"decimals": 0},
    ),
    (
        "INV_BIG_START",
        "新开工亿元以上项目数",
        "个",
        "LEDGER",
        "count",
        "UNITS",
        "nominal",
        "项目办",
        {"decimals": 0},
    ),
    (
        "FDI",
        "实际使用外资",
        "万美元",
        "DEPT",
        "sum",
        "NAT",
        "nominal",
        "商务局",
        {"description": "商务部口径"},
    ),
    ("TRADE", "进出口总额", "亿元", "DEPT", "sum", "NAT", "nominal", "商务局", {"description": "海关数据"}),
    (
        "MKT_NEW",
        "新增市场经营主体",
        "户",
        "DEPT",
        "sum",
        "NAT",
        "nominal",
        "市场监管局",
        {"decimals": 0, "description": "企业、个体工商户和农民专业合作社"},
    ),
    ("HT_ENT", "高新技术企业数", "家", "DEPT", "stock", "UNITS", "nominal", "科技局", {"decimals": 0}),
    (
        "LAND_MU",
        "工业用地面积",
        "亩",
        "DEPT",
        "stock",
        "NAT",
        "nominal",
        "自然资源局",
        {"decimals": 0, "in_bulletin": False},
    ),
    (
        "RD_RATIO",
        "研发费用占营业收入比重",
        "%",
        "CALC",
        "ratio",
        "PP",
        "nominal",
        "科技局",
        {"formula": "IND_RD / IND_REV * 100"},
    ),
    (
        "MU_TAX",
        "亩均税收",
        "万元/亩",
        "CALC",
        "ratio",
        "NAT",
        "nominal",
        "自然资源局",
        {"formula": "IND_TAXES * 10000 / LAND_MU"},
    ),
    (
        "EN_VA",
        "单位能耗增加值",
        "万元/吨标准煤",
        "CALC",
        "ratio",
        "NAT",
        "nominal",
        "发展改革局",
        {"formula": "IND_VA / IND_ENERGY", "in_bulletin": False},
    ),
]


def install(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for order, (code, name, unit, source, aggregation, growth, basis, department, extra) in enumerate(
        CATALOG, start=1
    ):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "source": source,
                "aggregation": aggregation,
                "growth_method": growth,
                "price_basis": basis,
                "department": department,
                "order": order * 10,
                **extra,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code__in=[row[0] for row in CATALOG]).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
