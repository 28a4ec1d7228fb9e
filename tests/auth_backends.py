"""The test suite's first authentication backend: django-axes', except that a call made outside
any request passes through to the next backend.

Django's test `client.login()` and a bare `authenticate(username=..., password=...)` call the
backends without a request, which axes refuses outright (AxesBackendRequestParameterRequired);
axes' documentation advises passing `request=` in such tests. There is no client address to
throttle outside a request, so this backend lets those calls through. Every login through the
site's and the admin's pages has its request and meets axes as in production
(tests/test_logins.py).
"""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class AxesBackendOutsideRequests(AxesStandaloneBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
