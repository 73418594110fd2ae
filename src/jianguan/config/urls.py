from django.contrib import admin
from django.urls import include, path

from jianguan.config.api import api
from jianguan.web import ops

urlpatterns = [
    path("health", ops.health, name="health"),
    path("health/live", ops.live, name="live"),
    path("metrics", ops.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("facts/", include("jianguan.facts.urls")),
    path("policies/", include("jianguan.platform.urls")),
    path("audit/", include("jianguan.platform.audit_urls")),
    path("exports/", include("jianguan.platform.export_urls")),
    path("help/", include("jianguan.web.help_urls")),
    path("records/", include("jianguan.records.urls")),
    path("exchange/", include("jianguan.exchange.urls")),
    path("spotchecks/", include("jianguan.spotcheck.urls")),
    path("credit/", include("jianguan.credit.urls")),
    path("complaints/", include("jianguan.complaints.urls")),
    path("joint/", include("jianguan.joint.urls")),
    path("rectifications/", include("jianguan.rectification.urls")),
    path("monitoring/", include("jianguan.monitoring.urls")),
    path("alerts/", include("jianguan.alerts.urls")),
    path("open311/v2/", include("jianguan.complaints.open311_urls")),
    path("public/", include("jianguan.portal.urls")),
    path("", include("jianguan.web.urls")),
]
