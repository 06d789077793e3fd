"""The real URLs plus one page that breaks, for the server-error page's tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns: list[URLPattern | URLResolver] = [
    path("broken/", broken),
    path("", include("everytouch.urls")),
]
