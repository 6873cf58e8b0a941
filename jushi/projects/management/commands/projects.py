import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from jushi.core import clock
from jushi.core.choices import ChangeSource
from jushi.core.commanding import ActorCommand
from jushi.core.scopes import can
from jushi.lib.tabular import TableError, format_of
from jushi.registry.models import Zone

from ...choices import StageCode
from ...exporters import LedgerExporter
from ...models import Project
from ...services.importing import import_ledger
from ...services.schedule import escalate_overdue


class Command(ActorCommand):
    help = (
        "项目台账:jushi projects import FILE --zone CODE [--dry-run] [--confirm] | "
        "export FILE [--zone CODE] [--stage CODE] | escalate [--zone CODE] [--today YYYY-MM-DD]"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("action", choices=["import", "export", "escalate"], help="要做什么")
        parser.add_argument("file", nargs="?", help="import/export 的 CSV 或 XLSX 文件")
        parser.add_argument("--zone", help="开发区代码(import 必填;export/escalate 默认为可访问的全部开发区)")
        parser.add_argument(
            "--stage", choices=StageCode.values, help="export: 只导出该阶段的项目(阶段代码,如 signed)"
        )
        parser.add_argument("--dry-run", action="store_true", help="import: 只校验并列出将做的改动,不写入")
        parser.add_argument(
            "--confirm", action="store_true", help="import: 确认超过 1000 亿元的金额无误(单位万元)"
        )
        parser.add_argument("--today", help="escalate: 按哪一天计算逾期(YYYY-MM-DD,默认今天)")

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
        try:
            getattr(self, f"do_{opts['action']}")(actor, opts)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

    def _file(self, opts) -> Path:
        if not opts["file"]:
            raise CommandError(f"{opts['action']}: 请给出文件路径")
        path = Path(opts["file"])
        try:
            format_of(path.name)
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        return path

    def _zones(self, actor, opts, action: str):
        zones = Zone.objects.restrict(actor, action)
        if opts["zone"]:
            zones = zones.filter(code=opts["zone"])
            if not zones.exists():
                raise CommandError(f"--zone: 没有代码为“{opts['zone']}”的开发区,或无权操作")
        return zones

    def do_import(self, actor, opts):
        if not opts["zone"]:
            raise CommandError("import: 请用 --zone 给出导入到哪个开发区")
        path = self._file(opts)
        zone = self._zones(actor, opts, "import").get()
        table = self.read_import(path)
        self.stderr.write(f"校验 {len(table.rows)} 行 …")
        result = import_ledger(
            actor=actor,
            zone=zone,
            table=table,
            source=ChangeSource.CLI,
            dry_run=opts["dry_run"],
            confirm=opts["confirm"],
            progress=self.progress,
        )
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} 处错误,未导入任何数据")
        for line in result.groups().lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"{'[试运行] ' if result.dry_run else ''}{result.summary()}"
                + (f";批次 {result.batch}" if result.batch else "")
            )
        )

    def do_export(self, actor, opts):
        path = self._file(opts)
        projects = Project.objects.restrict(actor, "export").filter(
            zone__in=self._zones(actor, opts, "export")
        )
        if opts["stage"]:
            projects = projects.filter(stage__code=opts["stage"])
        _, _, data = LedgerExporter(format_of(path.name), projects, actor=actor).audited_render(path.name)
        path.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"已导出 {projects.count()} 个项目到 {path}"))

    def do_escalate(self, actor, opts):
        if not can(actor, "change"):
            raise CommandError(f"用户“{actor.username}”无权督办")
        today = None
        if opts["today"]:
            try:
                today = dt.date.fromisoformat(opts["today"])
            except ValueError as exc:
                raise CommandError(f"--today: “{opts['today']}”不是日期(格式 2024-06-30)") from exc
        total = 0
        for zone in self._zones(actor, opts, "change"):
            escalated = escalate_overdue(actor=actor, today=today, zone=zone, source=ChangeSource.CLI)
            seen = set(
                Project.objects.visible_to(actor)
                .filter(pk__in=[p.project_id for p in escalated])
                .values_list("pk", flat=True)
            )
            for problem in escalated:
                late = ((today or clock.today()) - problem.due_on).days
                if problem.project_id in seen:
                    what = f"{problem.project.code} {problem.project.name}「{problem.title}」"
                else:  # escalated (the job covers every project), but not named to this user
                    what = "1 个保密项目的问题"
                self.stdout.write(
                    f"  {zone.code} {problem.get_escalation_display()}:{what}逾期 {late} 天,责任人 {problem.owner}"
                )
                total += 1
        self.stdout.write(self.style.SUCCESS(f"共督办 {total} 个问题"))
