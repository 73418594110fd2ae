from django.contrib import admin

from jianguan.core.admin import ReadOnlyAdmin
from jianguan.joint.models import KeyMatter


@admin.register(KeyMatter)
class KeyMatterAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "lead_sector", "review_on", "list_version"]
