"""Core's daily check: the audit chain (等保2.0 审计记录防篡改) verified every night, as `jushi audit verify`
does, national (one chain for the platform). The zones' own daily checks (reports, flags) are the reporting
app's (jushi/reporting/jobs.py)."""

from . import audit, jobs

KIND = "core.audit_verify"


@jobs.kind(KIND, title="审计链校验", action="audit")
def verify_audit_chain(job, progress):
    """Verify every link of the audit chain; a broken chain fails the job with the first bad record named,
    so the 后台任务 page shows it in red (and the audit page's verification status says the same)."""
    progress(0, None, phase="校验审计链")
    result = audit.verify()
    if not result.ok:
        raise jobs.JobError(result.message)
    # The summary shows to every zone (a platform-wide run): the count, not the hash or any record.
    return {"summary": f"审计链完整:已校验 {result.count} 条记录"}


jobs.schedule(
    KIND,
    at="02:00",
    per_zone=False,
    description="逐条校验审计记录的哈希链(变更记录和安全事件),发现被改动、删除或替换的记录时任务失败并指出第一条",
)
