"""The facts channel for platform administrators: what was published, each subscriber's backlog, lag and errors."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import platform_admin_only
from jianguan.facts import services
from jianguan.facts.forms import ActForm


@platform_admin_only
def channel(request):
    return _channel_page(request)


def _channel_page(request, refused: tuple[str, ActForm] | None = None):
    """The channel's state, each subscriber with its own act form (the refused one with its errors)."""
    state = services.status()
    published = [(services.DECLARED.get(name, name), count) for name, count in state.by_name.items()]
    subscribers = [
        (
            sub,
            [services.DECLARED[name] for name in sub.names],
            refused[1] if refused and refused[0] == sub.key else ActForm(auto_id=f"id_%s_{sub.key}"),
        )
        for sub in state.subscribers
    ]
    return render(request, "facts/channel.html", {"state": state, "published": published, "subscribers": subscribers})


@platform_admin_only
@require_POST
def act(request, key: str):
    """Deliver now, or replay a subscriber from a fact number."""
    if key not in services.SUBSCRIBERS:
        raise Http404
    form = ActForm(request.POST, auto_id=f"id_%s_{key}")
    if not form.is_valid():
        return _channel_page(request, (key, form))
    if form.cleaned_data["action"] == "replay":
        start = form.cleaned_data["start"]
        services.replay(key, start, actor=request.user)
        messages.info(request, _("The subscriber receives the facts from number %(n)s again.") % {"n": start})
    count = services.deliver([key])[key]
    messages.info(request, _("%(n)s facts handled.") % {"n": count})
    return redirect("facts:channel")
