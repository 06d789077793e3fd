from django.urls import URLPattern, URLResolver, path

from everytouch.quality import views_promotions as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/promotions/", views.promotion_list, name="promotion_list"),
    path("quality/promotions/new/", views.promotion_new, name="promotion_new"),
    path("quality/promotions/<int:pk>/edit/", views.promotion_edit, name="promotion_edit"),
    path("quality/promotions/<int:pk>/delete/", views.promotion_delete, name="promotion_delete"),
]
