from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from jushi.core.choices import ChangeSource
from jushi.core.commanding import ActorCommand

from ...publishing import PublishError, publish
from ...views import visible_zones


class Command(ActorCommand):
    help = (
        "发布一个开发区一个报告期的指标和简报:jushi publish --zone CODE --period 2024H1 "
        "[--allow-incomplete --reason TEXT];再次发布即修订(须写明 --reason)"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--zone", required=True, help="开发区代码,如 kashgar-edz")
        parser.add_argument("--period", required=True, help="报告期,如 2024H1、2024-06")
        parser.add_argument(
            "--allow-incomplete",
            action="store_true",
            help="尚有报表未审核或异常波动未复核时也发布(须写明原因)",
        )
        parser.add_argument("--reason", default="", help="原因:修订、或未全部审核即发布时必填")

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
        zone = visible_zones(actor).filter(code=opts["zone"]).first()
        if zone is None:
            raise CommandError(f"--zone: 没有代码为“{opts['zone']}”的开发区,或您无权查看")
        try:
            publication = publish(
                actor=actor,
                zone=zone,
                period=opts["period"],
                allow_incomplete=opts["allow_incomplete"],
                reason=opts["reason"],
                source=ChangeSource.CLI,
            )
        except (PublishError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        coverage = ";".join(
            f"{c['name']}应报 {c['frame']} 家 / 已审核 {c['approved']} 家" for c in publication.coverage
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已发布 {zone.name}{publication.label} 第{publication.revision}版"
                f"({publication.published_at:%Y-%m-%d %H:%M},{publication.published_by_name})"
            )
        )
        if coverage:
            self.stdout.write(coverage)
        self.stdout.write(publication.bulletin)
