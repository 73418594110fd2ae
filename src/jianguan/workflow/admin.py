from django.contrib import admin

from jianguan.workflow.models import WorkflowDefinition, WorkflowItem


@admin.register(WorkflowDefinition)
class WorkflowDefinitionAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "name", "is_active"]
    readonly_fields = ["code", "version", "spec"]


@admin.register(WorkflowItem)
class WorkflowItemAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "state", "department", "next_due_at", "escalation_level"]
    list_filter = ["state", "is_closed"]
    raw_id_fields = ["department", "region"]

    def has_change_permission(self, request, obj=None):
        return False
