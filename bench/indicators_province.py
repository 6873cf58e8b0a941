"""Benchmark: the indicator engine and API over a synthetic province.

    .venv/bin/python bench/indicators_province.py [--zones 100] [--enterprises 20000] [--months 36]
        [--fields 12] [--database-url URL] [--seed N] [--api-repeat 30] [--profile N]

Builds a throwaway database (a temporary SQLite file unless --database-url is given): one province,
N zones (bench-001…) with three parks each, the above-size industrial enterprises spread evenly over
them, and M months of approved `ind-monthly` reports from 2022-01 on, for the form's first F fields.
The form combines January and February, so 36 months are 33 reporting periods a zone (there is no
January period to open). Three department figures (GDP, industrial value added, fixed-asset
investment) are entered for every zone and period, so the ten headline indicators all have rows.
Setup is not timed. Then it times, in one run and side by side:

  rebuild   engine.rebuild(): every zone and period from the raw reported values;
  approval  approve_submission on one submitted report of the latest period, with the refresh its
            signal triggers after commit (called outside any transaction, so on_commit runs inside
            the call), and engine.refresh(zone, period) alone;
  API       /api/indicators/values/ for all zones × the 10 headline indicators of the latest period,
            as a provincial user who sees every zone, following `next` until the answer is complete;
  raw SQL   one hand-written aggregate over the raw approved values answering the same question for
            the indicators that have raw values (the floor without precomputation).

It prints the figures and the goals (refresh after one approval ≤ 1 s, API p50 ≤ 100 ms and ≤ 0.2 ×
the raw SQL, full rebuild ≤ 120 s). A missed goal is a result, not a failure: the exit code is 0
unless the set-up or the figures are broken (the API and the raw SQL disagree, or rows are missing).
This is a benchmark, not a test; pytest does not collect it.
"""

import argparse
import gc
import io
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_REFRESH = 1.0
GOAL_API_MS = 100.0
GOAL_API_RATIO = 0.2
GOAL_REBUILD = 120.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zones", type=int, default=100, help="zones (default 100)")
    parser.add_argument("--enterprises", type=int, default=20_000, help="above-size enterprises (20000)")
    parser.add_argument("--months", type=int, default=36, help="months from 2022-01 on (default 36)")
    parser.add_argument("--fields", type=int, default=12, help="the form's first F fields (default 12)")
    parser.add_argument(
        "--database-url",
        help="run on this database instead of a temporary SQLite file; it must be empty (it is filled)",
    )
    parser.add_argument("--seed", type=int, default=20241231, help="random seed for the figures")
    parser.add_argument("--api-repeat", type=int, default=30, help="API answers timed (default 30)")
    parser.add_argument("--raw-repeat", type=int, default=5, help="raw SQL runs timed (default 5)")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="after the timed run, cProfile one zone's rebuild, one refresh and one API answer "
        "and print the top N functions of each",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.zones <= 999:
        parser.error("--zones must be between 1 and 999")
    if args.enterprises < args.zones:
        parser.error("--enterprises must be at least --zones")
    if not 2 <= args.months <= 84:
        parser.error("--months must be between 2 and 84 (2022-01 to 2028-12)")
    if not 1 <= args.fields <= 15:
        parser.error("--fields must be between 1 and 15 (the form has 15)")
    if args.api_repeat < 1 or args.raw_repeat < 1:
        parser.error("--api-repeat and --raw-repeat must be at least 1")
    return args


def configure(args, tmp: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "jushi.settings"
    os.environ["JUSHI_VAR_DIR"] = str(tmp / "var")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "0"  # with DEBUG on Django would keep every query in memory
    os.environ["ALLOWED_HOSTS"] = "testserver"  # the API is called through DRF's test client
    (tmp / "var" / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing root
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


from province import FORM_CODE, headline, period_codes, setup  # noqa: E402  (bench/ is on sys.path)

# ---------------------------------------------------------------------------------------------------
# The timed parts.


def timed_rebuild():
    from jushi.indicators import engine

    t0 = time.perf_counter()
    periods, rows = engine.rebuild()
    return time.perf_counter() - t0, periods, rows


def timed_approval(state):
    from jushi.core.choices import ChangeSource
    from jushi.reporting.services.submissions import approve_submission

    t0 = time.perf_counter()
    approve_submission(actor=state["system"], submission=state["waiting"], source=ChangeSource.WEB)
    return time.perf_counter() - t0


def timed_refresh(zone, code, repeat: int = 5) -> list[float]:
    from jushi.indicators import engine

    seconds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        engine.refresh(zone, code)
        seconds.append(time.perf_counter() - t0)
    return seconds


def timed_publish(state, zones) -> list[float]:
    """Publish the latest period of each of `zones` (as the statistics office would once it is covered),
    so that the API answers carry published figures for those zones and live ones for the rest."""
    from jushi.core.choices import ChangeSource
    from jushi.indicators.publishing import publish

    seconds = []
    for zone in zones:
        t0 = time.perf_counter()
        publish(
            actor=state["system"],
            zone=zone,
            period=state["latest"],
            allow_incomplete=True,
            reason="基准测试",
            source=ChangeSource.CLI,
        )
        seconds.append(time.perf_counter() - t0)
    return seconds


def api_answer(client, user_model, user_pk, query: str) -> tuple[list, int]:
    """One full answer: every page of the values list, as a fresh request each (user loaded per answer,
    so its scope is looked up as a real request would)."""
    client.force_authenticate(user_model.objects.get(pk=user_pk))
    url = f"/api/indicators/values/?{query}"
    rows, pages = [], 0
    while url:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"API answered {response.status_code}: {response.content[:300]!r}")
        data = response.json()
        rows.extend(data["results"])
        pages += 1
        url = data.get("next")
    return rows, pages


def timed_api(state, codes: list[str], repeat: int):
    from rest_framework.test import APIClient

    from jushi.accounts.models import User

    client = APIClient()
    query = f"scope=zone&period={state['latest']}&indicator={','.join(codes)}&page_size=1000"
    api_answer(client, User, state["user"].pk, query)  # warm: URL resolver, serializers, caches
    seconds = []
    rows = pages = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows, pages = api_answer(client, User, state["user"].pk, query)
        seconds.append(time.perf_counter() - t0)
    return seconds, rows, pages, query


def timed_one_page(state, codes: list[str], repeat: int) -> list[float]:
    """For the analysis, not a goal: the same answer in one page, with the values viewset's pagination
    swapped in this process only for one that honours page_size (the API as shipped caps pages at 50)."""
    from rest_framework.pagination import PageNumberPagination

    from jushi.indicators.api.views import ResultViewSet

    class OnePage(PageNumberPagination):
        page_size_query_param = "page_size"
        max_page_size = 1000

    shipped = ResultViewSet.pagination_class
    ResultViewSet.pagination_class = OnePage
    try:
        seconds, rows, pages, _query = timed_api(state, codes, repeat)
    finally:
        ResultViewSet.pagination_class = shipped
    if pages != 1:
        raise RuntimeError(f"the one-page variant took {pages} pages")
    return seconds


def raw_sql(ent_indicators, latest: str):
    """The floor: one hand-written aggregate over the approved values, per zone, for the period, plus
    the count of reports this year and last for the count indicator. Portable SQL (SQLite, PostgreSQL).
    Returns (the SQL, a function running it and shaping the answer)."""
    from django.db import connection

    from jushi.lib.periods import Period
    from jushi.registry.models import Zone
    from jushi.reporting.models import FormField, ReportForm, ReportingPeriod, Submission, Value

    q = connection.ops.quote_name
    t = {
        m.__name__: q(m._meta.db_table)
        for m in (Value, Submission, ReportingPeriod, ReportForm, Zone, FormField)
    }
    sums = [i for i in ent_indicators if i.aggregation == "sum"]
    field_codes = sorted({i.field_code for i in sums})
    last_year = Period.parse(latest).last_year().as_month().code
    marks = ", ".join(["%s"] * len(field_codes))
    sql = f"""
        SELECT z.code, f.code, COUNT(*), SUM(v.approved_current), SUM(COALESCE(v.approved_last_year, 0))
          FROM {t["Value"]} v
          JOIN {t["Submission"]} s ON s.id = v.submission_id
          JOIN {t["ReportingPeriod"]} p ON p.id = s.period_id
          JOIN {t["ReportForm"]} rf ON rf.id = p.form_id
          JOIN {t["Zone"]} z ON z.id = p.zone_id
          JOIN {t["FormField"]} f ON f.id = v.field_id
         WHERE rf.code = %s AND p.code = %s AND f.code IN ({marks}) AND v.approved_current IS NOT NULL
         GROUP BY z.code, f.code
        UNION ALL
        SELECT z.code, p.code, COUNT(*), NULL, NULL
          FROM {t["Submission"]} s
          JOIN {t["ReportingPeriod"]} p ON p.id = s.period_id
          JOIN {t["ReportForm"]} rf ON rf.id = p.form_id
          JOIN {t["Zone"]} z ON z.id = p.zone_id
         WHERE rf.code = %s AND p.code IN (%s, %s)
         GROUP BY z.code, p.code
    """  # noqa: S608  (identifiers from the models, quoted)
    params = [FORM_CODE, latest, *field_codes, FORM_CODE, latest, last_year]
    by_field = {}
    for i in ent_indicators:
        by_field.setdefault(i.field_code, []).append(i)
    count_indicators = [i for i in ent_indicators if i.aggregation == "count"]

    def run():
        answer = {}  # (zone, indicator code) → (value, last year, growth)
        counts = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for zone, key, n, now, before in cursor.fetchall():
                if now is None:
                    counts[(zone, key)] = n
                    continue
                for i in by_field.get(key, ()):
                    if i.aggregation != "sum":
                        continue
                    value = float(now) * float(i.scale)
                    base = float(before) * float(i.scale)
                    answer[(zone, i.code)] = (value, base, value / base - 1 if base > 0 else None)
        for (zone, code), n in counts.items():
            if code == latest:
                before = counts.get((zone, last_year))
                for i in count_indicators:
                    answer[(zone, i.code)] = (float(n), before, n / before - 1 if before else None)
        return answer

    return sql, run


def timed_raw(run, repeat: int):
    run()  # warm the page cache as the API's warm-up does
    seconds = []
    answer = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = run()
        seconds.append(time.perf_counter() - t0)
    return seconds, answer


def agreement(api_rows, raw_answer) -> tuple[int, int, list[str]]:
    """How many of the raw SQL's figures the API gives (value and growth), and the first mismatches."""
    by_key = {(r["zone"], r["indicator"]): r for r in api_rows}
    same = 0
    wrong = []
    for (zone, code), (value, _base, rate) in sorted(raw_answer.items()):
        row = by_key.get((zone, code))
        api_value = float(row["value"]) if row and row["value"] is not None else None
        api_rate = float(row["growth"]) if row and row["growth"] is not None else None
        ok = api_value is not None and math.isclose(api_value, value, rel_tol=1e-9, abs_tol=1e-6)
        if rate is None or api_rate is None:
            ok = ok and rate is None and api_rate is None
        else:
            ok = ok and math.isclose(api_rate, rate, rel_tol=1e-6, abs_tol=1e-6)
        if ok:
            same += 1
        elif len(wrong) < 10:
            wrong.append(f"{zone} {code}: API {api_value} / {api_rate}, raw {value} / {rate}")
    return same, len(raw_answer), wrong


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def query_counts(state, zone, codes):
    """Queries of one refresh and one API answer (counted apart from the timed runs)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from jushi.accounts.models import User
    from jushi.indicators import engine

    with CaptureQueriesContext(connection) as refresh_queries:
        engine.refresh(zone, state["latest"])
    query = f"scope=zone&period={state['latest']}&indicator={','.join(codes)}&page_size=1000"
    with CaptureQueriesContext(connection) as api_queries:
        api_answer(APIClient(), User, state["user"].pk, query)
    return len(refresh_queries), len(api_queries)


def profiles(state, zone, codes, top: int) -> str:
    import cProfile
    import pstats

    from rest_framework.test import APIClient

    from jushi.accounts.models import User
    from jushi.indicators import engine

    query = f"scope=zone&period={state['latest']}&indicator={','.join(codes)}&page_size=1000"
    client = APIClient()
    parts = {
        f"rebuild of one zone ({zone.code}, every period)": lambda: engine.rebuild(zone),
        f"refresh({zone.code}, {state['latest']})": lambda: engine.refresh(zone, state["latest"]),
        "one API answer (every page)": lambda: api_answer(client, User, state["user"].pk, query),
    }
    out = io.StringIO()
    for title, work in parts.items():
        profiler = cProfile.Profile()
        profiler.enable()
        work()
        profiler.disable()
        out.write(f"\n=== profile: {title} ===\n")
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------


def code_version() -> str:
    """The commit measured, and whether the engine or API had uncommitted edits (read-only git)."""
    import subprocess

    def git(*argv):
        done = subprocess.run(  # noqa: S603  (fixed arguments, read-only git)
            ["git", *argv],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() if done.returncode == 0 else None

    head = git("log", "-1", "--format=%h %ci")
    if head is None:
        return "unknown (no git)"
    dirty = git("status", "--porcelain", "--", "jushi")
    return f"{head}" + (", uncommitted edits under jushi/" if dirty else ", jushi/ as committed")


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
        configure(args, Path(tmp_name))
        from jushi.indicators.models import Result

        codes = period_codes(args.months)
        print(
            f"jushi indicators benchmark: a province of {args.zones} zones, {args.enterprises:,} enterprises,"
            f" {args.months} months ({codes[0][:4]}-01..{codes[-1]}), {args.fields} fields of {FORM_CODE}",
            flush=True,
        )
        print(
            f"machine   {platform.platform()} | {platform.machine()} | Python {platform.python_version()}"
            f" | {os.cpu_count()} CPUs"
        )
        print(f"database  {db_description()}")
        print(f"code      {code_version()}")
        print(
            f"periods   {len(codes)} a zone: the form reports January with February (1-2月), so {args.months} months are {len(codes)} "
            f"monthly periods ({codes[0]}..{codes[-1]}; no YYYY-01)"
        )
        t0 = time.perf_counter()
        state = setup(args)
        setup_seconds = time.perf_counter() - t0
        counts = state["counts"]
        expected_values = args.enterprises * len(codes) * args.fields
        print(
            "setup     "
            + ", ".join(f"{n:,} {what}" for what, n in counts.items())
            + f" in {setup_seconds:.1f} s (not timed)"
        )
        if counts["values"] != expected_values:
            print(f"SETUP WROTE {counts['values']:,} VALUES, EXPECTED {expected_values:,}")
            return 1
        chosen, ent = headline(state["fields"])
        chosen_codes = [i.code for i in chosen]
        print(
            f"headline  {', '.join(chosen_codes)}: the {len(ent)} ENT indicators the {args.fields} fields feed,"
            f" then department figures ({', '.join(i.code for i in chosen if i.source != 'ENT')});"
            f" the raw SQL answers the {len(ent)} ENT ones (the department figures have no raw values)"
        )
        print(flush=True)

        gc.collect()
        rebuild_seconds, rebuilt_periods, rebuilt_rows = timed_rebuild()
        print(
            f"rebuild   {rebuild_seconds:.1f} s: {rebuilt_periods:,} zone-periods, {rebuilt_rows:,} result rows"
            f" ({rebuild_seconds / max(rebuilt_periods, 1) * 1000:.1f} ms a zone-period)",
            flush=True,
        )

        zone = state["zones"][0]
        stored = Result.objects.get(zone=zone, scope="zone", indicator__code="IND_GO", period=state["latest"])
        gc.collect()
        approval_seconds = timed_approval(state)
        after = Result.objects.get(zone=zone, scope="zone", indicator__code="IND_GO", period=state["latest"])
        if after.units != (stored.units or 0) + 1:
            print(f"THE APPROVAL DID NOT REACH THE RESULTS: {stored.units} → {after.units} units in IND_GO")
            return 1
        refresh_seconds = timed_refresh(zone, state["latest"])
        refresh_queries, api_queries = query_counts(state, zone, chosen_codes)

        published_zones = state["zones"][: len(state["zones"]) // 2]
        publish_seconds = timed_publish(state, published_zones)

        gc.collect()
        api_seconds, api_rows, pages, query = timed_api(state, chosen_codes, args.api_repeat)
        from_publication = sum(1 for row in api_rows if row["source"] == "published")
        with_coverage = sum(1 for row in api_rows if row["frame_units"] is not None)
        if len(api_rows) != args.zones * len(chosen_codes):
            print(f"THE API GAVE {len(api_rows):,} ROWS, EXPECTED {args.zones * len(chosen_codes):,}")
            return 1
        one_page = timed_one_page(state, chosen_codes, args.api_repeat)
        sql, run = raw_sql(ent, state["latest"])
        gc.collect()
        raw_seconds, raw_answer = timed_raw(run, args.raw_repeat)
        same, compared, wrong = agreement(api_rows, raw_answer)

        api_p50, api_p95 = percentile(api_seconds, 50) * 1000, percentile(api_seconds, 95) * 1000
        raw_p50 = percentile(raw_seconds, 50) * 1000
        ratio = api_p50 / raw_p50
        refresh_p50 = percentile(refresh_seconds, 50)
        fmt = "  {:<46}{:>12}{:>12}"
        print()
        print(fmt.format("", "p50 ms", "p95 ms"))
        print(fmt.format("approve one report + refresh (once)", f"{approval_seconds * 1000:.0f}", ""))
        print(
            fmt.format(
                f"engine.refresh alone ({len(refresh_seconds)} runs)",
                f"{refresh_p50 * 1000:.0f}",
                f"{max(refresh_seconds) * 1000:.0f}",
            )
        )
        print(
            fmt.format(
                f"API: all zones × 10, {pages} page{'s' if pages != 1 else ''} ({args.api_repeat} runs)",
                f"{api_p50:.1f}",
                f"{api_p95:.1f}",
            )
        )
        print(fmt.format("  per page", f"{api_p50 / pages:.1f}", ""))
        print(
            fmt.format(
                f"raw SQL aggregate ({args.raw_repeat} runs)",
                f"{raw_p50:.1f}",
                f"{percentile(raw_seconds, 95) * 1000:.1f}",
            )
        )
        print(fmt.format("ratio API p50 / raw SQL p50", f"{ratio:.2f}", ""))
        print(
            fmt.format(
                "analysis only: the API as one 1000-row page",
                f"{percentile(one_page, 50) * 1000:.1f}",
                f"{percentile(one_page, 95) * 1000:.1f}",
            )
        )
        print()
        line = "  {:<46}{}"
        print(line.format("API query", f"/api/indicators/values/?{query}"))
        print(
            line.format(
                "API answer",
                f"{len(api_rows):,} rows in {pages} page{'s' if pages != 1 else ''}"
                f" ({len(api_rows) // pages if pages else 0} a page), {api_queries} queries",
            )
        )
        print(line.format("queries of one refresh", f"{refresh_queries}"))
        print(
            line.format(
                "publish the latest period",
                f"{len(publish_seconds)} zones, p50 {percentile(publish_seconds, 50) * 1000:.0f} ms a zone"
                f" (not a goal)",
            )
        )
        print(
            line.format(
                "API rows published / with coverage",
                f"{from_publication:,} of {len(api_rows):,} from the published revision;"
                f" {with_coverage:,} carry coverage (应报/已审核)",
            )
        )
        print(
            line.format(
                "API and raw SQL agree",
                f"{same:,} of {compared:,} figures (value and growth, {len(ent)} indicators × {args.zones} zones)",
            )
        )
        for w in wrong:
            print(line.format("  disagree", w))
        print()
        for goal, ok, figure in (
            (
                f"goal refresh after approval ≤ {GOAL_REFRESH:g} s",
                approval_seconds <= GOAL_REFRESH,
                f"{approval_seconds:.2f} s",
            ),
            (f"goal API p50 ≤ {GOAL_API_MS:g} ms", api_p50 <= GOAL_API_MS, f"{api_p50:.0f} ms"),
            (f"goal API p50 ≤ {GOAL_API_RATIO:g} × raw SQL", ratio <= GOAL_API_RATIO, f"{ratio:.2f} ×"),
            (
                f"goal full rebuild ≤ {GOAL_REBUILD:g} s",
                rebuild_seconds <= GOAL_REBUILD,
                f"{rebuild_seconds:.1f} s",
            ),
        ):
            print(line.format(goal, f"{'PASS' if ok else 'MISS'} ({figure})"))
        if args.profile:
            print(profiles(state, zone, chosen_codes, args.profile))
        if wrong:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
