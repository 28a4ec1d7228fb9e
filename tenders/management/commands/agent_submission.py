"""`manage.py agent_submission --offer SLUG --format csv|seev033|mt565 [--participant NNNN]
[--all] [--record [--by USERNAME]]`: a participant's next file for the exchange agent, on
standard output and nothing else there.

One channel per participant: an instruction is sent once, whatever the format. Without
`--record` it changes nothing and writes any format, a preview of what is due on the
participant's channel (an export is a read, at any time of the business clock); once a file is
recorded, no preview holds its instructions again, and a preview with nothing due is a valid
empty file (exit 0). With `--record` the file is recorded as sent, in the firm's own format
(`--format` may be left out; another format is refused), and its instructions move to
"submitted": by the operator named with `--by` (who must be operations staff), or else by the
command line, whose shell login is written in the record (see
tenders/accounts/command_line.py). `--all` repeats the instructions sent before under the same
references, flagged as possible duplicates.

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
        "Write what is due on a DTC participant's channel to the exchange agent (its new "
        "instructions and the cancellations due, in any format: seev.033 XML, MT565 or CSV) "
        "to standard output, changing nothing. --record records it as sent, in the firm's own "
        "format. --all repeats every live instruction, those sent before flagged as possible "
        "duplicates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed as text and checked in handle(), so every bad value gets one plain line.
        parser.add_argument("--offer", help="the offer's slug, e.g. lexington-2001")
        parser.add_argument(
            "--format",
            help="seev033, mt565 or csv; with --record, the firm's own format (the default)",
        )
        parser.add_argument("--participant", help="the firm's DTC number as written, e.g. 0901")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="holds_all",
            help="every live instruction, those sent before again under the same references, "
            "flagged as possible duplicates",
        )
        parser.add_argument(
            "--record",
            action="store_true",
            help="record the file as sent, in the firm's format: its instructions move to "
            "submitted",
        )
        parser.add_argument(
            "--by",
            help="with --record: the operator who sends it (default: the command line, "
            "recorded with the shell's login)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        file_format = options["format"]
        # With --record and no --format: the firm's own format.
        if file_format not in FORMATS and not (file_format is None and options["record"]):
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
        firm = self._firm(offer, options["participant"], options["holds_all"])
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
                )  # a preview: any format
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

    def _firm(self, offer: ExchangeOffer, participant: str | None, holds_all: bool) -> BrokerFirm:
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
            firms = participants_to_send(offer=offer, holds_all=holds_all)
        except ValidationError as exc:
            raise CommandError(_one_line(exc)) from None
        if len(firms) == 1:
            return firms[0]
        if not firms:
            raise CommandError(
                f"No participant has anything to send; the participants are {known or 'none'}."
            )
        raise CommandError(
            "One file per participant: choose one with --participant "
            f"({', '.join(f.dtc_participant_number for f in firms)} have something to send)."
        )
