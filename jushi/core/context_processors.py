from django.conf import settings


def shell(request):
    """What the page shell needs: the user's role label and whether the audit page is theirs."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "can_audit": signed_in and user.can("audit"),
        "can_import_nav": signed_in and user.can("import"),
        "debug": settings.DEBUG,
    }
