from django.urls import path

from jianguan.complaints import open311

urlpatterns = [
    path("discovery.<str:fmt>", open311.discovery),
    path("services.<str:fmt>", open311.service_list),
    path("services/<str:code>.<str:fmt>", open311.service_definition),
    path("requests.<str:fmt>", open311.requests_view),
    path("requests/<str:number>.<str:fmt>", open311.request_detail),
]
