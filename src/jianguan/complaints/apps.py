from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "jianguan.complaints"
    label = "complaints"
    verbose_name = _("Complaints and 12345 work orders")

    def ready(self) -> None:
        from jianguan.complaints import importing, policy  # noqa: F401  (register the importer and the policy)
        from jianguan.complaints.display import subject_panel
        from jianguan.records.panels import register_panel

        register_panel(subject_panel)
