from django.urls import path

from jianguan.platform import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.audit_trail, name="trail"),
    path("verify/", audit_views.verify, name="verify"),
]
