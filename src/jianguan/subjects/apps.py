from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "jianguan.subjects"
    label = "subjects"

    def ready(self):
        # Registers this app's importer with the shared import engine.
        from . import services  # noqa: F401
