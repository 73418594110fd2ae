from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "jianguan.workflow"
    label = "workflow"
