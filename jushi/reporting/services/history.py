"""Loading what the checks compare with: earlier periods' figures of the same enterprises."""

from collections import defaultdict

from jushi.lib.periods import Period

from ..checks import History
from ..models import ReportingPeriod, Value


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
        values = Value.objects.filter(submission__period_id__in=list(kind_of)).values_list(
            "submission__period_id", "submission__enterprise_id", "field_id", "current", "approved_current"
        )
        for period_id, enterprise_id, field_id, current, approved in values:
            if enterprise_id not in wanted:
                continue
            kind = kind_of[period_id]
            # Earlier periods: the approved figure where there is one; last year: only the approved one.
            value = approved if kind == "ly" or approved is not None else current
            found[(enterprise_id, kind)][field_code[field_id]] = value
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
