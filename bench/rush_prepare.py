"""Data for the deadline rush (bench/deadline_rush.py), run as its own process after `jushi demo --no-serve`.

    DATABASE_URL=... JUSHI_VAR_DIR=... JUSHI_TODAY=2024-07-20 python bench/rush_prepare.py --reporters N --out F

On the Kashgar demo it adds N synthetic above-size enterprises (zone kashgar-edz, both years in the size
set, created through `create_enterprise` like the registry demo), one reporter account each (role
REPORTER, scoped to its enterprise; all share one password hash, so no N × PBKDF2), and opens the current
period 2024-07 again with `open_period`, which gives each new enterprise its own open submission. It then
signs everyone in without a password: a session row per reporter account (what `login()` stores), and a
few sessions for the reviewer (tongji) and the leader (leader). It creates the floor's table
(bench_rush_floor, used by bench/rush_urls.py) and writes a JSON file: per reporter its session key,
submission id and the figures it will enter (consistent with the form's rules, about +10% on last
year), and the reviewers' and leaders' session keys. Not timed.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZONE = "kashgar-edz"
FORM = "ind-monthly"
PERIOD = "2024-07"
STAFF_SESSIONS = 60  # sessions each for the reviewer and the leader, shared round-robin by locust users


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reporters", type=int)
    parser.add_argument("--out")
    parser.add_argument("--count", action="store_true", help="print what the rush left in the database")
    parser.add_argument(
        "--light-demo",
        action="store_true",
        help="first migrate and load the demo of the apps the rush uses (no projects, no chains): the smoke",
    )
    parser.add_argument("--seed", type=int, default=20240816)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jushi.settings")
    import django

    django.setup()
    if args.count:
        print(json.dumps(count()))
        return
    started = time.monotonic()
    if args.light_demo:
        light_demo()
    out = prepare(args.reporters, random.Random(args.seed))
    Path(args.out).write_text(json.dumps(out))
    print(
        f"prepared {len(out['reporters'])} reporters with open submissions, "
        f"{len(out['reviewers'])} reviewer and {len(out['leaders'])} leader sessions "
        f"in {time.monotonic() - started:.1f} s"
    )


def light_demo() -> None:
    """What `jushi demo --no-serve` loads for the pages the rush opens: accounts, the registry, the
    reports and the indicators with their publications; the project ledger and the chains are left out
    (a third of the demo's time), so the CI smoke prepares in seconds. The demo command's own settings
    (the demo date, mail) come from the environment the rush sets."""
    from io import StringIO

    from django.core.management import call_command

    from jushi.accounts import demo as accounts_demo
    from jushi.core.management.commands.demo import DEMO_PASSWORD
    from jushi.indicators import demo as indicators_demo
    from jushi.registry import demo as registry_demo
    from jushi.reporting import demo as reporting_demo

    call_command("migrate", interactive=False, verbosity=0)
    out = StringIO()
    for module in (accounts_demo, registry_demo, reporting_demo, indicators_demo):
        module.load(out, password=DEMO_PASSWORD)
    indicators_demo.finish(out)


def prepare(n: int, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from jushi.core.choices import ChangeSource
    from jushi.core.commanding import ActorCommand
    from jushi.lib import uscc
    from jushi.lib.periods import Period
    from jushi.registry.choices import EnterpriseStatus
    from jushi.registry.models import Enterprise, Industry, Park, UserScope, Zone
    from jushi.registry.services.enterprises import create_enterprise
    from jushi.reporting import demo as reporting_demo
    from jushi.reporting.models import ReportForm, Submission
    from jushi.reporting.services.periods import open_period

    User = get_user_model()
    zone = Zone.objects.get(code=ZONE)
    form = ReportForm.objects.get(code=FORM)
    parks = list(Park.objects.filter(zone=zone).order_by("code"))
    industries = list(Industry.objects.filter(code__in=reporting_demo.SCALE).order_by("code"))
    actor = ActorCommand().actor("system")
    used = set(Enterprise.objects.values_list("credit_code", flat=True))
    password = make_password(None)  # unusable: these accounts are only ever signed in by session
    from jushi.accounts.choices import Role

    with transaction.atomic():
        enterprises = []
        for i in range(n):
            while True:
                org = "".join(rng.choice(uscc.ALPHABET) for _ in range(9))
                code = uscc.complete(f"91653101{org}"[:17])
                if code not in used:
                    used.add(code)
                    break
            e = Enterprise(
                zone=zone,
                park=parks[i % len(parks)],
                industry=industries[i % len(industries)],
                name=f"压测企业{i + 1:05d}有限公司(合成)",
                credit_code=code,
                address="新疆喀什经济开发区(合成地址)",
                established_on=dt.date(2015, 1 + i % 12, 1),
                entered_on=dt.date(2016, 1 + i % 12, 1),
                status=EnterpriseStatus.OPERATING,
                notes="合成数据:报送截止压测(bench/deadline_rush.py)",
                is_synthetic=True,
            )
            create_enterprise(
                actor=actor,
                enterprise=e,
                size_years=[2023, 2024],
                source=ChangeSource.DEMO,
                reason="压测数据",
            )
            enterprises.append(e)
        users = User.objects.bulk_create(
            User(
                username=f"rush{i + 1:05d}",
                full_name=f"压测填报员{i + 1}",
                role=Role.REPORTER,
                password=password,
                email=f"rush{i + 1:05d}@demo.jushi.invalid",
            )
            for i in range(n)
        )
        if not users or users[0].pk is None:  # backends that return no ids
            users = list(User.objects.filter(username__startswith="rush").order_by("username"))
        UserScope.objects.bulk_create(
            UserScope(user=u, enterprise=e) for u, e in zip(users, enterprises, strict=True)
        )
        row, added = open_period(actor=actor, form=form, zone=zone, period=Period.parse(PERIOD))
        assert added == n, f"open_period added {added} submissions, expected {n}"
    subs = dict(
        Submission.objects.filter(period=row, enterprise__in=enterprises).values_list("enterprise_id", "pk")
    )
    reporters = []
    sessions = []
    for u, e in zip(users, enterprises, strict=True):
        key, session = _session(u)
        sessions.append(session)
        reporters.append({"session": key, "submission": subs[e.pk], "figures": _figures(rng, e)})
    reviewers, leaders = [], []
    for username, into in (("tongji", reviewers), ("leader", leaders)):
        user = User.objects.get(username=username)
        for _ in range(STAFF_SESSIONS):
            key, session = _session(user)
            sessions.append(session)
            into.append(key)
    from django.contrib.sessions.models import Session

    Session.objects.bulk_create(sessions, batch_size=1000)
    with connection.cursor() as cursor:
        pk = (
            "bigserial primary key"
            if connection.vendor == "postgresql"
            else "integer primary key autoincrement"
        )
        cursor.execute(
            f"create table if not exists bench_rush_floor (id {pk}, written_at varchar(40), who varchar(40))"
        )
    return {"reporters": reporters, "reviewers": reviewers, "leaders": leaders, "period": row.pk}


def count() -> dict:
    """2024-07 reports of the rush's enterprises by status, and approvals of the period in all."""
    from django.db.models import Count

    from jushi.reporting.models import Submission

    period = Submission.objects.filter(period__form__code=FORM, period__zone__code=ZONE, period__code=PERIOD)
    rush = period.filter(enterprise__name__startswith="压测企业")
    by_status = dict(rush.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {"rush": by_status, "approved_in_period": period.filter(status="approved").count()}


def _session(user):
    """(key, Session row) of a signed-in session, as django.contrib.auth.login() would store it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from jushi.accounts.middleware import LAST_SEEN, LOGIN_AT

    now = timezone.now()
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
        LOGIN_AT: now.timestamp(),
        LAST_SEEN: now.timestamp(),
    }
    key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
    store = SessionStore()
    return key, Session(
        session_key=key, session_data=store.encode(data), expire_date=now + dt.timedelta(hours=12)
    )


def _figures(rng: random.Random, enterprise) -> dict:
    """Figures for 1-7 months of 2024 and the same months of 2023, consistent with the form's rules."""
    from decimal import Decimal

    from jushi.reporting import demo as reporting_demo

    years = [2023, 2024]
    monthly = reporting_demo._monthly_output(rng, enterprise, years)
    monthly[2024] = [v * 1.1 / (sum(monthly[2024]) / sum(monthly[2023])) for v in monthly[2024]]
    mix = reporting_demo._mix(rng)
    mine = reporting_demo._figures(rng, monthly[2024], 7, mix)
    last = reporting_demo._figures(rng, monthly[2023], 7, mix)
    return {code: [f"{mine[code]}", f"{last.get(code, Decimal(0))}"] for code in mine}


if __name__ == "__main__":
    main()
