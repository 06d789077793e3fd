from django.urls import URLPattern, URLResolver, path

from everytouch.quality import views_playbooks as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/playbooks/", views.playbook_list, name="playbook_list"),
    path("quality/playbooks/new/", views.playbook_new, name="playbook_new"),
    path("quality/playbooks/<int:pk>/", views.playbook_detail, name="playbook_detail"),
    path("quality/playbooks/<int:pk>/edit/", views.playbook_edit, name="playbook_edit"),
    path("quality/playbooks/<int:pk>/team/", views.playbook_team, name="playbook_team"),
    path("quality/playbooks/<int:pk>/rescore/", views.playbook_rescore, name="playbook_rescore"),
    path("quality/playbook-versions/<int:pk>/", views.playbook_version, name="playbook_version"),
    path(
        "quality/playbook-versions/<int:pk>/activate/",
        views.playbook_activate,
        name="playbook_activate",
    ),
    path("quality/rescores/<int:pk>/", views.rescore_detail, name="rescore_detail"),
]
