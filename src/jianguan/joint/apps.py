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

        from django.utils.translation import gettext_lazy as _

        from jianguan.facts.services import declare, subscribe
        from jianguan.joint import services

        # A rectification order closed: {"number", "source", "outcome"}.
        declare("rectification.closed", _("Rectification order closed"))
        subscribe(
            "complaints.rectification_requested",
            services.rectifications_requested,
            key="joint.rectification_orders",
            label=_("Rectification orders asked for by 12345 handlers"),
            batch=50,
        )
        subscribe(
            "spotcheck.result_recorded",
            services.rectifications_for_findings,
            key="joint.rectification_from_spot_checks",
            label=_("Rectification orders for spot-check findings"),
            batch=50,
        )
