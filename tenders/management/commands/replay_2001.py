from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenders.replay import replay_2001


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--until {text!r} is not an instant like 2001-09-05T00:00-04:00"
        ) from None
    if instant.tzinfo is None:
        raise CommandError(f"--until {text!r} needs its UTC offset, e.g. 2001-09-05T00:00-04:00")
    return instant


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--consummate {text!r} is not a date like 2001-11-01") from None


class Command(BaseCommand):
    help = (
        "Replay the 2001 Lexington offer on the demo's book up to --until. Public: 97% "
        "tendered at the Sep 4 expiration, the extensions announced Sep 5 (to Sep 17) and Oct 1 "
        "(to Oct 31), and the one to Oct 1, each to 5:00 p.m. Invented: the clients, their "
        "instructions, the later totals, the times of day, the agent's answers; with "
        "--consummate DATE, enough further tenders for a consummation on that date (in fact the "
        "offer ran into 2002 and was replaced). Each printed line says which. Run it again with "
        "a later --until to go on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until", required=True, help="an ISO 8601 instant with its offset")
        parser.add_argument("--consummate", help="the consummation date, e.g. 2001-11-01")

    def handle(self, *args: Any, until: str, consummate: str | None, **options: Any) -> None:
        try:
            replay_2001(
                until=_instant(until),
                consummate_on=_date(consummate) if consummate else None,
                out=lambda line: self.stdout.write(line),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
