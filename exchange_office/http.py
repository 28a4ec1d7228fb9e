"""Types shared by the apps' views and admin."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations only: a request that sign-in has let through (`login_required`, the
    admin), so its user is a real user, the one services record as `by`."""

    user: User


def refusal_text(refusal: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one line for a message: a ValidationError's messages, or a
    PermissionDenied's text."""
    return " ".join(getattr(refusal, "messages", [str(refusal)]))
