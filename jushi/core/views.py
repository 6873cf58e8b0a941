from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from . import audit as audit_trail
from . import scopes
from .choices import AuditKind, ChangeAction, ChangeSource
from .models import AuditChain, AuditEvent, ChangeLog, retention_days

# Staff of these departments work on the investment pipeline, not on reports (accounts.choices.Department).
PIPELINE_DEPARTMENTS = frozenset({"investment", "projects"})


def home_url(user) -> str:
    """Where each kind of user starts: at their own work, not at a summary of everything.

    The zone overview stays in the menu for everyone who may see it. Roles and departments are read as
    the accounts app stores them (core sits below accounts and knows them only by value)."""
    duty = getattr(user, "duty", None)
    if duty:  # 三员: no business page; the audit administrator reads the trail, the other two the admin
        return reverse("core:audit") if duty == "auditadmin" else reverse("admin:index")
    scope = scopes.scope_of(user)
    if scope.enterprise_id is not None:
        return reverse("reporting:inbox")  # an enterprise reporter starts at what is due
    role = getattr(user, "role", "")
    if role == "staff":
        if getattr(user, "department", "") in PIPELINE_DEPARTMENTS:
            return reverse("projects:kanban")
        return reverse("reporting:board")  # the board opens on the period being filled now
    several_zones = scope.all_zones or len(scope.zone_ids) > 1
    if role == "regional" or several_zones:
        return reverse("indicators:ranking")  # provincial users compare zones
    if role in ("leader", "admin"):
        # A zone admin answers for the zone's figures first; the registry overview is one click away.
        return reverse("indicators:dashboard")
    return reverse("registry:overview")


@login_required
def home(request):
    return redirect(home_url(request.user))


AUDIT_PAGE_SIZE = 50


@login_required
def audit(request):
    """The audit trail: the change log and the security events in one list, newest link first, with
    the chain's integrity status (the last verification, which national auditors may run again)."""
    if not request.user.can("audit"):
        raise PermissionDenied("只有开发区管理员和审计管理员可以查看审计日志")
    may_verify = audit_trail.national_auditor(request.user)
    if request.method == "POST":
        if not may_verify:
            raise PermissionDenied("只有全国(全部开发区)管理员和审计管理员可以运行完整性校验")
        result = audit_trail.verify()
        (messages.success if result.ok else messages.error)(request, result.message)
        return redirect(f"{reverse('core:audit')}?{request.GET.urlencode()}")
    current = {k: request.GET.get(k, "").strip() for k in ("kind", "source", "user", "batch")}
    changes = ChangeLog.objects.restrict(request.user, "audit")
    events = AuditEvent.objects.restrict(request.user, "audit")
    kind = current["kind"]
    if kind in ChangeAction.values:
        changes, events = changes.filter(action=kind), events.none()
    elif kind == "change":
        events = events.none()
    elif kind in AuditKind.values:
        changes, events = changes.none(), events.filter(kind=kind)
    if current["source"]:
        changes, events = changes.filter(source=current["source"]), events.filter(source=current["source"])
    if current["user"]:
        changes, events = changes.filter(user_name=current["user"]), events.filter(user_name=current["user"])
    if current["batch"]:
        changes, events = changes.filter(batch=current["batch"]), events.none()
    # One list over both tables, ordered by the chain's sequence; only the page's rows are read in full.
    links = changes.order_by().values_list("seq").union(events.order_by().values_list("seq"), all=True)
    page = Paginator(links.order_by("-seq"), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    seqs = [seq for (seq,) in page.object_list]
    rows = {
        row.seq: row
        for qs in (changes.filter(seq__in=seqs).select_related("content_type"), events.filter(seq__in=seqs))
        for row in qs
    }
    head = AuditChain.objects.filter(pk=audit_trail.HEAD_PK).first()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "rows": [rows[s] for s in seqs if s in rows],
            "kinds": [
                ("change", "数据变更(全部)"),
                *ChangeAction.choices,
                *AuditKind.choices,
            ],
            "sources": ChangeSource.choices,
            "current": current,
            "query": query.urlencode(),
            "head": head,
            "may_verify": may_verify,
            "retention_days": retention_days(),
        },
    )


@login_required
def notifications(request):
    """The user's in-app messages; opening the page marks them read."""

    from . import clock
    from .models import Notification

    items = list(Notification.objects.filter(user=request.user)[:100])
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=clock.now())
    return render(request, "core/notifications.html", {"items": items})
