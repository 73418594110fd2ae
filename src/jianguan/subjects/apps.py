from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "jianguan.subjects"
    label = "subjects"

    def ready(self):
        # Registers this app's importer with the shared import engine.
        from django.utils.translation import gettext_lazy as _

        from jianguan.facts.services import subscribe

        from . import services

        subscribe(
            "credit.grade_changed",
            services.apply_risk_grades,
            key="subjects.risk_grade",
            label=_("Risk grade shown on the subject register"),
            batch=2000,
        )
