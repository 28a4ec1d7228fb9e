"""Who a command run on the server acts as, when no operator is named.

Whoever may run `manage.py` on the server may already do anything there, so a command needs no
login. What it writes still names who did it: records that require a user (an instruction's
transitions, a submission's sender) point at one inactive account, "command-line", that cannot
log in, and their text names the shell's login on the machine.
"""

import getpass
import socket

from django.contrib.auth.models import User
from django.core.management.base import CommandError

from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount

COMMAND_LINE_USERNAME = "command-line"


def command_line_user() -> User:
    """The inactive account that stands for the command line (made on first use)."""
    user, created = User.objects.get_or_create(
        username=COMMAND_LINE_USERNAME,
        defaults={"is_active": False, "first_name": "Command", "last_name": "line"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def shell_login() -> str:
    """`login@host` of the process, for the record's text ("unknown" where it has none)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid, e.g. in a bare container
        login = "unknown"
    return f"{login}@{socket.gethostname()}"


def offer_and_account(
    *, slug: str, number: str, firm: str | None
) -> tuple[ExchangeOffer, ClientAccount]:
    """The offer and account a command names (`--offer`, `--account`, `--firm` where several
    firms use the account number), or one plain CommandError."""
    offer = ExchangeOffer.objects.filter(slug=slug).first()
    if offer is None:
        raise CommandError(f"There is no offer {slug!r}.")
    return offer, account_named(number=number, firm=firm)


def account_named(*, number: str, firm: str | None) -> ClientAccount:
    """The account a command names (`--account`, and `--firm` where several firms use the
    account number), or one plain CommandError."""
    accounts = ClientAccount.objects.filter(account_number=number).select_related("firm")
    if firm is not None:
        accounts = accounts.filter(firm__dtc_participant_number=firm)
    matches = list(accounts[:2])
    if not matches:
        where = f" at firm {firm}" if firm is not None else ""
        raise CommandError(f"There is no account {number!r}{where}.")
    if len(matches) > 1:
        raise CommandError(
            f"Account {number!r} is used by more than one firm: name one with --firm."
        )
    return matches[0]
