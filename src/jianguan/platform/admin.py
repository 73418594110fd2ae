from django.contrib import admin

from jianguan.audit.admin import AuditedModelAdmin
from jianguan.core.models import CalendarOverride, CalendarYear, Department, ImportBatch, PolicyDocument, Region, Sector
from jianguan.platform.policies import publish_policy
from jianguan.platform.services import publish_calendar_year, set_calendar_override


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that change only through their services (or their data files): look, do not touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_historical", "successor"]
    list_filter = ["level", "is_historical"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "successor"]


@admin.register(Sector)
class SectorAdmin(AuditedModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["name", "uscc", "region", "sector", "parent"]
    list_filter = ["sector"]
    search_fields = ["name", "uscc"]
    raw_id_fields = ["region", "parent"]
    readonly_fields = ["path"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        # Through the service, so that every calendar change is audited.
        saved = set_calendar_override(obj.date, obj.kind, obj.name, actor=request.user)
        obj.pk = saved.pk


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source"]

    def save_model(self, request, obj, form, change):
        saved = publish_calendar_year(obj.year, obj.source, actor=request.user)
        obj.pk = saved.pk


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "filename", "received", "accepted", "rejected", "duplicates", "created_at"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    """Versions are immutable: an administrator adds a new version (the whole document and a reason)."""

    list_display = ["name", "version", "note", "created_by", "created_at"]
    list_filter = ["name"]
    fields = ["name", "data", "note"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = publish_policy(obj.name, obj.data, obj.note, actor=request.user)
        obj.pk, obj.version = saved.pk, saved.version
