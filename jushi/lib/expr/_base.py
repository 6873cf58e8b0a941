"""The types every part of the expression language shares."""

from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Protocol

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
