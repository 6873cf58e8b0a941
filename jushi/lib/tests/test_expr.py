import re
from decimal import Decimal as D

import pytest

from jushi.lib.expr import ExprError, Signature, _compiler, _parser, format_value, parse, render

SIG = Signature(
    names=frozenset({"this", "a", "b", "c", "p", "q", "label", "sales_output", "gross_output"}),
    ref_functions=frozenset({"prior", "yoy", "blank", "diff"}),
    functions=frozenset({"lookup"}),
)


class FakeEnv:
    """Names from a dict (ints become Decimals), reference functions from a dict keyed (func, *names)."""

    def __init__(self, refs=None, **values):
        self.values = {
            k: D(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in values.items()
        }
        self.refs = refs or {}
        self.ref_calls = []
        self.calls = []

    def name(self, name):
        if name == "boom":
            raise AssertionError("boom must not be evaluated")
        if name not in self.values:
            raise ExprError(f"未知的字段或名称“{name}”")
        return self.values[name]

    def ref(self, func, names):
        self.ref_calls.append((func, names))
        return self.refs[(func, *names)]

    def call(self, func, args):
        self.calls.append((func, args))
        return D(len(args))


def ev(text, **values):
    return parse(text).evaluate(FakeEnv(**values))


# --- arithmetic and precedence ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 + 2 * 3", "7"),
        ("(1+2)*3", "9"),
        ("-2 * 3", "-6"),
        ("10 - 2 - 3", "5"),
        ("8 / 2 / 2", "2"),
        ("2 * 3 + 4 * 5", "26"),
        ("-(2 + 3)", "-5"),
        ("2 - -3", "5"),
        ("+4", "4"),
        ("1 + 2 + 3 + 4 + 5 + 6 - 1", "20"),
        ("1e3 + 0.5", "1000.5"),
        (".5 * 4", "2"),
    ],
)
def test_precedence_and_associativity_of_constants(text, expected):
    result = ev(text)
    assert type(result) is D
    assert result == D(expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a + b * c", "7"),
        ("(a + b) * c", "9"),
        ("-b * c", "-6"),
        ("c - b - a", "0"),
        ("c * b / b / a", "3"),
        ("a - b - c - a - b - c - a", "-11"),  # a long chain (evaluated in a loop)
        ("a * b * c * a * b * c / c", "12"),
        ("2 * -a", "-2"),
    ],
)
def test_precedence_and_associativity_with_fields(text, expected):
    assert ev(text, a=1, b=2, c=3) == D(expected)


def test_percent_literals():
    assert ev("30%") == D("0.3")
    assert ev("1.5%") == D("0.015")
    assert ev("-5%") == D("-0.05")
    assert ev("a <= 30%", a=D("0.3")) is True
    assert ev("a <= 30%", a=D("0.31")) is False


def test_numbers_are_exact_decimals():
    assert ev("0.1 + 0.2 == 0.3") is True
    assert ev("a + b == 0.3", a=D("0.1"), b=D("0.2")) is True
    assert ev("a * 3", a=D("1.1")) == D("3.3")


def test_env_integers_are_accepted_as_numbers():
    env = FakeEnv()
    env.values["a"] = 2  # not converted: plain int from the env
    assert parse("a + 1").evaluate(env) == D(3)
    assert parse("a > 1").evaluate(env) is True


# --- comparisons, keywords and synonyms ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 < 2", True),
        ("2 <= 2", True),
        ("1 > 2", False),
        ("2 >= 3", False),
        ("2 == 2.00", True),
        ("2 = 2", True),
        ("2 != 2", False),
        ("2 <> 3", True),
        ("1 + 1 > 1 and not 1 > 2", True),
        ("TRUE and True", True),
        ("NULL", None),
        ("false OR Not false", True),
        ("true && false", False),
        ("false || true", True),
        ("!false", True),
        ("true == false", False),
        ("'abc' == \"abc\"", True),
        ("'a' < 'b'", True),
        ("1 ≤ 2", True),
        ("(1+1)×3 ≥ 6", True),
        ("6 ÷ 3 ≠ 2", False),
        ("(1+1)*3>=6", True),  # full-width characters typed with a Chinese IME
    ],
)
def test_comparisons_keywords_and_synonyms(text, expected):
    assert ev(text) is expected


def test_comparisons_with_fields():
    assert ev("export_value <= sales_output", export_value=5, sales_output=10) is True
    assert ev("total == op + inc - exp", total=7, op=5, inc=3, exp=1) is True
    assert ev("a == b", a=True, b=True) is True


# --- nulls and three-valued logic --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["a + null", "null * 0", "-null", "a / 0", "a / b", "null < 1", "null == null", "a != null", "a / b + 1"],
)
def test_null_and_division_by_zero_propagate(text):
    assert ev(text, a=1, b=0) is None


T, F, N = True, False, None
AND = {(T, T): T, (T, F): F, (T, N): N, (F, T): F, (F, F): F, (F, N): F, (N, T): N, (N, F): F, (N, N): N}
OR = {(T, T): T, (T, F): T, (T, N): T, (F, T): T, (F, F): F, (F, N): N, (N, T): T, (N, F): N, (N, N): N}
LITERAL = {T: "true", F: "false", N: "null"}


@pytest.mark.parametrize("pair", list(AND))
def test_and_or_truth_tables(pair):
    p, q = pair
    assert ev("p and q", p=p, q=q) is AND[pair]
    assert ev("p or q", p=p, q=q) is OR[pair]
    assert ev(f"{LITERAL[p]} and {LITERAL[q]}") is AND[pair]  # folded at parse time
    assert ev(f"{LITERAL[p]} or {LITERAL[q]}") is OR[pair]


@pytest.mark.parametrize("p, q, r", [(T, T, T), (T, N, T), (F, N, T), (N, N, N), (T, T, F), (F, F, F)])
def test_three_way_and_or(p, q, r):
    def and_(*xs):
        return F if F in xs else N if N in xs else T

    def or_(*xs):
        return T if T in xs else N if N in xs else F

    assert ev("p and q and r", p=p, q=q, r=r) is and_(p, q, r)
    assert ev("p or q or r", p=p, q=q, r=r) is or_(p, q, r)


def test_not_truth_table():
    assert ev("not p", p=True) is False
    assert ev("not p", p=False) is True
    assert ev("not p", p=None) is None
    assert ev("not not p", p=True) is True


def test_and_or_short_circuit():
    assert ev("false and boom") is False
    assert ev("true or boom") is True
    assert ev("p and boom", p=False) is False
    assert ev("null and false and boom") is False


def test_not_binds_looser_than_comparison():
    assert ev("not a == b", a=1, b=2) is True
    assert ev("not (is_null(a) or a != 0)", a=None) is False
    assert ev("not (is_null(a) or a != 0)", a=0) is True


# --- built-in functions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("abs(-3.5)", D("3.5")),
        ("abs(a)", D("2")),
        ("abs(null)", None),
        ("min(3, a, 5)", D("2")),
        ("max(3, a, 5)", D("5")),
        ("max(a)", D("2")),
        ("min(1, null)", None),
        ("round(2.345, 2)", D("2.35")),
        ("round(2.5)", D("3")),
        ("round(-2.5)", D("-3")),
        ("round(1234.5, -2)", D("1200")),
        ("round(a / 3, 1)", D("0.7")),
        ("round(null, 2)", None),
        ("round(2.5, null)", None),
        ("coalesce(null, n, a, 9)", D("2")),
        ("coalesce(null, n)", None),
        ("coalesce(n, 1, boom)", D("1")),
        ("if(a > 1, 'big', 'small')", "big"),
        ("if(a > 5, 'big', boom2)", None),
        ("if(n > 1, boom, boom)", None),
        ("if(true, 1, boom)", D("1")),
        ("between(a, 1, 2)", True),
        ("between(a, 2.01, 3)", False),
        ("between(a / 2, 0.8, 1.2)", True),
        ("between(n, 0, 1)", None),
        ("between(a, null, 1)", None),
        ("is_null(n)", True),
        ("is_null(a)", False),
        ("is_null(null + 1)", True),
        ("ratio(a, 4)", D("0.5")),
        ("ratio(a, 0)", None),
        ("ratio(a, n)", None),
        ("ratio(n, a)", None),
        ("pct(0.3525)", "35.3%"),
        ("pct(0.35249)", "35.2%"),
        ("pct(1)", "100.0%"),
        ("pct(-0.1234)", "-12.3%"),
        ("pct(-0.0001)", "0.0%"),
        ("pct(n)", "—"),
        ("ABS(-1)", D("1")),
        ("Round(1.25, 1)", D("1.3")),
    ],
)
def test_builtins(text, expected):
    result = ev(text, a=2, n=None, boom2=None)
    assert result == expected
    assert type(result) is type(expected)


# --- reference and extra functions ------------------------------------------------------------------


def test_reference_functions_receive_names():
    expr = parse("abs(yoy(this)) <= 30%", SIG)
    assert expr.names == frozenset()
    assert expr.refs == {("yoy", "this")}
    env = FakeEnv(refs={("yoy", "this"): D("0.25")})
    assert expr.evaluate(env) is True
    assert env.ref_calls == [("yoy", ("this",))]
    assert expr.evaluate(FakeEnv(refs={("yoy", "this"): D("-0.31")})) is False
    assert expr.evaluate(FakeEnv(refs={("yoy", "this"): None})) is None


def test_reference_and_plain_names_together():
    expr = parse("this >= prior(this)", SIG)
    assert expr.names == {"this"}
    assert expr.refs == {("prior", "this")}
    assert expr.evaluate(FakeEnv(this=10, refs={("prior", "this"): D(9)})) is True
    rule = parse("not (blank(this) and prior(this) != 0)", SIG)
    assert rule.evaluate(FakeEnv(refs={("blank", "this"): True, ("prior", "this"): D(5)})) is False
    assert rule.evaluate(FakeEnv(refs={("blank", "this"): False, ("prior", "this"): D(5)})) is True


def test_reference_function_with_several_names():
    expr = parse("diff(a, b) > 0", SIG)
    assert expr.refs == {("diff", "a"), ("diff", "b")}
    env = FakeEnv(refs={("diff", "a", "b"): D(1)})
    assert expr.evaluate(env) is True
    assert env.ref_calls == [("diff", ("a", "b"))]


def test_extra_functions_get_evaluated_arguments():
    env = FakeEnv(a=1)
    assert parse("lookup(a + 1, 'x') == 2", SIG).evaluate(env) is True
    assert env.calls == [("lookup", (D(2), "x"))]


def test_without_signature_unknown_functions_go_to_env_call():
    env = FakeEnv()
    assert parse("anything(1, 2, 3)").evaluate(env) == D(3)
    assert env.calls == [("anything", (D(1), D(2), D(3)))]


def test_expression_attributes():
    expr = parse("sales_output / gross_output > prior(this)", SIG)
    assert expr.text == "sales_output / gross_output > prior(this)"
    assert expr.names == {"sales_output", "gross_output"}
    assert expr.refs == {("prior", "this")}


def test_signature_accepts_plain_sets():
    sig = Signature(names={"a"}, ref_functions={"prior"})
    assert sig.names == frozenset({"a"}) and isinstance(sig.ref_functions, frozenset)
    assert hash(sig) == hash(Signature(names=frozenset({"a"}), ref_functions=frozenset({"prior"})))


# --- parse errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message, position",
    [
        ("(1 + 2", "缺少右括号", 6),
        ("abs(1", "缺少右括号", 5),
        ("(1 + 2))", "多余的右括号", 7),
        ("1 +", "“+”后面缺少运算对象", 2),
        ("a * / b", "“*”后面缺少运算对象", 4),
        ("a < b < c", "比较运算不能连写", 6),
        ("a == b != c", "比较运算不能连写", 7),
        ("1 2", "此处不应出现“2”", 2),
        ("()", "括号内缺少内容", 1),
        ("30%%", "“%”只能紧跟在数字后面", 3),
        ("(a)%", "“%”只能紧跟在数字后面", 3),
        ("1,000", "千位分隔符", 1),
        ("12abc", "数字格式不正确", 0),
        ("1e99999999999999999999", "数字格式不正确", 0),
        ("'abc", "字符串缺少结束引号", 0),
        ("a & b", "无法识别的字符“&”", 2),
        ("a == not b", "需要加括号", 5),
        ("abs(a b)", "此处应为“,”或“)”", 6),
        ("foo", "未知的字段或名称“foo”", 0),
        ("a + bar(1)", "未知的函数“bar”", 4),
        ("prior(this + 1)", "prior() 的参数必须是字段代码", 6),
        ("prior(1)", "prior() 的参数必须是字段代码", 6),
        ("yoy(abs(this))", "yoy() 的参数必须是字段代码", 4),
        ("prior(nope)", "未知的字段或名称“nope”", 6),
        ("abs(1, 2)", "abs() 需要 1 个参数,实际 2 个", 0),
        ("1 + if(true, 1)", "if() 需要 3 个参数,实际 2 个", 4),
        ("min()", "min() 至少需要 1 个参数,实际 0 个", 0),
        ("round(1, 2, 3)", "round() 需要 1 到 2 个参数,实际 3 个", 0),
    ],
)
def test_parse_errors_say_what_and_where(text, message, position):
    with pytest.raises(ExprError, match=re.escape(message)) as info:
        parse(text, SIG)
    assert info.value.position == position
    assert str(info.value).startswith(f"第 {position + 1} 个字符处:")


def test_every_builtin_has_an_arity():
    assert _compiler._BUILTINS.keys() == _parser._ARITY.keys()


def test_empty_and_too_long_text():
    for text in ["", "   "]:
        with pytest.raises(ExprError, match="表达式为空"):
            parse(text)
    with pytest.raises(ExprError, match="表达式过长"):
        parse("1 + " * 500 + "1")
    assert parse("+".join(["a"] * 1000)).evaluate(FakeEnv(a=1)) == D(1000)  # 1999 chars, no recursion


def test_nesting_is_limited():
    assert ev("(" * 30 + "1" + ")" * 30) == D(1)
    with pytest.raises(ExprError, match="嵌套层数过多"):
        parse("(" * 40 + "1" + ")" * 40)


def test_expr_error_is_a_value_error():
    assert issubclass(ExprError, ValueError)
    assert ExprError("坏了").position is None
    assert str(ExprError("坏了", 11)) == "第 12 个字符处:坏了"


# --- evaluation errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message, position",
    [
        ("true + 1", "“+”的运算对象必须是数值,实际是真假值", 5),
        ("p * 2", "“*”的运算对象必须是数值,实际是真假值", 2),
        ("1 + 2 + 3 + 4 + 5 - p", "“-”的运算对象必须是数值,实际是真假值", 18),
        ("'a' * 2", "必须是数值,实际是文本", 4),
        ("-p", "负号的运算对象必须是数值", 0),
        ("1 < true", "无法比较数值与真假值", 2),
        ("p == 1", "无法比较真假值与数值", 2),
        ("'a' == 1", "无法比较文本与数值", 4),
        ("true < false", "真假值不能比较大小", 5),
        ("1 and true", "“and”的运算对象必须是真假值,实际是数值", 0),
        ("not p or 2", "“or”的运算对象必须是真假值,实际是数值", 9),
        ("not 1", "“not”的运算对象必须是真假值", 4),
        ("if(1, 2, 3)", "if() 的条件必须是真假值", 0),
        ("abs(p)", "abs() 的参数必须是数值", 0),
        ("abs(p) <= 30%", "abs() 的参数必须是数值", 0),
        ("not (p > 1)", "无法比较真假值与数值", 7),
        ("not (true < false)", "真假值不能比较大小", 10),
        ("round(1, 0.5)", "round() 的小数位数必须是", 0),
    ],
)
def test_type_errors_are_raised_at_evaluation(text, message, position):
    expr = parse(text)  # parses fine
    with pytest.raises(ExprError, match=re.escape(message)) as info:
        expr.evaluate(FakeEnv(p=True))
    assert info.value.position == position


def test_env_errors_pass_through():
    with pytest.raises(ExprError, match="未知的字段或名称“zzz”"):
        ev("zzz + 1")


def test_decimal_overflow_becomes_expr_error():
    with pytest.raises(ExprError, match="数值超出可计算范围"):
        ev("1e999999 * 1e999999")


# --- templates --------------------------------------------------------------------------------------


def test_template_placeholders():
    template = render("{label}本期累计 {this} 低于上期累计 {prior(this)}", SIG)
    env = FakeEnv(label="营业收入", this=D("1234.50"), refs={("prior", "this"): D(1000000)})
    assert template.format(env) == "营业收入本期累计 1,234.5 低于上期累计 1,000,000"
    assert template.names == {"label", "this"}
    assert template.refs == {("prior", "this")}
    assert len(template.expressions) == 3


def test_template_pct_and_null():
    template = render("同比 {pct(yoy(this))}", SIG)
    assert template.format(FakeEnv(refs={("yoy", "this"): D("0.35249")})) == "同比 35.2%"
    assert template.format(FakeEnv(refs={("yoy", "this"): None})) == "同比 —"


def test_template_literal_braces():
    assert render("{{a}} = {a} }}").format(FakeEnv(a=1)) == "{a} = 1 }"
    assert render("没有占位符").format(FakeEnv()) == "没有占位符"
    assert render("{'}'}").format(FakeEnv()) == "}"


@pytest.mark.parametrize(
    "value, text",
    [
        (D("1234.50"), "1,234.5"),
        (D("1000"), "1,000"),
        (D("1E+3"), "1,000"),
        (D("-1234567.891"), "-1,234,567.89"),
        (D("0.005"), "0.01"),
        (D("-0.001"), "0"),
        (D("0"), "0"),
        (D("12.30"), "12.3"),
        (3, "3"),
        (None, "空"),
        (True, "是"),
        (False, "否"),
        ("文本", "文本"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize(
    "template, message, position",
    [
        ("本期 {this", "占位符缺少“}”", 3),
        ("本期 this}", "单独的“}”", 7),
        ("本期 {}", "表达式为空", 4),
        ("本期 {this +}", "“+”后面缺少运算对象", 9),
        ("本期 {foo}", "未知的字段或名称“foo”", 4),
        ("本期 {a {b}}", "占位符中不能再有“{”", 6),
    ],
)
def test_template_errors(template, message, position):
    with pytest.raises(ExprError, match=re.escape(message)) as info:
        render(template, SIG)
    assert info.value.position == position


# --- compile-time shortcuts and early binding ------------------------------------------------------


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
@pytest.mark.parametrize("a, b", [(1, 2), (2, 2), (3, 2), (None, 2), (2, None)])
def test_not_of_a_comparison_is_the_negated_comparison(op, a, b):
    """`not (a op b)` is compiled as one negated comparison; it must agree with `not` applied after."""
    plain = parse(f"a {op} b").evaluate(FakeEnv(a=a, b=b))
    negated = parse(f"not (a {op} b)").evaluate(FakeEnv(a=a, b=b))
    assert negated is (None if plain is None else not plain)


@pytest.mark.parametrize(
    "value, expected", [(D("0.3"), True), (D("-0.3"), True), (D("-0.31"), False), (None, None)]
)
def test_absolute_value_compared_with_a_constant(value, expected):
    assert parse("abs(a) <= 30%").evaluate(FakeEnv(a=value)) is expected
    assert parse("abs(-0.5) <= 30%").evaluate(FakeEnv()) is False  # folded to a constant


class CountingBinder:
    """Binds `a` and `prior(a)` to closures; leaves everything else to the env."""

    def __init__(self):
        self.offered = []

    def name(self, name):
        self.offered.append(("name", name))
        return (lambda env: D(7)) if name == "a" else None

    def ref(self, func, names):
        self.offered.append(("ref", func, names))
        return (lambda env: D(5)) if (func, names) == ("prior", ("a",)) else None


def test_binder_resolves_names_at_compile_time():
    binder = CountingBinder()
    expression = parse("a - prior(a) == b + yoy(a)", SIG, binder)
    assert binder.offered == [("name", "a"), ("ref", "prior", ("a",)), ("name", "b"), ("ref", "yoy", ("a",))]
    assert expression.names == {"a", "b"}  # bound names are still reported
    assert expression.refs == {("prior", "a"), ("yoy", "a")}
    env = FakeEnv(b=1, refs={("yoy", "a"): D(1)})
    assert expression.evaluate(env) is True  # 7 - 5 == 1 + 1
    assert env.ref_calls == [("yoy", ("a",))]  # only the unbound reference reached the env
    template = render("差 {a - prior(a)}", SIG, CountingBinder())
    assert template.format(FakeEnv()) == "差 2"


def test_function_is_the_compiled_closure():
    expression = parse("a + 1")
    assert expression.function(FakeEnv(a=1)) == D(2)
