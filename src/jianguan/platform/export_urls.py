from django.urls import path

from jianguan.platform import export_views

app_name = "exports"

urlpatterns = [
    path("<int:pk>/", export_views.job, name="job"),
    path("<int:pk>/file/", export_views.download, name="download"),
]
