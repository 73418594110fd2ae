"""Import with a column mapping: an office's own spreadsheet, whose headers are not ours.

Step one uploads the file; when our headers are all there it is imported at once. Otherwise the
screen offers the mapping: each of their columns → one of our fields (each explained), values for
what their file lacks (an implementing department, an effective date, a provisional code built
from their running number), a preview of the first rows, and whether to remember the mapping for
the source. The uploaded file waits under VAR_DIR, named by an unguessable token held in the
uploader's session."""

from __future__ import annotations

import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import writes_master_data
from jianguan.core.errors import DomainError, screen_text
from jianguan.platform.import_lists import IMPORTS
from jianguan.platform.importing import (
    Mapping,
    check_upload,
    column_fields,
    field_guide,
    import_kinds,
    importer_for,
    missing_fields,
    preview,
    remember_mapping,
    remembered_mapping,
    run_import,
)
from jianguan.platform.lists import list_page

SESSION_KEY = "import-uploads"


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "import-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    source = forms.CharField(label=_("Source"), max_length=200, required=False)


class MappingForm(forms.Form):
    """One choice per column of their file, one value per field of ours, the source and whether to remember."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    remember = forms.BooleanField(label=_("Remember this mapping for the source"), required=False)

    def __init__(self, *args, headers: list[str], guide: list[dict], initial_mapping: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("— not imported —"))] + [(f["name"], f"{f['title']} ({f['name']})") for f in guide]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=initial_mapping.columns.get(header) or ""
            )
        for f in guide:
            self.fields[f"set_{f['name']}"] = forms.CharField(
                label=f["title"], required=False, max_length=200, initial=initial_mapping.fixed.get(f["name"], "")
            )

    def mapping(self) -> Mapping:
        data = self.cleaned_data
        columns = {h: data.get(f"col_{i}") or "" for i, h in enumerate(self.headers)}
        fixed = {k[4:]: v.strip() for k, v in data.items() if k.startswith("set_") and v and v.strip()}
        return Mapping(columns, fixed)

    def screen(self, rows: list[list], guide: list[dict]) -> dict:
        """What the template lays out: each column with its first values, each field with its input."""
        return {
            "columns": [(h, self[f"col_{i}"], [r[i] for r in rows[:2]]) for i, h in enumerate(self.headers)],
            "sets": [(f, self[f"set_{f['name']}"]) for f in guide],
        }


def _pending(request, token: str, kind: str) -> tuple[Path, str]:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    path = _upload_dir() / token
    if not entry or entry.get("kind") != kind or not path.is_file():
        raise DomainError("upload_expired", _("The uploaded file is no longer here; upload it again."))
    return path, entry["filename"]


def _keep(request, data: bytes, filename: str, kind: str) -> str:
    token = secrets.token_urlsafe(24)
    (_upload_dir() / token).write_bytes(data)
    uploads = request.session.get(SESSION_KEY, {})
    uploads[token] = {"kind": kind, "filename": filename}
    request.session[SESSION_KEY] = dict(list(uploads.items())[-5:])
    return token


def _drop(request, token: str) -> None:
    (_upload_dir() / token).unlink(missing_ok=True)
    uploads = request.session.get(SESSION_KEY, {})
    uploads.pop(token, None)
    request.session[SESSION_KEY] = uploads


@login_required
def import_mapping(request, kind: str):
    """Upload a file of `kind`; map its columns when ours are missing; import."""
    if kind not in import_kinds() or not writes_master_data(request.user):
        raise Http404
    importer = importer_for(kind, request.user)
    guide = field_guide(kind)
    context = {"kind": kind, "label": importer.label, "guide": guide, "back": request.GET.get("back", "")}
    if request.method == "POST" and "token" in request.POST:
        token = request.POST.get("token", "")
        try:
            path, filename = _pending(request, token, kind)
            data = path.read_bytes()
            headers, rows = preview(kind, data, filename)
        except DomainError as exc:
            context.update(upload=UploadForm(), error=screen_text(exc))
            return render(request, "platform/import_mapping.html", context, status=400)
        form = MappingForm(request.POST, headers=headers, guide=guide, initial_mapping=Mapping())
        if form.is_valid():
            mapping = form.mapping()
            try:
                if form.cleaned_data["remember"]:
                    remember_mapping(kind, form.cleaned_data["source"], mapping, actor=request.user)
                batch = run_import(kind, data, filename, actor=request.user, mapping=mapping)
            except DomainError as exc:
                context["error"] = screen_text(exc)
            else:
                _drop(request, token)
                return redirect(reverse("web:import_batch", args=[batch.pk]))
        context.update(form=form, headers=headers, rows=rows, filename=filename, **form.screen(rows, guide))
        context["missing"] = missing_fields(importer, headers, form.mapping() if form.is_valid() else None)
        return render(request, "platform/import_mapping.html", context, status=400)

    if request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        if upload.is_valid():
            data, filename = upload.cleaned_data["file"].read(), upload.cleaned_data["file"].name
            source = upload.cleaned_data["source"].strip()
            try:
                check_upload(data)
                headers, rows = preview(kind, data, filename)
            except DomainError as exc:
                upload.add_error("file", screen_text(exc))
            else:
                known = remembered_mapping(kind, source) if source else None
                if known is None and not missing_fields(importer, headers):
                    try:
                        batch = run_import(kind, data, filename, actor=request.user)
                    except DomainError as exc:
                        upload.add_error("file", screen_text(exc))
                    else:
                        return redirect(reverse("web:import_batch", args=[batch.pk]))
                else:
                    known = known or Mapping()
                    columns = column_fields(importer, headers, known)
                    initial = Mapping({h: columns.get(h) or "" for h in headers}, dict(known.fixed))
                    token = _keep(request, data, filename, kind)
                    form = MappingForm(
                        initial={"token": token, "source": source},
                        headers=headers,
                        guide=guide,
                        initial_mapping=initial,
                    )
                    context.update(
                        form=form,
                        headers=headers,
                        rows=rows,
                        filename=filename,
                        missing=missing_fields(importer, headers, initial),
                        remembered=bool(source and remembered_mapping(kind, source)),
                        **form.screen(rows, guide),
                    )
                    return render(request, "platform/import_mapping.html", context)
        context["upload"] = upload
        return render(request, "platform/import_mapping.html", context, status=400)
    context["upload"] = UploadForm(initial={"source": getattr(request.user.department, "name", "")})
    return render(request, "platform/import_mapping.html", context)


@login_required
def import_batches(request):
    """The register imports in the user's scope, with their row counts; each opens its batch page."""
    return list_page(request, IMPORTS)
