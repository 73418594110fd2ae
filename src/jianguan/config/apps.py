from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The composition root: settings, URLs, the assembled API and the commands that need all of it."""

    name = "jianguan.config"
    label = "config"
