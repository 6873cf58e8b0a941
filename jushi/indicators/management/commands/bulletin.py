from django.core.management.base import CommandError

from jushi.core.commanding import ActorCommand
from jushi.lib.periods import Period, PeriodError

from ...bulletin import bulletin
from ...views import visible_zones


class Command(ActorCommand):
    help = (
        "经济运行简报:jushi bulletin --zone CODE --period 2024H1 [--live];"
        "已发布的报告期输出发布的文字(最新一版),--live 输出按当前数据计算的文字"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--zone", required=True, help="开发区代码,如 kashgar-edz")
        parser.add_argument("--period", required=True, help="报告期,如 2024H1、2024-06、2024Q2、2024")
        parser.add_argument("--live", action="store_true", help="按当前数据计算(默认:已发布的文字)")

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
        zone = visible_zones(actor).filter(code=opts["zone"]).first()
        if zone is None:
            raise CommandError(f"--zone: 没有代码为“{opts['zone']}”的开发区,或您无权查看")
        try:
            period = Period.parse(opts["period"])
        except PeriodError as exc:
            raise CommandError(f"--period: {exc}") from None
        self.stdout.write(bulletin(zone, period, live=opts["live"]))
