from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jianguan.core"
    label = "core"

    def ready(self):
        # Registers this app's importer with the shared import engine.
        from . import services  # noqa: F401
