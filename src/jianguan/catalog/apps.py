from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "jianguan.catalog"
    label = "catalog"
