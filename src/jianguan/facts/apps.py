from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactsConfig(AppConfig):
    name = "jianguan.facts"
    label = "facts"
    verbose_name = _("Domain facts")

    def ready(self):
        # Registers the delivery tasks with Huey and the declared-facts system check.
        from . import checks, tasks  # noqa: F401
