"""Zone-level plausibility (DOMAIN.md section 3a): after approvals, a zone total that jumps implausibly is
flagged for review before the period can be published.

For one reporting period (zone × form × period) and each additive flow field, the zone total is taken on
the same caliber as growth: the approved reports with both a current and a last-year value. The total is
flagged when

- its growth is above +300% (SURGE) or below −75% (PLUNGE), growth = Σcurrent / Σlast year − 1 (only
  when Σlast year > 0; a total with no positive base, such as a loss, has no rate to judge); or
- one enterprise makes more than 80% of the change, |Δᵢ| / |ΣΔ| > 0.8 (CONCENTRATED), but only when the
  change matters: |ΣΔ| is at least 5% of Σ|last year| and at least two enterprises are on the caliber.
  When the total barely moves, any one enterprise's ordinary change is "most" of a tiny sum, and a zone
  with one enterprise is always "dominated"; flagging those would teach reviewers to click past flags.

A typical catch: one enterprise reports in 元 instead of 千元 (×1000) and explains its warnings away;
the zone total jumps by far more than 300%, and the flag names that enterprise and its share.

`assess` is pure (no models). `refresh_flags` stores the result for one period and is called inside the
transaction of every change of approved figures (approval, period import). A flag keeps its review while
the figures it describes are unchanged (same fingerprint) and is reopened when they change; a flag whose
total is plausible again is removed. `review_flag` records a reviewer's note; `open_flags` is what the
publishing layer asks.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jushi.core import changelog, clock
from jushi.core.choices import ChangeAction
from jushi.core.scopes import can
from jushi.lib.growth import percent
from jushi.lib.periods import Period, PeriodError
from jushi.lib.wording import rate_text
from jushi.registry.models import Enterprise

from ..choices import Aggregation, FlagKind, FlagStatus
from ..models import PlausibilityFlag, ReportingPeriod, Value
from .errors import Conflict, ReportingError

SURGE_ABOVE = Decimal(3)  # growth > +300%
PLUNGE_BELOW = Decimal("-0.75")  # growth < −75%
DOMINANT_SHARE = Decimal("0.8")  # one enterprise's |Δ| over |ΣΔ|
MATERIAL_CHANGE = Decimal("0.05")  # the dominance rule looks only at changes of at least 5% of the base
REVIEW_NOTE_MAX = 500

Pair = tuple[int, Decimal | None, Decimal | None]  # enterprise id, current, last year


@dataclass(frozen=True)
class Assessment:
    kind: str
    enterprises: int
    current: Decimal
    base: Decimal
    growth: Decimal | None
    dominant: int | None
    share: Decimal | None
    fingerprint: str


def fingerprint(pairs: list[Pair]) -> str:
    text = ";".join(f"{e}:{cur.normalize():f}:{ly.normalize():f}" for e, cur, ly in sorted(pairs))
    return hashlib.sha256(text.encode()).hexdigest()


def assess(pairs: list[Pair]) -> Assessment | None:
    """The flag one field's approved pairs raise, or None when the zone total is plausible."""
    caliber = [(e, cur, ly) for e, cur, ly in pairs if cur is not None and ly is not None]
    if not caliber:
        return None
    current = sum((cur for _, cur, _ in caliber), Decimal(0))
    base = sum((ly for _, _, ly in caliber), Decimal(0))
    change = current - base
    growth = current / base - 1 if base > 0 else None
    dominant = share = None
    if change:
        e, cur, ly = max(caliber, key=lambda p: (abs(p[1] - p[2]), -p[0]))
        dominant, share = e, abs(cur - ly) / abs(change)
    if growth is not None and growth > SURGE_ABOVE:
        kind = FlagKind.SURGE
    elif growth is not None and growth < PLUNGE_BELOW:
        kind = FlagKind.PLUNGE
    elif share is not None and share > DOMINANT_SHARE and len(caliber) >= 2 and _material(change, caliber):
        kind = FlagKind.CONCENTRATED
    else:
        return None
    return Assessment(kind, len(caliber), current, base, growth, dominant, share, fingerprint(caliber))


def _material(change: Decimal, caliber: list[Pair]) -> bool:
    scale = sum((abs(ly) for _, _, ly in caliber), Decimal(0))
    return scale == 0 or abs(change) >= MATERIAL_CHANGE * scale


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')).normalize():,f}"


def describe(a: Assessment, *, label: str, unit: str, period_label: str, dominant_name: str) -> str:
    """The flag's sentence, in the statistics office's words."""
    rate = "上年同期合计不为正,无增速" if a.growth is None else f"同口径{rate_text(a.growth)}"
    text = (
        f"{period_label}{label}全区合计 {_amount(a.current)} {unit},上年同期 {_amount(a.base)} {unit},"
        f"{rate}({a.enterprises}家企业同口径)"
    )
    if a.dominant is not None:
        text += f";变动主要来自{dominant_name},占变动的{percent(a.share)}%"
    return f"{text}。{FlagKind(a.kind).label},请核实是否有单位错误(如以元代千元)或异常数据"


def approved_pairs_by_field(period: ReportingPeriod) -> dict[int, list[Pair]]:
    """Approved (enterprise, current, last year) of every flow field of the period, by field id."""
    by_field: dict[int, list[Pair]] = {}
    rows = Value.objects.filter(
        submission__period=period, field__aggregation=Aggregation.FLOW, approved_current__isnull=False
    ).values_list("field_id", "submission__enterprise_id", "approved_current", "approved_last_year")
    for field_id, enterprise_id, cur, ly in rows:
        by_field.setdefault(field_id, []).append((enterprise_id, cur, ly))
    return by_field


def refresh_flags(period: ReportingPeriod, *, source: str = "web") -> list[PlausibilityFlag]:
    """Recompute the period's flags from its approved figures; returns the open ones.

    Called inside the transaction that changed the approved figures."""
    fields = {f.pk: f for f in period.form.fields.filter(aggregation=Aggregation.FLOW)}
    found = {}
    for field_id, pairs in approved_pairs_by_field(period).items():
        result = assess(pairs)
        if result is not None and field_id in fields:
            found[field_id] = result
    existing = {f.field_id: f for f in PlausibilityFlag.objects.filter(period=period)}
    gone = [f for fid, f in existing.items() if fid not in found]
    for flag in gone:
        if flag.status == FlagStatus.REVIEWED:
            changelog.record(
                actor=None,
                action=ChangeAction.DELETE,
                obj=flag,
                before=_snapshot(flag),
                after=None,
                source=source,
                reason="已审核数据变动后,全区合计不再异常",
                zone_id=period.zone_id,
            )
    PlausibilityFlag.objects.filter(pk__in=[f.pk for f in gone]).delete()
    names = dict(
        Enterprise.objects.filter(pk__in={a.dominant for a in found.values() if a.dominant}).values_list(
            "pk", "name"
        )
    )
    now = clock.now()
    for field_id, a in found.items():
        f = fields[field_id]
        flag = existing.get(field_id)
        if flag is not None and flag.fingerprint == a.fingerprint:
            continue  # the same figures: an open flag stays open, a reviewed one stays reviewed
        values = {
            "kind": a.kind,
            "enterprises": a.enterprises,
            "current_total": a.current,
            "base_total": a.base,
            "growth": a.growth.quantize(Decimal(1).scaleb(-20)) if a.growth is not None else None,
            "dominant_id": a.dominant,
            "dominant_share": a.share.quantize(Decimal(1).scaleb(-20)) if a.share is not None else None,
            "detail": describe(
                a,
                label=f.label,
                unit=f.unit,
                period_label=period.label,
                dominant_name=names.get(a.dominant, ""),
            )[:500],
            "fingerprint": a.fingerprint,
            "status": FlagStatus.OPEN,
            "reviewed_by": None,
            "reviewed_at": None,
            "review_note": "",
            "updated": now,
        }
        if flag is None:
            PlausibilityFlag.objects.create(period=period, field=f, created=now, **values)
            continue
        if flag.status == FlagStatus.REVIEWED:  # the review described other figures: keep it in the log
            changelog.record(
                actor=None,
                action=ChangeAction.UPDATE,
                obj=flag,
                before=_snapshot(flag),
                after={**_snapshot(flag), "status": FlagStatus.OPEN, "review_note": ""},
                source=source,
                reason="已审核数据变动,重新待核实",
                zone_id=period.zone_id,
            )
        for name, value in values.items():
            setattr(flag, name, value)
        flag.save()
    return list(PlausibilityFlag.objects.filter(period=period, status=FlagStatus.OPEN))


def _snapshot(flag: PlausibilityFlag) -> dict:
    return {
        "field": flag.field.code,
        "kind": flag.kind,
        "detail": flag.detail,
        "status": flag.status,
        "reviewed_by": str(flag.reviewed_by or ""),
        "review_note": flag.review_note,
    }


@transaction.atomic
def review_flag(*, actor, flag: PlausibilityFlag, note: str, source: str = "web") -> PlausibilityFlag:
    """Mark a flag reviewed with the reviewer's note (required): staff with the review right in its zone."""
    if (
        not can(actor, "review")
        or not PlausibilityFlag.objects.restrict(actor, "review").filter(pk=flag.pk).exists()
    ):
        raise PermissionDenied("无权核实该开发区的数据")
    note = (note or "").strip()
    if not note:
        raise ReportingError("核实说明: 必填,写明核实了什么、结论如何")
    if len(note) > REVIEW_NOTE_MAX:
        raise ReportingError(f"核实说明: 不能超过 {REVIEW_NOTE_MAX} 字")
    seen = PlausibilityFlag.objects.select_related("period__zone", "field", "reviewed_by").get(pk=flag.pk)
    before = _snapshot(seen)
    now = clock.now()
    done = PlausibilityFlag.objects.filter(
        pk=seen.pk, status=FlagStatus.OPEN, fingerprint=seen.fingerprint
    ).update(
        status=FlagStatus.REVIEWED,
        reviewed_by=actor if getattr(actor, "pk", None) else None,
        reviewed_at=now,
        review_note=note,
        updated=now,
    )
    if not done:
        seen.refresh_from_db()
        who = f"(由 {seen.reviewed_by} 于 {_when(seen.reviewed_at)})" if seen.reviewed_by else ""
        raise Conflict(f"该提示已核实{who},本次未生效")
    seen.refresh_from_db()
    changelog.record(
        actor=actor,
        action=ChangeAction.UPDATE,
        obj=seen,
        before=before,
        after=_snapshot(seen),
        source=source,
        reason=note,
        zone_id=seen.period.zone_id,
    )
    flag.refresh_from_db()
    return flag


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _codes_ending_with(period: Period) -> list[str]:
    """The codes of every reporting period that ends where `period` ends, cumulative from January:
    2024H1 → 2024-06, 2024Q2, 2024H1."""
    year, month = period.year, period.end_month
    codes = [Period.month(year, month).code]
    if month % 3 == 0:
        codes.append(Period.quarter(year, month // 3).code)
    if month % 6 == 0:
        codes.append(Period.half(year, month // 6).code)
    if month == 12:
        codes.append(Period.whole_year(year).code)
    return codes


def open_flags(zone, period_code: str) -> list[PlausibilityFlag]:
    """The unreviewed flags of a zone's period, over every form: what blocks publishing.

    `period_code` is any code the period parser reads; 2024H1, 2024Q2 and 2024-06 name the same
    cumulative period (January–June), so each finds the monthly form's 2024-06 and the quarterly
    form's 2024Q2 flags."""
    try:
        period = Period.parse(period_code)
    except PeriodError:
        return []
    return list(
        PlausibilityFlag.objects.filter(
            period__zone=zone, period__code__in=_codes_ending_with(period), status=FlagStatus.OPEN
        )
        .select_related("period__form", "period__zone", "field", "dominant")
        .order_by("period__form__code", "field__order")
    )
