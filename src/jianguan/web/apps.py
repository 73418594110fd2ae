from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jianguan.web"
    label = "web"
