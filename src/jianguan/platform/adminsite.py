"""The Django admin, opened to platform administrators by their role (not by Django's staff flag)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.backends import is_platform_admin


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Jianguan administration")
    site_title = _("Jianguan administration")
    index_title = _("Master data, calendar, policies, users and API clients")

    def has_permission(self, request):
        return is_platform_admin(request.user)
