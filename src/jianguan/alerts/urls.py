from django.urls import path

from jianguan.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alerts, name="list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("risks/", views.risks, name="risks"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
