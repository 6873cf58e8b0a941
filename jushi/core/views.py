from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from . import scopes
from .choices import ChangeAction, ChangeSource
from .models import ChangeLog


@login_required
def home(request):
    scope = scopes.scope_of(request.user)
    if scope.enterprise_id is not None:
        return redirect("reporting:inbox")  # an enterprise reporter starts at what is due
    return redirect("registry:overview")


@login_required
def audit(request):
    if not request.user.can("audit"):
        raise PermissionDenied("只有开发区管理员可以查看审计日志")
    qs = ChangeLog.objects.restrict(request.user, "audit").select_related("content_type", "user")
    action, source, who, batch = (request.GET.get(k, "") for k in ("action", "source", "user", "batch"))
    if action:
        qs = qs.filter(action=action)
    if source:
        qs = qs.filter(source=source)
    if who:
        qs = qs.filter(user_name=who)
    if batch:
        qs = qs.filter(batch=batch)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "actions": ChangeAction.choices,
            "sources": ChangeSource.choices,
            "current": {"action": action, "source": source, "user": who, "batch": batch},
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
