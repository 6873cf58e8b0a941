from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render

from jushi.core import clock, scopes

from ..choices import EnterpriseStatus
from ..models import Enterprise, Industry, Park, SizeMembership, Zone


def _zone_summaries(zones, enterprises, year: int) -> list[dict]:
    """Headline counts of every visible zone, in a fixed number of grouped queries however many zones."""
    empty = {"total": 0, "operating": 0, "building": 0, "land": None, "synthetic": 0}
    totals = {
        row.pop("zone_id"): row
        for row in enterprises.values("zone_id").annotate(
            total=Count("id"),
            operating=Count("id", filter=Q(status=EnterpriseStatus.OPERATING)),
            building=Count("id", filter=Q(status=EnterpriseStatus.BUILDING)),
            land=Sum("land_area_mu"),
            synthetic=Count("id", filter=Q(is_synthetic=True)),
        )
    }
    size = {
        (zone_id, y): n
        for zone_id, y, n in SizeMembership.objects.filter(
            enterprise__in=enterprises, year__in=[year - 1, year]
        )
        .values("enterprise__zone_id", "year")
        .annotate(n=Count("id"))
        .values_list("enterprise__zone_id", "year", "n")
    }
    parks: dict[int, list] = {}
    for park in Park.objects.filter(zone__in=zones).annotate(n=Count("enterprises")).order_by("code"):
        parks.setdefault(park.zone_id, []).append(park)
    return [
        {
            "zone": zone,
            "totals": totals.get(zone.pk, empty),
            "size_this": size.get((zone.pk, year), 0),
            "size_last": size.get((zone.pk, year - 1), 0),
            "parks": parks.get(zone.pk, []),
        }
        for zone in zones
    ]


@login_required
def overview(request):
    scope = scopes.scope_of(request.user)
    if scope.enterprise_id is not None:
        return redirect("registry:enterprise_detail", pk=scope.enterprise_id)
    enterprises = Enterprise.objects.visible_to(request.user)
    # The registry's 规上 frame may lag the calendar: show the latest year that has one.
    latest = (
        SizeMembership.objects.filter(enterprise__in=enterprises)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    year = latest or clock.today().year
    zones = list(Zone.objects.visible_to(request.user).select_related("region__parent__parent"))
    summaries = _zone_summaries(zones, enterprises, year)
    return render(request, "registry/overview.html", {"summaries": summaries, "year": year})


@login_required
def zone_detail(request, code):
    zone = get_object_or_404(Zone.objects.visible_to(request.user).select_related("region"), code=code)
    enterprises = Enterprise.objects.visible_to(request.user).filter(zone=zone)
    counts: dict[str, int] = {}
    for code in enterprises.values_list("industry__code", flat=True):
        key = code[:2] if code and code[:2].isdigit() else "—"
        counts[key] = counts.get(key, 0) + 1
    names = dict(Industry.objects.filter(code__in=counts).values_list("code", "name"))
    by_industry = sorted(((k, names.get(k, "未填行业"), n) for k, n in counts.items()), key=lambda r: -r[2])
    parks = Park.objects.filter(zone=zone).annotate(
        n=Count("enterprises", filter=Q(enterprises__in=enterprises))
    )
    return render(
        request,
        "registry/zone_detail.html",
        {
            "zone": zone,
            "parks": parks,
            "by_industry": by_industry,
            "total": enterprises.count(),
        },
    )
