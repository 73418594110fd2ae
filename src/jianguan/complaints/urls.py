from django.urls import path

from jianguan.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("import/", views.import_orders, name="import"),
    path("analysis/", views.dashboard, name="dashboard"),
    path("dispatch/", views.dispatch_bulk, name="dispatch_bulk"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/attachments/<str:sha256>/", views.attachment, name="attachment"),
    path("<str:number>/<slug:action>/", views.act, name="act"),
]
