from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from jushi.core.choices import ChangeSource
from jushi.core.commanding import ActorCommand
from jushi.lib.tabular import TableError, format_of, read_table
from jushi.registry.models import Zone

from ...exporters import PeriodExporter
from ...models import ReportForm, ReportingPeriod
from ...services.errors import ReportingError
from ...services.importing import import_period
from ...services.periods import open_period, parse_period
from ...services.submissions import send_reminders


class Command(ActorCommand):
    help = (
        "企业直报:jushi reporting import FILE --form CODE --period 2024-06 [--dry-run] | "
        "export FILE --form CODE --period 2024-06 [--zone CODE] | remind --period 2024-06 [--form CODE] [--zone CODE] | "
        "open --period 2024-07 [--form CODE] [--zone CODE]"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("action", choices=["import", "export", "remind", "open"], help="要做什么")
        parser.add_argument("file", nargs="?", help="import/export 的 CSV 或 XLSX 文件")
        parser.add_argument("--form", default="ind-monthly", help="表式代码,默认 ind-monthly")
        parser.add_argument("--period", required=True, help="报告期,如 2024-06、2024Q2")
        parser.add_argument("--zone", help="开发区代码(export/remind/open;默认为可管理的全部开发区)")
        parser.add_argument("--dry-run", action="store_true", help="import: 只校验并列出结果,不写入")
        parser.add_argument("--reason", default="", help="import: 写入修改记录的原因")

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
        form = ReportForm.objects.filter(code=opts["form"]).first()
        if form is None:
            codes = "、".join(ReportForm.objects.values_list("code", flat=True))
            raise CommandError(f"--form: 没有代码为“{opts['form']}”的表式;可用:{codes}")
        try:
            period = parse_period(form, opts["period"])
        except ReportingError as exc:
            raise CommandError(f"--period: {exc}") from exc
        zones = Zone.objects.restrict(actor, "view")
        if opts["zone"]:
            zones = zones.filter(code=opts["zone"])
            if not zones.exists():
                raise CommandError(f"--zone: 没有代码为“{opts['zone']}”的开发区,或无权访问")
        try:
            getattr(self, f"do_{opts['action']}")(actor, form, period, zones, opts)
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

    def do_import(self, actor, form, period, zones, opts):
        path = self._file(opts)
        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        try:
            table = read_table(path.read_bytes(), path.name, max_bytes=settings.JUSHI_IMPORT_MAX_BYTES * 20)
        except TableError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        self.stderr.write(f"校验 {len(table.rows)} 行({form.name} {period.label})…")
        try:
            result = import_period(
                actor=actor,
                form=form,
                period=period,
                table=table,
                dry_run=opts["dry_run"],
                source=ChangeSource.CLI,
                reason=opts["reason"] or f"命令行导入 {path.name}",
                progress=self.progress,
            )
        except ReportingError as exc:
            raise CommandError(str(exc)) from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} 处错误,未导入任何数据")
        plan = result.groups()
        for line in plan.lines():
            self.stdout.write(line)
        for planned in result.plan:
            for f in planned.warnings:
                self.stdout.write(f"  提示 第 {planned.row} 行 {planned.enterprise.name}: {f.message}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{'[试运行] ' if result.dry_run else ''}{plan.summary(dry_run=result.dry_run)};"
                f"空行跳过 {len(result.skipped)} 行;提示 {result.warning_count} 条"
                + (f";批次 {result.batch}" if result.batch else "")
            )
        )

    def do_export(self, actor, form, period, zones, opts):
        path = self._file(opts)
        zone = zones.first() if opts["zone"] else None
        exporter = PeriodExporter(actor=actor, form=form, period=period, zone=zone, fmt=format_of(path.name))
        exporter.write(path, actor=actor)
        self.stdout.write(self.style.SUCCESS(f"已导出 {form.name} {period.label} 到 {path}"))

    def do_remind(self, actor, form, period, zones, opts):
        rows = ReportingPeriod.objects.restrict(actor, "review").filter(
            form=form, code=period.code, zone__in=zones
        )
        if not rows.exists():
            raise CommandError(f"--period: {period.label}“{form.name}”尚未开放,或无权催报")
        total = mails = 0
        for row in rows.select_related("zone"):
            count, sent = send_reminders(actor=actor, period=row, source=ChangeSource.CLI)
            self.stdout.write(f"  {row.zone}: 催报 {count} 家,邮件 {sent} 封")
            total, mails = total + count, mails + sent
        self.stdout.write(self.style.SUCCESS(f"共催报 {total} 家企业,发送邮件 {mails} 封"))

    def do_open(self, actor, form, period, zones, opts):
        for zone in zones.filter(pk__in=Zone.objects.restrict(actor, "review")):
            try:
                row, added = open_period(actor=actor, form=form, zone=zone, period=period)
            except ReportingError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"  {zone}: {row.label} 截止 {row.deadline:%Y-%m-%d %H:%M},新增应报 {added} 家")
