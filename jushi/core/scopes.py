"""Who may see what: the interface every restricted queryset asks.

Scopes (which zones a user works in, which enterprise a reporter belongs to) are stored by the
registry app, above this one; it registers a provider here when Django starts. Core stays below.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    all_zones: bool = False
    zone_ids: frozenset[int] = frozenset()
    enterprise_id: int | None = None  # set for enterprise reporters: they see this one enterprise only


NOBODY = Scope()
_provider: Callable[[object], Scope] | None = None


def register_provider(provider: Callable[[object], Scope]) -> None:
    global _provider
    _provider = provider


def scope_of(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    if user.is_superuser:
        return Scope(all_zones=True)
    cached = getattr(user, "_jushi_scope", None)
    if cached is None:
        cached = _provider(user) if _provider else NOBODY
        user._jushi_scope = cached
    return cached


def can(user, action: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.can(action)
