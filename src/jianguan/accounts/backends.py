"""Model permissions from roles: a platform administrator may use every screen of the Django admin.

Other roles hold no admin permission; what they may read and change elsewhere is decided by the
scope check of each screen, not by Django's per-model permissions.
"""

from django.contrib.auth.backends import BaseBackend

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import scope_for


def is_platform_admin(user) -> bool:
    return bool(user and user.is_active and scope_for(user).has_role(Role.PLATFORM_ADMIN))


class RolePermissionBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None):
        return is_platform_admin(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return is_platform_admin(user_obj)
