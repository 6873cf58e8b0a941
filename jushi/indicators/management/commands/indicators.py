from pathlib import Path

from django.core.management.base import CommandError

from jushi.core.commanding import ActorCommand
from jushi.lib.periods import Period, PeriodError
from jushi.registry.models import Zone

from ... import engine
from ...exporters import MonthlyTableExporter
from ...views import visible_zones


class Command(ActorCommand):
    help = (
        "经济运行指标:jushi indicators rebuild [--zone CODE] 按已审核报表和部门数据重算全部指标结果;"
        "jushi indicators table --zone CODE --period 2024-06 [--xlsx FILE] [--live] 输出标准月度表"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("action", choices=["rebuild", "table"], help="要做什么")
        parser.add_argument("--zone", help="开发区代码(rebuild 默认全部;table 必填)")
        parser.add_argument("--period", help="table:报告期,如 2024-06、2024H1")
        parser.add_argument("--xlsx", type=Path, help="table:同时写入这个 XLSX 文件(与页面导出相同)")
        parser.add_argument("--live", action="store_true", help="table:用实时数据(默认:已发布的数据)")

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
        if opts["action"] == "table":
            return self.table(actor, opts)
        zones = Zone.objects.restrict(actor, "view")
        if opts["zone"]:
            zones = zones.filter(code=opts["zone"])
            if not zones.exists():
                raise CommandError(f"--zone: 没有代码为“{opts['zone']}”的开发区,或您无权查看")
        total_periods = total_rows = 0
        for zone in zones:
            periods, rows = engine.rebuild(zone)
            total_periods += periods
            total_rows += rows
            self.stdout.write(f"{zone.name}: {periods} 个报告期,{rows} 条结果")
        self.stdout.write(self.style.SUCCESS(f"完成:{total_periods} 个报告期,{total_rows} 条结果"))

    def table(self, actor, opts):
        """The standard monthly table, tab-separated: the same rows as the dashboard's export."""
        if not opts["zone"] or not opts["period"]:
            raise CommandError("table 需要 --zone 和 --period")
        zone = visible_zones(actor).filter(code=opts["zone"]).first()
        if zone is None:
            raise CommandError(f"--zone: 没有代码为“{opts['zone']}”的开发区,或您无权查看")
        try:
            period = Period.parse(opts["period"])
        except PeriodError as exc:
            raise CommandError(f"--period: {exc}") from None
        exporter = MonthlyTableExporter(zone, period, live=opts["live"])
        rows = list(exporter.rows())
        if not rows:
            raise CommandError(f"{zone.name}{period.label}没有指标结果")
        self.stdout.write(f"# {zone.name} {exporter.period.label} {exporter.status}")
        self.stdout.write("\t".join(exporter.headers))
        for row in rows:
            self.stdout.write("\t".join("" if cell is None else str(cell) for cell in row))
        if opts["xlsx"]:
            exporter.write(opts["xlsx"], actor=actor)
            self.stderr.write(f"已写入 {opts['xlsx']}")
