from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.models import ApiClient, RoleGrant, User
from jianguan.accounts.services import create_api_client
from jianguan.audit.admin import AuditedModelAdmin


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Department and region"), {"fields": ["display_name", "department", "region"]}),
    ]
    list_display = ["username", "display_name", "department", "region", "is_active"]
    list_filter = ["is_active", "grants__role"]
    raw_id_fields = ["department", "region"]
    inlines = [RoleGrantInline]


@admin.register(ApiClient)
class ApiClientAdmin(AuditedModelAdmin):
    """A new client is registered through the service, which shows its token this once."""

    list_display = ["name", "department", "token_prefix", "is_active", "last_used_at"]
    fields = ["name", "department", "is_active", "token_prefix", "last_used_at"]
    readonly_fields = ["token_prefix", "last_used_at"]
    raw_id_fields = ["department"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        client, token = create_api_client(obj.name, obj.department, actor=request.user)
        obj.pk = client.pk
        obj.token_prefix = client.token_prefix
        messages.warning(
            request,
            _("The token of %(name)s is %(token)s. Copy it now: it is not stored and will not be shown again.")
            % {"name": client.name, "token": token},
        )
