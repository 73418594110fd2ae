from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    """The platform's shared services over the ground tables of ``core``.

    Department, region and calendar writes, the import engine, versioned policies, the scope-checked
    reads of import batches and the API tools sit here, above accounts and audit, because each of them
    needs a user's scope or records an audit event. ``core`` below holds the tables and the pure code
    (codes, text, calendar arithmetic, sealing) and imports nothing of the platform's own.
    """

    name = "jianguan.platform"
    label = "platform"
    verbose_name = _("Platform")
