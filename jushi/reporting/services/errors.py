class ReportingError(Exception):
    """A workflow step that cannot be done now; the message says why, for the user."""


class Conflict(ReportingError):
    """Someone else changed the submission first; nothing of this attempt was applied."""
