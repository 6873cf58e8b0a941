"""Compiler: the parser's tree → nested closures, with the built-in functions."""

import operator
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal

from ._base import Env, ExprError, Value, _Fn

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
    items = node[2]
    if 2 < len(items) <= _SHORT_CHAIN:  # `a and b and c` as `a and (b and c)`: nested beats the loop
        items = (items[0], ("and", items[1][1], items[1:]))
    codes = [_compile(item) for item in items]
    positions = tuple(item[1] for item in items)
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
    items = node[2]
    if 2 < len(items) <= _SHORT_CHAIN:  # `a or b or c` as `a or (b or c)`: nested beats the loop
        items = (items[0], ("or", items[1][1], items[1:]))
    codes = [_compile(item) for item in items]
    positions = tuple(item[1] for item in items)
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
