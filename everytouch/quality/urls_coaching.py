from django.urls import URLPattern, URLResolver, path

from everytouch.quality import views_coaching

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/coaching/", views_coaching.coaching_queue, name="coaching_queue"),
    path("quality/coaching/<int:rep_id>/", views_coaching.coaching_rep, name="coaching_rep"),
    path("quality/coaching/<int:rep_id>/new/", views_coaching.coaching_new, name="coaching_new"),
]
