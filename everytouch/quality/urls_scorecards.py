from django.urls import path

from everytouch.quality import views_import
from everytouch.quality import views_scorecards as views

urlpatterns = [
    path("quality/import/", views_import.transcript_import, name="transcript_import"),
    path("interactions/<int:pk>/scorecard/", views.scorecard, name="scorecard"),
    path("scorecards/<int:pk>/review/", views.scorecard_review, name="scorecard_review"),
    path(
        "scorecards/<int:pk>/acknowledge/",
        views.scorecard_acknowledge,
        name="scorecard_acknowledge",
    ),
    path("scorecards/<int:pk>/dispute/", views.scorecard_dispute, name="scorecard_dispute"),
    path("quality/disputes/", views.dispute_list, name="dispute_list"),
    path("quality/disputes/<int:pk>/resolve/", views.dispute_resolve, name="dispute_resolve"),
    path("quality/agreement/", views.agreement, name="quality_agreement"),
    path(
        "quality/agreement/<slug:check_id>/examples.jsonl",
        views.training_examples,
        name="training_examples",
    ),
]
