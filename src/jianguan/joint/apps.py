from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JointConfig(AppConfig):
    name = "jianguan.joint"
    label = "joint"
    verbose_name = _("Joint supervision")

    def ready(self) -> None:
        from jianguan.joint import policy  # noqa: F401  (registers the policy)
        from jianguan.joint.display import subject_panels
        from jianguan.records.panels import register_panel

        for panel in subject_panels:
            register_panel(panel)
