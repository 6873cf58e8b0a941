from django.core.management.base import CommandError

from jushi.core.commanding import ActorCommand
from jushi.lib.periods import Period, PeriodError
from jushi.registry.models import Zone

from ...bulletin import bulletin


class Command(ActorCommand):
    help = "经济运行简报:jushi bulletin --zone CODE --period 2024H1,按已计算的指标结果写出本期简报段落"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--zone", required=True, help="开发区代码,如 kashgar-edz")
        parser.add_argument("--period", required=True, help="报告期,如 2024H1、2024-06、2024Q2、2024")

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
        zone = Zone.objects.restrict(actor, "view").filter(code=opts["zone"]).first()
        if zone is None:
            raise CommandError(f"--zone: 没有代码为“{opts['zone']}”的开发区,或您无权查看")
        try:
            period = Period.parse(opts["period"])
        except PeriodError as exc:
            raise CommandError(f"--period: {exc}") from None
        self.stdout.write(bulletin(zone, period))
