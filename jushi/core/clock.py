"""The application's one clock: what "today" and "now" are, for every floor.

Everything that asks what day it is (overdue flags, kanban ages, deadlines passed, the current period,
escalation, "signed today") asks here, never `timezone.now()` or `date.today()` directly. In production
the clock is the real one. `JUSHI_TODAY` (a setting, from the environment, `YYYY-MM-DD`) pins the date
while the time of day keeps running: the demo sets it to its own date, 2024-07-20, so that its overdue
flags, ages and default period match its data; tests set it to make dates exact.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

DEMO_DATE = dt.date(2024, 7, 20)  # the Kashgar demo's data runs to July 2024 (H1 2024 reported)


def pinned_date() -> dt.date | None:
    """The date the clock is pinned to, or None when it runs with the real calendar."""
    value = getattr(settings, "JUSHI_TODAY", None)
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def now() -> dt.datetime:
    """An aware datetime: the real instant, moved to the pinned date when there is one."""
    real = timezone.now()
    day = pinned_date()
    if day is None:
        return real
    local = timezone.localtime(real)
    return local.replace(year=day.year, month=day.month, day=day.day)


def today() -> dt.date:
    """Today's date in the application's time zone (Asia/Shanghai)."""
    day = pinned_date()
    return day if day is not None else timezone.localdate()
