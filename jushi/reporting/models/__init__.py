from .forms import Assignment, FormField, ReportForm, Rule, RuleOverride
from .plausibility import PlausibilityFlag
from .submissions import CheckResult, ReportingPeriod, Submission, SubmissionEvent, Value, ValueChange

__all__ = [
    "Assignment",
    "CheckResult",
    "FormField",
    "PlausibilityFlag",
    "ReportForm",
    "ReportingPeriod",
    "Rule",
    "RuleOverride",
    "Submission",
    "SubmissionEvent",
    "Value",
    "ValueChange",
]
