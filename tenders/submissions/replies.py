"""Writes: importing a file from the exchange agent (through the account servicer).

A file is read whole (ISO 20022 seev.034/seev.041/seev.036, or ISO 15022 MT567/MT566), each
message matched to the message the office sent by the reference it answers. A file is taken
whole or not at all: any message that cannot be read, or that answers a reference no file sent
to the agent holds, refuses the file, and nothing is written. The same file (by SHA-256) is
imported once.
"""

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from exchange_office import clock
from exchange_office.formatting import describe_instant
from tenders.accounts import permissions
from tenders.accounts.command_line import command_line_user
from tenders.domain.agent_replies import ParsedReply, ReplyKind, ReplyStatus, parse_fin
from tenders.domain.submission import MessageKind
from tenders.submissions.models import (
    AgentMovement,
    AgentReply,
    AgentReplyFile,
    AgentReplyFormat,
    AgentSubmissionItem,
)
from tenders.submissions.permissions import may_import_agent_files


@dataclass(frozen=True, slots=True)
class ReplyImport:
    """What a file holds and what importing it did (or, with `dry_run`, would do)."""

    format: AgentReplyFormat | None
    matched: int
    unmatched: int
    rejected: int
    problems: tuple[str, ...]  # one plain line each; any refuses the file
    file: AgentReplyFile | None = None  # None when nothing was written

    @property
    def summary(self) -> str:
        return f"matched={self.matched} unmatched={self.unmatched} rejected={self.rejected}"


class AgentFileRefused(ValidationError):
    """The file is refused whole; `result` says what it holds and why."""

    def __init__(self, result: ReplyImport) -> None:
        super().__init__({NON_FIELD_ERRORS: list(result.problems)})
        self.result = result


def detect_format(content: bytes) -> AgentReplyFormat | None:
    """XML (after any byte order mark and white space) is ISO 20022; a FIN block is ISO 15022."""
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if head.startswith(b"<"):
        return AgentReplyFormat.SEEV
    if b"{4:" in content or b"{1:" in head or head.startswith(b":16R:"):
        return AgentReplyFormat.MT
    return None


def read_replies(content: bytes) -> tuple[AgentReplyFormat | None, list[ParsedReply], list[str]]:
    """The file's format, its replies, and one line per message that could not be read."""
    file_format = detect_format(content)
    if file_format is None:
        return None, [], ["The file is neither ISO 20022 XML nor SWIFT FIN (MT567/MT566)."]
    if file_format == AgentReplyFormat.SEEV:
        # Imported here: the ISO 20022 dataclasses take a second or two to import, which only
        # XML files should pay.
        from tenders.submissions import agent_iso20022

        replies, problems = agent_iso20022.read_xml(content)
        return file_format, replies, problems
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        return file_format, [], ["The FIN file holds characters outside ASCII."]
    replies, problems = parse_fin(text)
    return file_format, replies, problems


def _items_by_reference(references: set[str]) -> dict[str, AgentSubmissionItem]:
    """The message first sent under each reference (a resend repeats it)."""
    items: dict[str, AgentSubmissionItem] = {}
    rows = (
        AgentSubmissionItem.objects.filter(reference__in=sorted(references))
        .select_related("submission__offer", "instruction")
        .order_by("submission__business_at", "submission_id", "sequence")
    )
    for item in rows:
        items.setdefault(item.reference, item)
    return items


def _match(
    replies: list[ParsedReply],
) -> tuple[list[tuple[ParsedReply, AgentSubmissionItem]], list[str], int]:
    items = _items_by_reference({reply.answers for reply in replies})
    matched: list[tuple[ParsedReply, AgentSubmissionItem]] = []
    problems: list[str] = []
    unmatched = 0
    for number, reply in enumerate(replies, start=1):
        item = items.get(reply.answers)
        if item is None:
            unmatched += 1
            problems.append(
                f"Message {number} ({reply.message_type}) answers {reply.answers}, which no "
                "file sent to the agent holds."
            )
            continue
        if reply.kind is ReplyKind.MOVEMENT and item.kind != MessageKind.INSTRUCT:
            problems.append(
                f"Message {number} ({reply.message_type}) confirms movements for "
                f"{reply.answers}, a cancellation, not an instruction."
            )
            continue
        matched.append((reply, item))
    offers = {item.submission.offer_id for _, item in matched}
    if len(offers) > 1:
        problems.append("The file answers messages of more than one offer: import one per offer.")
    return matched, problems, unmatched


def _imported_before(matched: list[tuple[ParsedReply, AgentSubmissionItem]]) -> list[str]:
    """One line for each of the agent's messages (by its own reference) that an earlier file
    brought, or that this file holds twice: a message counts once, whatever file carries it."""
    problems = []
    seen: set[tuple[int, str]] = set()
    keys = {(item.pk, reply.agent_reference) for reply, item in matched if reply.agent_reference}
    earlier = {
        (item_id, reference): file_id
        for item_id, reference, file_id in AgentReply.objects.filter(
            item_id__in=sorted({item_id for item_id, _ in keys}),
            agent_reference__in=sorted({reference for _, reference in keys}),
        ).values_list("item_id", "agent_reference", "file_id")
    }
    for number, (reply, item) in enumerate(matched, start=1):
        key = (item.pk, reply.agent_reference)
        if not reply.agent_reference:
            continue
        if key in earlier:
            problems.append(
                f"Message {number} ({reply.message_type} {reply.agent_reference}, answering "
                f"{reply.answers}) was imported before, in file No. {earlier[key]}: a message "
                "counts once."
            )
        elif key in seen:
            problems.append(
                f"Message {number} ({reply.message_type} {reply.agent_reference}) is in the "
                "file twice: a message counts once."
            )
        seen.add(key)
    return problems


@transaction.atomic
def agent_replies_import(
    *, filename: str, content: bytes, by: User | None, dry_run: bool = False
) -> ReplyImport:
    """Import the agent's file: one AgentReply per message (with its movements), matched to
    the message it answers. Refused whole (AgentFileRefused, nothing written) when a message
    cannot be read or answers an unknown reference, or when the file was imported before.
    With `dry_run`, the same checks and counts, and nothing written."""
    if by is None:
        by = command_line_user()
    else:
        permissions.require(
            may_import_agent_files(user=by),
            "Only operations staff import the agent's files.",
        )
    file_format, replies, problems = read_replies(content)
    matched, match_problems, unmatched = _match(replies)
    problems += match_problems
    rejected = sum(reply.status is ReplyStatus.REJECTED for reply, _ in matched)
    sha256 = hashlib.sha256(content).hexdigest()
    earlier = (
        AgentReplyFile.objects.filter(sha256=sha256).only("pk", "business_at", "filename").first()
    )
    if earlier is not None:
        problems.append(
            f"This file was imported before, as {earlier.filename} (No. {earlier.pk}, "
            f"{describe_instant(earlier.business_at)}): a file is imported once."
        )
    else:  # the same messages in other bytes (a copy with a line added, another file)
        problems += _imported_before(matched)
    result = ReplyImport(
        format=file_format,
        matched=len(matched),
        unmatched=unmatched,
        rejected=rejected,
        problems=tuple(problems),
    )
    if problems:
        raise AgentFileRefused(result)
    if dry_run or not matched:
        return result
    assert file_format is not None
    offer = matched[0][1].submission.offer
    now, wall = clock.now(), clock.wall_now()
    try:
        with transaction.atomic():
            reply_file = AgentReplyFile(
                offer=offer,
                filename=filename[:255],
                format=file_format,
                content=content,
                sha256=sha256,
                size=len(content),
                matched=result.matched,
                unmatched=result.unmatched,
                rejected=result.rejected,
                imported_by=by,
                business_at=now,
                wall_at=wall,
            )
            reply_file.save()
            rows = AgentReply.objects.bulk_create(
                AgentReply(
                    file=reply_file,
                    item=item,
                    instruction=item.instruction,
                    kind=reply.kind.value,
                    message_type=reply.message_type[:16],
                    agent_reference=reply.agent_reference[:35],
                    reference=reply.answers,
                    status=reply.status.value,
                    reason_code=reply.reason_code[:8],
                    reason=reply.reason[:350],
                    advised_at=reply.advised_at,
                    business_at=now,
                    wall_at=wall,
                )
                for reply, item in matched
            )
            AgentMovement.objects.bulk_create(
                AgentMovement(
                    reply=row,
                    asset=move.asset.value,
                    credit=move.credit,
                    amount=move.amount,
                    posted_on=move.posted_on,
                    label=move.label[:100],
                )
                for row, (reply, _) in zip(rows, matched, strict=True)
                for move in reply.movements
            )
    except IntegrityError:
        # Imported at the same moment by someone else: the unique SHA-256 (or a message's
        # reference) decides.
        raise AgentFileRefused(
            ReplyImport(
                format=file_format,
                matched=result.matched,
                unmatched=result.unmatched,
                rejected=result.rejected,
                problems=(
                    "This file, or a message in it, was imported at the same moment: each is "
                    "imported once.",
                ),
            )
        ) from None
    return ReplyImport(
        format=file_format,
        matched=result.matched,
        unmatched=result.unmatched,
        rejected=result.rejected,
        problems=(),
        file=reply_file,
    )
