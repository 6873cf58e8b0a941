import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jushi.core import backup


def confirm_at_prompt(prompt: str) -> str:
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        return ""


class Command(BaseCommand):
    help = (
        "恢复:先按清单校验备份文件的每个成员,再把数据库和上传的文件恢复到当前(空的)数据库,最后逐表比对行哈希"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="jushi backup 写出的归档文件(.tar.gz 或 .tar)")
        parser.add_argument(
            "--force", action="store_true", help="目标数据库不是空的也恢复(覆盖其中全部数据;须确认数据库名)"
        )
        parser.add_argument(
            "--confirm", metavar="NAME", help="与 --force 同用:目标数据库名(SQLite 为文件名),供脚本免交互确认"
        )

    def handle(self, *args, **opts):
        if opts["confirm"] is not None and not opts["force"]:
            raise CommandError("--confirm 只与 --force 同用")
        ask = confirm_at_prompt if sys.stdin.isatty() else None
        try:
            done = backup.restore(
                Path(opts["file"]),
                force=opts["force"],
                confirm=opts["confirm"],
                ask=ask,
                out=self.stdout.write,
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"校验通过:{done.tables} 张表 {done.rows:,} 行、上传的文件 {done.files} 个"
                f"({backup.human_bytes(done.file_bytes)})与备份一致,用时 {done.seconds:.1f} 秒"
            )
        )
        for note in done.notes:
            self.stdout.write(self.style.WARNING(note))
