from django.urls import path

from everytouch.followups import views

urlpatterns = [
    path("my-day/", views.my_day, name="my_day"),
    path("commitments/new/", views.commitment_new, name="commitment_new"),
    path("commitments/<int:pk>/done/", views.commitment_done, name="commitment_done"),
    path(
        "interactions/<int:pk>/commitments/",
        views.interaction_commitments,
        name="interaction_commitments",
    ),
    path("cadences/", views.cadence_plan, name="cadence_plan"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("team/early-warning/", views.early_warning, name="early_warning"),
]
