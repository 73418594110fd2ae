"""Policies for platform administrators: each policy in force with its history, and the form that
publishes a new version (the whole document and a reason), checked by the policy's schema."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import platform_admin_only
from jianguan.core.errors import DomainError
from jianguan.core.models import PolicyDocument
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
    labels = dict(registered())
    if name not in labels:
        raise Http404
    text = request.POST.get("data") if request.method == "POST" else None
    errors = []
    if request.method == "POST":
        try:
            data = json.loads(text or "")
        except json.JSONDecodeError as exc:
            errors = [
                _("The document is not valid JSON (line %(line)s, column %(col)s).")
                % {"line": exc.lineno, "col": exc.colno}
            ]
        else:
            try:
                document = publish_policy(name, data, request.POST.get("note", ""), actor=request.user)
            except DomainError as exc:
                body = exc.as_body()
                english = (get_language() or "").startswith("en")
                errors = [body["message_en" if english else "message"]] + [
                    f"{e['field']}: {e['message_en' if english else 'message']}" for e in body["errors"]
                ]
            else:
                messages.success(request, _("Version %(v)s published.") % {"v": document.version})
                return redirect(reverse("platform:policy", args=[name]))
    history = PolicyDocument.objects.filter(name=name).order_by("-version").select_related("created_by")
    current = current_policy(name)
    return render(
        request,
        "platform/policy.html",
        {
            "name": name,
            "label": labels[name],
            "text": text if text is not None else json.dumps(current, ensure_ascii=False, indent=2),
            "note": request.POST.get("note", ""),
            "errors": errors,
            "history": history,
        },
        status=400 if errors else 200,
    )
