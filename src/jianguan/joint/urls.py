from django.urls import path

from jianguan.joint import views

app_name = "joint"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("claims/", views.claims, name="claims"),
    path("claims/bulk/", views.claims_bulk, name="claims_bulk"),
    path("claims/<int:pk>/end/", views.claim_end, name="claim_end"),
    path("notices/", views.notices, name="notices"),
    path("notices/read/", views.notices_read, name="notices_read"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("assistance/", views.assistance_list, name="assistance_list"),
    path("assistance/<int:pk>/", views.assistance, name="assistance"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/tasks/<int:task>/check/", views.campaign_check, name="campaign_check"),
    path("<slug:kind>/<int:pk>/<slug:action>/", views.act, name="act"),
]
