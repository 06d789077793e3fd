from django.urls import path

from everytouch.customers import views, views_list, views_privacy

urlpatterns = [
    path("customers/", views_list.customer_list, name="customer_list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/merge/", views.customer_merge, name="customer_merge"),
    path("customers/<int:pk>/export.json", views_privacy.customer_export, name="customer_export"),
    path("customers/<int:pk>/erase/", views_privacy.customer_erase, name="customer_erase"),
    path(
        "customers/<int:pk>/contacts/<int:contact_id>/",
        views.contact_edit,
        name="customer_contact_edit",
    ),
    path(
        "customers/<int:pk>/contacts/<int:contact_id>/remove/",
        views.contact_remove,
        name="customer_contact_remove",
    ),
]
