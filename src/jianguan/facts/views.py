"""The facts channel for platform administrators: what was published, each subscriber's backlog, lag and errors."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import platform_admin_only
from jianguan.facts import services


@platform_admin_only
def channel(request):
    state = services.status()
    published = [(services.DECLARED.get(name, name), count) for name, count in state.by_name.items()]
    subscribers = [(sub, [services.DECLARED[name] for name in sub.names]) for sub in state.subscribers]
    return render(request, "facts/channel.html", {"state": state, "published": published, "subscribers": subscribers})


@platform_admin_only
@require_POST
def act(request, key: str):
    """Deliver now, or replay a subscriber from a fact number."""
    if key not in services.SUBSCRIBERS:
        raise Http404
    if request.POST.get("action") == "replay":
        try:
            start = int(request.POST.get("from", ""))
        except ValueError:
            start = 0
        if start < 1:
            messages.error(request, _("Give the first fact number to receive again (1 or more)."))
            return redirect("facts:channel")
        services.replay(key, start, actor=request.user)
        messages.info(request, _("The subscriber receives the facts from number %(n)s again.") % {"n": start})
    count = services.deliver([key])[key]
    messages.info(request, _("%(n)s facts handled.") % {"n": count})
    return redirect("facts:channel")
