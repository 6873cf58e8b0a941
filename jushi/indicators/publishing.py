"""Publication (DOMAIN §3a): coverage, the current period, published snapshots and their revisions.

A statistics office computes a figure only over reviewed reports and publishes it when the frame is
covered; what it published does not change, and a correction is a numbered revision with the earlier
release kept. Here:

- `coverage_of(zone, period)`: per form, the frame (应报), the approved reports (已审核) and their share
  of the frame's last-year value (from the stored results).
- `current_period(zone)`: the zone's latest published period, else the latest period whose reporting
  deadline has passed (by the application clock); never a future period, never one only the project
  ledger touches.
- `publish(...)`: freezes a zone's period (figures, coverage, bulletin text, who, when) as the next
  revision. Refused, always naming the coverage, for a period without data, one not yet over, one the
  actor may not publish, while coverage is incomplete or plausibility flags are unreviewed (unless
  `allow_incomplete` with a reason), and for a revision without a reason. Two publishing at once: one
  wins, the other is told.
- `view_of(zone, period, live=...)`: the figures a page, export or API shows — the latest revision's
  by default once published, the live results on request — and `revisions_against_live` for the 修订
  badge.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from jushi.core import clock
from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction
from jushi.core.scopes import can, scope_of
from jushi.lib import growth, wording
from jushi.lib.periods import Period, PeriodError
from jushi.registry.models import Zone

from .choices import Scope, Source
from .engine import stored_period
from .models import Publication, PublishedFigure, Result

FIGURE_FIELDS = [
    f.name
    for f in PublishedFigure._meta.get_fields()
    if getattr(f, "concrete", False) and f.name not in ("id", "publication", "indicator")
]


class PublishError(ValueError):
    """A refusal to publish; the message always names the period's coverage."""


class PublishConflict(PublishError):
    """Someone else published the same revision first."""


@dataclass(frozen=True)
class FormCoverage:
    form: str
    name: str
    frame: int
    approved: int
    share: Decimal | None = None

    @property
    def complete(self) -> bool:
        return self.approved >= self.frame

    @property
    def text(self) -> str:
        return f"{self.name}应报 {self.frame} 家 / 已审核 {self.approved} 家"

    @classmethod
    def from_json(cls, data: dict) -> "FormCoverage":
        share = data.get("share")
        return cls(
            data["form"],
            data["name"],
            data["frame"],
            data["approved"],
            None if share is None else Decimal(share),
        )

    def as_json(self) -> dict:
        return {
            "form": self.form,
            "name": self.name,
            "frame": self.frame,
            "approved": self.approved,
            "share": None if self.share is None else str(self.share),
        }


def coverage_of(zone: Zone, period: Period | str) -> list[FormCoverage]:
    """Per enterprise form with a reporting period in the zone ending with this period's month."""
    from django.db.models import Exists, OuterRef

    from jushi.reporting.models import ReportingPeriod, Value

    code = stored_period(period)
    approved_value = Value.objects.filter(submission=OuterRef("pk"), approved_current__isnull=False)
    out = []
    for row in (
        ReportingPeriod.objects.filter(zone=zone, code=code).select_related("form").order_by("form__code")
    ):
        frame = row.submissions.count()
        approved = row.submissions.filter(Exists(approved_value)).count()
        share = (
            Result.objects.filter(
                zone=zone,
                scope=Scope.ZONE,
                period=code,
                indicator__source=Source.ENT,
                indicator__form_code=row.form.code,
                coverage__isnull=False,
            )
            .order_by("indicator__order")
            .values_list("coverage", flat=True)
            .first()
        )
        out.append(FormCoverage(row.form.code, row.form.name, frame, approved, share))
    return out


def coverage_words(coverage: list[FormCoverage]) -> str:
    """ "规上工业月报应报 28 家 / 已审核 21 家", or that no enterprise reports for the period."""
    if not coverage:
        return "本期无企业报表(应报 0 家 / 已审核 0 家)"
    return ";".join(c.text for c in coverage)


def coverage_line(coverage: list[FormCoverage]) -> str | None:
    """The bulletin's opening line while coverage is incomplete: 按已审核的21家企业计算,应报28家."""
    incomplete = [c for c in coverage if not c.complete]
    if not incomplete:
        return None
    parts = [f"按已审核的{c.approved}家企业计算,应报{c.frame}家" for c in incomplete]
    return "(初步数据:" + ";".join(parts) + ")"


def publications(zone: Zone, period: Period | str):
    return Publication.objects.filter(zone=zone, period=stored_period(period)).order_by("-revision")


def latest_publication(zone: Zone, period: Period | str) -> Publication | None:
    return publications(zone, period).first()


def current_period(zone: Zone) -> Period | None:
    """The zone's latest published period, else the latest period whose reporting deadline has passed,
    else the latest ended period a department published figures for. Never a future period, never one
    that only the project ledger touches."""
    return current_periods([zone.pk]).get(zone.pk)


def current_periods(zone_ids) -> dict[int, Period]:
    """`current_period` for many zones in three queries (the API's default for a province)."""
    from jushi.reporting.models import ReportingPeriod

    from .models import DeptFigure

    zone_ids = list(zone_ids)
    out: dict[int, Period] = {}

    def offer(zone_id: int, period: Period) -> None:
        if zone_id not in out or period > out[zone_id]:
            out[zone_id] = period

    for zone_id, code in (
        Publication.objects.filter(zone_id__in=zone_ids).values_list("zone_id", "period").distinct()
    ):
        offer(zone_id, Period.parse(code))
    waiting = [z for z in zone_ids if z not in out]
    if waiting:
        for zone_id, code in (
            ReportingPeriod.objects.filter(zone_id__in=waiting, deadline__lte=clock.now())
            .values_list("zone_id", "code")
            .distinct()
        ):
            offer(zone_id, Period.parse(stored_period(code)))
    waiting = [z for z in zone_ids if z not in out]
    if waiting:
        today = clock.today()
        for zone_id, code in (
            DeptFigure.objects.filter(zone_id__in=waiting).values_list("zone_id", "period").distinct()
        ):
            period = Period.parse(stored_period(code))
            if period.end < today:
                offer(zone_id, period)
    return out


def selectable_periods(zone: Zone) -> list[Period]:
    """Periods with results that have ended by the clock's today, newest first (the month in progress,
    which only the ledger touches yet, is not offered)."""
    today = clock.today()
    codes = Result.objects.filter(zone=zone).values_list("period", flat=True).distinct()
    return sorted((p for p in map(Period.parse, codes) if p.end < today), reverse=True)


def _reports_in(zone: Zone) -> bool:
    from jushi.reporting.models import ReportingPeriod

    return ReportingPeriod.objects.filter(zone=zone).exists()


def _open_flags(zone: Zone, period: Period) -> list:
    from jushi.reporting.services.plausibility import open_flags

    return list(open_flags(zone, period.as_month().code))


def _refuse(message: str, coverage: list[FormCoverage]) -> PublishError:
    return PublishError(f"{message}({coverage_words(coverage)})")


def publish(
    *,
    actor,
    zone: Zone,
    period: Period | str,
    allow_incomplete: bool = False,
    reason: str = "",
    source: str,
) -> Publication:
    """Freeze the zone's period as its next revision. See the module docstring for the refusals."""
    try:
        named = Period.parse(period) if isinstance(period, str) else period
    except PeriodError as exc:
        raise PublishError(f"报告期:{exc}") from None
    reason = (reason or "").strip()
    code = stored_period(named)
    coverage = coverage_of(zone, named)
    visible = Zone.objects.restrict(actor, "view").filter(pk=zone.pk).exists()
    if not visible or scope_of(actor).enterprise_id is not None:
        # Another zone's, or an enterprise reporter's (who sees no zone figures): coverage not shown.
        raise PermissionDenied("无权发布该开发区的数据")
    if not can(actor, "publish") or not Zone.objects.restrict(actor, "change").filter(pk=zone.pk).exists():
        raise PermissionDenied(f"无权发布{zone.name}{named.label}的数据({coverage_words(coverage)})")
    if named.end >= clock.today():
        raise _refuse(f"{named.label}尚未结束,不能发布", coverage)
    results = list(Result.objects.filter(zone=zone, period=code).select_related("indicator"))
    if not results:
        raise _refuse(f"{zone.name}{named.label}没有可发布的指标数据", coverage)
    if len(reason) > 300:
        raise _refuse("原因不能超过 300 字", coverage)
    problems = []
    incomplete = [c for c in coverage if not c.complete]
    if incomplete:
        problems.append("尚有报表未审核")
    if not coverage and _reports_in(zone):  # a zone that collects reports has not opened this one
        problems.append("本期企业报表尚未开放")
    flags = _open_flags(zone, named)
    if flags:
        problems.append(
            "异常波动待复核:" + "、".join(f"{f.field.label}({f.get_kind_display()})" for f in flags)
        )
    if problems and not allow_incomplete:
        raise _refuse(
            f"不能发布{named.label}:"
            + ";".join(problems)
            + "。如确需发布,请选择“未全部审核也发布”并写明原因",
            coverage,
        )
    if problems and not reason:
        raise _refuse("未全部审核即发布须写明原因", coverage)
    previous = latest_publication(zone, code)
    if previous is not None and not reason:
        raise _refuse(f"{named.label}已发布第{previous.revision}版;修订须写明原因", coverage)
    if (
        previous is not None
        and not _differs(previous, results)
        and not (previous.incomplete and not problems)
    ):
        raise _refuse(f"数据与已发布的第{previous.revision}版相同,无需修订", coverage)
    from .bulletin import bulletin

    text = bulletin(zone, named, live=True, as_published=True)
    try:
        with transaction.atomic():
            publication = Publication.objects.create(
                zone=zone,
                period=code,
                named=named.code,
                revision=(previous.revision + 1) if previous else 1,
                reason=reason,
                incomplete=bool(problems),
                coverage=[c.as_json() for c in coverage],
                bulletin=text,
                published_by=actor if actor.pk else None,
                published_by_name=actor.get_username() or "system",
                published_at=clock.now(),
            )
            PublishedFigure.objects.bulk_create(
                [
                    PublishedFigure(
                        publication=publication,
                        indicator=r.indicator,
                        **{name: getattr(r, name) for name in FIGURE_FIELDS},
                    )
                    for r in results
                ],
                batch_size=500,
            )
            record(
                actor=actor,
                action=ChangeAction.CREATE,
                obj=publication,
                before=None,
                after=snapshot(publication),
                source=source,
                zone_id=zone.pk,
                reason=reason,
            )
    except IntegrityError:
        winner = latest_publication(zone, code)
        who = (
            f"{winner.published_by_name}已于{winner.published_at:%Y-%m-%d %H:%M}发布第{winner.revision}版"
            if winner
            else ""
        )
        raise PublishConflict(
            f"{named.label}刚被他人发布:{who};请刷新后再看({coverage_words(coverage)})"
        ) from None
    return publication


def _key(row) -> tuple:
    return (row.indicator_id, row.scope, row.scope_key)


def _differs(publication: Publication, results: list[Result]) -> bool:
    frozen = {_key(f): f for f in publication.figures.all()}
    if set(frozen) != {_key(r) for r in results}:
        return True
    return any(
        any(getattr(frozen[_key(r)], name) != getattr(r, name) for name in FIGURE_FIELDS) for r in results
    )


@dataclass
class View:
    """What a page shows for a zone's period: the rows (results or published figures), the publication
    they come from (None for live figures), the latest publication, and whether the page is live."""

    rows: list
    publication: Publication | None
    latest: Publication | None
    live: bool

    @property
    def published(self) -> bool:
        return self.publication is not None


def view_of(
    zone: Zone, period: Period | str, *, live: bool = False, revision: int | None = None, scope=Scope.ZONE
) -> View:
    code = stored_period(period)
    latest = latest_publication(zone, code)
    chosen = latest
    if revision is not None and latest is not None:
        chosen = publications(zone, code).filter(revision=revision).first() or latest
    if chosen is not None and not live:
        figures = chosen.figures.filter(indicator__is_active=True).select_related("indicator")
        if scope is not None:
            figures = figures.filter(scope=scope)
        rows = sorted(figures, key=lambda f: (f.indicator.order, f.indicator.code, f.scope, f.scope_key))
        for f in rows:
            f.publication = chosen  # period without another query
        return View(rows, chosen, latest, False)
    results = Result.objects.filter(zone=zone, period=code, indicator__is_active=True).select_related(
        "indicator"
    )
    if scope is not None:
        results = results.filter(scope=scope)
    rows = sorted(results, key=lambda r: (r.indicator.order, r.indicator.code, r.scope, r.scope_key))
    return View(rows, None, latest, True)


def latest_published(**filters) -> dict[tuple[int, str], PublishedFigure]:
    """(zone id, period) → the figure of its latest revision, for `PublishedFigure` filters that name one
    indicator and scope (the trend, an indicator's periods, a ranking's zones)."""
    latest: dict[tuple[int, str], PublishedFigure] = {}
    for figure in (
        PublishedFigure.objects.filter(**filters)
        .select_related("publication__zone", "indicator")
        .order_by("publication__revision")
    ):
        latest[(figure.publication.zone_id, figure.publication.period)] = figure  # later revisions win
    return latest


def figure_text(row) -> str:
    """A figure as a reader compares it: amount and rate as displayed (one rounding each)."""
    indicator = row.indicator
    parts = []
    if row.value is not None:
        parts.append(wording.amount_text(row.value, indicator.unit, indicator.decimals))
    pct = growth.percent(row.growth)
    if pct is not None:
        parts.append(f"{pct:+}%")
    elif row.change is not None and indicator.decimals == 0:
        parts.append(f"{row.change:+.0f}")
    return " ".join(parts) or "—"


def revisions_against_live(zone: Zone, period: Period | str) -> list[dict]:
    """Where the live figures now differ from the latest publication, as displayed: the 修订 badge's
    rows (indicator, published, live). Empty when the period is not published or nothing moved."""
    latest = latest_publication(zone, period)
    if latest is None:
        return []
    published = {
        f.indicator_id: f for f in latest.figures.filter(scope=Scope.ZONE).select_related("indicator")
    }
    live = {
        r.indicator_id: r
        for r in Result.objects.filter(zone=zone, period=latest.period, scope=Scope.ZONE).select_related(
            "indicator"
        )
    }
    rows = []
    for key in sorted(published.keys() | live.keys(), key=lambda k: _order(published.get(k) or live.get(k))):
        then, now = published.get(key), live.get(key)
        then_text = figure_text(then) if then else "—"
        now_text = figure_text(now) if now else "—"
        if then_text != now_text:
            indicator = (then or now).indicator
            rows.append({"indicator": indicator, "published": then_text, "live": now_text})
    return rows


def _order(row) -> tuple:
    return (row.indicator.order, row.indicator.code)
