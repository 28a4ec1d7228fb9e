"""`manage.py agent_submission --offer SLUG --format csv|seev033|mt565 [--participant NNNN]
[--all] [--record [--by USERNAME]]`: a participant's next file for the exchange agent, on
standard output and nothing else there.

Without `--record` it changes nothing (an export is a read, at any time of the business clock).
With `--record` the file is recorded as sent and its instructions move to "submitted": by the
operator named with `--by` (who must be operations staff), or else by the command line, whose
shell login is written in the record (see tenders/accounts/command_line.py).

`--participant` is the DTC number as written (0901); it may be left out when only one firm has
something to send. An instruction left out of the file (a stated amount no longer held) is
named on standard error; any refusal is one plain line there, with exit status 1.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.models import ExchangeOffer
from notes.selectors import offer_by_slug
from tenders.accounts.models import BrokerFirm
from tenders.submissions.models import SubmissionFormat
from tenders.submissions.selectors import (
    agent_submission_build,
    firm_by_participant,
    participants_to_send,
)
from tenders.submissions.services import agent_submission_record

FORMATS = [choice.value for choice in SubmissionFormat]


def _one_line(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


class Command(BaseCommand):
    help = (
        "Write a DTC participant's next file for the exchange agent (seev.033 XML, MT565 or "
        "CSV) to standard output: its new instructions and the cancellations due, or every "
        "live instruction with --all. --record records it as sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed as text and checked in handle(), so every bad value gets one plain line.
        parser.add_argument("--offer", help="the offer's slug, e.g. lexington-2001")
        parser.add_argument("--format", help="seev033, mt565 or csv")
        parser.add_argument("--participant", help="the firm's DTC number as written, e.g. 0901")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="holds_all",
            help="every live instruction, not only those not yet sent in this format",
        )
        parser.add_argument(
            "--record",
            action="store_true",
            help="record the file as sent: its instructions move to submitted",
        )
        parser.add_argument(
            "--by",
            help="with --record: the operator who sends it (default: the command line, "
            "recorded with the shell's login)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        file_format = options["format"]
        if file_format not in FORMATS:
            raise CommandError(f"--format must be one of {', '.join(FORMATS)}, not {file_format!r}")
        slug = options["offer"]
        if not slug:
            raise CommandError("--offer is required, e.g. --offer lexington-2001")
        try:
            offer = offer_by_slug(slug=slug)
        except ExchangeOffer.DoesNotExist:
            raise CommandError(f"no offer with slug {slug!r}") from None
        if options["by"] and not options["record"]:
            raise CommandError("--by names who records the file: use it with --record")
        user = self._operator(options["by"]) if options["by"] else None
        firm = self._firm(offer, file_format, options["participant"], options["holds_all"])
        try:
            if options["record"]:
                recorded = agent_submission_record(
                    offer=offer,
                    firm=firm,
                    file_format=file_format,
                    holds_all=options["holds_all"],
                    by=user,
                )
                content, held_back = bytes(recorded.submission.content), recorded.held_back
            else:
                built = agent_submission_build(
                    offer=offer, firm=firm, file_format=file_format, holds_all=options["holds_all"]
                )
                content, held_back = built.content, built.plan.held_back
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(_one_line(exc)) from None
        for reason in held_back:
            self.stderr.write(f"Held back: {reason}")
        self.stdout.write(content.decode("utf-8"), ending="")

    def _operator(self, username: str) -> Any:
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None

    def _firm(
        self, offer: ExchangeOffer, file_format: str, participant: str | None, holds_all: bool
    ) -> BrokerFirm:
        known = ", ".join(
            BrokerFirm.objects.order_by("dtc_participant_number").values_list(
                "dtc_participant_number", flat=True
            )
        )
        if participant:
            try:
                return firm_by_participant(participant=participant)
            except BrokerFirm.DoesNotExist:
                near = [n for n in known.split(", ") if n.lstrip("0") == participant.lstrip("0")]
                hint = f" (did you mean {near[0]}? write it as DTC does)" if near else ""
                raise CommandError(
                    f"There is no participant {participant!r}{hint}; the participants are "
                    f"{known or 'none'}."
                ) from None
        if BrokerFirm.objects.count() == 1:
            return BrokerFirm.objects.get()
        try:
            firms = participants_to_send(offer=offer, file_format=file_format, holds_all=holds_all)
        except ValidationError as exc:
            raise CommandError(_one_line(exc)) from None
        if len(firms) == 1:
            return firms[0]
        if not firms:
            raise CommandError(
                f"No participant has anything to send in {file_format}; the participants are "
                f"{known or 'none'}."
            )
        raise CommandError(
            "One file per participant: choose one with --participant "
            f"({', '.join(f.dtc_participant_number for f in firms)} have something to send)."
        )
