"""What the management commands share: who the actor is, progress lines, clean exits on bad input."""

import os
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

SYSTEM_USERNAME = "system"


def system_user():
    """The user commands and scheduled jobs act as: sees every zone, cannot log in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_superuser": True, "is_staff": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class ActorCommand(BaseCommand):
    """A command that changes or reads scoped data does it as a user, through restrict() like a page."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--user",
            default=SYSTEM_USERNAME,
            help="以哪个用户的身份执行(默认 system:不能登录的系统用户,可见全部开发区)",
        )

    def actor(self, username: str):
        User = get_user_model()
        if username == SYSTEM_USERNAME:
            return system_user()
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"--user: 没有名为“{username}”的有效用户") from exc

    def read_import(self, path):
        """The table of an import file, or a CommandError naming what is wrong with the file (missing,
        larger than JUSHI_IMPORT_MAX_BYTES, unreadable)."""
        from django.conf import settings

        from jushi.lib.tabular import TableError, read_table

        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        limit = settings.JUSHI_IMPORT_MAX_BYTES
        size = path.stat().st_size
        if size > limit:
            raise CommandError(
                f"{path.name}: 文件大小 {size / 1048576:.1f} MB,超过上限 {limit / 1048576:.1f} MB"
            )
        try:
            return read_table(path.read_bytes(), path.name, max_bytes=limit)
        except TableError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc

    def progress(self, done: int, total: int | None = None, phase: str | None = None) -> None:
        """A tqdm bar on stderr for a long import (`progress=self.progress` to a service): one bar per
        phase (校验, 写入), rows done of rows. Only on a terminal, or when JUSHI_PROGRESS=1 forces it, so
        piped and captured output stays as it was."""
        bar = getattr(self, "_bar", None)
        if bar is not None and ((phase is not None and phase != self._bar_phase) or done < bar.n):
            bar.close()
            bar = None
        if bar is None:
            from tqdm import tqdm

            self._bar_phase = phase
            forced = os.environ.get("JUSHI_PROGRESS") == "1"
            bar = self._bar = tqdm(
                total=total,
                desc=f"  {phase}" if phase else "  导入",
                unit="行",
                file=sys.stderr,
                disable=not (forced or sys.stderr.isatty()),
                mininterval=0.2,
                dynamic_ncols=True,
            )
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)
        if total and done >= total:
            bar.close()
            self._bar = None
