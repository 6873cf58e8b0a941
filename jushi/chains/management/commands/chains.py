from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from jushi.core.choices import ChangeSource
from jushi.core.commanding import ActorCommand
from jushi.core.scopes import scope_of
from jushi.lib.tabular import TableError, format_of
from jushi.registry.models import Zone

from ...choices import Gap, Strength
from ...figures import chain_figures, facts
from ...gaps import gaps
from ...models import Chain
from ...services import import_pool

WAN_PER_YI = Decimal(10000)
PLACES = Decimal("0.0001")

NODE_HEADERS = [
    "节点代码",
    "节点",
    "上级节点",
    "环节",
    "现状图",
    "远景图",
    "企业(家)",
    "规上企业(家)",
    "在谈及线索项目(个)",
    "入链企业和签约项目(个)",
    "薄弱阈值",
    "强弱",
    "协议投资(亿元)",
    "到位资金(亿元)",
    "当前产值(亿元)",
    "达产后产值(亿元)",
]
GAP_HEADERS = ["缺口", "节点代码", "节点", "环节", "强弱", "入链企业和签约项目(个)", "薄弱阈值", "原因"]


from ...exporters import ChainExporter  # noqa: E402
from ...views.shared import load  # noqa: E402


class Command(ActorCommand):
    help = (
        "产业链:jushi chains import-pool FILE --zone CODE [--dry-run] | "
        "gaps [--zone CODE] [--chain CODE] | export FILE --chain CODE [--zone CODE]"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("action", choices=["import-pool", "gaps", "export"], help="要做什么")
        parser.add_argument("file", nargs="?", help="import-pool 的 CSV 或 XLSX 文件;export 的 XLSX 文件")
        parser.add_argument(
            "--zone", help="开发区代码(import-pool 必填;gaps/export 默认为可访问的全部开发区)"
        )
        parser.add_argument("--chain", help="产业链代码(export 必填;gaps 默认为全部产业链)")
        parser.add_argument(
            "--dry-run", action="store_true", help="import-pool: 只校验并列出将导入的企业,不写入"
        )

    def handle(self, *args, **opts):
        actor = self.actor(opts["user"])
        if scope_of(actor).enterprise_id is not None:
            raise CommandError(f"用户“{actor.username}”是企业填报员,无权查看产业链")
        try:
            getattr(self, f"do_{opts['action'].replace('-', '_')}")(actor, opts)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

    def _zones(self, actor, opts, action: str):
        zones = Zone.objects.restrict(actor, action)
        if opts["zone"]:
            zones = zones.filter(code=opts["zone"])
            if not zones.exists():
                raise CommandError(f"--zone: 没有代码为“{opts['zone']}”的开发区,或无权操作")
        return zones

    def _chains(self, actor, opts, action: str):
        chains = Chain.objects.restrict(actor, action).filter(zone__in=self._zones(actor, opts, action))
        if opts["chain"]:
            chains = chains.filter(code=opts["chain"])
            if not chains.exists():
                raise CommandError(f"--chain: 没有代码为“{opts['chain']}”的产业链,或无权操作")
        return chains.select_related("zone").order_by("zone__code", "order", "name", "id")

    def _path(self, opts) -> Path:
        if not opts["file"]:
            raise CommandError(f"{opts['action']}: 请给出文件路径")
        path = Path(opts["file"])
        try:
            format_of(path.name)
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        return path

    def do_import_pool(self, actor, opts):
        if not opts["zone"]:
            raise CommandError("import-pool: 请用 --zone 给出导入到哪个开发区")
        path = self._path(opts)
        zone = self._zones(actor, opts, "import").get()
        table = self.read_import(path)
        self.stderr.write(f"校验 {len(table.rows)} 行 …")
        result = import_pool(
            actor=actor,
            zone=zone,
            table=table,
            source=ChangeSource.CLI,
            dry_run=opts["dry_run"],
            progress=self.progress,
        )
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} 处错误,未导入任何数据")
        for c in result.companies:
            self.stdout.write(f"  新增 {c.name} → {c.node.chain.name}/{c.node.name}({c.get_size_display()})")
        for u in result.updates:
            self.stdout.write(f"  更新 第 {u.row} 行 {u.company.name}:" + ";".join(str(c) for c in u.changes))
        summary = result.groups().summary(dry_run=result.dry_run)
        if result.dry_run:
            self.stdout.write(self.style.SUCCESS(f"[试运行] {result.total} 行校验通过,{summary}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"已导入目标企业到 {zone.code}:{summary}"))

    def do_gaps(self, actor, opts):
        total = 0
        for chain in self._chains(actor, opts, "view"):
            nodes, figures = chain_figures(chain, user=actor)  # the user's view, as on the pages
            found = gaps(facts(nodes, figures))
            self.stdout.write(f"{chain.zone.code} {chain.name}({chain.code}):{len(found)} 个缺口")
            for g in found:
                count = f" {g.node.count}/{g.node.threshold}" if g.strength == Strength.THIN else ""
                self.stdout.write(
                    f"  {Gap(g.gap).label} {g.node.name}({g.node.code}) "
                    f"{Strength(g.strength).label}{count}:{g.reason}"
                )
            total += len(found)
        self.stdout.write(self.style.SUCCESS(f"共 {total} 个缺口"))

    def do_export(self, actor, opts):
        path = self._path(opts)
        if format_of(path.name) != "xlsx":
            raise CommandError("export: 产业链导出为 XLSX 文件(扩展名 .xlsx)")
        if not opts["chain"]:
            raise CommandError("export: 请用 --chain 给出导出哪条产业链")
        chains = list(self._chains(actor, opts, "export"))
        if len(chains) > 1:
            zones = "、".join(c.zone.code for c in chains)
            raise CommandError(f"--chain: 多个开发区({zones})都有“{opts['chain']}”,请用 --zone 指明")
        chain = chains[0]
        view = load(chain, user=actor)  # the chain as its page shows the user, exported likewise
        ChainExporter(view, "xlsx").write(path, actor=actor)
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {chain.name}:{len(view.rows)} 个节点、{len(view.gaps)} 个缺口到 {path}"
            )
        )
