"""Panels a record's page shows from the floors above it, without knowing those floors.

The enterprise page (registry) lists the enterprise's reports, projects and chain nodes, which live in
reporting, projects and chains, all above registry. Each of those apps registers a provider here in its
`AppConfig.ready()`:

    panels.register("enterprise", enterprise_panel, order=10)

A provider takes the record and the requesting user and returns a `Panel` of rows *as that user may see
them* (it starts from its models' `visible_to(user)`), or None when the user has no business with that
kind of row at all (an enterprise reporter and the project ledger). The page renders the panels in order.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""  # a link, when the value names a record
    title: str = ""  # shown on hover: the name behind a code, the meaning of a mark
    code: bool = False  # a code (credit code, project code): set in a monospace font
    num: bool = False  # a figure: right-aligned
    badge: str = ""  # a badge's CSS class (ok, warn, bad) when the value is a state


@dataclass
class Panel:
    key: str  # an HTML id: panel-<key>
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = "暂无"
    note: str = ""  # a sentence under the title: what is counted, in which unit
    more_url: str = ""  # a page that lists them all, when the panel shows only some
    more_text: str = ""
    numeric: tuple[int, ...] = ()  # indexes of the columns that hold figures (right-aligned headers)


Provider = Callable[[object, object], Panel | None]
_providers: dict[str, list[tuple[int, str, Provider]]] = {}


def register(kind: str, provider: Provider, *, order: int = 50) -> None:
    """Add a provider of panels for records of `kind` ("enterprise"). Registering the same function
    again (a test that reloads an app) replaces it rather than showing its panel twice."""
    name = f"{provider.__module__}.{provider.__qualname__}"
    entries = [e for e in _providers.get(kind, []) if e[1] != name]
    entries.append((order, name, provider))
    entries.sort(key=lambda e: (e[0], e[1]))
    _providers[kind] = entries


def panels_for(kind: str, obj, user) -> list[Panel]:
    """The panels for `obj` that `user` may see, in order."""
    found = []
    for _order, _name, provider in _providers.get(kind, []):
        panel = provider(obj, user)
        if panel is not None:
            found.append(panel)
    return found
