from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jushi.core import backup


class Command(BaseCommand):
    help = (
        "备份:把数据库(SQLite 在线备份或 pg_dump)和上传的文件(MEDIA_ROOT)写入一个归档文件,"
        "附清单(结构版本、各表行数与行哈希、每个成员的 sha256)"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="归档文件路径,以 .tar.gz(压缩,推荐)或 .tar 结尾")
        parser.add_argument("--overwrite", action="store_true", help="文件已存在时覆盖它")

    def handle(self, *args, **opts):
        try:
            done = backup.create(Path(opts["file"]), overwrite=opts["overwrite"], out=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成:{done.archive}({backup.human_bytes(done.archive_bytes)});"
                f"{backup.vendor_name(done.vendor)} 数据库 {done.tables} 张表 {done.rows:,} 行,"
                f"上传的文件 {done.files} 个 {backup.human_bytes(done.file_bytes)},用时 {done.seconds:.1f} 秒"
            )
        )
