"""Tokenizer and recursive-descent parser: text → a tree of tuples (see the node list below)."""

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from ._base import MAX_NESTING, Binder, ExprError, Signature

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
