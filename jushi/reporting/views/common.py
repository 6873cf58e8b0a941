"""What the reporting pages share: loading a submission the user may see, and the field rows."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.shortcuts import get_object_or_404

from jushi.core.choices import ChangeSource

from ..checks import Checker, Finding, History
from ..models import Submission
from ..services.history import histories

SOURCE = ChangeSource.WEB


def visible_submission(request, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.visible_to(request.user).select_related(
            "period__form", "period__zone", "enterprise__park", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )


@dataclass
class FieldRow:
    field: object
    current: Decimal | None
    last_year: Decimal | None
    prior: Decimal | None
    month: Decimal | None
    yoy: Decimal | None
    stored_last_year: Decimal | None
    approved: Decimal | None
    input_current: str
    input_last_year: str
    error_current: str = ""
    error_last_year: str = ""
    findings: tuple = ()
    messages: list = field(default_factory=list)  # Message rows shown under this field

    @property
    def mark(self) -> str:
        if self.error_current or self.error_last_year or any(f.blocking for f in self.findings):
            return "bad"
        return "warn" if self.findings else ""


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def figures_from_post(post, checker: Checker) -> tuple[dict, dict, dict, dict]:
    """(raw inputs by name, current, last year, errors by input name) from a posted form."""
    raw = {f.code: (post.get(f.code, ""), post.get(f"{f.code}__ly", "")) for f in checker.fields}
    current, last_year, errors = checker.parse_inputs(raw)
    return raw, current, last_year, errors


def explanations_from_post(post) -> dict[str, str]:
    return {k[len("explain:") :]: v for k, v in post.items() if k.startswith("explain:")}


def field_rows(
    submission: Submission,
    checker: Checker,
    current: dict,
    last_year: dict,
    *,
    raw: dict | None = None,
    errors: dict | None = None,
    findings: list[Finding] = (),
    history: History | None = None,
    approved: dict | None = None,
) -> list[FieldRow]:
    errors = errors or {}
    if history is None:
        history = histories(submission.period.form, submission.period, [submission.enterprise_id])[
            submission.enterprise_id
        ]
    by_field: dict[str, list[Finding]] = {}
    for f in findings:
        for code in f.fields or (f.field_code,):
            by_field.setdefault(code, []).append(f)
    rows = []
    for spec, f in zip(checker.fields, submission.period.form.fields.all(), strict=True):
        cur, ly = current.get(spec.code), last_year.get(spec.code)
        prior = history.prior.get(spec.code)
        if not spec.is_flow:
            month = None
        elif history.first_of_year:
            month = cur
        else:
            month = cur - prior if cur is not None and prior is not None else None
        yoy = (cur / ly - 1) * 100 if cur is not None and ly not in (None, Decimal(0)) and ly > 0 else None
        text_now, text_ly = raw.get(spec.code, ("", "")) if raw else (_fmt(cur), _fmt(ly))
        rows.append(
            FieldRow(
                field=f,
                current=cur,
                last_year=ly,
                prior=prior,
                month=month,
                yoy=yoy,
                stored_last_year=history.stored_last_year.get(spec.code),
                approved=(approved or {}).get(spec.code),
                input_current=text_now,
                input_last_year=text_ly,
                error_current=errors.get(spec.code, ""),
                error_last_year=errors.get(f"{spec.code}__ly", ""),
                findings=tuple(by_field.get(spec.code, ())),
            )
        )
    return rows


# Explanations of warnings. A warning is explained under its home field: the first field it names in the
# form's order (a per-field rule's own field). Two shortcuts save typing the same cause again, and both
# resolve here, on the server, so every warning still stores its own text:
#   explain_all:<field code>  ticked on a field's first warning: its text applies to all the field's warnings
#   same:<warning key>        同上: the text of the previous explained warning on the page


@dataclass
class Message:
    finding: Finding
    home: str  # the field the explanation is written under ("" when the rule names no field)
    home_label: str
    owner: bool  # shown under its home field (else a pointer to it)
    explanation: str = ""
    first_of_home: bool = False
    home_count: int = 0  # warnings explained under the home field
    all_on: bool = False
    same: bool = False
    can_same: bool = False

    @property
    def dom_id(self) -> str:  # no ":" in element ids: htmx's hx-preserve looks them up unescaped
        return self.finding.key.replace(":", "--")


def home_field(finding: Finding, order: dict[str, int]) -> str:
    named = [code for code in (finding.fields or (finding.field_code,)) if code in order]
    return min(named, key=order.__getitem__) if named else ""


def ordered_warnings(findings, field_codes) -> list[tuple[str, Finding]]:
    """(home field, warning) in the order the page shows them: rule-wide ones first, then by field."""
    order = {code: i for i, code in enumerate(field_codes)}
    homed = [(home_field(f, order), i, f) for i, f in enumerate(findings) if not f.blocking]
    homed.sort(key=lambda t: (order.get(t[0], -1), t[1]))
    return [(home, f) for home, _, f in homed]


def explanation_flags(post) -> tuple[set[str], set[str]]:
    """(warning keys marked 同上, field codes whose first explanation applies to all their warnings)."""
    same = {k[len("same:") :] for k, v in post.items() if k.startswith("same:") and v}
    every = {k[len("explain_all:") :] for k, v in post.items() if k.startswith("explain_all:") and v}
    return same, every


def resolve_explanations(post, findings, field_codes) -> dict[str, str]:
    """Each warning's own explanation text, with 同上 and 本指标全部 applied (see above)."""
    typed = {k: v.strip() for k, v in explanations_from_post(post).items()}
    same, every = explanation_flags(post)
    warnings = ordered_warnings(findings, field_codes)
    count = {}
    for home, _ in warnings:
        count[home] = count.get(home, 0) + 1
    resolved, previous, first_text, seen = {}, "", {}, set()
    for home, f in warnings:
        first = home not in seen
        seen.add(home)
        if not first and home in every and count[home] > 1:
            text = first_text.get(home, "")
        elif f.key in same and previous:
            text = previous
        else:
            text = typed.get(f.key, "")
        if first:
            first_text[home] = text
        if text:
            resolved[f.key] = text
            previous = text
    return resolved


def attach_messages(rows: list[FieldRow], findings, *, explanations=None, post=None) -> tuple[list, dict]:
    """Put each finding under the fields it names (the explanation box under its home field); returns
    the warnings that name no field (the summary shows them with their box) and each finding's home."""
    explanations = explanations or {}
    same, every = explanation_flags(post) if post is not None else (set(), set())
    codes = [r.field.code for r in rows]
    order = {code: i for i, code in enumerate(codes)}
    labels = {r.field.code: r.field.label for r in rows}
    by_code = {r.field.code: r for r in rows}
    homes = {f.key: home for home, f in ordered_warnings(findings, codes)}
    count: dict[str, int] = {}
    for home in homes.values():
        count[home] = count.get(home, 0) + 1
    general, seen, page_index = [], set(), 0
    for r in rows:
        r.messages = []
    messages_by_key = {}
    for f in findings:
        home = homes.get(f.key) if not f.blocking else home_field(f, order)
        message = Message(
            f, home or "", labels.get(home, ""), owner=False, explanation=explanations.get(f.key, "")
        )
        messages_by_key[f.key] = message
        if not home:
            message.owner = True
            general.append(message)
        for code in f.fields or (f.field_code,):
            row = by_code.get(code)
            if row is None:
                continue
            if code == home:
                message.owner = True
                row.messages.append(message)
            else:
                row.messages.append(
                    Message(f, home, labels.get(home, ""), owner=False, explanation=message.explanation)
                )
    for home, f in ordered_warnings(findings, codes):  # page order: flags for the explanation tools
        m = messages_by_key[f.key]
        m.first_of_home = home not in seen
        seen.add(home)
        m.home_count = count[home]
        m.all_on = home in every and count[home] > 1
        m.can_same = page_index > 0
        m.same = f.key in same and m.can_same
        page_index += 1
    return general, {key: m.home for key, m in messages_by_key.items()}
