"""Bounds on dates typed or imported into the registry: a year like 0001 or 9999 is a typo, not a fact."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jushi.core import clock

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


def validate_plausible_date(value: dt.date) -> None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValidationError(
            _("日期应在 %(earliest)s 至 %(latest)s 之间"),
            code="date_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


def validate_not_future(value: dt.date) -> None:
    # The business clock: the demo runs with a pinned "today", and its records must fit it.
    today = clock.today()
    if value is not None and value > today:
        raise ValidationError(
            _("日期不能晚于今天(%(today)s)"), code="future", params={"today": today.isoformat()}
        )
