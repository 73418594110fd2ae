from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "jianguan.subjects"
    label = "subjects"
