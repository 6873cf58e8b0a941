"""A small expression language for validation rules of statistical reports (审核公式).

Rules look like ``total_profit == operating_profit + non_op_income - non_op_expense`` or
``abs(yoy(this)) <= 30%``. The text is tokenized and parsed here (recursive descent) and compiled
into nested Python closures; nothing is handed to ``eval``.

- Values are ``Decimal`` (exact), ``bool``, ``str`` or ``None`` (null). Numbers: ``12``, ``0.8``,
  ``1e3``, ``30%`` (= 0.3). Literals ``true``, ``false``, ``null``; strings in '' or "".
- Precedence, low to high: ``or``; ``and``; ``not``; comparisons ``< <= > >= == !=`` (``=`` and ``<>``
  too; they do not chain); ``+ -``; ``* /``; unary ``- +``; calls and parentheses. Keywords are
  case-insensitive; ``&& || !`` mean ``and or not``; full-width characters and ``≤ ≥ ≠ × ÷`` are
  read as their ASCII forms.
- Null works as in SQL: arithmetic and comparisons with null give null, so does division by zero;
  ``and``/``or``/``not`` are three-valued and short-circuit. Mixing types (``true + 1``, ``1 < true``)
  raises ExprError when evaluated.
- Built-ins: abs, min, max, round (half up), coalesce, if, between, is_null, ratio, pct.
- A caller's Signature names the allowed identifiers, its *reference functions* (whose arguments
  are field codes passed to the environment by name, e.g. ``prior(this)``) and extra functions.

``render`` compiles message templates with ``{expression}`` placeholders.
"""

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Protocol

__all__ = [
    "Binder",
    "Env",
    "ExprError",
    "Expression",
    "MAX_LENGTH",
    "Signature",
    "Template",
    "Value",
    "format_value",
    "parse",
    "render",
]

MAX_LENGTH = 2000
MAX_NESTING = 32  # parentheses, calls, unary operators and `not`, nested

Value = Decimal | bool | str | None
_Fn = Callable[["Env"], Value]


class ExprError(ValueError):
    """What is wrong, in Chinese; ``position`` is the 0-based offset in the text (shown 1-based)."""

    position: int | None

    def __init__(self, detail: str, position: int | None = None) -> None:
        self.detail = detail
        self.position = position
        super().__init__(detail if position is None else f"第 {position + 1} 个字符处:{detail}")


@dataclass(frozen=True)
class Signature:
    """What a caller allows: identifiers, reference functions and extra env functions."""

    names: frozenset[str]
    ref_functions: frozenset[str]
    functions: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, frozenset(getattr(self, f.name)))


class Env(Protocol):
    def name(self, name: str) -> Value: ...

    def ref(self, func: str, names: tuple[str, ...]) -> Value: ...

    def call(self, func: str, args: tuple[Value, ...]) -> Value: ...


class Binder(Protocol):
    """Early binding, for callers that evaluate one expression very many times.

    At compile time each identifier and reference call is offered to the binder; a closure returned
    (taking the env) is called directly at evaluation instead of ``env.name`` / ``env.ref``. Return
    None to leave a name to the env."""

    def name(self, name: str) -> Callable[[Env], Value] | None: ...

    def ref(self, func: str, names: tuple[str, ...]) -> Callable[[Env], Value] | None: ...


# ---------------------------------------------------------------------------------------------------
# Tokenizer

_TOKEN_RE = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<str>"[^"]*"|'[^']*')
    | (?P<op><=|>=|==|!=|<>|&&|\|\||[-+*/%<>=!(),≤≥≠])
    """,
    re.VERBOSE,
)
# Full-width ASCII (as typed with a Chinese IME) and a few symbols, one character for one.
_NORMALIZE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {
    0x3000: " ",
    ord("×"): "*",
    ord("÷"): "/",
    ord("“"): '"',
    ord("”"): '"',
    ord("‘"): "'",
    ord("’"): "'",
}
_OP_ALIASES = {"=": "==", "<>": "!=", "≠": "!=", "≤": "<=", "≥": ">=", "&&": "and", "||": "or", "!": "not"}
_KEYWORDS = {
    "and": ("op", "and"),
    "or": ("op", "or"),
    "not": ("op", "not"),
    "true": ("const", True),
    "false": ("const", False),
    "null": ("const", None),
}
_NUMBER_TAIL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.")
_COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})

# A token: (kind, value, position, source text); kinds: num, str, name, const, op, end.
_Token = tuple[str, object, int, str]


def _tokenize(text: str) -> list[_Token]:
    src = text.translate(_NORMALIZE)
    tokens: list[_Token] = []
    pos, n = 0, len(src)
    while pos < n:
        m = _TOKEN_RE.match(src, pos)
        if m is None:
            if src[pos] in "\"'":
                raise ExprError("字符串缺少结束引号", pos)
            raise ExprError(f"无法识别的字符“{text[pos]}”", pos)
        kind, raw, end = m.lastgroup, m.group(), m.end()
        source = text[pos:end]
        if kind == "num":
            if end < n and src[end] in _NUMBER_TAIL:
                stop = end
                while stop < n and src[stop] in _NUMBER_TAIL:
                    stop += 1
                raise ExprError(f"数字格式不正确:“{text[pos:stop]}”", pos)
            try:
                tokens.append(("num", Decimal(raw), pos, source))
            except InvalidOperation:  # an exponent beyond what Decimal can hold
                raise ExprError(f"数字格式不正确:“{source}”", pos) from None
        elif kind == "name":
            keyword = _KEYWORDS.get(raw.lower())
            if keyword is None:
                tokens.append(("name", raw, pos, source))
            else:
                tokens.append((keyword[0], keyword[1], pos, source))
        elif kind == "str":
            tokens.append(("str", raw[1:-1], pos, source))
        elif kind == "op":
            tokens.append(("op", _OP_ALIASES.get(raw, raw), pos, source))
        pos = end
    tokens.append(("end", None, n, ""))
    return tokens


# ---------------------------------------------------------------------------------------------------
# Parser: builds a tree of tuples, (kind, start, ...):
#   ("const", s, value) ("name", s, name) ("ref", s, func, names) ("call", s, func, args)
#   ("bound", s, closure): a name or reference call the caller's Binder resolved at compile time
#   ("builtin", s, key, label, args) ("neg"|"plus"|"not", s, x) ("and"|"or", s, items)
#   ("cmp", s, op, op_pos, left, right) ("arith", s, first, ((op, op_pos, node), ...))

# name: (min args, max args or None)
_ARITY: dict[str, tuple[int, int | None]] = {
    "abs": (1, 1),
    "min": (1, None),
    "max": (1, None),
    "round": (1, 2),
    "coalesce": (1, None),
    "if": (3, 3),
    "between": (3, 3),
    "is_null": (1, 1),
    "ratio": (2, 2),
    "pct": (1, 1),
}


def _percent(value: Decimal) -> Decimal:
    sign, digits, exponent = value.as_tuple()
    return Decimal((sign, digits, exponent - 2))


class _Parser:
    def __init__(self, text: str, signature: Signature | None, bind: Binder | None = None) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.signature = signature
        self.bind = bind
        self.names: set[str] = set()
        self.refs: set[tuple[str, str]] = set()
        self.nesting = 0

    def peek_op(self, *ops: str) -> bool:
        return self._is_op(self.tokens[self.i], *ops)

    @staticmethod
    def _is_op(token: _Token, *ops: str) -> bool:
        return token[0] == "op" and token[1] in ops

    def enter(self, token: _Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExprError(f"嵌套层数过多(最多 {MAX_NESTING} 层)", token[2])

    def parse(self) -> tuple:
        node = self.or_()
        token = self.tokens[self.i]
        if token[0] != "end":
            if self._is_op(token, ")"):
                raise ExprError("多余的右括号", token[2])
            if self._is_op(token, "%"):
                raise ExprError("“%”只能紧跟在数字后面", token[2])
            if self._is_op(token, ",") and self.tokens[self.i - 1][0] == "num":
                raise ExprError("数字中不能使用千位分隔符“,”", token[2])
            raise ExprError(f"此处不应出现“{token[3]}”,是否缺少运算符?", token[2])
        return node

    def or_(self) -> tuple:
        items = [self.and_()]
        while self.peek_op("or"):
            self.i += 1
            items.append(self.and_())
        return items[0] if len(items) == 1 else ("or", items[0][1], tuple(items))

    def and_(self) -> tuple:
        items = [self.not_()]
        while self.peek_op("and"):
            self.i += 1
            items.append(self.not_())
        return items[0] if len(items) == 1 else ("and", items[0][1], tuple(items))

    def not_(self) -> tuple:
        if self.peek_op("not"):
            token = self.tokens[self.i]
            self.i += 1
            self.enter(token)
            node = ("not", token[2], self.not_())
            self.nesting -= 1
            return node
        return self.comparison()

    def comparison(self) -> tuple:
        left = self.additive()
        token = self.tokens[self.i]
        if token[0] == "op" and token[1] in _COMPARISONS:
            self.i += 1
            right = self.additive()
            after = self.tokens[self.i]
            if after[0] == "op" and after[1] in _COMPARISONS:
                raise ExprError("比较运算不能连写(如 a < b < c),请写成 a < b and b < c", after[2])
            return ("cmp", left[1], token[1], token[2], left, right)
        return left

    def additive(self) -> tuple:
        return self.chain(self.term, ("+", "-"))

    def term(self) -> tuple:
        return self.chain(self.unary, ("*", "/"))

    def chain(self, operand: Callable[[], tuple], ops: tuple[str, ...]) -> tuple:
        first = operand()
        rest = []
        while self.peek_op(*ops):
            token = self.tokens[self.i]
            self.i += 1
            rest.append((token[1], token[2], operand()))
        return ("arith", first[1], first, tuple(rest)) if rest else first

    def unary(self) -> tuple:
        if self.peek_op("-", "+"):
            token = self.tokens[self.i]
            self.i += 1
            self.enter(token)
            node = ("neg" if token[1] == "-" else "plus", token[2], self.unary())
            self.nesting -= 1
            return node
        return self.primary()

    def primary(self) -> tuple:
        token = self.tokens[self.i]
        kind, value, pos, _ = token
        self.i += 1
        if kind == "num":
            if self.peek_op("%"):
                self.i += 1
                value = _percent(value)
            return ("const", pos, value)
        if kind in ("str", "const"):
            return ("const", pos, value)
        if kind == "name":
            if self.peek_op("("):
                return self.call(token)
            self.use_name(value, pos)
            bound = self.bind.name(value) if self.bind is not None else None
            return ("bound", pos, bound) if bound is not None else ("name", pos, value)
        if kind == "op" and value == "(":
            self.enter(token)
            node = self.or_()
            self.close(token)
            return node
        raise self.missing_operand(token)

    def missing_operand(self, token: _Token) -> ExprError:
        previous = self.tokens[self.i - 2] if self.i >= 2 else ("end", None, 0, "")
        is_op = self._is_op
        if is_op(token, "%"):
            return ExprError("“%”只能紧跟在数字后面", token[2])
        if is_op(token, "not"):
            return ExprError(f"这里的“{token[3]}”需要加括号,如 a == ({token[3]} b)", token[2])
        if is_op(previous, "(") and token[0] == "end":
            return ExprError("缺少右括号", token[2])
        if is_op(previous, "(") and is_op(token, ")"):
            return ExprError("括号内缺少内容", token[2])
        if previous[0] == "op" and previous[1] != ")":
            where = previous[2] if token[0] == "end" else token[2]
            return ExprError(f"“{previous[3]}”后面缺少运算对象", where)
        if token[0] == "end":
            return ExprError("表达式不完整", token[2])
        return ExprError(f"此处不应出现“{token[3]}”", token[2])

    def close(self, opening: _Token) -> None:
        token = self.tokens[self.i]
        if not (token[0] == "op" and token[1] == ")"):
            if token[0] == "end":
                raise ExprError(f"缺少右括号(与第 {opening[2] + 1} 个字符处的左括号配对)", token[2])
            raise ExprError(f"此处应为“,”或“)”,而不是“{token[3]}”", token[2])
        self.i += 1
        self.nesting -= 1

    def check_name(self, name: str, pos: int) -> None:
        if self.signature is not None and name not in self.signature.names:
            raise ExprError(f"未知的字段或名称“{name}”", pos)

    def use_name(self, name: str, pos: int) -> None:
        self.check_name(name, pos)
        self.names.add(name)

    def call(self, token: _Token) -> tuple:
        func, pos = token[1], token[2]
        opening = self.tokens[self.i]
        self.i += 1
        self.enter(opening)
        sig = self.signature
        if sig is not None and func in sig.ref_functions:
            return self.ref_call(func, pos, opening)
        args = []
        if not self.peek_op(")"):
            args.append(self.or_())
            while self.peek_op(","):
                self.i += 1
                args.append(self.or_())
        self.close(opening)
        key = func.lower()
        if (sig is None or func not in sig.functions) and key in _ARITY:
            low, high = _ARITY[key]
            if not low <= len(args) <= (high if high is not None else len(args)):
                if high is None:
                    expected = f"至少需要 {low} 个参数"
                elif low == high:
                    expected = f"需要 {low} 个参数"
                else:
                    expected = f"需要 {low} 到 {high} 个参数"
                raise ExprError(f"{func}() {expected},实际 {len(args)} 个", pos)
            return ("builtin", pos, key, func, tuple(args))
        if sig is not None and func not in sig.functions:
            raise ExprError(f"未知的函数“{func}”", pos)
        return ("call", pos, func, tuple(args))

    def ref_call(self, func: str, pos: int, opening: _Token) -> tuple:
        names = []
        if not self.peek_op(")"):
            while True:
                token = self.tokens[self.i]
                if token[0] == "end":
                    break  # close() reports the missing parenthesis
                follower = self.tokens[self.i + 1]
                if token[0] != "name" or not (follower[0] == "end" or self._is_op(follower, ",", ")")):
                    raise ExprError(f"{func}() 的参数必须是字段代码", token[2])
                self.i += 1
                self.check_name(token[1], token[2])
                names.append(token[1])
                if not self.peek_op(","):
                    break
                self.i += 1
        self.close(opening)
        for name in names:
            self.refs.add((func, name))
        bound = self.bind.ref(func, tuple(names)) if self.bind is not None else None
        return ("bound", pos, bound) if bound is not None else ("ref", pos, func, tuple(names))


# ---------------------------------------------------------------------------------------------------
# Evaluation helpers: the slow paths (the closures handle two Decimals inline)

_WIDE = Context(prec=1000, rounding=ROUND_HALF_UP)
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}  # values are never NaN
_CMP: dict[str, Callable[[object, object], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def _kind(value: object) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "真假值"
    if isinstance(value, Decimal | int | float):
        return "数值"
    if isinstance(value, str):
        return "文本"
    return type(value).__name__


def _num(value: object, pos: int, what: str) -> Decimal:
    """A non-null operand as a Decimal, or an ExprError saying what needed a number."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise ExprError(f"{what}必须是数值,实际是{_kind(value)}", pos)


def _not_truth(value: object, pos: int, word: str) -> ExprError:
    return ExprError(f"“{word}”的运算对象必须是真假值,实际是{_kind(value)}", pos)


def _compare(op: str, a: object, b: object, pos: int) -> bool:
    """Compare two non-null values that are not both Decimal."""
    a_bool, b_bool = isinstance(a, bool), isinstance(b, bool)
    if a_bool or b_bool:
        if a_bool and b_bool:
            if op in ("==", "!="):
                return _CMP[op](a, b)
            raise ExprError("真假值不能比较大小", pos)
    elif isinstance(a, str) and isinstance(b, str):
        return _CMP[op](a, b)
    elif isinstance(a, Decimal | int | float) and isinstance(b, Decimal | int | float):
        return _CMP[op](_num(a, pos, ""), _num(b, pos, ""))
    raise ExprError(f"无法比较{_kind(a)}与{_kind(b)}", pos)


# ---------------------------------------------------------------------------------------------------
# Compiler: tree -> closures. Each step returns (fn, is_constant, constant value); subtrees whose
# operands are all constant are folded unless evaluating them raises (then the error waits for
# evaluation).

_Code = tuple[_Fn, bool, Value]


def _const(value: Value) -> _Code:
    def fn(env: Env) -> Value:
        return value

    return fn, True, value


def _fold(fn: _Fn, codes: list[_Code]) -> _Code:
    if all(code[1] for code in codes):
        try:
            value = fn(None)  # constant operands never touch env
        except (ExprError, ArithmeticError):
            return fn, False, None
        return _const(value)
    return fn, False, None


def _compile(node: tuple) -> _Code:
    return _COMPILERS[node[0]](node)


def _c_const(node: tuple) -> _Code:
    return _const(node[2])


def _c_name(node: tuple) -> _Code:
    name = node[2]

    def fn(env: Env) -> Value:
        return env.name(name)

    return fn, False, None


def _c_bound(node: tuple) -> _Code:
    return node[2], False, None


def _c_ref(node: tuple) -> _Code:
    func, names = node[2], node[3]

    def fn(env: Env) -> Value:
        return env.ref(func, names)

    return fn, False, None


def _c_call(node: tuple) -> _Code:
    func = node[2]
    fns = tuple(_compile(arg)[0] for arg in node[3])

    def fn(env: Env) -> Value:
        return env.call(func, tuple([f(env) for f in fns]))

    return fn, False, None


def _c_builtin(node: tuple) -> _Code:
    _, pos, key, label, args = node
    codes = [_compile(arg) for arg in args]
    return _fold(_BUILTINS[key](tuple(code[0] for code in codes), pos, label), codes)


def _c_neg(node: tuple) -> _Code:
    code = _compile(node[2])
    f, pos = code[0], node[1]

    def fn(env: Env) -> Value:
        v = f(env)
        if v is None:
            return None
        if type(v) is not Decimal:
            v = _num(v, pos, "负号的运算对象")
        return -v

    return _fold(fn, [code])


def _c_plus(node: tuple) -> _Code:
    code = _compile(node[2])
    f, pos = code[0], node[1]

    def fn(env: Env) -> Value:
        v = f(env)
        if v is None or type(v) is Decimal:
            return v
        return _num(v, pos, "正号的运算对象")

    return _fold(fn, [code])


def _c_not(node: tuple) -> _Code:
    if node[2][0] == "cmp":  # `not (a > b)` is `a <= b`, null staying null: one closure, not two
        _, s, op, pos, left, right = node[2]
        return _c_cmp(("cmp", s, _NEGATED[op], pos, left, right))
    code = _compile(node[2])
    f, pos = code[0], node[2][1]

    def fn(env: Env) -> Value:
        v = f(env)
        if v is True:
            return False
        if v is False:
            return True
        if v is None:
            return None
        raise _not_truth(v, pos, "not")

    return _fold(fn, [code])


def _c_and(node: tuple) -> _Code:
    codes = [_compile(item) for item in node[2]]
    positions = tuple(item[1] for item in node[2])
    if len(codes) == 2:
        f1, f2 = codes[0][0], codes[1][0]
        p1, p2 = positions

        def fn(env: Env) -> Value:
            a = f1(env)
            if a is False:
                return False
            if a is not True and a is not None:
                raise _not_truth(a, p1, "and")
            b = f2(env)
            if b is False:
                return False
            if b is True:
                return a
            if b is None:
                return None
            raise _not_truth(b, p2, "and")

    else:
        pairs = tuple(zip((code[0] for code in codes), positions, strict=True))

        def fn(env: Env) -> Value:
            result: bool | None = True
            for f, p in pairs:
                v = f(env)
                if v is False:
                    return False
                if v is None:
                    result = None
                elif v is not True:
                    raise _not_truth(v, p, "and")
            return result

    return _fold(fn, codes)


def _c_or(node: tuple) -> _Code:
    codes = [_compile(item) for item in node[2]]
    positions = tuple(item[1] for item in node[2])
    if len(codes) == 2:
        f1, f2 = codes[0][0], codes[1][0]
        p1, p2 = positions

        def fn(env: Env) -> Value:
            a = f1(env)
            if a is True:
                return True
            if a is not False and a is not None:
                raise _not_truth(a, p1, "or")
            b = f2(env)
            if b is True:
                return True
            if b is False:
                return a
            if b is None:
                return None
            raise _not_truth(b, p2, "or")

    else:
        pairs = tuple(zip((code[0] for code in codes), positions, strict=True))

        def fn(env: Env) -> Value:
            result: bool | None = False
            for f, p in pairs:
                v = f(env)
                if v is True:
                    return True
                if v is None:
                    result = None
                elif v is not False:
                    raise _not_truth(v, p, "or")
            return result

    return _fold(fn, codes)


def _c_cmp(node: tuple) -> _Code:
    _, _, op, pos, left, right = node
    lc, rc = _compile(left), _compile(right)
    lf, rf = lc[0], rc[0]
    test = _CMP[op]
    if rc[1] and type(rc[2]) is Decimal and left[0] == "builtin" and left[2] == "abs":
        # the usual `abs(yoy(this)) <= 30%`: the absolute value taken inline
        c, ac, abs_pos, what = rc[2], _compile(left[4][0]), left[1], f"{left[3]}() 的参数"
        af = ac[0]

        def fn(env: Env) -> Value:
            a = af(env)
            if a is None:
                return None
            if type(a) is not Decimal:
                a = _num(a, abs_pos, what)
            return test(abs(a), c)

        return _fold(fn, [ac, rc])
    if rc[1] and type(rc[2]) is Decimal:  # the usual `x <= 30%`: no call for the constant
        c = rc[2]

        def fn(env: Env) -> Value:
            a = lf(env)
            if a is None:
                return None
            if type(a) is Decimal:
                return test(a, c)
            return _compare(op, a, c, pos)

    else:

        def fn(env: Env) -> Value:
            a = lf(env)
            if a is None:
                return None
            b = rf(env)
            if b is None:
                return None
            if type(a) is Decimal and type(b) is Decimal:
                return test(a, b)
            return _compare(op, a, b, pos)

    return _fold(fn, [lc, rc])


def _arith2(op: str, lf: _Fn, rf: _Fn, pos: int, what: str = "") -> _Fn:
    what = what or f"“{op}”的运算对象"
    if op == "+":

        def fn(env: Env) -> Value:
            a = lf(env)
            if a is None:
                return None
            b = rf(env)
            if b is None:
                return None
            if type(a) is not Decimal:
                a = _num(a, pos, what)
            if type(b) is not Decimal:
                b = _num(b, pos, what)
            return a + b

    elif op == "-":

        def fn(env: Env) -> Value:
            a = lf(env)
            if a is None:
                return None
            b = rf(env)
            if b is None:
                return None
            if type(a) is not Decimal:
                a = _num(a, pos, what)
            if type(b) is not Decimal:
                b = _num(b, pos, what)
            return a - b

    elif op == "*":

        def fn(env: Env) -> Value:
            a = lf(env)
            if a is None:
                return None
            b = rf(env)
            if b is None:
                return None
            if type(a) is not Decimal:
                a = _num(a, pos, what)
            if type(b) is not Decimal:
                b = _num(b, pos, what)
            return a * b

    else:

        def fn(env: Env) -> Value:
            a = lf(env)
            if a is None:
                return None
            b = rf(env)
            if b is None:
                return None
            if type(a) is not Decimal:
                a = _num(a, pos, what)
            if type(b) is not Decimal:
                b = _num(b, pos, what)
            if not b:
                return None
            return a / b

    return fn


def _arith_n(first: _Fn, rest: tuple[tuple[str, _Fn, int], ...]) -> _Fn:
    first_what, first_pos = f"“{rest[0][0]}”的运算对象", rest[0][2]

    def fn(env: Env) -> Value:
        acc = first(env)
        if acc is None:
            return None
        if type(acc) is not Decimal:
            acc = _num(acc, first_pos, first_what)
        for op, f, pos in rest:
            b = f(env)
            if b is None:
                return None
            if type(b) is not Decimal:
                b = _num(b, pos, f"“{op}”的运算对象")
            if op == "+":
                acc += b
            elif op == "-":
                acc -= b
            elif op == "*":
                acc *= b
            elif not b:
                return None
            else:
                acc /= b
        return acc

    return fn


_SHORT_CHAIN = 4


def _c_arith(node: tuple) -> _Code:
    _, _, first, rest = node
    first_code = _compile(first)
    codes = [_compile(item[2]) for item in rest]
    if len(rest) <= _SHORT_CHAIN:  # nested binary closures beat the loop for short chains
        fn = first_code[0]
        for (op, pos, _), code in zip(rest, codes, strict=True):
            fn = _arith2(op, fn, code[0], pos)
    else:
        steps = tuple((op, code[0], pos) for (op, pos, _), code in zip(rest, codes, strict=True))
        fn = _arith_n(first_code[0], steps)
    return _fold(fn, [first_code, *codes])


_COMPILERS: dict[str, Callable[[tuple], _Code]] = {
    "const": _c_const,
    "name": _c_name,
    "ref": _c_ref,
    "bound": _c_bound,
    "call": _c_call,
    "builtin": _c_builtin,
    "neg": _c_neg,
    "plus": _c_plus,
    "not": _c_not,
    "and": _c_and,
    "or": _c_or,
    "cmp": _c_cmp,
    "arith": _c_arith,
}


# ---------------------------------------------------------------------------------------------------
# Built-in functions: each factory takes the argument closures, the call's position and the name
# as typed, and returns the closure for the call.

_Factory = Callable[[tuple[_Fn, ...], int, str], _Fn]


def _b_abs(fns: tuple[_Fn, ...], pos: int, label: str) -> _Fn:
    (f,) = fns
    what = f"{label}() 的参数"

    def fn(env: Env) -> Value:
        v = f(env)
        if v is None:
            return None
        if type(v) is not Decimal:
            v = _num(v, pos, what)
        return abs(v)

    return fn


def _b_extreme(pick: Callable[[list[Decimal]], Decimal]) -> _Factory:
    def factory(fns: tuple[_Fn, ...], pos: int, label: str) -> _Fn:
        what = f"{label}() 的参数"

        def fn(env: Env) -> Value:
            values = []
            for f in fns:
                v = f(env)
                if v is None:
                    return None
                if type(v) is not Decimal:
                    v = _num(v, pos, what)
                values.append(v)
            return pick(values)

        return fn

    return factory


def _b_round(fns: tuple[_Fn, ...], pos: int, label: str) -> _Fn:
    f = fns[0]
    places_fn = fns[1] if len(fns) == 2 else None
    what = f"{label}() 的参数"

    def fn(env: Env) -> Value:
        v = f(env)
        if v is None:
            return None
        if type(v) is not Decimal:
            v = _num(v, pos, what)
        places = 0
        if places_fn is not None:
            n = places_fn(env)
            if n is None:
                return None
            n = _num(n, pos, what)
            if n != n.to_integral_value() or abs(n) > 100:
                raise ExprError(f"{label}() 的小数位数必须是 -100 到 100 之间的整数", pos)
            places = int(n)
        return v.quantize(Decimal((0, (1,), -places)), rounding=ROUND_HALF_UP, context=_WIDE)

    return fn


def _b_coalesce(fns: tuple[_Fn, ...], pos: int, label: str) -> _Fn:
    def fn(env: Env) -> Value:
        for f in fns:
            v = f(env)
            if v is not None:
                return v
        return None

    return fn


def _b_if(fns: tuple[_Fn, ...], pos: int, label: str) -> _Fn:
    condition, then, otherwise = fns

    def fn(env: Env) -> Value:
        c = condition(env)
        if c is True:
            return then(env)
        if c is False:
            return otherwise(env)
        if c is None:
            return None
        raise ExprError(f"{label}() 的条件必须是真假值,实际是{_kind(c)}", pos)

    return fn


def _b_between(fns: tuple[_Fn, ...], pos: int, label: str) -> _Fn:
    fx, flo, fhi = fns

    def fn(env: Env) -> Value:
        x = fx(env)
        if x is None:
            return None
        lo = flo(env)
        if lo is None:
            return None
        hi = fhi(env)
        if hi is None:
            return None
        if type(x) is Decimal and type(lo) is Decimal and type(hi) is Decimal:
            return lo <= x <= hi
        return _compare("<=", lo, x, pos) and _compare("<=", x, hi, pos)

    return fn


def _b_is_null(fns: tuple[_Fn, ...], pos: int, label: str) -> _Fn:
    (f,) = fns

    def fn(env: Env) -> Value:
        return f(env) is None

    return fn


def _b_ratio(fns: tuple[_Fn, ...], pos: int, label: str) -> _Fn:
    return _arith2("/", fns[0], fns[1], pos, f"{label}() 的参数")


def _b_pct(fns: tuple[_Fn, ...], pos: int, label: str) -> _Fn:
    (f,) = fns
    what = f"{label}() 的参数"

    def fn(env: Env) -> Value:
        v = f(env)
        if v is None:
            return "—"
        if type(v) is not Decimal:
            v = _num(v, pos, what)
        q = _WIDE.multiply(v, _HUNDRED).quantize(_TENTH, rounding=ROUND_HALF_UP, context=_WIDE)
        return f"{abs(q) if not q else q:f}%"

    return fn


_BUILTINS: dict[str, _Factory] = {
    "abs": _b_abs,
    "min": _b_extreme(min),
    "max": _b_extreme(max),
    "round": _b_round,
    "coalesce": _b_coalesce,
    "if": _b_if,
    "between": _b_between,
    "is_null": _b_is_null,
    "ratio": _b_ratio,
    "pct": _b_pct,
}


# ---------------------------------------------------------------------------------------------------
# Public API


class Expression:
    """A parsed expression; ``evaluate`` may be called any number of times, from any thread."""

    __slots__ = ("text", "names", "refs", "_fn")

    text: str
    names: frozenset[str]
    refs: frozenset[tuple[str, str]]

    def __init__(self, text: str, fn: _Fn, names: frozenset[str], refs: frozenset[tuple[str, str]]) -> None:
        self.text = text
        self.names = names
        self.refs = refs
        self._fn = fn

    def evaluate(self, env: Env) -> Value:
        try:
            return self._fn(env)
        except ArithmeticError as exc:  # decimal overflow and the like
            raise ExprError("数值超出可计算范围") from exc

    @property
    def function(self) -> _Fn:
        """The compiled closure itself, for a loop that evaluates very many times and turns
        ArithmeticError (decimal overflow) into ExprError once, around the loop."""
        return self._fn

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def parse(text: str, signature: Signature | None = None, bind: Binder | None = None) -> Expression:
    """Parse and compile ``text``; raise ExprError for anything wrong with it.

    Without a signature every identifier is accepted, there are no reference functions and any
    function that is not built in is passed to ``env.call``. A function the signature declares
    (in ``ref_functions`` or ``functions``) takes precedence over a built-in of the same name.
    ``bind`` may resolve names and reference calls once, at compile time (see Binder).
    """
    if len(text) > MAX_LENGTH:
        raise ExprError(f"表达式过长(最多 {MAX_LENGTH} 个字符,实际 {len(text)} 个)")
    if not text.strip():
        raise ExprError("表达式为空")
    parser = _Parser(text, signature, bind)
    fn = _compile(parser.parse())[0]
    return Expression(text, fn, frozenset(parser.names), frozenset(parser.refs))


def format_value(value: object) -> str:
    """How a template shows a value: ``1,234.5``, ``空``, ``是``/``否``, text as is."""
    if value is None:
        return "空"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not isinstance(value, Decimal):
        return str(value)
    if not value.is_finite() or value.adjusted() > 100:
        return str(value)
    text = f"{value.quantize(_CENT, rounding=ROUND_HALF_UP, context=_WIDE):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class Template:
    """A message with ``{expression}`` placeholders; see ``render``."""

    __slots__ = ("text", "expressions", "names", "refs", "_head", "_parts")

    text: str
    expressions: tuple[Expression, ...]
    names: frozenset[str]
    refs: frozenset[tuple[str, str]]

    def __init__(self, text: str, literals: list[str], expressions: list[Expression]) -> None:
        self.text = text
        self.expressions = tuple(expressions)
        self.names = frozenset().union(*(e.names for e in expressions))
        self.refs = frozenset().union(*(e.refs for e in expressions))
        self._head = literals[0]
        self._parts = tuple(zip(expressions, literals[1:], strict=True))

    def format(self, env: Env) -> str:
        """Evaluate each placeholder and show it with ``format_value``."""
        out = [self._head]
        for expression, literal in self._parts:
            out.append(format_value(expression.evaluate(env)))
            out.append(literal)
        return "".join(out)

    def __repr__(self) -> str:
        return f"Template({self.text!r})"


def render(template: str, signature: Signature | None = None, bind: Binder | None = None) -> Template:
    """Compile a message template: text with ``{expression}`` placeholders, ``{{`` and ``}}`` for braces.

    Each placeholder is parsed (and checked against ``signature``) here; positions in errors count
    from the start of the template.
    """
    literals: list[str] = []
    expressions: list[Expression] = []
    buffer: list[str] = []
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c == "{" and template.startswith("{{", i):
            buffer.append("{")
            i += 2
        elif c == "}" and template.startswith("}}", i):
            buffer.append("}")
            i += 2
        elif c == "}":
            raise ExprError("单独的“}”;要显示花括号请写成“}}”", i)
        elif c == "{":
            end = _placeholder_end(template, i)
            try:
                expression = parse(template[i + 1 : end], signature, bind)
            except ExprError as exc:
                raise ExprError(exc.detail, i + 1 + (exc.position or 0)) from None
            literals.append("".join(buffer))
            buffer.clear()
            expressions.append(expression)
            i = end + 1
        else:
            buffer.append(c)
            i += 1
    literals.append("".join(buffer))
    return Template(template, literals, expressions)


def _placeholder_end(template: str, start: int) -> int:
    """Index of the ``}`` closing the placeholder opened at ``start`` (quotes may hold braces)."""
    quote = None
    for j in range(start + 1, len(template)):
        c = template[j]
        if quote is not None:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "}":
            return j
        elif c == "{":
            raise ExprError("占位符中不能再有“{”", j)
    raise ExprError("占位符缺少“}”", start)
