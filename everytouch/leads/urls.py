from django.urls import path

from everytouch.leads import views, views_webhooks

urlpatterns = [
    path("leads/", views.board, name="lead_board"),
    path("leads/board/<str:stage>/", views.board_column, name="lead_board_column"),
    path("leads/export.csv", views.export_csv, name="lead_export"),
    path("leads/new/", views.lead_new, name="lead_new"),
    path("leads/speed/", views.speed, name="lead_speed"),
    path(
        "leads/from-interaction/<int:pk>/",
        views.lead_from_interaction,
        name="lead_from_interaction",
    ),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/stage/", views.lead_stage, name="lead_stage"),
    path("leads/<int:pk>/handoff/", views.lead_handoff, name="lead_handoff"),
    path("leads/<int:pk>/respond/", views.lead_respond, name="lead_respond"),
    path("leads/webhooks/", views_webhooks.webhook_list, name="webhook_list"),
    path("leads/webhooks/<int:pk>/toggle/", views_webhooks.webhook_toggle, name="webhook_toggle"),
    path(
        "leads/webhooks/deliveries/<int:pk>/retry/",
        views_webhooks.delivery_retry,
        name="delivery_retry",
    ),
]
