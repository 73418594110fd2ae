from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "jianguan.catalog"
    label = "catalog"

    def ready(self):
        # Registers this app's importer with the shared import engine.
        from . import services  # noqa: F401
