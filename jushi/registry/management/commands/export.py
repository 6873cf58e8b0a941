from pathlib import Path

from django.core.management.base import CommandError

from jushi.core.commanding import ActorCommand

from ...exporters import EnterpriseExporter
from ...filtersets import EnterpriseFilterSet
from ...models import Enterprise


class Command(ActorCommand):
    help = "导出数据:jushi export enterprises FILE(.csv 或 .xlsx,按扩展名)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("kind", choices=["enterprises"], help="导出什么:enterprises(企业名录)")
        parser.add_argument("file", help="输出文件,扩展名 .csv 或 .xlsx")
        parser.add_argument("--zone", help="只导出此开发区")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="与列表页相同的筛选条件,如 --filter park=P01 --filter size_year=2024",
        )

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
        path = Path(opts["file"])
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise CommandError(f"文件扩展名应为 .csv 或 .xlsx:{path.name}")
        params = {}
        for item in opts["filter"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter 应为 KEY=VALUE:{item}")
            params[key] = value
        if opts["zone"]:
            params["zone"] = opts["zone"]
        filterset = EnterpriseFilterSet(params, queryset=Enterprise.objects.restrict(actor, "export"))
        if not filterset.is_valid():
            raise CommandError(f"筛选条件无效:{filterset.errors.as_text()}")
        exporter = EnterpriseExporter(fmt, filterset.qs, actor=actor, filterset=filterset)
        exporter.write(path, actor=actor)
        self.stdout.write(self.style.SUCCESS(f"已导出 {filterset.qs.count()} 家企业到 {path}"))
