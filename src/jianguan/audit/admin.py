import re

from django.contrib import admin
from django.forms.models import model_to_dict

from jianguan.audit.models import AuditEvent
from jianguan.audit.services import record_event


def _type(obj) -> str:
    # The object types the services record (supervision_item, subject, officer…), so one history shows both.
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(obj).__name__).lower()


def _state(obj) -> dict:
    # Sealed columns hold ciphertext, not what a person typed: the trail keeps that they changed, not their value.
    data = model_to_dict(obj)
    return {
        key: ("<sealed>" if key == "password" or key.endswith(("_sealed", "_hash")) else value)
        for key, value in data.items()
    }


class AuditedModelAdmin(admin.ModelAdmin):
    """Every change made in the Django admin is an audit event with the row before and after it."""

    def save_model(self, request, obj, form, change):
        before = _state(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record_event(
            request.user,
            f"admin.{'change' if change else 'add'}",
            _type(obj),
            obj.pk,
            before=before,
            after=_state(obj),
        )

    def save_formset(self, request, form, formset, change):
        before = {o.pk: _state(o) for o in formset.get_queryset()} if formset.queryset is not None else {}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [o for o, _fields in formset.changed_objects]:
            record_event(
                request.user,
                "admin.change",
                _type(obj),
                obj.pk,
                before=before.get(obj.pk),
                after=_state(obj),
            )
        for obj in formset.deleted_objects:
            record_event(request.user, "admin.delete", _type(obj), obj.pk, before=before.get(obj.pk))

    def delete_model(self, request, obj):
        before, pk = _state(obj), obj.pk
        super().delete_model(request, obj)
        record_event(request.user, "admin.delete", _type(obj), pk, before=before)

    def delete_queryset(self, request, queryset):
        rows = [(obj.pk, _state(obj), _type(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for pk, before, label in rows:
            record_event(request.user, "admin.delete", label, pk, before=before)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
