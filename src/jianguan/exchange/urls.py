from django.urls import path

from jianguan.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("upload/", views.upload, name="upload"),
    path("quarantine/", views.quarantine, name="quarantine"),
    path("quality/", views.quality, name="quality"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/rows/<int:row_number>/correct/", views.correct, name="correct"),
]
