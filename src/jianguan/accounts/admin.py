from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from jianguan.accounts.models import ApiClient, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [*BaseUserAdmin.fieldsets, ("Jianguan", {"fields": ["display_name", "department", "region"]})]
    list_display = ["username", "display_name", "department", "region", "is_active"]
    raw_id_fields = ["department", "region"]
    inlines = [RoleGrantInline]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "token_prefix", "is_active", "last_used_at"]
    readonly_fields = ["token_prefix", "last_used_at"]
    raw_id_fields = ["department"]
