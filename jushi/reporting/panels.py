"""The enterprise page's reports panel (registered in ReportingConfig.ready; registry cannot import us)."""

from django.utils import timezone

from jushi.core.panels import Cell, Panel, register

from .choices import Status
from .models import Submission

SHOWN = 36  # three years of monthly reports
BADGE = {Status.APPROVED: "ok", Status.SUBMITTED: "warn", Status.RETURNED: "bad", Status.PENDING: "bad"}


def enterprise_reports(enterprise, user) -> Panel | None:
    """The enterprise's reports by period, newest first, each linking to its report page. The rows
    start from `visible_to(user)`: a reporter of another enterprise would get none (and cannot open
    this page anyway)."""
    rows = (
        Submission.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("period__form")
        .order_by("-period__code", "period__form__code")
    )
    total = rows.count()
    panel = Panel(
        key="reports",
        title="报表",
        headers=["报告期", "报表", "状态", "报送时间", "审核时间"],
        empty="该企业还没有报表任务",
        note=f"共 {total} 份,按报告期从新到旧" + (f",显示最近 {SHOWN} 份" if total > SHOWN else ""),
    )
    for s in rows[:SHOWN]:
        url = s.get_absolute_url()
        panel.rows.append(
            [
                Cell(s.period.label, url=url),
                Cell(s.period.form.name, url=url, title=f"表号 {s.period.form.code}"),
                Cell(
                    s.get_status_display() + (f"(第 {s.revision} 版)" if s.revision > 1 else ""),
                    badge=BADGE.get(s.status, ""),
                ),
                Cell(_when(s.submitted_at)),
                Cell(_when(s.reviewed_at)),
            ]
        )
    return panel


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


register("enterprise", enterprise_reports, order=10)
