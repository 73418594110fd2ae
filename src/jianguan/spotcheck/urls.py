from django.urls import path

from jianguan.spotcheck import views

app_name = "spotcheck"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/pool/", views.pool, name="pool"),
    path("batches/<int:pk>/<slug:action>/", views.batch_action, name="batch_action"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/result/", views.result, name="result"),
    path("evidence/<str:sha256>/", views.evidence, name="evidence"),
]
