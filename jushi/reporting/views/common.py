"""What the reporting pages share: loading a submission the user may see, and the field rows."""

from dataclasses import dataclass
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
