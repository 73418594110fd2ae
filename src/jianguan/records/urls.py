from django.urls import path

from jianguan.records import views

app_name = "records"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("subjects/<int:pk>/", views.subject_file, name="subject_file"),
]
