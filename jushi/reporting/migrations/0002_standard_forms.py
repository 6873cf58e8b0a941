"""The standard forms shipped with Jushi: the monthly industrial form and a quarterly services form,
with the check rules of the national direct-reporting practice (DOMAIN.md section 5).

Staff may add rules and switch any rule off; the shipped ones are marked `is_builtin`.
"""

from django.db import migrations

# code, label, unit, value_type, decimals, aggregation, allow_negative, required, help
IND_FIELDS = [
    ("gross_output", "工业总产值(当年价格)", "千元", "decimal", 1, "flow", False, True, ""),
    ("sales_output", "工业销售产值(当年价格)", "千元", "decimal", 1, "flow", False, True, ""),
    ("export_value", "其中:出口交货值", "千元", "decimal", 1, "flow", False, False, "销售产值中出口的部分"),
    ("revenue", "营业收入", "千元", "decimal", 1, "flow", False, True, ""),
    ("cost", "营业成本", "千元", "decimal", 1, "flow", False, False, ""),
    ("operating_profit", "营业利润", "千元", "decimal", 1, "flow", True, False, "亏损填负数"),
    ("non_op_income", "营业外收入", "千元", "decimal", 1, "flow", False, False, ""),
    ("non_op_expense", "营业外支出", "千元", "decimal", 1, "flow", False, False, ""),
    (
        "total_profit",
        "利润总额",
        "千元",
        "decimal",
        1,
        "flow",
        True,
        True,
        "= 营业利润 + 营业外收入 − 营业外支出",
    ),
    ("taxes", "税金总额", "千元", "decimal", 1, "flow", False, False, "应交增值税、税金及附加、所得税之和"),
    ("receivables", "应收账款(期末)", "千元", "decimal", 1, "stock", False, False, ""),
    ("electricity", "工业用电量", "万千瓦时", "decimal", 2, "flow", False, False, ""),
    ("energy", "综合能源消费量", "吨标准煤", "decimal", 2, "flow", False, False, ""),
    ("employees", "期末从业人员", "人", "integer", 0, "stock", False, True, ""),
    ("rd_spending", "研究与试验发展(R&D)经费支出", "千元", "decimal", 1, "flow", False, False, ""),
]

SVC_FIELDS = [
    ("revenue", "营业收入", "千元", "decimal", 1, "flow", False, True, ""),
    ("cost", "营业成本", "千元", "decimal", 1, "flow", False, False, ""),
    ("taxes", "税金及附加", "千元", "decimal", 1, "flow", False, False, ""),
    ("total_profit", "利润总额", "千元", "decimal", 1, "flow", True, False, "亏损填负数"),
    ("payroll", "应付职工薪酬", "千元", "decimal", 1, "flow", False, False, ""),
    ("employees", "期末从业人员", "人", "integer", 0, "stock", False, True, ""),
]

# code, name, severity, applies_to, expression, message
COMMON_RULES = [
    (
        "cumulative_not_falling",
        "累计值不得小于上期累计",
        "blocking",
        "each_flow",
        "this >= prior(this)",
        "{label}本期累计 {this} 小于上期累计 {prior(this)};累计值不应下降,请检查是否填成了当月数",
    ),
    (
        "blank_after_nonzero",
        "上期有数、本期不得为空",
        "blocking",
        "each_field",
        "not (blank(this) and prior(this) != 0)",
        "{label}上期为 {prior(this)},本期为空;本期没有发生也应填写(累计指标填累计数)",
    ),
    (
        "unit_scale",
        "数量级异常(疑似单位错误)",
        "warning",
        "each_field",
        "not (this > 0 and last_year(this) > 0) or between(ratio(this, last_year(this)), 0.002, 500)",
        "{label} {this} 约为上年同期 {last_year(this)} 的 {round(ratio(this, last_year(this)), 3)} 倍,"
        "请核对计量单位是否为{unit}",
    ),
    (
        "yoy_30",
        "同比变动超过 30%",
        "warning",
        "each_field",
        "not (last_year(this) > 0) or abs(yoy(this)) <= 30%",
        "{label}同比 {pct(yoy(this))}(本期 {this},上年同期 {last_year(this)}),变动超过 30%,请说明原因",
    ),
    (
        "last_year_restated",
        "上年同期与上年报送数相差超过 1%",
        "warning",
        "each_field",
        "abs(ratio(last_year(this), stored_last_year(this)) - 1) <= 1%",
        "{label}上年同期填 {last_year(this)},与上年报送并审核的 {stored_last_year(this)} 相差超过 1%,"
        "请说明原因(如口径调整)",
    ),
]

IND_RULES = [
    (
        "export_within_sales",
        "出口交货值不大于销售产值",
        "blocking",
        "form",
        "export_value <= sales_output",
        "出口交货值 {export_value} 大于工业销售产值 {sales_output};出口交货值是销售产值的一部分",
    ),
    (
        "profit_identity",
        "利润总额 = 营业利润 + 营业外收入 − 营业外支出",
        "blocking",
        "form",
        "total_profit == operating_profit + coalesce(non_op_income, 0) - coalesce(non_op_expense, 0)",
        "利润总额 {total_profit} 不等于 营业利润 {operating_profit} + 营业外收入 {coalesce(non_op_income, 0)}"
        " − 营业外支出 {coalesce(non_op_expense, 0)} = "
        "{operating_profit + coalesce(non_op_income, 0) - coalesce(non_op_expense, 0)}",
    ),
    (
        "sales_ratio",
        "产销率在 80%–120% 之间",
        "warning",
        "form",
        "between(ratio(sales_output, gross_output), 0.8, 1.2)",
        "产销率 {pct(ratio(sales_output, gross_output))}(销售产值 {sales_output},总产值 {gross_output})"
        "超出 80%–120%,请说明原因",
    ),
    *COMMON_RULES,
    (
        "month_swing_30",
        "当月环比波动超过 30%",
        "warning",
        "each_flow",
        "abs(mom(this)) <= 30%",
        "{label}本月 {month(this)},上月 {prior_month(this)},按月均环比 {pct(mom(this))},波动超过 30%,请说明原因",
    ),
]

FORMS = [
    (
        {
            "code": "ind-monthly",
            "number": "B204-1",
            "name": "工业产销总值及主要产品产量、财务状况月报",
            "period_type": "M",
            "combine_jan_feb": True,
            "opens_day": 1,
            "deadline_day": 16,
            "deadline_hour": 12,
            "obligation": "size_set",
            "sections": "B,C,D",
            "description": "规模以上工业企业按月报送 1-本月累计数和上年同期数;1 月不单独报送,首期为 1-2 月。"
            "金额单位为千元。",
        },
        IND_FIELDS,
        IND_RULES,
    ),
    (
        {
            "code": "svc-quarterly",
            "number": "F203",
            "name": "服务业企业财务状况季报",
            "period_type": "Q",
            "combine_jan_feb": True,
            "opens_day": 1,
            "deadline_day": 20,
            "deadline_hour": 12,
            "obligation": "assigned",
            "sections": "",
            "description": "指定的服务业企业按季报送 1-本季累计数和上年同期数。金额单位为千元。",
        },
        SVC_FIELDS,
        COMMON_RULES,
    ),
]


def install(apps, schema_editor):
    ReportForm = apps.get_model("reporting", "ReportForm")
    FormField = apps.get_model("reporting", "FormField")
    Rule = apps.get_model("reporting", "Rule")
    for attrs, fields, rules in FORMS:
        form = ReportForm.objects.create(**attrs)
        FormField.objects.bulk_create(
            FormField(
                form=form,
                code=code,
                label=label,
                unit=unit,
                value_type=value_type,
                decimals=decimals,
                aggregation=aggregation,
                allow_negative=negative,
                required=required,
                help_text=help_text,
                order=i,
            )
            for i, (
                code,
                label,
                unit,
                value_type,
                decimals,
                aggregation,
                negative,
                required,
                help_text,
            ) in enumerate(fields, start=1)
        )
        Rule.objects.bulk_create(
            Rule(
                form=form,
                code=code,
                name=name,
                severity=severity,
                applies_to=applies_to,
                expression=expression,
                message=message,
                is_builtin=True,
                order=i * 10,
            )
            for i, (code, name, severity, applies_to, expression, message) in enumerate(rules, start=1)
        )


def uninstall(apps, schema_editor):
    ReportForm = apps.get_model("reporting", "ReportForm")
    ReportForm.objects.filter(code__in=[attrs["code"] for attrs, _, _ in FORMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
