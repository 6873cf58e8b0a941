"""Benchmark: import one month of the industrial monthly form from XLSX, with every check.

    .venv/bin/python bench/reporting_import.py [--enterprises 20000] [--database-url URL] [--profile N]

Builds a throwaway database (a temporary SQLite file unless --database-url is given) with one zone,
N above-size industrial enterprises and their approved history (2024-04, 2024-05 and 2023-06), writes
the 2024-06 file in the import layout, then times, in one run and side by side:

  baseline  reading that file with openpyxl alone (read-only, every row's values), as is and again
            with the cyclic garbage collector paused (as the import pauses it);
  import    read_table + import_period(dry_run=False): parse, check and save every row.

It prints the figures and the goals (import ≤ 3 × baseline, import ≤ 60 s). A missed goal is a result,
not a failure: the exit code is 0 unless the import reported errors or wrote nothing. This is a
benchmark, not a test; pytest does not collect it.
"""

import argparse
import contextlib
import gc
import io
import math
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORM_CODE = "ind-monthly"
TARGET = "2024-06"
HISTORY = ("2024-04", "2024-05", "2023-06")  # the two prior months and the same month last year
GOAL_RATIO = 3.0
GOAL_SECONDS = 60.0
WARNING_SHARE = 0.02  # rows made to raise a warning (never a blocking error)
CHUNK = 1000  # enterprises per bulk write during setup


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=20_000, help="rows in the file (default 20000)")
    parser.add_argument(
        "--database-url",
        help="run on this database instead of a temporary SQLite file; it must be empty (it is filled)",
    )
    parser.add_argument("--seed", type=int, default=20240601, help="random seed for the figures")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="run the import under cProfile and print the top N functions (timings then inflated)",
    )
    args = parser.parse_args(argv)
    if args.enterprises < 1 or args.enterprises > 999_999_999:
        parser.error("--enterprises must be between 1 and 999999999")
    return args


def configure(args, tmp: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "jushi.settings"
    os.environ["JUSHI_VAR_DIR"] = str(tmp / "var")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "0"  # with DEBUG on Django would keep every query in memory
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# ---------------------------------------------------------------------------------------------------
# Synthetic figures. Everything is kept in integer units of the field's last decimal (tenths of 千元,
# hundredths of 万千瓦时, whole people), so sums are exact and the profit identity holds to the digit.


class Firm:
    """One enterprise's economics: monthly figures for any month of 2022-2024, deterministic."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.scale = min(200_000.0, max(2_000.0, rng.lognormvariate(math.log(8_000), 0.8)))  # 千元/月
        self.growth = {2024: 1.0}
        self.growth[2023] = 1 / rng.uniform(0.93, 1.15)
        self.growth[2022] = self.growth[2023] / rng.uniform(0.93, 1.15)
        self.gross_ratio = rng.uniform(0.95, 1.10)
        self.sales_rate = rng.uniform(0.93, 1.02)
        self.export_share = 0.0 if rng.random() < 0.4 else rng.uniform(0.05, 0.4)
        self.revenue_ratio = rng.uniform(1.00, 1.06)
        self.margin = rng.uniform(0.02, 0.12)
        self.rd_share = 0.0 if rng.random() < 0.3 else rng.uniform(0.01, 0.05)
        self.receivable_months = rng.uniform(1.0, 3.0)
        self.people = max(20.0, self.scale / rng.uniform(30, 60))

    def month(self, year: int, month: int) -> dict[str, int]:
        """Flows of one month and stocks at its end, in integer units."""
        u = self.rng.uniform
        a = self.scale * self.growth[year] * (1 + u(-0.06, 0.06))
        gross = a * self.gross_ratio * u(0.99, 1.01)
        sales = gross * self.sales_rate * u(0.99, 1.01)
        revenue = sales * self.revenue_ratio * u(0.99, 1.01)
        flows = {
            "gross_output": gross,
            "sales_output": sales,
            "export_value": sales * self.export_share,
            "revenue": revenue,
            "cost": revenue * (0.95 - self.margin),
            "operating_profit": revenue * self.margin,
            "non_op_income": revenue * 0.004 * u(0.9, 1.1),
            "non_op_expense": revenue * 0.002 * u(0.9, 1.1),
            "taxes": revenue * 0.03 * u(0.97, 1.03),
            "rd_spending": revenue * self.rd_share,
        }
        out = {code: round(v * 10) for code, v in flows.items()}  # tenths of 千元
        out["total_profit"] = out["operating_profit"] + out["non_op_income"] - out["non_op_expense"]
        out["electricity"] = round(a * 0.002 * u(0.98, 1.02) * 100)  # hundredths of 万千瓦时
        out["energy"] = round(a * 0.02 * u(0.98, 1.02) * 100)  # hundredths of 吨标准煤
        out["receivables"] = round(a * self.receivable_months * u(0.98, 1.02) * 10)
        out["employees"] = round(self.people * self.growth[year] ** 0.5 * u(0.99, 1.01))
        return out


def cumulative(months: list[dict[str, int]], flows: set[str]) -> dict[str, int]:
    """Year-to-date values: flows summed over the months, stocks as at the last one."""
    return {code: sum(m[code] for m in months) if code in flows else months[-1][code] for code in months[-1]}


class FirmSeries:
    """The cumulative figures the benchmark needs for one enterprise: 2024-04..06, 2023-04..06, 2022-06."""

    def __init__(self, rng: random.Random, flows: set[str]):
        firm = Firm(rng)
        months = {y: [firm.month(y, m) for m in range(1, 7)] for y in (2022, 2023, 2024)}
        self.cum = {(y, m): cumulative(months[y][:m], flows) for y in (2023, 2024) for m in (4, 5, 6)}
        self.cum[(2022, 6)] = cumulative(months[2022], flows)
        self.note = ""
        self.file_last_year = dict(self.cum[(2023, 6)])
        if rng.random() < WARNING_SHARE:  # an anomaly the checks warn about, explained or not
            if rng.random() < 0.5:  # June's revenue far above May's: month swing > 30%
                june = months[2024][5]["revenue"]
                self.cum[(2024, 6)]["revenue"] += round(june * 0.8)
                self.note = "6 月集中确认大额订单收入" if rng.random() < 0.5 else ""
            else:  # last year's figure restated by 5% against what was approved then
                self.file_last_year["gross_output"] = round(self.file_last_year["gross_output"] * 1.05)
                self.note = "上年同期数按统计局反馈口径调整" if rng.random() < 0.5 else ""


# ---------------------------------------------------------------------------------------------------


def setup(n: int, seed: int):
    """Zone, enterprises, periods and approved history; returns what the timed part needs."""
    from django.db import transaction
    from django.utils import timezone

    from jushi.core.commanding import ActorCommand
    from jushi.lib import uscc
    from jushi.lib.periods import Period
    from jushi.registry.models import Enterprise, Industry, Region, SizeMembership, Zone
    from jushi.reporting.choices import Aggregation, Status
    from jushi.reporting.models import ReportForm, Submission, Value
    from jushi.reporting.services.periods import open_period

    if Zone.objects.filter(code="bench").exists():
        sys.exit("the database already holds a benchmark run (zone “bench”); give an empty database")
    system = ActorCommand().actor("system")
    form = ReportForm.objects.get(code=FORM_CODE)
    fields = list(form.fields.all())
    flows = {f.code for f in fields if f.aggregation == Aggregation.FLOW}
    region, _ = Region.objects.get_or_create(code="653101", defaults={"name": "喀什市", "level": "county"})
    zone = Zone.objects.create(
        code="bench", name="基准测试经济开发区", level="national", kind="etdz", region=region
    )
    industry = Industry.objects.get(code="3841")  # 锂离子电池制造, section C

    with transaction.atomic():
        for start in range(0, n, CHUNK):
            Enterprise.objects.bulk_create(
                Enterprise(
                    zone=zone,
                    industry=industry,
                    name=f"基准测试{i:06d}有限公司",
                    credit_code=uscc.complete(f"91653101{i:09d}"),
                    is_synthetic=True,
                )
                for i in range(start, min(n, start + CHUNK))
            )
        ids = list(Enterprise.objects.filter(zone=zone).order_by("credit_code").values_list("pk", flat=True))
        for year in (2023, 2024):  # above-size both years, so last year's period has them too
            SizeMembership.objects.bulk_create(
                (SizeMembership(enterprise_id=e, year=year) for e in ids), batch_size=5000
            )

    periods = {}
    for code in (*HISTORY, TARGET):
        periods[code], _ = open_period(actor=system, form=form, zone=zone, period=Period.parse(code))
    submission = {
        (period_id, e): s
        for s, period_id, e in Submission.objects.filter(
            period__in=[periods[c] for c in HISTORY]
        ).values_list("pk", "period_id", "enterprise")
    }
    by_id = {e.pk: e for e in Enterprise.objects.filter(zone=zone)}

    history_of = {  # period code → (key of this year's cumulative, key of last year's)
        "2024-04": ((2024, 4), (2023, 4)),
        "2024-05": ((2024, 5), (2023, 5)),
        "2023-06": ((2023, 6), (2022, 6)),
    }
    rng = random.Random(seed)
    rows, values_written = [], 0
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            batch = []
            for e in ids[start : start + CHUNK]:
                s = FirmSeries(rng, flows)
                for code, (now, before) in history_of.items():
                    sid = submission[(periods[code].pk, e)]
                    for f in fields:
                        cur = Decimal(s.cum[now][f.code]).scaleb(-f.decimals)
                        ly = Decimal(s.cum[before][f.code]).scaleb(-f.decimals)
                        batch.append(
                            Value(
                                submission_id=sid,
                                field=f,
                                current=cur,
                                last_year=ly,
                                approved_current=cur,
                                approved_last_year=ly,
                            )
                        )
                enterprise = by_id[e]
                row = [enterprise.credit_code, enterprise.name, "未填报"]
                for f in fields:
                    row.append(_number(s.cum[(2024, 6)][f.code], f.decimals))
                    row.append(_number(s.file_last_year[f.code], f.decimals))
                row.append(s.note)
                rows.append(row)
            Value.objects.bulk_create(batch, batch_size=2000)
            values_written += len(batch)
        Submission.objects.filter(period__in=[periods[c] for c in HISTORY]).update(
            status=Status.APPROVED, reviewed_at=timezone.now(), reviewed_by=system
        )
    return system, form, fields, rows, values_written


def _number(units: int, decimals: int):
    """A figure as the number a spreadsheet cell holds (int, or the float nearest the decimal)."""
    return units if decimals == 0 else units / 10**decimals


def write_xlsx(fields, rows) -> bytes:
    from openpyxl import Workbook

    from jushi.reporting.columns import headers_for

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(headers_for(fields))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------


def baseline(data: bytes, *, paused: bool = False) -> tuple[float, int]:
    """openpyxl alone: open read-only and pull every row's values. Returns seconds and cells seen.

    `paused` holds off the cyclic garbage collector, as read_table and import_period do, so the import
    can also be compared with openpyxl at its fastest."""
    from openpyxl import load_workbook

    from jushi.lib.batching import paused_gc

    with paused_gc() if paused else contextlib.nullcontext():
        return _read_all(data, load_workbook)


def _read_all(data: bytes, load_workbook) -> tuple[float, int]:
    t0 = time.perf_counter()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = 0
    for row in wb.worksheets[0].iter_rows(values_only=True):
        cells += len(row)
    wb.close()
    return time.perf_counter() - t0, cells


def timed_import(data: bytes, system, form):
    """read_table + import_period, with the phases: reading, checking (planning) and writing."""
    from jushi.lib.periods import Period
    from jushi.lib.tabular import read_table
    from jushi.reporting.services.importing import import_period

    marks = {}

    def progress(done, total):  # called after each planned row: the last call ends the checking phase
        marks["planned"] = time.perf_counter()

    t0 = time.perf_counter()
    table = read_table(data, "x.xlsx", max_bytes=max(len(data), 1))
    t1 = time.perf_counter()
    result = import_period(
        actor=system,
        form=form,
        period=Period.parse(TARGET),
        table=table,
        dry_run=False,
        source="cli",
        progress=progress,
    )
    t2 = time.perf_counter()
    planned = marks.get("planned", t2)
    return result, {"read": t1 - t0, "import": t2 - t1, "plan": planned - t1, "write": t2 - planned}


def profiled_import(data: bytes, system, form, top: int):
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    result, phases = timed_import(data, system, form)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return result, phases, out.getvalue()


# ---------------------------------------------------------------------------------------------------


def db_description() -> str:
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        import sqlite3

        where = "temporary file" if str(name).endswith("bench.sqlite3") else name
        return f"sqlite {sqlite3.sqlite_version} ({where})"
    if connection.vendor == "postgresql":
        version = connection.pg_version
        host = connection.settings_dict["HOST"] or "local socket"
        return f"postgresql {version // 10000}.{version % 10000} ({name} on {host})"
    return connection.vendor


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jushi-bench-") as tmp_name:
        tmp = Path(tmp_name)
        configure(args, tmp)
        from django.conf import settings

        from jushi.reporting.models import CheckResult, Submission, Value

        n = args.enterprises
        print(f"jushi reporting import benchmark: {FORM_CODE} {TARGET}, {n:,} enterprises", flush=True)
        print(
            f"machine   {platform.platform()} | {platform.machine()} | Python {platform.python_version()}"
            f" | {os.cpu_count()} CPUs"
        )
        print(f"database  {db_description()}")

        t0 = time.perf_counter()
        system, form, fields, rows, history_values = setup(n, args.seed)
        data = write_xlsx(fields, rows)
        columns = 3 + 2 * len(fields) + 1
        del rows
        limit = settings.JUSHI_IMPORT_MAX_BYTES
        print(
            f"setup     {history_values:,} approved history values, file written "
            f"in {time.perf_counter() - t0:.1f} s (not timed)"
        )
        print(
            f"file      {len(data) / 1048576:.1f} MB XLSX, {n:,} rows × {columns} columns; "
            f"upload limit JUSHI_IMPORT_MAX_BYTES {limit / 1048576:.1f} MB "
            f"({'within' if len(data) <= limit else 'EXCEEDED: the page would refuse this file'})"
        )
        print(flush=True)

        gc.collect()  # neither timed part pays for the set-up's garbage
        base_seconds, base_cells = baseline(data)
        gc.collect()
        paused_seconds, _ = baseline(data, paused=True)
        gc.collect()
        if args.profile:
            result, phases, report = profiled_import(data, system, form, args.profile)
        else:
            result, phases = timed_import(data, system, form)
            report = ""

        if not result.ok:
            print(f"IMPORT FAILED: {len(result.errors)} errors; the first 10:")
            for error in result.errors[:10]:
                print(f"  {error}")
            return 1
        written = Value.objects.filter(submission__period__form=form, submission__period__code=TARGET).count()
        approved = Submission.objects.filter(
            period__form=form, period__code=TARGET, status="approved"
        ).count()
        kept = CheckResult.objects.filter(
            submission__period__form=form, submission__period__code=TARGET
        ).count()
        if written != n * len(fields) or approved != n:
            print(f"IMPORT WROTE TOO LITTLE: {written:,} values, {approved:,} approved submissions")
            return 1

        total = phases["read"] + phases["import"]
        ratio = total / base_seconds
        ratio_paused = total / paused_seconds
        evaluations = result.evaluations
        fmt = "  {:<34}{:>10}{:>12}"
        print(fmt.format("", "seconds", "× baseline"))
        print(fmt.format("baseline: openpyxl read-only", f"{base_seconds:.2f}", "1.00"))
        print(
            fmt.format(
                "  the same, collector paused",
                f"{paused_seconds:.2f}",
                f"{paused_seconds / base_seconds:.2f}",
            )
        )
        print(fmt.format("import: read_table + import_period", f"{total:.2f}", f"{ratio:.2f}"))
        print(fmt.format("  read_table", f"{phases['read']:.2f}", f"{phases['read'] / base_seconds:.2f}"))
        print(
            fmt.format("  import_period", f"{phases['import']:.2f}", f"{phases['import'] / base_seconds:.2f}")
        )
        print(fmt.format("    parse + check (plan)", f"{phases['plan']:.2f}", ""))
        print(fmt.format("    save", f"{phases['write']:.2f}", ""))
        print()
        line = "  {:<34}{}"
        print(line.format("enterprises", f"{n:,}"))
        print(line.format("fields", f"{len(fields)}"))
        print(
            line.format(
                "figure cells", f"{n * len(fields) * 2:,} (all cells read by baseline: {base_cells:,})"
            )
        )
        print(line.format("rule evaluations", f"{evaluations:,} ({evaluations / n:.0f} a row)"))
        print(
            line.format(
                "evaluations per second",
                f"{evaluations / phases['import']:,.0f} over import_period"
                f" ({evaluations / phases['plan']:,.0f} over parse + check)",
            )
        )
        print(
            line.format(
                "rows written", f"{written:,} Value rows for {TARGET} ({approved:,} submissions approved)"
            )
        )
        print(
            line.format(
                "warnings kept",
                f"{kept:,} ({result.warning_count:,} found, on {sum(1 for p in result.plan if p.warnings):,} rows)",
            )
        )
        by_rule = Counter(f.rule_code for p in result.plan for f in p.warnings)
        print(
            line.format("  by rule", ", ".join(f"{code} {count:,}" for code, count in by_rule.most_common()))
        )
        print()
        label = "  (under cProfile: not the benchmark's figures)" if args.profile else ""
        for goal, ok, figure in (
            (f"goal ratio ≤ {GOAL_RATIO:g}", ratio <= GOAL_RATIO, f"{ratio:.2f}"),
            (
                "  against the paused baseline",
                ratio_paused <= GOAL_RATIO,
                f"{ratio_paused:.2f}: import ÷ openpyxl with the collector paused too",
            ),
            (f"goal total ≤ {GOAL_SECONDS:g} s", total <= GOAL_SECONDS, f"{total:.1f} s"),
        ):
            print(line.format(goal, f"{'PASS' if ok else 'MISS'} ({figure}){label}"))
        if report:
            print()
            print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
