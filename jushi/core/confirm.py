"""Confirm before harm: a dangerous POST (switching a rule off, deleting, merging, publishing) is acted on only
when it carries `confirmed=1`; without it the view answers with a page that says what will change and asks.

    if not confirm.confirmed(request):
        return confirm.ask(request, title="停用审核规则", changes=["本开发区今后的报表不再执行 …"],
                           cancel=submission.get_absolute_url())

The page re-posts the same fields (files excepted) to the same URL with `confirmed=1`, so the view needs no
second route and works without JavaScript; the API is not affected (it has its own verbs).
"""

from collections.abc import Sequence

from django.shortcuts import render

FIELD = "confirmed"


def confirmed(request) -> bool:
    return request.POST.get(FIELD) == "1"


def ask(
    request,
    *,
    title: str,
    changes: Sequence[str],
    cancel: str,
    button: str = "确认",
    warning: str = "",
    action: str | None = None,
):
    """The confirmation page: `changes` are sentences saying what will change, in the user's words."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", FIELD)
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "changes": list(changes),
            "warning": warning,
            "button": button,
            "cancel": cancel,
            "action": action or request.get_full_path(),
            "fields": fields,
        },
    )
