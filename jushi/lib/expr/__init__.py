"""A small expression language for validation rules of statistical reports (审核公式).

Rules look like ``total_profit == operating_profit + non_op_income - non_op_expense`` or
``abs(yoy(this)) <= 30%``. The text is tokenized and parsed (`_parser`, recursive descent) and compiled
into nested Python closures (`_compiler`); nothing is handed to ``eval``.

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

from decimal import ROUND_HALF_UP, Decimal

from ._base import MAX_LENGTH, Binder, Env, ExprError, Signature, Value, _Fn
from ._compiler import _CENT, _WIDE, _compile
from ._parser import _Parser

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
