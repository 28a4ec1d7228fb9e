"""The site's and the admin's login forms, which say plainly when django-axes has locked a login
out, and the lockout response axes sends: the login page itself, with that message, answered
429 Too Many Requests.

Two locks, each for AXES_COOLOFF_TIME: AXES_FAILURE_LIMIT failed logins for one user from one
address lock that pair (axes' own); LOGIN_ADDRESS_FAILURE_LIMIT failed logins from one address,
whatever the usernames, lock that address for every user (`OfficeAxesHandler`, against
password spraying). The address is `exchange_office.client_address`'s."""

from datetime import datetime, timedelta
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse


def _cool_off_words() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def lockout_message() -> str:
    return (
        f"Too many failed logins for this user from your address: logging in is locked for "
        f"{_cool_off_words()}. Wait, then try again with the right "
        f"password (every attempt until then is refused and starts the wait again)."
    )


def address_lockout_message() -> str:
    # Says nothing of the username typed: the same words whether it exists or not.
    return (
        f"Too many failed logins from your address: logging in from it is locked for "
        f"{_cool_off_words()}, whoever logs in. Wait, then try again with the right password."
    )


class OfficeAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, with a limit per address across usernames beside its own per
    username and address. Axes compares every lockout parameter with the one AXES_FAILURE_LIMIT,
    so the second limit is counted here, from axes' own rows and as axes counts: the failures
    of the (username, address) pairs whose last failure is within the cool-off. A refused login
    is refused before any backend checks the password (axes' backend comes first)."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or self._address_locked(request)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # The failure that reaches the limit is answered with the lockout, as axes does its own.
        if request is not None and not request.axes_locked_out and self._address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials

    @staticmethod
    def _address_locked(request: Any) -> bool:
        address = request.axes_ip_address
        if address is None:
            return False
        failures = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        if (failures or 0) < settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return False
        request.axes_address_locked_out = True  # the login form says which lock
        return True


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
        if getattr(self.request, "axes_address_locked_out", False):
            return ValidationError(address_lockout_message(), code="address_locked_out")
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
        message = (
            address_lockout_message()
            if getattr(request, "axes_address_locked_out", False)
            else lockout_message()
        )
        return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    original_response.status_code = 429
    return original_response


@transaction.atomic
def login_records_delete_expired(*, now: datetime) -> int:
    """Deletes what axes recorded of logins (who logged in or failed to, when, from which
    address and browser) once older than LOGIN_RECORDS_RETENTION_DAYS; the sweep runs it.
    Returns how many rows went."""
    before = now - timedelta(days=settings.LOGIN_RECORDS_RETENTION_DAYS)
    deleted = 0
    for model in (AccessLog, AccessAttempt, AccessFailureLog):
        count, _ = model.objects.filter(attempt_time__lt=before).delete()
        deleted += count
    return deleted
