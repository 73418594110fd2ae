"""The admin application, with the site that platform administrators enter by their role."""

from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    default_site = "jianguan.platform.adminsite.PlatformAdminSite"
