from django.urls import path

from jianguan.portal import views

app_name = "portal"

urlpatterns = [
    path("spotchecks/", views.spotchecks, name="spotchecks"),
    path("spotchecks/<int:pk>/", views.spotcheck, name="spotcheck"),
    path("credit/", views.credit, name="credit"),
    path("complaints/", views.complaint_new, name="complaint_new"),
    path("complaints/track/", views.complaint_track, name="complaint_track"),
    path("complaints/track/<str:number>/", views.complaint_status, name="complaint_status"),
    path("complaints/track/<str:number>/rating/", views.complaint_rate, name="complaint_rate"),
    path("rectifications/", views.rectification_report, name="rectification"),
]
