"""The industry picker's search (jushi.registry.widgets): the <option>s of its datalist."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from jushi.core import scopes

from ..widgets import search


@login_required
def industry_search(request):
    """Industries whose code starts with, or whose name contains, what was typed (GB/T 4754-2017 is
    national and public, so every user who may view anything may search it). The text comes in the
    parameter the picker's input is named after (`field`), so the picker needs no script."""
    if not scopes.can(request.user, "view"):
        raise PermissionDenied("无权查询行业")
    name = request.GET.get("field") or "q"
    text = request.GET.get(name, "")[:60]
    return render(request, "registry/_industry_options.html", {"industries": search(text)})
