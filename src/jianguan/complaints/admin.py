from django.contrib import admin

from jianguan.complaints.models import Category, DispatchRule, WorkOrder
from jianguan.platform.admin import ReadOnlyAdmin


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "sla_working_days", "sla_hours", "is_urgent", "is_active"]
    search_fields = ["code", "name"]


@admin.register(DispatchRule)
class DispatchRuleAdmin(ReadOnlyAdmin):
    list_display = ["category", "sector", "level", "version"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "state", "kind", "category", "lead_department", "received_at", "overdue"]
    list_filter = ["state", "kind", "channel", "overdue"]
    search_fields = ["number"]
    exclude = ["complainant_name_sealed", "complainant_phone_sealed", "complainant_phone_hash", "query_code_hash"]
