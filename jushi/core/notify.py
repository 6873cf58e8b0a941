"""Telling a user something: an in-app notification, and an email when they have an address."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .models import Notification

log = logging.getLogger(__name__)


def notify(users, *, title: str, body: str = "", link: str = "", email: bool = True) -> int:
    """Notify each user in-app and, if `email`, by mail; return how many emails were handed to the backend."""
    users = [u for u in users if u.is_active]
    Notification.objects.bulk_create(
        [Notification(user=u, title=title[:200], body=body[:1000], link=link[:300]) for u in users]
    )
    if not email:
        return 0
    url = settings.JUSHI_SITE_URL.rstrip("/") + link if link.startswith("/") else link
    messages = [
        EmailMessage(
            subject=f"【聚势】{title}",
            body=f"{body}\n\n{url}" if url else body,
            to=[u.email],
        )
        for u in users
        if u.email
    ]
    if not messages:
        return 0
    try:
        return get_connection(fail_silently=False).send_messages(messages) or 0
    except OSError:
        log.exception("sending %d reminder emails failed", len(messages))
        return 0
