from django.contrib import admin
from django.urls import include, path

from everytouch.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("everytouch.accounts.urls")),
    path("", include("everytouch.customers.urls")),
    path("", include("everytouch.interactions.urls")),
    path("", include("everytouch.staff.urls")),
    path("", include("everytouch.leads.urls")),
    path("", include("everytouch.followups.urls")),
    path("", include("everytouch.quality.urls")),
    path("", include("everytouch.search.urls")),
]
