"""Signals reporting sends for the apps above it (they listen; reporting never imports them).

`approved_figures_changed` is sent after the transaction that changed a period's approved figures
commits: an approval, or a period import. Arguments: `zone_id`, `form_code`, `period_code`.
"""

from django.db import transaction
from django.dispatch import Signal

approved_figures_changed = Signal()


def announce_approved(*, zone_id: int, form_code: str, period_code: str) -> None:
    """Send `approved_figures_changed` once the current transaction commits (at once outside one)."""
    transaction.on_commit(
        lambda: approved_figures_changed.send(
            sender=None, zone_id=zone_id, form_code=form_code, period_code=period_code
        )
    )
