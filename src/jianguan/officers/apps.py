from django.apps import AppConfig


class OfficersConfig(AppConfig):
    name = "jianguan.officers"
    label = "officers"
