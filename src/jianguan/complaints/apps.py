from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "jianguan.complaints"
    label = "complaints"
    verbose_name = _("Complaints and 12345 work orders")

    def ready(self) -> None:
        from jianguan.complaints import importing  # noqa: F401  (registers the work-order importer)
        from jianguan.complaints.display import subject_panel
        from jianguan.records.panels import register_panel

        register_panel(subject_panel)
