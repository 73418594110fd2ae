from django.urls import path

from jianguan.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("imports/<int:pk>/", views.import_batch, name="import_batch"),
    path("imports/<int:pk>/rejected/", views.import_rejected, name="import_rejected"),
    path("<slug:key>/", views.screen_list, name="screen_list"),
    path("<slug:key>/export/", views.screen_export, name="screen_export"),
    path("<slug:key>/import/", views.screen_import, name="screen_import"),
    path("<slug:key>/<int:pk>/", views.screen_detail, name="screen_detail"),
    path("<slug:key>/<int:pk>/edit/", views.screen_edit, name="screen_edit"),
]
