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

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from jushi.lib import expr

from .choices import Aggregation, AppliesTo, Severity, ValueType

logger = logging.getLogger(__name__)
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

    is_flow: bool = field(init=False, compare=False)  # set from aggregation; read on every check

    def __post_init__(self):
        object.__setattr__(self, "is_flow", self.aggregation == Aggregation.FLOW)


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
    fields = tuple(fields)
    codes = frozenset(f.code for f in fields)
    compiled = []
    for rule in rules:
        if not rule.is_active:
            continue
        try:
            expression, message = _compiled(rule.expression, rule.message, fields, rule.applies_to, None)
        except expr.ExprError:
            continue
        compiled.append(
            CompiledRule(
                rule.pk,
                rule.code,
                rule.name,
                rule.severity,
                rule.applies_to,
                expression,
                message,
                tuple(sorted(expression.names & codes)),
            )
        )
    return compiled


@lru_cache(maxsize=2048)
def _compiled(
    expression: str, message: str, fields: tuple["FieldSpec", ...], applies_to: str, this: "FieldSpec | None"
) -> tuple[expr.Expression, expr.Template]:
    """A rule's expression and message compiled for `fields`, with `this` bound to one field or not.

    Cached per process: the texts and the field specs are the whole input, and compiled expressions
    are immutable, so every page request and import after the first reuses them."""
    by_code = {f.code: f for f in fields}
    signature = _signature(frozenset(by_code), applies_to != AppliesTo.FORM)
    bind = _Binder(by_code, this)
    return expr.parse(expression, signature, bind), expr.render(message, signature, bind)


def trial_error(form, expression: str, *, per_field: bool) -> str | None:
    """Evaluate a new rule once on made-up figures (every figure 1) to catch what parsing cannot see:
    a comparison of a number with a truth value, or an expression that is not a condition at all."""
    fields = [FieldSpec.of(f) for f in form.fields.all()]
    if not fields:
        return None
    ones = {f.code: Decimal(1) for f in fields}
    history = History(prior=dict(ones), prior2=dict(ones), stored_last_year=dict(ones))
    env = _Env(dict(ones), dict(ones), history, {f.code: f for f in fields})
    env.this = fields[0] if per_field else None
    try:
        result = expr.parse(expression, _signature(frozenset(ones), per_field)).evaluate(env)
    except expr.ExprError as exc:
        return f"表达式无法计算:{exc}"
    if result is not None and not isinstance(result, bool):
        kind = "数值" if isinstance(result, Decimal) else "文本"
        return f"审核公式应是一个条件(成立或不成立),这个表达式的结果是{kind};请写成比较,例如 a <= b"
    return None


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

    __slots__ = ("current", "last_year", "prior", "prior2", "stored_last_year", "history", "fields")
    __slots__ += ("this",)

    def __init__(self, current: dict, last_year: dict, history: History, fields: dict[str, FieldSpec]):
        self.current = current
        self.last_year = last_year
        self.prior = history.prior
        self.prior2 = history.prior2
        self.stored_last_year = history.stored_last_year
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
        try:
            resolve = _REFS[func]
        except KeyError:
            raise expr.ExprError(f"未知的函数“{func}”") from None
        return resolve(self, spec.code, spec)

    def _prior(self, code, spec):
        return self.prior.get(code)

    def _last_year(self, code, spec):
        return self.last_year.get(code)

    def _stored_last_year(self, code, spec):
        return self.stored_last_year.get(code)

    def _blank(self, code, spec):
        return self.current.get(code) is None

    def _yoy(self, code, spec):
        ratio = _div(self.current.get(code), self.last_year.get(code))
        return None if ratio is None else ratio - 1

    def _month(self, code, spec):
        return self._own(self.current.get(code), self.prior.get(code), self.history.first_of_year, spec)

    def _prior_month(self, code, spec):
        return self._own(self.prior.get(code), self.prior2.get(code), self.history.prior_first_of_year, spec)

    def _mom(self, code, spec):
        cur, prior = self.current.get(code), self.prior.get(code)
        if not spec.is_flow:
            ratio = _div(cur, prior)
            return None if ratio is None else ratio - 1
        # Flows: the own value per month against the previous period's (1–2月 counts two months).
        h = self.history
        if cur is None or prior is None and not h.first_of_year:
            return None
        own = cur if h.first_of_year else cur - prior
        if prior is None:
            return None
        if h.prior_first_of_year:
            before = prior
        else:
            prior2 = self.prior2.get(code)
            if prior2 is None:
                return None
            before = prior - prior2
        if not before:
            return None
        return (own / Decimal(h.own_months)) / (before / Decimal(h.prior_own_months)) - 1

    @staticmethod
    def _own(cumulative, previous, first_of_year: bool, spec: FieldSpec):
        if cumulative is None or not spec.is_flow:
            return cumulative
        if first_of_year:
            return cumulative
        if previous is None:
            return None
        return cumulative - previous


_REFS = {
    "prior": _Env._prior,
    "last_year": _Env._last_year,
    "stored_last_year": _Env._stored_last_year,
    "blank": _Env._blank,
    "yoy": _Env._yoy,
    "month": _Env._month,
    "prior_month": _Env._prior_month,
    "mom": _Env._mom,
}
REF_FUNCTIONS = frozenset(_REFS)  # what rule expressions may call with a field code


class _Binder:
    """Resolves field names and history functions when a rule is compiled (see expr.Binder).

    A per-field rule is compiled once for each field it applies to, with `this` bound to that field,
    so evaluating it for 20,000 submissions × 15 fields makes one call per name instead of three and
    looks up nothing by name at run time."""

    def __init__(self, fields: dict[str, FieldSpec], this: FieldSpec | None = None):
        self.fields = fields
        self.this = this

    def name(self, name: str):
        this = self.this
        if name in FIELD_WORDS and this is not None:
            if name == "label":
                label = this.label
                return lambda env: label
            if name == "unit":
                unit = this.unit
                return lambda env: unit
            name = this.code
        if name in self.fields:
            return lambda env: env.current.get(name)
        return None  # left to the env

    def ref(self, func: str, names: tuple[str, ...]):
        resolve = _REFS.get(func)
        if resolve is None or len(names) != 1:
            return None  # left to the env, which reports it when evaluated
        name = names[0]
        if name == "this":
            if self.this is None:
                return None
            name = self.this.code
        spec = self.fields.get(name)
        if spec is None:
            return None
        lookup = _LOOKUPS.get(func)
        if lookup is not None:
            return lookup(name)
        return lambda env: resolve(env, name, spec)


_LOOKUPS = {  # the plain lookups, bound to a field code, without a call to the resolver
    "prior": lambda code: lambda env: env.prior.get(code),
    "last_year": lambda code: lambda env: env.last_year.get(code),
    "stored_last_year": lambda code: lambda env: env.stored_last_year.get(code),
    "blank": lambda code: lambda env: env.current.get(code) is None,
}


class Checker:
    """A form's fields and compiled rules, ready to evaluate many submissions."""

    def __init__(self, fields: Iterable[FieldSpec], rules: Iterable):
        self.fields = list(fields)
        self.by_code = {f.code: f for f in self.fields}
        self.rules = compile_rules(rules, self.fields)
        self.evaluations = 0
        # Every (rule, field) pair to evaluate, compiled for it: (closure, message, rule, spec, key,
        # fields the finding names).
        fields_key = tuple(self.fields)
        self._plan = []
        for rule in self.rules:
            if rule.applies_to == AppliesTo.FORM:
                self._plan.append((rule.expression.function, rule.message, rule, None, rule.code, rule.named))
                continue
            for spec in self.fields:
                if _applies(rule, spec):
                    expression, message = _compiled(
                        rule.expression.text, rule.message.text, fields_key, rule.applies_to, spec
                    )
                    key = f"{rule.code}:{spec.code}"
                    self._plan.append((expression.function, message, rule, spec, key, (spec.code,)))

    @classmethod
    def for_form(cls, form, zone_id: int | None) -> "Checker":
        """The checks of one zone's submissions: the rules in force there (see RuleQuerySet.in_force)."""
        return cls([FieldSpec.of(f) for f in form.fields.all()], form.rules.in_force(zone_id))

    def run(self, current: dict, last_year: dict, history: History) -> list[Finding]:
        env = _Env(current, last_year, history, self.by_code)
        findings = []
        for evaluate, message, rule, spec, key, named in self._plan:
            env.this = spec  # for anything the binder left to the env
            try:
                result = evaluate(env)
            except (expr.ExprError, ArithmeticError) as exc:  # a rule that cannot be computed here
                logger.warning("rule %s could not be evaluated for %s: %s", rule.code, key, exc)
                continue
            if result is False:
                findings.append(
                    Finding(
                        key,
                        rule.code,
                        rule.id,
                        rule.name,
                        spec.code if spec else "",
                        rule.severity,
                        message.format(env),
                        named,
                    )
                )
        self.evaluations += len(self._plan)
        return findings

    def parse_inputs(self, raw: dict[str, tuple[str, str]]) -> tuple[dict, dict, dict[str, str]]:
        """Text from a page or a file → (current, last_year, errors by input name).

        Input names are the field code for this period and `code__ly` for last year; a blank stays None.
        """
        current, last_year, errors = {}, {}, {}
        for spec in self.fields:
            code = spec.code
            text_now, text_ly = raw.get(code, ("", ""))
            try:
                current[code] = value = parse_number(text_now, spec)
            except ValueError as exc:
                errors[code] = str(exc)
                current[code] = None
            else:
                if value is None and spec.required:
                    errors[code] = "必填;本期没有发生请填 0"
            try:
                last_year[code] = parse_number(text_ly, spec)
            except ValueError as exc:
                errors[f"{code}__ly"] = str(exc)
                last_year[code] = None
        return current, last_year, errors


def parse_number(text, spec: FieldSpec) -> Decimal | None:
    """One figure as typed: blank → None; otherwise a number in the field's rules, or ValueError."""
    if text is None:
        return None
    kind = type(text)
    if kind is Decimal or kind is int:
        value = Decimal(text)
    else:
        text = text.strip() if kind is str else str(text).strip()
        if "," in text or "," in text:
            text = text.replace(",", "").replace(",", "")
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
    if value != value.quantize(_QUANTUM[spec.decimals]):  # below MAX_ABS, so quantize cannot overflow
        smallest = _QUANTUM[spec.decimals]  # refused, never rounded (0.001 would be stored as 0)
        raise ValueError(f"最多 {spec.decimals} 位小数,最小单位为 {smallest:f} {spec.unit}")
    return value


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(0, 11)}
