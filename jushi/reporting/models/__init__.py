from .forms import Assignment, FormField, ReportForm, Rule
from .submissions import CheckResult, ReportingPeriod, Submission, SubmissionEvent, Value, ValueChange

__all__ = [
    "Assignment",
    "CheckResult",
    "FormField",
    "ReportForm",
    "ReportingPeriod",
    "Rule",
    "Submission",
    "SubmissionEvent",
    "Value",
    "ValueChange",
]
