from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from jushi.core.choices import ChangeSource
from jushi.core.commanding import ActorCommand

from ...models import Zone
from ...services.importing import import_enterprises


class Command(ActorCommand):
    help = (
        "导入数据:jushi import enterprises FILE [--dry-run] [--zone CODE];"
        "已登记的统一社会信用代码按文件更新,其余新建"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("kind", choices=["enterprises"], help="导入什么:enterprises(企业名录)")
        parser.add_argument("file", help="CSV 或 XLSX 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验并列出将做的改动,不写入")
        parser.add_argument(
            "--update",
            action="store_true",
            help="保留以兼容旧脚本,不起作用:导入总是更新已登记的企业、新建未登记的企业",
        )
        parser.add_argument("--zone", help="“开发区代码”为空的行归入此开发区")
        parser.add_argument("--reason", default="", help="写入变更记录的原因")

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
        path = Path(opts["file"])
        zone = None
        if opts["zone"]:
            zone = Zone.objects.restrict(actor, "import").filter(code=opts["zone"]).first()
            if zone is None:
                raise CommandError(f"--zone: 没有代码为“{opts['zone']}”的开发区,或无权导入")
        table = self.read_import(path)
        self.stderr.write(f"校验 {len(table.rows)} 行 …")
        try:
            result = import_enterprises(
                actor=actor,
                table=table,
                zone=zone,
                dry_run=opts["dry_run"],
                source=ChangeSource.CLI,
                reason=opts["reason"] or f"命令行导入 {path.name}",
                progress=self.progress,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} 处错误,未导入任何数据")
        plan = result.groups()
        for line in plan.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"{'[试运行] ' if result.dry_run else ''}{plan.summary(dry_run=result.dry_run)}"
                + (f";批次 {result.batch}" if result.batch else "")
            )
        )
