from django.contrib import admin

from jianguan.audit.admin import AuditedModelAdmin
from jianguan.catalog.models import CheckPoint, KeyMatter, SupervisionItem
from jianguan.platform.admin import ReadOnlyAdmin


class CheckPointInline(admin.TabularInline):
    model = CheckPoint
    extra = 0


@admin.register(SupervisionItem)
class SupervisionItemAdmin(AuditedModelAdmin):
    list_display = ["code", "version", "name", "department", "level", "status", "random_check", "is_key"]
    list_filter = ["level", "status", "random_check", "is_key"]
    search_fields = ["code", "name"]
    raw_id_fields = ["department", "parent"]
    inlines = [CheckPointInline]


@admin.register(KeyMatter)
class KeyMatterAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "lead_sector", "review_on", "list_version"]
