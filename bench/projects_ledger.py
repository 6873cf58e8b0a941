"""Benchmark: the project ledger's pages and its LEDGER indicator refresh on a large ledger.

    .venv/bin/python bench/projects_ledger.py [--projects 50000] [--funds 500000] [--changes 200000]
        [--repeat 20] [--database-url URL] [--seed N]

Builds a throwaway database (a temporary SQLite file unless --database-url is given) with one zone
holding the whole ledger — the hardest case for a zone's pages: N projects spread over the seven
stages, their investors and signing events, the stage changes that brought each project where it is
(topped up with earlier back-and-forth moves to the requested total), and the funds records of the
signed projects from 2022 to mid-2024, each project's total within its agreed investment. Setup is
not timed. Then it times, as the zone's investment-bureau staff user, through Django's test client
(server time: URL resolution, middleware, view, template, no network):

  ledger     the ledger list filtered (stage 签约…达产, an industry division, an amount band), page 1
  ledger/all the unfiltered ledger list, page 1, and its last page
  kanban     the kanban board, all stages
  analytics  the pipeline analytics page for 2024
  refresh    services.record_funds for one new record dated in the latest month, with the indicator
             refresh it triggers after commit (called outside a transaction, so the refresh runs in
             the call), and engine.refresh(zone, latest period) alone

and prints p50 and p95 of each against the goals (lists and kanban p50 ≤ 150 ms, analytics p50 ≤
500 ms, refresh ≤ 1 s). A missed goal is a result, not a failure: the exit code is 0 unless the set-up
or a page is broken (a non-200 answer, or the new funds record not reaching the stored INV_FUND).
This is a benchmark, not a test; pytest does not collect it.
"""

import argparse
import datetime as dt
import gc
import os
import platform
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_LIST_MS = 150.0
GOAL_ANALYTICS_MS = 500.0
GOAL_REFRESH = 1.0
STAGE_SHARES = [  # share of projects now in each stage
    ("lead", 0.20),
    ("talks", 0.20),
    ("signed", 0.20),
    ("land", 0.10),
    ("started", 0.15),
    ("producing", 0.10),
    ("full", 0.05),
]
INDUSTRIES = ["3841", "3985", "1711", "1771", "3974", "3922", "3963", "3770", "5920", "7224"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=50_000, help="projects (default 50000)")
    parser.add_argument("--funds", type=int, default=500_000, help="funds records (default 500000)")
    parser.add_argument("--changes", type=int, default=200_000, help="stage changes (default 200000)")
    parser.add_argument("--repeat", type=int, default=20, help="answers timed per page (default 20)")
    parser.add_argument(
        "--database-url", help="run on this (empty) database instead of a temporary SQLite file"
    )
    parser.add_argument("--seed", type=int, default=20240630)
    args = parser.parse_args(argv)
    if args.projects < 100:
        parser.error("--projects must be at least 100")
    if args.changes < args.projects:
        parser.error("--changes must be at least --projects (every project has its first stage)")
    if args.repeat < 2:
        parser.error("--repeat must be at least 2")
    return args


def configure(args, tmp: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "jushi.settings"
    os.environ["JUSHI_VAR_DIR"] = str(tmp / "var")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    (tmp / "var" / "static").mkdir(parents=True, exist_ok=True)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def setup(args):
    """One zone, its parks, a staff user, and the ledger (see the module docstring)."""
    from django.db import transaction
    from django.utils import timezone

    from jushi.accounts.choices import Department, Role
    from jushi.accounts.models import User
    from jushi.core.bulk import insert_rows
    from jushi.projects.choices import EVIDENCED, SourceRegion
    from jushi.projects.models import Event, FundsRecord, Investor, Project, Stage, StageChange
    from jushi.registry.models import Industry, Park, Region, UserScope, Zone

    rng = random.Random(args.seed)
    now = timezone.now()
    region, _ = Region.objects.get_or_create(
        code="650000", defaults={"name": "新疆维吾尔自治区", "level": "province"}
    )
    stages = {s.code: s for s in Stage.objects.all()}
    order = [code for code, _ in STAGE_SHARES]
    industries = list(Industry.objects.filter(code__in=INDUSTRIES).values_list("pk", flat=True))
    counts = {}
    with transaction.atomic():
        zone = Zone.objects.create(
            code="bench-ledger", name="台账基准开发区", level="provincial", kind="etdz", region=region
        )
        parks = [Park.objects.create(zone=zone, code=f"p{i}", name=f"功能区{i}") for i in range(1, 6)]
        user = User.objects.create(
            username="bench-zhaoshang", role=Role.STAFF, department=Department.INVESTMENT
        )
        scope = UserScope.objects.create(user=user)
        scope.zones.add(zone)
        events = [
            Event.objects.create(
                zone=zone, name=f"招商推介会{i:02d}", held_on=dt.date(2022, 1, 10) + dt.timedelta(days=19 * i)
            )
            for i in range(50)
        ]
        n_investors = max(args.projects // 2, 1)
        counts["investors"] = insert_rows(
            Investor,
            ["name", "normalized_name", "credit_code", "region", "created"],
            (
                (f"基准投资方{i:06d}有限公司", f"基准投资方{i:06d}", None, "江苏省", now)
                for i in range(n_investors)
            ),
        )
        investor_ids = list(Investor.objects.values_list("pk", flat=True))

        # Projects: stage by the shares above, dates consistent with the stage, amounts 500万–20亿.
        start = dt.date(2022, 1, 1)
        span = (dt.date(2024, 6, 30) - start).days
        project_rows, plan = [], []
        weights = [share for _, share in STAGE_SHARES]
        for i in range(args.projects):
            stage = rng.choices(order, weights)[0]
            reached = order.index(stage)
            lead_on = start + dt.timedelta(days=rng.randint(0, span - 200))
            dates = [lead_on]
            for _ in range(reached):
                dates.append(min(dates[-1] + dt.timedelta(days=rng.randint(3, 60)), dt.date(2024, 6, 30)))
            padded = dates + [None] * (7 - len(dates))
            amount = Decimal(rng.choice([rng.randint(500, 9999), rng.randint(10000, 200000)]))
            project_rows.append(
                (
                    zone.pk,
                    f"B{i:06d}",
                    f"基准项目{i:06d}",
                    f"基准项目{i:06d}",
                    rng.choice(investor_ids),
                    rng.choice(SourceRegion.values),
                    rng.choice(industries),
                    rng.choice(parks).pk,
                    amount,
                    stages[stage].pk,
                    dates[-1],
                    *padded,
                    rng.choice(events).pk if reached >= 2 and rng.random() < 0.3 else None,
                    f"领导{rng.randint(1, 30)}",
                    "招商局",
                    False,
                    "",
                    1,
                    "",
                    True,
                    now,
                    now,
                    f"KS{i % 500:03d}" if reached >= 3 else "",
                    f"HT-{i:06d}" if reached >= 2 else "",
                    Decimal(0),
                )
            )
            plan.append((dates, amount, reached))
        counts["projects"] = insert_rows(
            Project,
            [
                "zone",
                "code",
                "name",
                "normalized_name",
                "investor",
                "source_region",
                "industry",
                "park",
                "agreed_investment",
                "stage",
                "stage_entered_on",
                "lead_on",
                "talks_on",
                "signed_on",
                "land_on",
                "started_on",
                "produced_on",
                "full_on",
                "event",
                "official",
                "unit",
                "confidential",
                "duplicate_status",
                "version",
                "note",
                "is_synthetic",
                "created",
                "updated",
                "parcel",
                "contract_no",
                "funds_in_place",
            ],
            project_rows,
        )
        project_ids = list(Project.objects.filter(zone=zone).order_by("code").values_list("pk", flat=True))

        # Stage changes: the path to the current stage, then earlier back-and-forth moves up to the total.
        change_rows = []
        for pk, (dates, _, reached) in zip(project_ids, plan, strict=True):
            for k in range(reached + 1):
                days = (dates[k + 1] - dates[k]).days if k < reached else None
                change_rows.append(
                    (
                        pk,
                        stages[order[k - 1]].pk if k else None,
                        stages[order[k]].pk,
                        dates[k],
                        "基准",
                        "",
                        days,
                        now,
                    )
                )
        moved = [(pk, entry) for pk, entry in zip(project_ids, plan, strict=True) if entry[2] >= 1]
        while len(change_rows) < args.changes:
            pk, (dates, _, reached) = rng.choice(moved)
            if reached < 1:
                continue
            change_rows.append(
                (
                    pk,
                    stages[order[1]].pk,
                    stages[order[0]].pk,
                    dates[0],
                    "基准",
                    "退回补充材料",
                    rng.randint(1, 30),
                    now,
                )
            )
        counts["stage changes"] = insert_rows(
            StageChange,
            ["project", "from_stage", "to_stage", "on", "actor_name", "note", "days", "created"],
            change_rows,
        )

        # Funds: spread over the signed projects, each within its agreed investment.
        where = dict(
            zip(project_ids, ((row[7], row[6]) for row in project_rows), strict=True)
        )  # park, industry
        signed = [
            (pk, dates, amount)
            for pk, (dates, amount, reached) in zip(project_ids, plan, strict=True)
            if reached >= 2
        ]
        per = max(args.funds // max(len(signed), 1), 1)
        funds_rows = []
        kinds = list(EVIDENCED) + ["self"]
        while len(funds_rows) < args.funds:
            for pk, dates, amount in signed:
                if len(funds_rows) >= args.funds:
                    break
                piece = (amount / (per * 2)).quantize(Decimal("0.01"))
                first = dates[2]
                on = first + dt.timedelta(days=rng.randint(0, max((dt.date(2024, 6, 30) - first).days, 0)))
                funds_rows.append(
                    (
                        zone.pk,
                        *where[pk],
                        pk,
                        on,
                        piece,
                        rng.choice(kinds),
                        rng.choice(SourceRegion.values),
                        "",
                        None,
                        now,
                    )
                )
        totals: dict[int, Decimal] = {}
        for row in funds_rows:
            totals[row[3]] = totals.get(row[3], Decimal(0)) + row[5]
        for pk, total in totals.items():  # the ledger's counter of each project's funds
            Project.objects.filter(pk=pk).update(funds_in_place=total)
        counts["funds records"] = insert_rows(
            FundsRecord,
            [
                "zone",
                "park",
                "industry",
                "project",
                "on",
                "amount",
                "evidence",
                "source_region",
                "note",
                "created_by",
                "created",
            ],
            funds_rows,
        )
    return {"zone": zone, "user": user, "counts": counts, "signed": signed}


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed_get(client, url: str, repeat: int):
    seconds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    return seconds


def timed_funds(state, repeat: int):
    from django.db.models import Sum

    from jushi.core.choices import ChangeSource
    from jushi.indicators import engine
    from jushi.indicators.models import Result
    from jushi.projects.models import FundsRecord, Project
    from jushi.projects.services import record_funds

    zone, user = state["zone"], state["user"]
    seconds, alone = [], []
    for i in range(repeat):
        pk = next(
            p
            for p, _, amount in state["signed"][i * 7 :]
            if (FundsRecord.objects.filter(project_id=p).aggregate(s=Sum("amount"))["s"] or 0) + 1 <= amount
        )
        before = Result.objects.get(
            zone=zone, scope="zone", indicator__code="INV_FUND", period="2024-06"
        ).value
        t0 = time.perf_counter()
        record_funds(
            actor=user,
            project=Project.objects.get(pk=pk),
            on=dt.date(2024, 6, 30),
            amount_wan="1",
            evidence="bank",
            source=ChangeSource.WEB,
        )
        seconds.append(time.perf_counter() - t0)
        after = Result.objects.get(
            zone=zone, scope="zone", indicator__code="INV_FUND", period="2024-06"
        ).value
        if after - before != Decimal("0.0001"):
            raise SystemExit(f"THE NEW FUNDS RECORD DID NOT REACH INV_FUND: {before} → {after}")
        t0 = time.perf_counter()
        engine.refresh(zone, "2024-06")
        alone.append(time.perf_counter() - t0)
    return seconds, alone


def db_description() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version} (temporary file)"
    version = connection.pg_version
    return f"postgresql {version // 10000}.{version % 10000} ({connection.settings_dict['NAME']})"


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jushi-bench-") as tmp_name:
        configure(args, Path(tmp_name))
        from django.test import Client
        from django.urls import reverse

        from jushi.indicators import engine

        print(
            f"jushi project ledger benchmark: {args.projects:,} projects, {args.funds:,} funds records,"
            f" {args.changes:,} stage changes in one zone",
            flush=True,
        )
        print(f"machine   {platform.platform()} | Python {platform.python_version()} | {os.cpu_count()} CPUs")
        print(f"database  {db_description()}")
        t0 = time.perf_counter()
        state = setup(args)
        print(
            "setup     "
            + ", ".join(f"{n:,} {what}" for what, n in state["counts"].items())
            + f" in {time.perf_counter() - t0:.1f} s (not timed)",
            flush=True,
        )
        t0 = time.perf_counter()
        periods, rows = engine.rebuild(state["zone"])
        print(
            f"rebuild   {time.perf_counter() - t0:.1f} s: {periods} periods, {rows:,} result rows (not a goal)"
        )

        client = Client()
        client.force_login(state["user"])
        ledger = reverse("projects:ledger")
        pages = [
            ("ledger, filtered", f"{ledger}?stage=signed&industry=38&band=1-5", GOAL_LIST_MS),
            ("ledger, all, page 1", ledger, GOAL_LIST_MS),
            ("ledger, all, last page", f"{ledger}?page=last", GOAL_LIST_MS),
            ("kanban", reverse("projects:kanban"), GOAL_LIST_MS),
            ("analytics 2024", f"{reverse('projects:analytics')}?year=2024", GOAL_ANALYTICS_MS),
        ]
        results = []
        for label, url, goal in pages:
            client.get(url)  # warm: templates compiled, caches filled, as on a running server
            gc.collect()
            seconds = timed_get(client, url, args.repeat)
            results.append((label, url, percentile(seconds, 50) * 1000, percentile(seconds, 95) * 1000, goal))
        gc.collect()
        funds_seconds, refresh_seconds = timed_funds(state, min(args.repeat, 10))

        print()
        fmt = "  {:<28}{:>10}{:>10}{:>12}  {}"
        print(fmt.format("page (server time)", "p50 ms", "p95 ms", "goal p50", "url"))
        missed = 0
        for label, url, p50, p95, goal in results:
            verdict = "PASS" if p50 <= goal else "MISS"
            missed += verdict == "MISS"
            print(fmt.format(label, f"{p50:.1f}", f"{p95:.1f}", f"≤ {goal:.0f} {verdict}", url))
        f50, f95 = percentile(funds_seconds, 50), percentile(funds_seconds, 95)
        r50, r95 = percentile(refresh_seconds, 50), percentile(refresh_seconds, 95)
        verdict = "PASS" if f50 <= GOAL_REFRESH else "MISS"
        missed += verdict == "MISS"
        print(
            fmt.format(
                "new funds + refresh",
                f"{f50 * 1000:.1f}",
                f"{f95 * 1000:.1f}",
                f"≤ 1000 {verdict}",
                "record_funds",
            )
        )
        print(fmt.format("  engine.refresh alone", f"{r50 * 1000:.1f}", f"{r95 * 1000:.1f}", "", "2024-06"))
        print(
            f"\n  ratios    filtered ledger ÷ goal {results[0][2] / GOAL_LIST_MS:.2f}, kanban ÷ goal "
            f"{results[3][2] / GOAL_LIST_MS:.2f}, analytics ÷ goal {results[4][2] / GOAL_ANALYTICS_MS:.2f}, "
            f"funds+refresh ÷ goal {f50 / GOAL_REFRESH:.2f}"
        )
        print(f"  goals     {'all met' if not missed else f'{missed} missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
