from django.urls import path

from jianguan.facts import views

app_name = "facts"

urlpatterns = [
    path("", views.channel, name="channel"),
    path("<str:key>/", views.act, name="act"),
]
