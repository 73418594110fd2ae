from django.contrib import admin

from jianguan.audit.admin import AuditedModelAdmin
from jianguan.subjects.models import Subject


@admin.register(Subject)
class SubjectAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "uscc", "registration_no", "id_number_masked", "region", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "uscc", "registration_no"]
    raw_id_fields = ["region"]
    readonly_fields = ["id_number_masked"]
