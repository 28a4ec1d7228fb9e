"""The site's and the admin's login forms, which say plainly when django-axes has locked a user
out (AXES_FAILURE_LIMIT failed logins for one user from one address lock that pair for
AXES_COOLOFF_TIME), and the lockout response axes sends: the login page itself, with that
message, answered 429 Too Many Requests."""

from typing import Any

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed logins for this user from your address: logging in is locked for "
        f"{minutes} minute{'' if minutes == 1 else 's'}. Wait, then try again with the right "
        f"password (every attempt until then is refused and starts the wait again)."
    )


# Longer than any username or password the office accepts. Refused before authentication, so
# that nothing is hashed or recorded for it (axes keeps the tried username in 255 characters;
# a 1 MB username was a server error on PostgreSQL).
USERNAME_MAX_LENGTH = 150
PASSWORD_MAX_LENGTH = 4096


class LockoutMessageMixin:
    """A refused login says it was the lockout, not the password, when axes refused it; an
    overlong username or password is refused before anything is tried."""

    request: HttpRequest | None

    def clean_username(self) -> str:
        username = str(self.cleaned_data.get("username", ""))  # type: ignore[attr-defined]  # mixed into a login form
        if len(username) > USERNAME_MAX_LENGTH:
            raise ValidationError("That is not a username of this office.", code="too_long")
        return username

    def clean_password(self) -> str:
        password = str(self.cleaned_data.get("password", ""))  # type: ignore[attr-defined]  # mixed into a login form
        if len(password) > PASSWORD_MAX_LENGTH:
            raise ValidationError("That password is too long to be one of ours.", code="too_long")
        return password

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(lockout_message(), code="locked_out")
        return super().get_invalid_login_error()  # type: ignore[misc]  # mixed into a login form


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page the view rendered (it carries the lockout message),
    answered 429; never axes' bare error page."""
    if original_response is None:
        return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8")
    original_response.status_code = 429
    return original_response
