from django.urls import path

from jianguan.portal import views

app_name = "portal"

urlpatterns = [
    path("spotchecks/", views.spotchecks, name="spotchecks"),
    path("spotchecks/<int:pk>/", views.spotcheck, name="spotcheck"),
    path("spotchecks/<int:pk>/draw-record.json", views.spotcheck_record, name="spotcheck_record"),
    path("spotchecks/verify_draw.py", views.spotcheck_verifier, name="spotcheck_verifier_download"),
    path("credit/", views.credit, name="credit"),
    path("credit/verify/", views.credit_verify, name="credit_verify"),
    path("credit/<int:pk>/", views.credit_subject, name="credit_subject"),
    path("credit/<int:pk>/report/", views.credit_report, name="credit_report"),
    path("complaints/", views.complaint_new, name="complaint_new"),
    path("complaints/track/", views.complaint_track, name="complaint_track"),
    path("complaints/track/<str:number>/", views.complaint_status, name="complaint_status"),
    path("complaints/track/<str:number>/rating/", views.complaint_rate, name="complaint_rate"),
    path("rectifications/", views.rectification_report, name="rectification"),
]
