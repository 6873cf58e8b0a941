"""The project ledger (DOMAIN.md §6): investors, expos, projects and their stage history, funds in
place with evidence, contract changes, and the key-project schedule (milestones, monthly investment
plan, problems, attachments)."""

from .funds import ContractChange, FundsRecord
from .pipeline import Event, Investor, Project, ProjectCodeSequence, Stage, StageChange
from .schedule import Attachment, Milestone, MonthlyInvestment, Problem

__all__ = [
    "Attachment",
    "ContractChange",
    "Event",
    "FundsRecord",
    "Investor",
    "Milestone",
    "MonthlyInvestment",
    "Problem",
    "Project",
    "ProjectCodeSequence",
    "Stage",
    "StageChange",
]
