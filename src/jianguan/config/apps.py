from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ConfigConfig(AppConfig):
    """The composition root: settings, URLs, the assembled API and the commands that need all of it."""

    name = "jianguan.config"
    label = "config"

    def ready(self) -> None:
        # Each app's `hooks` module registers what it plugs into the others (facts declared and
        # subscribed, subject-file panels, importers, policies, background tasks), once every model
        # is loaded and without one app importing another's configuration.
        autodiscover_modules("hooks")
