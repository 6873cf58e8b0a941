"""The projects app's scheduled work: 问题督办 of key projects every morning, per zone, as the system user and
only on the zone the run is for (`job.zone_id`), as `escalate_overdue` does for one zone."""

from jushi.core import jobs
from jushi.core.choices import ChangeSource
from jushi.registry.models import Zone

from .choices import Escalation
from .services.schedule import LEADER_AFTER_DAYS, escalate_overdue

ESCALATE = "projects.escalate"


@jobs.kind(ESCALATE, title="问题督办", action="change")
def escalate(job, progress):
    if job.zone_id is None:
        raise jobs.JobError("该任务按开发区运行,未指定开发区")
    zone = Zone.objects.filter(pk=job.zone_id).first()
    if zone is None:
        raise jobs.JobError("开发区已不存在")
    progress(0, None, phase="督办")
    escalated = escalate_overdue(actor=jobs.system_user(), zone=zone, source=ChangeSource.CLI)
    leaders = sum(1 for p in escalated if p.escalation == Escalation.LEADER)
    departments = len(escalated) - leaders
    if not escalated:
        summary = "没有新逾期或需升级督办的问题"
    else:
        # counts only: the schedule shows the summary, and a confidential project is named to no one here
        summary = f"督办逾期问题 {len(escalated)} 个(部门督办 {departments} 个,领导督办 {leaders} 个),已通知相关人员"
    return {"summary": summary, "escalated": len(escalated)}


jobs.schedule(
    ESCALATE,
    at="08:00",
    description=(
        "重点项目问题逾期未解决的,通知项目办和招商局(部门督办);"
        f"逾期超过 {LEADER_AFTER_DAYS} 天的升级为领导督办并通知区领导;每个问题每级只督办一次"
    ),
)
