"""Call-in test campaigns, and the private page an outside tester records a test on."""

from django.urls import URLPattern, URLResolver, path

from everytouch.quality import views_campaigns as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/campaigns/", views.campaign_list, name="campaign_list"),
    path("quality/campaigns/new/", views.campaign_new, name="campaign_new"),
    path("quality/campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("quality/campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("quality/campaigns/<int:pk>/links/", views.campaign_link_new, name="campaign_link_new"),
    path(
        "quality/campaigns/<int:pk>/tests/new/", views.campaign_test_new, name="campaign_test_new"
    ),
    path("quality/campaigns/<int:pk>/report/", views.campaign_report, name="campaign_report"),
    path("quality/test/<str:token>/", views.tester_link, name="tester_link"),
]
