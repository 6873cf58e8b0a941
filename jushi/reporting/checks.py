"""Running a form's check rules on one submission's figures.

The rules are expressions (jushi.lib.expr) that must hold. This module turns a form's fields and rules
into compiled checks once, and evaluates them against plain dictionaries of figures: the working values
(this period's cumulative and the same period last year as reported now) and the enterprise's history
(the previous period's cumulative, the one before, and what was stored for last year's same period).
It reads no models itself, so the page, the API, the importer and the benchmark share it.

In an expression a field code is this period's cumulative value; per-field rules name the field in turn
`this`. Reference functions take a field code (or `this`):

    prior(x)             the previous period's cumulative value this year (null in the first period)
    last_year(x)         the same period last year, as reported now
    stored_last_year(x)  what was approved for the same period last year
    yoy(x)               x / last_year(x) - 1
    month(x)             the period's own value: cumulative minus the previous cumulative (flows)
    prior_month(x)       the previous period's own value
    mom(x)               change of the own value per month against the previous period's
    blank(x)             true when the figure was left empty
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from jushi.lib import expr

from .choices import Aggregation, AppliesTo, Severity, ValueType

REF_FUNCTIONS = frozenset(
    {"prior", "last_year", "stored_last_year", "yoy", "month", "prior_month", "mom", "blank"}
)
FIELD_WORDS = frozenset({"this", "label", "unit"})
MAX_ABS = Decimal("1e15")


@dataclass(frozen=True)
class FieldSpec:
    code: str
    label: str
    unit: str
    aggregation: str
    allow_negative: bool
    value_type: str
    decimals: int
    required: bool
    id: int | None = None

    @classmethod
    def of(cls, f) -> "FieldSpec":
        return cls(
            f.code,
            f.label,
            f.unit,
            f.aggregation,
            f.allow_negative,
            f.value_type,
            f.decimals,
            f.required,
            f.pk,
        )

    @property
    def is_flow(self) -> bool:
        return self.aggregation == Aggregation.FLOW


@dataclass(frozen=True)
class Finding:
    key: str  # rule code, or rule code:field code for per-field rules; explanations are keyed by it
    rule_code: str
    rule_id: int | None
    rule_name: str
    field_code: str
    severity: str
    message: str
    fields: tuple[str, ...] = ()  # the fields the finding is about: its own, or those a form rule names

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.BLOCKING


@dataclass
class History:
    """What the checks compare with; every dict maps field code → value (None when not reported)."""

    prior: dict = field(default_factory=dict)
    prior2: dict = field(default_factory=dict)
    stored_last_year: dict = field(default_factory=dict)
    first_of_year: bool = False  # no previous period this year: the own value is the cumulative
    prior_first_of_year: bool = False
    own_months: int = 1
    prior_own_months: int = 1


def signature_for(form, *, per_field: bool) -> expr.Signature:
    codes = frozenset(form.fields.values_list("code", flat=True)) if form.pk else frozenset()
    return _signature(codes, per_field)


def _signature(codes: frozenset[str], per_field: bool) -> expr.Signature:
    return expr.Signature(
        names=codes | (FIELD_WORDS if per_field else frozenset()), ref_functions=REF_FUNCTIONS
    )


@dataclass
class CompiledRule:
    id: int | None
    code: str
    name: str
    severity: str
    applies_to: str
    expression: expr.Expression
    message: expr.Template
    named: tuple[str, ...] = ()


def compile_rules(rules: Iterable, fields: Iterable[FieldSpec]) -> list[CompiledRule]:
    """Compile the active rules once; a rule that no longer parses (a field was renamed) is skipped."""
    codes = frozenset(f.code for f in fields)
    compiled = []
    for rule in rules:
        if not rule.is_active:
            continue
        signature = _signature(codes, rule.applies_to != AppliesTo.FORM)
        try:
            compiled.append(
                CompiledRule(
                    rule.pk,
                    rule.code,
                    rule.name,
                    rule.severity,
                    rule.applies_to,
                    expr.parse(rule.expression, signature),
                    expr.render(rule.message, signature),
                )
            )
            compiled[-1].named = tuple(sorted(compiled[-1].expression.names & codes))
        except expr.ExprError:
            continue
    return compiled


def _applies(rule: CompiledRule, f: FieldSpec) -> bool:
    if rule.applies_to == AppliesTo.EACH_FIELD:
        return True
    if rule.applies_to == AppliesTo.EACH_CUMULATIVE:
        return f.is_flow
    return f.is_flow and not f.allow_negative  # EACH_FLOW


def _div(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


class _Env:
    """Name resolution for one submission; `this` is set per field by the evaluator."""

    __slots__ = ("current", "last_year", "history", "fields", "this")

    def __init__(self, current: dict, last_year: dict, history: History, fields: dict[str, FieldSpec]):
        self.current = current
        self.last_year = last_year
        self.history = history
        self.fields = fields
        self.this = None

    def name(self, name: str):
        if name == "this":
            return self.current.get(self.this.code)
        if name == "label":
            return self.this.label
        if name == "unit":
            return self.this.unit
        if name in self.fields:
            return self.current.get(name)
        raise expr.ExprError(f"未知的字段“{name}”")

    def call(self, func: str, args: tuple):
        raise expr.ExprError(f"未知的函数“{func}”")

    def ref(self, func: str, names: tuple[str, ...]):
        name = names[0]
        spec = self.this if name == "this" else self.fields.get(name)
        if spec is None:
            raise expr.ExprError(f"未知的字段“{name}”")
        code = spec.code
        h = self.history
        if func == "prior":
            return h.prior.get(code)
        if func == "last_year":
            return self.last_year.get(code)
        if func == "stored_last_year":
            return h.stored_last_year.get(code)
        if func == "blank":
            return self.current.get(code) is None
        cur = self.current.get(code)
        if func == "yoy":
            ratio = _div(cur, self.last_year.get(code))
            return None if ratio is None else ratio - 1
        if func == "month":
            return self._own(cur, h.prior.get(code), h.first_of_year, spec)
        if func == "prior_month":
            return self._own(h.prior.get(code), h.prior2.get(code), h.prior_first_of_year, spec)
        if func == "mom":
            if not spec.is_flow:
                ratio = _div(cur, h.prior.get(code))
            else:
                own = self._own(cur, h.prior.get(code), h.first_of_year, spec)
                before = self._own(h.prior.get(code), h.prior2.get(code), h.prior_first_of_year, spec)
                ratio = _div(
                    _div(own, Decimal(h.own_months)) if own is not None else None,
                    _div(before, Decimal(h.prior_own_months)) if before is not None else None,
                )
            return None if ratio is None else ratio - 1
        raise expr.ExprError(f"未知的函数“{func}”")

    @staticmethod
    def _own(cumulative, previous, first_of_year: bool, spec: FieldSpec):
        if cumulative is None or not spec.is_flow:
            return cumulative
        if first_of_year:
            return cumulative
        if previous is None:
            return None
        return cumulative - previous


class Checker:
    """A form's fields and compiled rules, ready to evaluate many submissions."""

    def __init__(self, fields: Iterable[FieldSpec], rules: Iterable):
        self.fields = list(fields)
        self.by_code = {f.code: f for f in self.fields}
        self.rules = compile_rules(rules, self.fields)
        self.evaluations = 0

    @classmethod
    def for_form(cls, form) -> "Checker":
        return cls([FieldSpec.of(f) for f in form.fields.all()], form.rules.all())

    def run(self, current: dict, last_year: dict, history: History) -> list[Finding]:
        env = _Env(current, last_year, history, self.by_code)
        findings = []
        count = 0
        for rule in self.rules:
            if rule.applies_to == AppliesTo.FORM:
                env.this = None
                count += 1
                if rule.expression.evaluate(env) is False:
                    findings.append(
                        Finding(
                            rule.code,
                            rule.code,
                            rule.id,
                            rule.name,
                            "",
                            rule.severity,
                            rule.message.format(env),
                            rule.named,
                        )
                    )
                continue
            for spec in self.fields:
                if not _applies(rule, spec):
                    continue
                env.this = spec
                count += 1
                if rule.expression.evaluate(env) is False:
                    findings.append(
                        Finding(
                            f"{rule.code}:{spec.code}",
                            rule.code,
                            rule.id,
                            rule.name,
                            spec.code,
                            rule.severity,
                            rule.message.format(env),
                            (spec.code,),
                        )
                    )
        self.evaluations += count
        return findings

    def parse_inputs(self, raw: dict[str, tuple[str, str]]) -> tuple[dict, dict, dict[str, str]]:
        """Text from a page or a file → (current, last_year, errors by input name).

        Input names are the field code for this period and `code__ly` for last year; a blank stays None.
        """
        current, last_year, errors = {}, {}, {}
        for spec in self.fields:
            text_now, text_ly = raw.get(spec.code, ("", ""))
            for name, text, target, is_now in (
                (spec.code, text_now, current, True),
                (f"{spec.code}__ly", text_ly, last_year, False),
            ):
                try:
                    target[spec.code] = parse_number(text, spec)
                except ValueError as exc:
                    errors[name] = str(exc)
                    target[spec.code] = None
                else:
                    if is_now and spec.required and target[spec.code] is None:
                        errors[name] = "必填;本期没有发生请填 0"
        return current, last_year, errors


def parse_number(text, spec: FieldSpec) -> Decimal | None:
    """One figure as typed: blank → None; otherwise a number in the field's rules, or ValueError."""
    if text is None:
        return None
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        text = str(text).strip().replace(",", "").replace(",", "")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{text[:20]}”不是数字") from None
    if not value.is_finite():
        raise ValueError("不是有效的数字")
    if abs(value) >= MAX_ABS:
        raise ValueError(f"数值过大,请确认单位为{spec.unit}")
    if value < 0 and not spec.allow_negative:
        raise ValueError("不能为负数")
    if spec.value_type == ValueType.INTEGER and value != value.to_integral_value():
        raise ValueError("应为整数")
    exponent = value.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and -exponent > spec.decimals
        and value != value.quantize(Decimal(1).scaleb(-spec.decimals))
    ):
        raise ValueError(f"最多 {spec.decimals} 位小数")
    return value
