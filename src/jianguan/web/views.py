"""Staff web UI: login, home, and the register screens (list, detail, search, import, export)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout as do_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import AutoField
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import can_write_department, can_write_region, writes_master_data
from jianguan.catalog.services import latest_item, revise_item
from jianguan.core.errors import DomainError
from jianguan.officers.services import update_officer
from jianguan.platform.apitools import file_response
from jianguan.platform.importing import export_file, rejected_rows_file, run_import
from jianguan.platform.lists import list_page, list_spec
from jianguan.platform.permissions import access_batch, corrects_import, object_history
from jianguan.platform.services import update_department
from jianguan.subjects.services import update_subject
from jianguan.web import registers  # noqa: F401  (registers the register lists)
from jianguan.web.forms import (
    DepartmentEditForm,
    ImportForm,
    ItemEditForm,
    OfficerEditForm,
    RegisterForm,
    SubjectEditForm,
)
from jianguan.web.screens import SCREENS
from jianguan.web.workbench import workbench


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


def _screen(key: str):
    screen = SCREENS.get(key)
    if screen is None:
        raise Http404
    return screen


@login_required
def home(request):
    return render(request, "web/home.html", workbench(request.user))


@login_required
def screen_list(request, key: str):
    screen = _screen(key)
    return list_page(
        request,
        list_spec(key),
        {"screen": screen, "can_import": writes_master_data(request.user) and screen.import_kind},
    )


def _model_field(obj, name: str):
    for candidate in (name, f"{name}_masked"):
        try:
            return type(obj)._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _field_label(obj, name: str) -> str:
    found = _model_field(obj, name)
    return str(found.verbose_name) if found is not None and hasattr(found, "verbose_name") else name


def _field_value(obj, name: str, value):
    """A recorded value as people read it: a choice by its label, nothing as a dash."""
    found = _model_field(obj, name)
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(str(_field_value(obj, name, v)) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    if found is not None and found.is_relation and found.related_model is not None:
        return _related_name(found.related_model, value)
    choices = dict(getattr(found, "flatchoices", None) or [])
    return choices.get(value, value)


def _related_name(model, value) -> Any:
    """A recorded key (a department's id, a region's code, a sector's id or code) as the related object's name."""
    manager = model._default_manager
    related = manager.filter(pk=value).first() if _fits_pk(model, value) else None
    if related is None and any(f.name == "code" for f in model._meta.fields):
        related = manager.filter(code=value).first()
    if related is None:
        return value
    return getattr(related, "name", None) or str(related)


def _fits_pk(model, value) -> bool:
    return not isinstance(model._meta.pk, AutoField) or str(value).isdigit()


def _history(screen, obj) -> list[dict]:
    """The object's recorded changes, newest first, each field that changed with its value before and after."""
    events = []
    for event in object_history(screen.audit_type, obj.pk)[:50]:
        before, after = event.before or {}, event.after or {}
        changed = [
            (
                _field_label(obj, name),
                _field_value(obj, name, before.get(name)),
                _field_value(obj, name, after.get(name)),
            )
            for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)
        ]
        events.append({"event": event, "changed": changed})
    return events


@login_required
def screen_detail(request, key: str, pk: int):
    screen = _screen(key)
    try:
        obj = screen.access(request.user, pk)
    except DomainError:
        raise Http404 from None
    related = [
        (title, columns, [[c.value(o) for c in columns] for o in objects])
        for title, columns, objects in screen.related(obj)
    ]
    return render(
        request,
        "web/detail.html",
        {
            "screen": screen,
            "obj": obj,
            "fields": [(c.label, c.value(obj)) for c in screen.details],
            "related": related,
            "links": screen.links(obj),
            "history": _history(screen, obj),
            "can_edit": key in EDITORS and EDITORS[key].may_edit(request.user, obj),
        },
    )


@dataclass(frozen=True)
class Editor:
    """How a register's object is edited: its form, who may, and the service that writes the change."""

    form: type[RegisterForm]
    may_edit: Callable[[Any, Any], bool]
    save: Callable[[Any, RegisterForm, dict[str, Any], Any], Any]
    # The service's names for the form's fields, where they differ.
    fields: dict[str, str] | None = None


def _save_item(item, form, changes, actor):
    return revise_item(item, changes, actor=actor, new_version_from=form.cleaned_data.get("new_version_from"))


EDITORS: dict[str, Editor] = {
    "subjects": Editor(
        SubjectEditForm,
        lambda user, s: can_write_region(user, s.region_id),
        lambda s, form, changes, actor: update_subject(s, changes, actor=actor),
    ),
    "officers": Editor(
        OfficerEditForm,
        lambda user, o: can_write_department(user, o.department),
        lambda o, form, changes, actor: update_officer(o, changes, actor=actor),
        {"home_region_code": "home_region"},
    ),
    "departments": Editor(
        DepartmentEditForm,
        lambda user, d: can_write_department(user, d),
        lambda d, form, changes, actor: update_department(d, changes, actor=actor),
    ),
    "catalog": Editor(
        ItemEditForm,
        # Older versions are history: only the newest version of a code is offered for editing.
        lambda user, i: can_write_department(user, i.department) and latest_item(i.code).pk == i.pk,
        _save_item,
    ),
}


@login_required
def screen_edit(request, key: str, pk: int):
    """Edit a register's object through its form and service; those who may not write it get a 404."""
    screen, editor = _screen(key), EDITORS.get(key)
    if editor is None:
        raise Http404
    try:
        obj = screen.access(request.user, pk)
    except DomainError:
        raise Http404 from None
    if not editor.may_edit(request.user, obj):
        raise Http404
    form = editor.form.for_object(obj, request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            saved = editor.save(obj, form, changes, request.user) if changes else obj
        except DomainError as exc:
            form.refuse(exc, editor.fields)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("web:screen_detail", args=[key, saved.pk]))
    return render(request, "web/edit.html", {"screen": screen, "obj": obj, "form": form})


@login_required
def screen_export(request, key: str):
    screen = _screen(key)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    content = export_file(
        screen.import_kind,
        screen.search(request.user, request.GET.get("q", "").strip()),
        fmt,
        actor=request.user,
    )
    return file_response(content, f"{key}.{fmt}", fmt)


@login_required
def screen_import(request, key: str):
    """Import a register file; a refused file comes back with the reason beside the file field."""
    screen = _screen(key)
    if not writes_master_data(request.user):
        raise Http404
    mapping = False
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, actor=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = run_import(
                    screen.import_kind,
                    upload.read(),
                    upload.name,
                    actor=request.user,
                    resubmits=form.cleaned_data["resubmits"],
                )
            except DomainError as exc:
                form.refuse(exc, rest="file")
                # Their own headers: the mapping screen takes the same file and asks which column is which.
                mapping = exc.code == "missing_columns"
            else:
                return redirect(reverse("web:import_batch", args=[batch.pk]))
    else:
        resubmits = request.GET.get("resubmits", "")
        form = ImportForm(initial={"resubmits": resubmits if resubmits.isdigit() else None}, actor=request.user)
    return render(request, "web/import.html", {"screen": screen, "form": form, "mapping": mapping})


@login_required
def import_batch(request, pk: int):
    try:
        batch = access_batch(request.user, pk)
    except DomainError:
        raise Http404 from None
    screen = next((s for s in SCREENS.values() if s.import_kind == batch.kind), None)
    return render(request, "web/batch.html", {"batch": batch, "rows": batch.rows.all(), "screen": screen})


@login_required
def import_rejected(request, pk: int):
    try:
        batch = access_batch(request.user, pk)
    except DomainError:
        raise Http404 from None
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    reveal = corrects_import(request.user, batch)
    return file_response(rejected_rows_file(batch, fmt, reveal=reveal), f"rejected-{batch.pk}.{fmt}", fmt)


@require_POST
def logout(request):
    do_logout(request)
    return redirect("web:login")
