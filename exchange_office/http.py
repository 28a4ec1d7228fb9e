"""Types shared by the apps' views and admin."""

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations only: a request that sign-in has let through (`login_required`, the
    admin), so its user is a real user, the one services record as `by`."""

    user: User
