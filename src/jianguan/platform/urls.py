from django.urls import path

from jianguan.platform import mapping_views, views

app_name = "platform"

urlpatterns = [
    path("", views.policies, name="policies"),
    path("imports/", mapping_views.import_batches, name="import_batches"),
    path("imports/<str:kind>/mapping/", mapping_views.import_mapping, name="import_mapping"),
    path("<str:name>/", views.policy, name="policy"),
]
