"""Approved figures summed over a period's reporting set: what the indicator engine builds on."""

from decimal import Decimal

from jushi.lib import growth

from ..models import Value


def approved_pairs(
    *, form, zone, period_code: str, field_code: str
) -> list[tuple[int, Decimal, Decimal | None]]:
    """(enterprise id, approved cumulative, approved same period last year) of every approved report."""
    return list(
        Value.objects.filter(
            submission__period__form=form,
            submission__period__zone=zone,
            submission__period__code=period_code,
            field__code=field_code,
            approved_current__isnull=False,
        ).values_list("submission__enterprise_id", "approved_current", "approved_last_year")
    )


def same_caliber_growth(*, form, zone, period_code: str, field_code: str) -> Decimal | None:
    """Same-caliber growth of a field over the enterprises that must report this period (this year's set)."""
    pairs = approved_pairs(form=form, zone=zone, period_code=period_code, field_code=field_code)
    return growth.same_caliber((now, before) for _, now, before in pairs)


def approved_total(*, form, zone, period_code: str, field_code: str) -> Decimal | None:
    pairs = approved_pairs(form=form, zone=zone, period_code=period_code, field_code=field_code)
    return sum((now for _, now, _ in pairs), Decimal(0)) if pairs else None
