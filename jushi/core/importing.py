"""What every import's dry run shows: the rows it would create, the rows it would update with each
changed field's old and new value, and how many it would leave unchanged.

Each import compares in its own terms (the cleaned value of a field against the stored one), then
describes its plan with these small records, so one template (core/_import_plan.html) and one CLI
printer show every import alike. Values are shown as people read them: no trailing zeros, ISO dates,
是/否, "(空)" for nothing.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

EMPTY = "(空)"


def shown(value) -> str:
    """A value as the dry run prints it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value.is_finite() else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def same_number(a, b) -> bool:
    """Numbers equal by value whatever their spelling (Decimal('1234.50') and '1234.5'); empty is None."""
    a, b = as_decimal(a), as_decimal(b)
    if a is None or b is None:
        return a is None and b is None
    return a == b


def as_decimal(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Change:
    """One field of one row: its label (Chinese, as the column is headed) and the value before and after."""

    label: str
    old: object
    new: object

    @property
    def old_text(self) -> str:
        return shown(self.old)

    @property
    def new_text(self) -> str:
        return shown(self.new)

    def __str__(self):
        return f"{self.label}: {self.old_text} → {self.new_text}"


@dataclass
class PlanLine:
    """One row of the file that would create or update a record: which row, what it is, what changes."""

    row: int
    title: str
    changes: list[Change] = field(default_factory=list)
    note: str = ""  # e.g. "将记为第 2 次修订"

    def __str__(self):
        text = f"第 {self.row} 行 {self.title}"
        if self.changes:
            text += ":" + ";".join(str(c) for c in self.changes)
        if self.note:
            text += f"({self.note})"
        return text


@dataclass
class Plan:
    """The three groups of a dry run. `noun` counts the records ("家企业", "条数据")."""

    created: list[PlanLine] = field(default_factory=list)
    updated: list[PlanLine] = field(default_factory=list)
    unchanged: int = 0
    noun: str = "行"
    create_verb: str = "新建"  # 新报 for a period's reports
    notes: list[str] = field(default_factory=list)  # rules that apply to this import, said once

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + self.unchanged

    @property
    def empty(self) -> bool:
        return not self.created and not self.updated

    def summary(self, *, dry_run: bool = True) -> str:
        verb = "将" if dry_run else "已"
        return (
            f"{verb}{self.create_verb} {len(self.created)} {self.noun},{verb}更新 {len(self.updated)} {self.noun},"
            f"未变化 {self.unchanged} {self.noun}"
        )

    def lines(self) -> list[str]:
        """The plan as text for a command's output: every created and updated row, the count unchanged."""
        out = [f"  {self.create_verb} {line}" for line in self.created]
        out += [f"  更新 {line}" for line in self.updated]
        return out


# -- a plan kept in a background job's result (JSON) ------------------------------------------------------

LINES_KEPT = 500  # the plan template lists the first 500 rows of each group


class Sample(list):
    """The first rows of a longer list, whose len() is the whole count: a plan read back from a job's
    result holds 500 lines of 50,000 and still says 50,000 (templates count with |length)."""

    def __init__(self, items=(), total: int | None = None):
        super().__init__(items)
        self.total = super().__len__() if total is None else total

    def __len__(self):
        return self.total

    def __bool__(self):
        return self.total > 0

    @property
    def capped(self) -> bool:
        return self.total > super().__len__()

    @property
    def shown(self) -> int:
        return super().__len__()


def _line_dict(line: PlanLine) -> dict:
    out = {"row": line.row, "title": line.title}
    if line.changes:
        out["changes"] = [[c.label, c.old_text, c.new_text] for c in line.changes]
    if line.note:
        out["note"] = line.note
    return out


def _line(data: dict) -> PlanLine:
    changes = [Change(label, _text(old), _text(new)) for label, old, new in data.get("changes", [])]
    return PlanLine(data["row"], data["title"], changes, data.get("note", ""))


def _text(value: str):
    return None if value == EMPTY else value  # shown() turns None back into (空)


def plan_to_dict(plan: Plan, *, keep: int = LINES_KEPT) -> dict:
    """The plan as JSON for a job's result: the counts, and the first `keep` lines of each group with
    their values as shown (text), which is all the plan template prints."""
    return {
        "created": [_line_dict(line) for line in plan.created[:keep]],
        "created_count": len(plan.created),
        "updated": [_line_dict(line) for line in plan.updated[:keep]],
        "updated_count": len(plan.updated),
        "unchanged": plan.unchanged,
        "noun": plan.noun,
        "create_verb": plan.create_verb,
        "notes": list(plan.notes),
    }


def plan_from_dict(data: dict) -> Plan:
    """A plan read back from plan_to_dict(): the groups hold the kept lines and count the whole."""
    return Plan(
        created=Sample([_line(d) for d in data["created"]], data["created_count"]),
        updated=Sample([_line(d) for d in data["updated"]], data["updated_count"]),
        unchanged=data["unchanged"],
        noun=data["noun"],
        create_verb=data["create_verb"],
        notes=list(data.get("notes", [])),
    )
