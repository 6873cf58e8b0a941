"""Kashgar demo: the department figures the seed report publishes for H1 2024, targets, the doubling
plan, and results computed from them and from the demo's approved reports.

Published (seed): GDP 54.4 亿元 +14.3% (real); industrial value added +5.4% (real, official growth only);
general public budget revenue 5.26 亿元 +32.5%; new market entities 651 +5.2%. (Funds in place, 58.32 亿元 +7.0%, are computed from the project
ledger's demo, `jushi.projects.demo`.) Last year's budget
revenue and market entities are derived from the published growth. Targets and the doubling plan's
base are synthetic and say so in their notes, as are the second (synthetic) zone's figures that give
the provincial ranking a second row.
"""

from decimal import Decimal

from jushi.core.choices import ChangeSource
from jushi.registry import demo as registry_demo
from jushi.registry.models import Zone

from . import engine
from .models import DeptFigure, Indicator, Plan, Target

ZONE = "kashgar-edz"
SYNTHETIC = "合成数据(演示用,非公布数)"

# indicator, period, value, last year, official growth, caliber, note
FIGURES = [
    ("GDP", "2024H1", "54.4", None, "0.143", "可比价", "公布数"),
    ("IND_VA", "2024H1", None, None, "0.054", "可比价", "公布数(只公布增速)"),
    ("FISC_GPB", "2024H1", "5.26", "3.97", "0.325", "自然口径", "公布数;上年同期按公布增速推算"),
    ("MKT_NEW", "2024H1", "651", "619", "0.052", "自然口径", "公布数;上年同期按公布增速推算"),
]
# indicator, 2024 target value, note
TARGETS = [
    ("GDP", "110", SYNTHETIC),
    ("FISC_GPB", "10", SYNTHETIC),
    ("MKT_NEW", "1200", SYNTHETIC),
]


def load(stdout, *, password: str) -> list[tuple[str, str]]:
    zone = Zone.objects.filter(code=ZONE).first()
    if zone is None:
        return []
    created = 0
    for code, period, value, last_year, official, caliber, note in FIGURES:
        _, new = DeptFigure.objects.get_or_create(
            zone=zone,
            indicator=Indicator.objects.get(code=code),
            period=period,
            defaults={
                "value": Decimal(value) if value else None,
                "last_year": Decimal(last_year) if last_year else None,
                "official_growth": Decimal(official),
                "caliber": caliber,
                "note": note,
                "source": ChangeSource.DEMO,
            },
        )
        created += new
    for code, value, note in TARGETS:
        Target.objects.get_or_create(
            zone=zone,
            indicator=Indicator.objects.get(code=code),
            year=2024,
            defaults={"value": Decimal(value), "note": note},
        )
    Plan.objects.get_or_create(
        zone=zone,
        indicator=Indicator.objects.get(code="IND_GO"),
        name="高质量发展三年倍增行动(2023—2025)",
        defaults={
            "base_year": 2022,
            "base_value": Decimal("17"),
            "multiple": Decimal(2),
            "end_year": 2025,
            "note": f"基期值:{SYNTHETIC}",
        },
    )
    other = Zone.objects.filter(code=registry_demo.SYNTHETIC_ZONE).first()
    if other is not None:  # a second zone, so that the provincial ranking has more than one row
        for code, value, official in (
            ("GDP", "31.2", "0.068"),
            ("FISC_GPB", "2.84", "0.115"),
            ("MKT_NEW", "402", "0.093"),
        ):
            DeptFigure.objects.get_or_create(
                zone=other,
                indicator=Indicator.objects.get(code=code),
                period="2024H1",
                defaults={
                    "value": Decimal(value),
                    "official_growth": Decimal(official),
                    "note": SYNTHETIC,
                    "source": ChangeSource.DEMO,
                    "is_synthetic": True,
                },
            )
        engine.rebuild(other)
    periods, rows = engine.rebuild(zone)
    stdout.write(f"经济运行指标:部门数据 {created} 条新增;{periods} 个报告期共 {rows} 条指标结果")
    return []


def finish(stdout) -> None:
    """Once every app's demo has loaded (the ledger's and the chains' figures and sentences included):
    publish what the statistics office would have published by the demo's date."""
    zone = Zone.objects.filter(code=ZONE).first()
    if zone is None:
        return
    published = publish_demo(zone)
    if published:
        stdout.write(f"发布:{'、'.join(published)}(统计人员 tongji)")


def publish_demo(zone: Zone) -> list[str]:
    """Publish every past month of the demo's reporting (2023-02 … 2024-05) and H1 2024 as the statistics
    office would have, month by month; a period already published is left alone. H1 2024 is the seed."""
    from django.contrib.auth import get_user_model

    from jushi.core.commanding import ActorCommand
    from jushi.lib.periods import Period, period_range

    from .publishing import PublishError, latest_publication, publish

    actor = get_user_model().objects.filter(username="tongji").first() or ActorCommand().actor("system")
    done = []
    for period in [*period_range(Period.parse("2023-02"), Period.parse("2024-05")), Period.parse("2024H1")]:
        if latest_publication(zone, period) is not None:
            continue
        try:
            publish(actor=actor, zone=zone, period=period, source=ChangeSource.DEMO)
        except PublishError as exc:  # the demo's periods are all covered; say so loudly if one is not
            raise RuntimeError(f"演示数据未能发布 {period.label}:{exc}") from exc
        done.append(period.label)
    return done
