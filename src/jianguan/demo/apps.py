from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration province: `jianguan demo` builds it from the real data in ``shared/data``."""

    name = "jianguan.demo"
    label = "demo"
