from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from jushi.core import scopes

from ..choices import EnterpriseStatus
from ..models import Enterprise, Industry, Park, Zone


def _zone_summary(zone: Zone, enterprises, year: int) -> dict:
    mine = enterprises.filter(zone=zone)
    totals = mine.aggregate(
        total=Count("id"),
        operating=Count("id", filter=Q(status=EnterpriseStatus.OPERATING)),
        building=Count("id", filter=Q(status=EnterpriseStatus.BUILDING)),
        land=Sum("land_area_mu"),
        synthetic=Count("id", filter=Q(is_synthetic=True)),
    )
    size_years = dict(
        mine.filter(size_memberships__year__in=[year - 1, year])
        .values_list("size_memberships__year")
        .annotate(n=Count("id"))
        .values_list("size_memberships__year", "n")
    )
    parks = list(
        Park.objects.filter(zone=zone)
        .annotate(n=Count("enterprises", filter=Q(enterprises__in=mine)))
        .order_by("code")
    )
    return {
        "zone": zone,
        "totals": totals,
        "size_this": size_years.get(year, 0),
        "size_last": size_years.get(year - 1, 0),
        "parks": parks,
    }


@login_required
def overview(request):
    scope = scopes.scope_of(request.user)
    if scope.enterprise_id is not None:
        return redirect("registry:enterprise_detail", pk=scope.enterprise_id)
    year = timezone.localdate().year
    # The registry's own 规上 frame may lag the calendar: show the latest year that has a frame.
    enterprises = Enterprise.objects.visible_to(request.user)
    latest = (
        enterprises.filter(size_memberships__isnull=False)
        .order_by("-size_memberships__year")
        .values_list("size_memberships__year", flat=True)
        .first()
    )
    year = latest or year
    zones = Zone.objects.visible_to(request.user).select_related("region__parent__parent")
    summaries = [_zone_summary(z, enterprises, year) for z in zones]
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
