from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenders.accounts.roles import operations_role_grant, operations_role_revoke


class Command(BaseCommand):
    help = (
        "Make a user operations staff (staff, in the Operations group), or take it back with "
        "--revoke. --reveal-tin also allows revealing full taxpayer IDs; with --revoke, it "
        "takes only that right away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="take the role away")
        parser.add_argument(
            "--reveal-tin",
            action="store_true",
            help="also the right to reveal full taxpayer IDs (with --revoke: only that right)",
        )

    def handle(
        self, *args: Any, username: str, revoke: bool, reveal_tin: bool, **options: Any
    ) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        try:
            if revoke:
                operations_role_revoke(user=user, reveal_tin_only=reveal_tin)
            else:
                operations_role_grant(user=user, reveal_tin=reveal_tin)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if revoke:
            what = (
                "may no longer reveal taxpayer IDs"
                if reveal_tin
                else "is no longer operations staff"
            )
        else:
            what = "is operations staff" + (" and may reveal taxpayer IDs" if reveal_tin else "")
        self.stdout.write(f"{username} {what}.")
