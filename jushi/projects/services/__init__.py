"""Every change to the ledger goes through these functions: validated, in one transaction, written
to the change log, and followed (after commit) by a refresh of the indicators it moves. Pages, the
API, the CLI and the importer call the same functions."""

from .common import NeedsConfirmation, ProjectError, StaleProject
from .funds import change_contract, contract_closed, delete_funds, funds_closed, record_funds
from .pipeline import (
    advance_stage,
    create_event,
    create_project,
    duplicate_outcome,
    duplicate_refusal,
    find_duplicates,
    resolve_duplicate,
    update_project,
)
from .schedule import (
    add_attachment,
    add_milestone,
    complete_milestone,
    escalate_overdue,
    raise_problem,
    resolve_problem,
    set_monthly_investment,
)

__all__ = [
    "NeedsConfirmation",
    "ProjectError",
    "StaleProject",
    "add_attachment",
    "add_milestone",
    "advance_stage",
    "change_contract",
    "complete_milestone",
    "contract_closed",
    "create_event",
    "create_project",
    "delete_funds",
    "duplicate_outcome",
    "duplicate_refusal",
    "escalate_overdue",
    "find_duplicates",
    "funds_closed",
    "raise_problem",
    "record_funds",
    "resolve_duplicate",
    "resolve_problem",
    "set_monthly_investment",
    "update_project",
]
