import datetime as dt

from django.core.management.base import CommandError

from jushi.core import audit
from jushi.core.commanding import ActorCommand
from jushi.core.models import AuditRetentionError, retention_days


class Command(ActorCommand):
    help = (
        "审计链:verify 逐条校验哈希链,指出第一条被改动或缺失的记录(链被破坏时退出码非零);"
        f"prune --before YYYY-MM-DD 删除该日之前的记录(至少保留 {retention_days()} 天),并记录清理范围"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("action", choices=["verify", "prune"], help="verify:校验;prune:清理旧记录")
        parser.add_argument("--before", help="prune:删除此日期(YYYY-MM-DD,北京时间零点)之前的记录")

    def handle(self, *args, **opts):
        if opts["action"] == "verify":
            return self.do_verify()
        return self.do_prune(opts)

    def do_verify(self):
        result = audit.verify()
        if not result.ok:
            self.stdout.write(f"已校验 {result.count} 条记录")
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))

    def do_prune(self, opts):
        if not opts["before"]:
            raise CommandError("prune: 请用 --before YYYY-MM-DD 给出清理哪天之前的记录")
        try:
            before = dt.date.fromisoformat(opts["before"])
        except ValueError as exc:
            raise CommandError(f"--before: 日期应为 YYYY-MM-DD,收到“{opts['before']}”") from exc
        actor = self.actor(opts["user"])
        try:
            pruned = audit.prune(before=before, actor=actor)
        except (audit.AuditError, AuditRetentionError) as exc:
            raise CommandError(str(exc)) from exc
        if not pruned.deleted:
            self.stdout.write(f"{before} 之前没有审计记录,未删除任何记录")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已删除 {before} 之前的 {pruned.deleted} 条审计记录(至第 {pruned.through_seq} 条),"
                f"清理记录为第 {pruned.anchor.seq} 条"
            )
        )
