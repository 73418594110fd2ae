"""Policies for platform administrators: each policy in force with its history, and the form that
publishes a new version (the whole document and a reason), checked by the policy's schema."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import platform_admin_only
from jianguan.core.errors import DomainError
from jianguan.core.models import PolicyDocument
from jianguan.platform.forms import PolicyForm
from jianguan.platform.policies import current_policy, publish_policy, registered


@platform_admin_only
def policies(request):
    versions = {}
    for document in PolicyDocument.objects.order_by("name", "-version").select_related("created_by"):
        versions.setdefault(document.name, []).append(document)
    rows = [(name, label, current_policy(name), versions.get(name, [])) for name, label in registered()]
    return render(request, "platform/policies.html", {"rows": rows})


@platform_admin_only
def policy(request, name: str):
    """One policy's history and the form for its next version; a refused version comes back with each
    problem beside the document, and nothing is written."""
    labels = dict(registered())
    if name not in labels:
        raise Http404
    if request.method == "POST":
        form = PolicyForm(request.POST, name=name)
        if form.is_valid():
            try:
                document = publish_policy(name, form.cleaned_data["data"], form.cleaned_data["note"], request.user)
            except DomainError as exc:
                form.refuse_version(exc)
            else:
                messages.success(request, _("Version %(v)s published.") % {"v": document.version})
                return redirect(reverse("platform:policy", args=[name]))
    else:
        form = PolicyForm(name=name, initial={"data": json.dumps(current_policy(name), ensure_ascii=False, indent=2)})
    history = PolicyDocument.objects.filter(name=name).order_by("-version").select_related("created_by")
    context = {"name": name, "label": labels[name], "form": form, "history": history}
    return render(request, "platform/policy.html", context)
