from django.conf import settings


def shell(request):
    """What the page shell needs: the user's role label and whether the audit page is theirs."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    unread = 0
    if signed_in:
        from .models import Notification

        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "unread_notifications": unread,
        "is_enterprise_user": signed_in and user.can("report") and not user.is_superuser,
        "can_review_nav": signed_in and user.can("review"),
        "can_audit": signed_in and user.can("audit"),
        "can_import_nav": signed_in and user.can("import"),
        "debug": settings.DEBUG,
    }
