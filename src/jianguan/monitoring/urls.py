from django.urls import path

from jianguan.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("devices/", views.devices, name="devices"),
    path("devices/<int:pk>/", views.device, name="device"),
    path("devices/<int:pk>/hours/", views.device_hours, name="device_hours"),
    path("detections/<int:pk>/image/", views.detection_image, name="detection_image"),
    path("clues/", views.clues, name="clues"),
    path("clues/<int:pk>/", views.clue, name="clue"),
    path("refused/", views.refused, name="refused"),
]
