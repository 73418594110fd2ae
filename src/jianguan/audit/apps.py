from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jianguan.audit"
    label = "audit"
