from django.urls import URLPattern, URLResolver, path

from everytouch.quality import views_dashboards as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/", views.quality_dashboard, name="quality_dashboard"),
    path("quality/conversations/", views.quality_conversations, name="quality_conversations"),
    path("quality/not-scored/", views.quality_not_scored, name="quality_not_scored"),
]
