"""The client's address: the one answer that django-axes' lockouts (AXES_CLIENT_IP_CALLABLE),
the address limit on logins and the record of a client's online submission all ask.

With no trusted proxy (TRUSTED_PROXY_COUNT = 0) it is the address of the connection,
REMOTE_ADDR, and an X-Forwarded-For header is ignored: anybody can send one. Behind
TRUSTED_PROXY_COUNT proxies, each of which appends the address it was connected from, the
last of them is the connection and the others wrote the right-most entries of X-Forwarded-For:
the client is the entry just left of those. Entries further left came from the client and
prove nothing. django-ipware reads the header (IPv6, ports, RFC 7239 `for=` forms)."""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
CONNECTION = "REMOTE_ADDR"


def client_address(request: HttpRequest) -> str | None:
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        # ipware counts the proxies named in the header: all the trusted ones but the last,
        # which is the connection itself. Not strict: an unreadable entry the client put at
        # the left does not make the proxies' own entries unreadable.
        address, _ = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=[FORWARDED_FOR],
            strict=False,
        )
        if address is not None:
            return address
        # No header, or fewer entries than proxies: the request did not come through them
        # all, and only the connection is known.
    address, _ = get_client_ip(request, request_header_order=[CONNECTION])
    return address
