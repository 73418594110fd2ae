from django.apps import AppConfig


class OfficersConfig(AppConfig):
    name = "jianguan.officers"
    label = "officers"

    def ready(self):
        # Registers this app's importer with the shared import engine.
        from . import services  # noqa: F401
