from django.contrib import admin

from jianguan.audit.admin import AuditedModelAdmin
from jianguan.officers.models import Conflict, Officer


class ConflictInline(admin.TabularInline):
    model = Conflict
    extra = 0
    raw_id_fields = ["subject"]


@admin.register(Officer)
class OfficerAdmin(AuditedModelAdmin):
    list_display = ["name", "certificate_no", "department", "status"]
    list_filter = ["status", "sectors"]
    search_fields = ["name", "certificate_no"]
    raw_id_fields = ["department", "home_region", "user"]
    inlines = [ConflictInline]
