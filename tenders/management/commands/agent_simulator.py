"""`manage.py agent_simulator --offer SLUG --participant NNNN --reply status|movements --out FILE
[--format seev|mt] [--reject REF ...]`: the exchange agent SIMULATOR, for the demo and the
tests. It answers what was recorded as sent for the participant, as the account servicer and
the agent would: status advice per instruction and cancellation sent (accepted, or rejected
for each --reject REF), or after consummation a movement confirmation per accepted
instruction. It writes the file and nothing to the database; import it with
`manage.py import_agent_messages FILE`.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.models import ExchangeOffer
from notes.selectors import offer_by_slug
from tenders.accounts.models import BrokerFirm
from tenders.submissions.selectors import firm_by_participant
from tenders.submissions.simulator import SimulatedFormat, SimulatedReply, agent_simulator_file


class Command(BaseCommand):
    help = (
        "SIMULATOR of the exchange agent (demo and tests only): write the status advice "
        "(seev.034/seev.041 or MT567) or, after consummation, the movement confirmations "
        "(seev.036 or MT566) the agent would send for what was recorded as sent to it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offer", required=True, help="the offer's slug")
        parser.add_argument("--participant", required=True, help="the DTC number, e.g. 0901")
        parser.add_argument("--reply", required=True, choices=[r.value for r in SimulatedReply])
        parser.add_argument("--out", required=True, help="the file to write")
        parser.add_argument("--format", default="seev", choices=[f.value for f in SimulatedFormat])
        parser.add_argument(
            "--reject",
            action="append",
            default=[],
            metavar="REF",
            help="reject the message sent under this reference (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            offer = offer_by_slug(slug=options["offer"])
        except ExchangeOffer.DoesNotExist:
            raise CommandError(f"no offer with slug {options['offer']!r}") from None
        try:
            firm = firm_by_participant(participant=options["participant"])
        except BrokerFirm.DoesNotExist:
            raise CommandError(f"There is no participant {options['participant']!r}.") from None
        try:
            content = agent_simulator_file(
                offer=offer,
                firm=firm,
                reply=options["reply"],
                file_format=options["format"],
                reject=options["reject"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        path = Path(options["out"])
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
        self.stderr.write(
            f"Simulator: wrote {path} ({len(content)} bytes). It is not from the exchange agent."
        )
