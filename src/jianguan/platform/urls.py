from django.urls import path

from jianguan.platform import views

app_name = "platform"

urlpatterns = [
    path("", views.policies, name="policies"),
    path("<str:name>/", views.policy, name="policy"),
]
