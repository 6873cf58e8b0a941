from django.core.management.base import CommandError

from jushi.core.commanding import ActorCommand
from jushi.registry.models import Zone

from ... import engine


class Command(ActorCommand):
    help = "经济运行指标:jushi indicators rebuild [--zone CODE] 按已审核报表和部门数据重算全部指标结果"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("action", choices=["rebuild"], help="要做什么")
        parser.add_argument("--zone", help="只重算这个开发区(默认全部)")

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
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
