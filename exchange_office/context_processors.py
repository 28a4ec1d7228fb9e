from django.http import HttpRequest

from exchange_office import clock


def business_clock(request: HttpRequest) -> dict[str, object]:
    """Every page shows when the business clock is pinned (base.html, admin/base_site.html)."""
    return {"business_clock_pinned_at": clock.pinned_instant()}
