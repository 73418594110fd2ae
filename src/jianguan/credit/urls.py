from django.urls import path

from jianguan.credit import views

app_name = "credit"

urlpatterns = [
    path("", views.lists, name="lists"),
    path("subjects/<int:pk>/", views.subject_credit, name="subject"),
    path("subjects/<int:pk>/<slug:action>/", views.subject_action, name="subject_action"),
]
