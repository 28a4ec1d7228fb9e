"""Middleware of the project."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import patch_cache_control


class RejectNulCharactersMiddleware:
    """A NUL character has no place in a URL or a form, and PostgreSQL refuses it in a query
    (a search for "%00" was a server error): such a request is answered 400 before any view
    or admin page sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request):
            return HttpResponseBadRequest(
                "The request contains a NUL character, which no field accepts.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    params = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for query in params
        for key, values in query.lists()
    )


class NoStoreMiddleware:
    """Nothing the site's views answer may be kept by a browser or a proxy: the pages show
    client data (names, positions, taxpayer IDs) or are login pages, so every response gets
    `Cache-Control: no-store, private` unless its view chose its own (the document downloads
    do). Static files are answered by WhiteNoise, earlier in the chain, and keep their caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
