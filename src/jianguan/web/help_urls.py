from django.urls import path

from jianguan.web import help

app_name = "help"

urlpatterns = [
    path("", help.page, name="index"),
    path("shots/<str:name>", help.shot, name="shot"),
    path("<slug:slug>/", help.page, name="page"),
]
