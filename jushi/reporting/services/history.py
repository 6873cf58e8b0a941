"""Loading what the checks compare with: earlier periods' figures of the same enterprises."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, F, When
from django.db.models.functions import Coalesce

from jushi.core.bulk import FROM_FLOAT, raw_values
from jushi.lib.periods import Period

from ..checks import History
from ..models import ReportingPeriod, Submission, Value


def histories(form, period_row: ReportingPeriod, enterprise_ids) -> dict[int, History]:
    """History for each enterprise's submission in `period_row`, in three queries however many there are."""
    period = Period.parse(period_row.code)
    combine = form.combine_jan_feb
    prior = period.previous(combine)
    prior2 = prior.previous(combine) if prior else None
    last_year = period.last_year()
    codes = {p.code: key for p, key in ((prior, "prior"), (prior2, "prior2"), (last_year, "ly")) if p}
    rows = ReportingPeriod.objects.filter(form=form, zone_id=period_row.zone_id, code__in=list(codes))
    kind_of = {r.pk: codes[r.code] for r in rows}
    field_code = dict(form.fields.values_list("pk", "code"))
    wanted = set(enterprise_ids)
    found: dict[tuple[int, str], dict] = defaultdict(dict)
    if kind_of:
        target = {  # submission → the dict its figures go to
            sid: found[(enterprise_id, kind_of[period_id])]
            for sid, period_id, enterprise_id in Submission.objects.filter(
                period_id__in=list(kind_of)
            ).values_list("pk", "period_id", "enterprise_id")
            if enterprise_id in wanted
        }
        ly_ids = [pk for pk, kind in kind_of.items() if kind == "ly"]
        # Earlier periods: the approved figure where there is one; last year: only the approved one.
        figure = Case(
            When(submission__period_id__in=ly_ids, then=F("approved_current")),
            default=Coalesce("approved_current", "current"),
        )
        values = Value.objects.filter(submission__period_id__in=list(kind_of))
        if len(target) <= 1000:  # one report's page or a few: read theirs, not the whole zone's periods
            values = values.filter(submission_id__in=list(target))
        values = values.values_list("submission_id", "field_id", figure)
        from_float = FROM_FLOAT
        for sid, field_id, value in (
            raw_values(values) if target else ()
        ):  # 900,000 rows on a 20,000-enterprise import
            figures = target.get(sid)
            if figures is not None:
                kind = type(value)  # to_decimal, inline: this loop is a tenth of an import's time
                if kind is float:
                    value = from_float(value)
                elif kind is int:
                    value = Decimal(value)
                figures[field_code[field_id]] = value
    base = {
        "first_of_year": prior is None,
        "prior_first_of_year": prior is not None and prior2 is None,
        "own_months": period.own_months(combine),
        "prior_own_months": prior.own_months(combine) if prior else 1,
    }
    return {
        e: History(
            prior=found.get((e, "prior"), {}),
            prior2=found.get((e, "prior2"), {}),
            stored_last_year=found.get((e, "ly"), {}),
            **base,
        )
        for e in wanted
    }
