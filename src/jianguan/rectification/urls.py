from django.urls import path

from jianguan.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.orders, name="orders"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reinspect/", views.reinspect, name="reinspect"),
    path("<int:pk>/photos/<str:sha256>/", views.photo, name="photo"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
