"""The quality pages, one module per area so each area's routes stay together."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("everytouch.quality.urls_scorecards")),
    path("", include("everytouch.quality.urls_coaching")),
    path("", include("everytouch.quality.urls_campaigns")),
    path("", include("everytouch.quality.urls_playbooks")),
    path("", include("everytouch.quality.urls_promotions")),
    path("", include("everytouch.quality.urls_dashboards")),
]
