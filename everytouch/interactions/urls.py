from django.urls import path

from everytouch.interactions import views

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("desk/lookup/", views.desk_lookup, name="desk_lookup"),
    path("desk/missing/", views.desk_missing, name="desk_missing"),
    path("desk/log/", views.desk_log, name="desk_log"),
    path("desk/ask/", views.desk_ask, name="desk_ask"),
    path("interactions/", views.interaction_list, name="interaction_list"),
    path("interactions/<int:pk>/", views.interaction_detail, name="interaction_detail"),
    path(
        "interactions/<int:pk>/transfer/",
        views.interaction_transfer,
        name="interaction_transfer",
    ),
]
