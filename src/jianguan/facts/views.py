"""The facts channel for platform administrators: what was published, each subscriber's backlog, lag and errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import scope_for
from jianguan.facts import services


def _platform_admin(request) -> None:
    if not scope_for(request.user).has_role(Role.PLATFORM_ADMIN):
        raise Http404


@login_required
def channel(request):
    _platform_admin(request)
    state = services.status()
    published = [(services.DECLARED.get(name, name), count) for name, count in state.by_name.items()]
    subscribers = [(sub, [services.DECLARED[name] for name in sub.names]) for sub in state.subscribers]
    return render(request, "facts/channel.html", {"state": state, "published": published, "subscribers": subscribers})


@login_required
@require_POST
def act(request, key: str):
    """Deliver now, or replay a subscriber from a fact number."""
    _platform_admin(request)
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
