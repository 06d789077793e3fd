"""URL patterns ``url_for_key`` cannot use its marker in (tests only)."""

from django.http import HttpResponse
from django.urls import re_path


def _page(request: object, pk: str) -> HttpResponse:
    return HttpResponse(pk)


urlpatterns = [
    # Takes no more than four digits: the marker does not reverse.
    re_path(r"^short/(?P<pk>[0-9]{1,4})/$", _page, name="short_key"),
    # The marker's digits are already in the path: where the key goes is not clear.
    re_path(r"^918273645546372819/(?P<pk>[0-9]+)/$", _page, name="marked_path"),
]
