"""The 2001 offer replayed on the demo's book: public dates, invented details.

PUBLIC, from the company's releases (dated Sep 5 and Oct 1, 2001): $26,601,000 (97%) tendered
as of 12:00 a.m. on Sep 5, 2001, short of the 99% minimum; the extension announced that day to
5:00 p.m. on Sep 17; the extension to 5:00 p.m. on Oct 1; the extension announced on Oct 1 to
5:00 p.m. on Oct 31, 2001. In fact the offer was extended on into 2002 and then replaced by
another: it was never consummated in 2001.

INVENTED: the clients and positions (the demo's), every instruction, every total after Sep 5,
the day the second extension was recorded (Sep 18), the 8:30 a.m. time of each extension (by
its 9:00 a.m. Rule 14e-1(d) deadline; the third on Oct 1, the day of the release, before that
day's 5:00 p.m. expiration), the amounts the second and third announcements state (the Oct 1
release states none), the instructions inside the extensions, and, with `--consummate`, the
conditions met and the consummation. Invented as well, the loop with the exchange agent: each
firm's file is sent at 5:30 p.m. on each day it took instructions (at 9:30 a.m. on the next
open day when the markets were closed, Sep 11-14, 2001); the agent's status advice, written by
the agent SIMULATOR (not the agent), is imported at 9:00 a.m. on the next open day; after a
consummation, the SIMULATOR's movement confirmations are imported at 4:00 p.m. that day, and
each payment run after it (fee installments, coupons) is started at 9:00 a.m. on its date.

Each printed line ends with what of it is public and what invented, and the extensions'
reasons on the offer's timeline say the same. Every step calls the same services as the pages
and the admin, at its business instant (the business clock is frozen there for the step). Each
step is recorded once: a replay run again with a later `--until` goes on from where the
earlier one stopped.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import (
    NEW_YORK,
    describe_instant,
    digits_date,
    dollars,
    in_new_york,
    long_date,
    timestamp,
)
from notes.domain.deadlines import expiration_day
from notes.models import ExchangeOffer, OfferEvent, OfferEventKind, OfferStatus
from notes.selectors import offer_calendar, offer_terms, offers_with_terms
from tenders.accounts.models import BrokerFirm
from tenders.approvals.models import ProposalKind
from tenders.demo import (
    ACCOUNTS,
    FIRMS,
    INSTRUCTIONS,
    DemoInstruction,
    load_demo_book,
    record_step,
)
from tenders.domain.payments import PaymentDate, payment_dates
from tenders.instructions.models import Instruction, InstructionTransition
from tenders.offers.decisions import offer_decision_agreed
from tenders.offers.lifecycle import (
    extension_announcement,
    offer_condition_meet,
)
from tenders.offers.selectors import tabulate
from tenders.payments.models import PaymentRun
from tenders.payments.services import payment_run_start
from tenders.submissions.models import AgentReplyFile, AgentSubmission
from tenders.submissions.replies import agent_replies_import
from tenders.submissions.services import agent_submission_record
from tenders.submissions.simulator import SimulatedReply, agent_simulator_file


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2001, month, day, hour, minute, tzinfo=NEW_YORK)


# INVENTED times of the loop with the exchange agent (the public record holds none).
FILE_SENT_AT = time(17, 30)  # each firm's file, at the end of a day it took instructions
FILE_SENT_NEXT_MORNING_AT = time(9, 30)  # for a day the markets were closed
STATUS_WRITTEN_AT = time(8, 0)  # the SIMULATOR's status advice, the next open day
STATUS_IMPORTED_AT = time(9, 0)  # imported by operations
MOVEMENTS_IMPORTED_AT = time(16, 0)  # the SIMULATOR's movements, on the consummation date
PAYMENTS_AT = time(9, 0)  # each payment run after a consummation, on its date
# The US securities markets were closed from Sep 11 to Sep 14, 2001 (the holidays library's
# XNYS calendar records it; the Federal Reserve's XFED calendar does not): no file goes out
# and no advice comes in on those days in the replay.
MARKETS_CLOSED = frozenset(date(2001, 9, day) for day in (11, 12, 13, 14))

# What each printed line and timeline reason says of its source.
PUBLIC = "public"
INVENTED = "invented"
INVENTED_TIME = "invented time"  # a step whose time the public record does not hold


@dataclass(frozen=True, slots=True)
class ReplayedExtension:
    recorded_at: datetime
    new_expiration: datetime
    source: str  # what of it is public, what invented


ORIGINAL_EXPIRATION = _at(9, 5, 0)  # 12 midnight at the end of Sep 4, 2001 (public)
# The new expirations are public; each is recorded at an invented 8:30 a.m., by its 9:00 a.m.
# announcement deadline.
EXTENSIONS = (
    ReplayedExtension(
        _at(9, 5, 8, 30),
        _at(9, 17, 17),
        f"{PUBLIC}: announced Sep 5, 2001, with $26,601,000 (97%) tendered as of 12:00 a.m. "
        f"that day; {INVENTED}: the 8:30 a.m. time",
    ),
    ReplayedExtension(
        _at(9, 18, 8, 30),
        _at(10, 1, 17),
        f"{PUBLIC}: the new expiration; {INVENTED}: the day and time it was announced, and "
        "the amount tendered",
    ),
    ReplayedExtension(
        _at(10, 1, 8, 30),  # the release is dated Oct 1, 2001
        _at(10, 31, 17),
        f"{PUBLIC}: announced Oct 1, 2001 (the release states no amount); {INVENTED}: the "
        "8:30 a.m. time and the amount tendered",
    ),
)
EXPIRATIONS = (ORIGINAL_EXPIRATION, *(e.new_expiration for e in EXTENSIONS))
NOT_IN_2001 = "in fact the offer was extended into 2002 and then replaced, never consummated"

# After the demo's first instructions (Aug 7-17), the rest of the book answers in August,
# each firm before its cutoff ("tender all"). Nine small holders and Pioneer Valley (which
# withdrew) stay out, with the rests of three partial tenders: $811,000 untendered.
AUGUST = (
    ("HB-100003", 20), ("HB-100004", 20), ("MS-200003", 20), ("LC-300004", 20),
    ("HB-100008", 21), ("MS-200005", 21), ("LC-300005", 21), ("HB-100009", 22),
    ("MS-200008", 22), ("LC-300006", 22), ("HB-100012", 23), ("MS-200009", 23),
    ("LC-300008", 23), ("HB-100013", 24), ("MS-200010", 24), ("LC-300011", 27),
    ("HB-100014", 27), ("MS-200012", 27), ("LC-300012", 28), ("MS-200013", 28),
    ("LC-300013", 29),
)  # fmt: skip
# Inside the extensions, a few more small holders answer.
DURING_EXTENSIONS = (
    DemoInstruction("MS-200004", _at(9, 10, 10), "submit"),
    DemoInstruction("LC-300007", _at(9, 12, 14), "submit"),
    DemoInstruction("HB-100011", _at(9, 25, 11), "submit"),
    DemoInstruction("MS-200007", _at(9, 26, 15), "submit"),  # Pioneer Valley comes back
    DemoInstruction("LC-300003", _at(10, 10, 10), "submit"),
)
# With a consummation: the partial tenders become "all", and Pioneer Valley comes back (if it
# has not already), three banking days before the last expiration.
TOWARDS_CONSUMMATION = (("MS-200007", "submit"), ("HB-100007", "amend"), ("LC-300010", "amend"))

TENDERED_AT_ORIGINAL_EXPIRATION = Decimal("26601000")
_DTC = {firm.key: firm.dtc for firm in FIRMS}


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    description: str
    source: str  # what of it is public, what invented (printed with it)
    done: Callable[[], bool]
    run: Callable[[], None]
    report: bool = False  # print the tabulation after it


class Replay:
    def __init__(self, *, consummate_on: date | None, out: Callable[[str], None]) -> None:
        self.consummate_on = consummate_on
        self.out = out
        self.offer, self.users = load_demo_book()
        self.ops = self.users["ops"]
        self.ops2 = self.users["ops2"]

    # What happened, in order

    def steps(self) -> list[Step]:
        """Every step, in the order of business time."""
        return sorted(self._steps(), key=lambda step: step.at)

    def _steps(self) -> Iterator[Step]:
        last = self._last_expiration()
        instructions = self._instructions(last)
        for step in instructions:
            yield self._instruction_step(step)
        yield from self._agent_steps(instructions)
        yield Step(
            at=ORIGINAL_EXPIRATION,
            description="The original expiration: 12 midnight at the end of Sep 4, 2001",
            source=PUBLIC,
            done=lambda: True,  # nothing to record: the tabulation at that moment
            run=lambda: None,
            report=True,
        )
        for extension in EXTENSIONS:
            previous = EXPIRATIONS[EXPIRATIONS.index(extension.new_expiration) - 1]
            if previous >= last:
                break  # consummated after the expiration before it
            yield self._extension_step(extension)
        if self.consummate_on is not None:
            met_at = self._before(last, banking_days=1, at=time(16))
            yield Step(
                at=met_at,
                description="The financing and the other debt amendments are in place",
                source=f"{INVENTED}: {NOT_IN_2001}",
                done=lambda: (
                    not self.offer.conditions.filter(is_satisfied=False, is_waived=False).exists()
                ),
                run=self._meet_conditions,
            )
            on = self.consummate_on
            yield Step(
                at=datetime.combine(on, time(10), tzinfo=NEW_YORK),
                description=f"Consummation on {long_date(on)}",
                source=f"{INVENTED}: {NOT_IN_2001}",
                done=lambda: self._offer().status == OfferStatus.CONSUMMATED,
                run=lambda: self._consummate(on),
                report=True,
            )
            movements_at = datetime.combine(on, MOVEMENTS_IMPORTED_AT, tzinfo=NEW_YORK)
            for firm in FIRMS:
                yield self._reply_step(firm.dtc, SimulatedReply.MOVEMENTS, movements_at)
            for due in payment_dates(
                offer_terms(offer=offers_with_terms().get(pk=self.offer.pk)), on
            ):
                yield self._payment_step(due)

    def _last_expiration(self) -> datetime:
        """The expiration the offer is consummated after: the last one whose day comes
        before the consummation date (all of them without a consummation)."""
        if self.consummate_on is None:
            return EXPIRATIONS[-1]
        earlier = [e for e in EXPIRATIONS if e.astimezone(NEW_YORK).date() < self.consummate_on]
        if not earlier:
            raise ValueError(
                f"{long_date(self.consummate_on)} is not after the offer's first expiration day, "
                "September 4, 2001."
            )
        return earlier[-1]

    def _instructions(self, last: datetime) -> list[DemoInstruction]:
        steps = list(INSTRUCTIONS)
        steps += [
            DemoInstruction(number, _at(8, day, 10, 15 + n % 40), "submit")
            for n, (number, day) in enumerate(AUGUST)
        ]
        steps += [step for step in DURING_EXTENSIONS if step.at < last]
        if self.consummate_on is not None:
            towards = self._before(last, banking_days=3, at=time(10))
            answered = {s.account for s in steps if s.action == "submit" and s.at > _at(8, 17, 23)}
            for n, (account, action) in enumerate(TOWARDS_CONSUMMATION):
                if action == "submit" and account in answered:
                    continue  # already came back inside an extension
                steps.append(DemoInstruction(account, towards.replace(minute=n * 10), action))
        return sorted(steps, key=lambda s: s.at)

    def _before(self, expiration: datetime, *, banking_days: int, at: time) -> datetime:
        calendar = offer_calendar(offer=self.offer)
        day = calendar.banking_days_before(expiration_day(expiration), banking_days)
        return datetime.combine(day, at, tzinfo=NEW_YORK)

    def _open_day(self, day: date) -> date:
        """`day` if files went out that day (a banking day the markets were open), else the
        next such day."""
        calendar = offer_calendar(offer=self.offer)
        day = calendar.following(day)
        while day in MARKETS_CLOSED:
            day = calendar.next_banking_day_after(day)
        return day

    def _agent_steps(self, instructions: list[DemoInstruction]) -> Iterator[Step]:
        """Each firm's file for every day it took instructions, and the agent SIMULATOR's
        status advice for it the next open morning (INVENTED times; see the docstring)."""
        firm_of_account = {spec.number: _DTC[spec.firm] for spec in ACCOUNTS}
        sent: set[tuple[str, datetime]] = set()
        for step in instructions:
            day = step.at.astimezone(NEW_YORK).date()
            if self._open_day(day) == day:
                at = datetime.combine(day, FILE_SENT_AT, tzinfo=NEW_YORK)
            else:
                at = datetime.combine(
                    self._open_day(day), FILE_SENT_NEXT_MORNING_AT, tzinfo=NEW_YORK
                )
            sent.add((firm_of_account[step.account], at))
        advised = set()
        for dtc, at in sorted(sent):
            yield self._send_step(dtc, at)
            morning = self._open_day(at.date() + timedelta(days=1))
            advised.add((dtc, datetime.combine(morning, STATUS_IMPORTED_AT, tzinfo=NEW_YORK)))
        for dtc, at in sorted(advised):
            yield self._reply_step(dtc, SimulatedReply.STATUS, at)

    def _send_step(self, dtc: str, at: datetime) -> Step:
        def run() -> None:
            firm = BrokerFirm.objects.get(dtc_participant_number=dtc)
            agent_submission_record(
                offer=self._offer(), firm=firm, file_format=firm.agent_format, by=self.ops
            )

        return Step(
            at=at,
            description=f"{dtc}'s file sent to the exchange agent",
            source=INVENTED_TIME,
            done=lambda: AgentSubmission.objects.filter(
                offer=self.offer, firm__dtc_participant_number=dtc, business_at=at
            ).exists(),
            run=run,
        )

    def _reply_step(self, dtc: str, reply: SimulatedReply, at: datetime) -> Step:
        """The agent SIMULATOR's file for the participant, imported by operations: a status
        advice for what was sent and not yet answered, or the movements after consummation."""
        filename = f"simulator-{reply.value}-{dtc}-{digits_date(in_new_york(at).date())}.xml"
        written_at = (
            datetime.combine(at.date(), STATUS_WRITTEN_AT, tzinfo=NEW_YORK)
            if reply is SimulatedReply.STATUS
            else at
        )

        def run() -> None:
            firm = BrokerFirm.objects.get(dtc_participant_number=dtc)
            with clock.frozen_at(written_at):
                content = agent_simulator_file(
                    offer=self._offer(), firm=firm, reply=reply, unanswered_only=True
                )
            agent_replies_import(filename=filename, content=content, by=self.ops)

        what = "status advice" if reply is SimulatedReply.STATUS else "movement confirmation"
        return Step(
            at=at,
            description=f"{dtc}: the agent SIMULATOR's {what} imported",
            source=INVENTED_TIME,
            done=lambda: AgentReplyFile.objects.filter(
                offer=self.offer, filename=filename
            ).exists(),
            run=run,
        )

    # The steps

    def _instruction_step(self, step: DemoInstruction) -> Step:
        account = step.account
        verb = {"submit": "instructs", "amend": "amends", "withdraw": "withdraws"}[step.action]
        amount = "all" if step.amount is None else dollars(step.amount)

        def done() -> bool:
            return InstructionTransition.objects.filter(
                instruction__account__account_number=account,
                instruction__offer=self.offer,
                business_at=step.at,
            ).exists()

        return Step(
            at=step.at,
            description=f"{account} {verb}" + ("" if step.action == "withdraw" else f" ({amount})"),
            source=f"{INVENTED}: the demo's client",
            done=done,
            run=lambda: record_step(self._offer(), step, self.users),
        )

    def _extension_step(self, extension: ReplayedExtension) -> Step:
        recorded_at, new_expiration = extension.recorded_at, extension.new_expiration

        def run() -> None:
            offer = self._offer()
            with clock.frozen_at(recorded_at):
                tabulation = tabulate(offer=offer)
                # Proposed by one operator, approved by another (four eyes). The timeline
                # shows the reason: it says what of the step is public.
                offer_decision_agreed(
                    kind=ProposalKind.EXTEND,
                    offer=offer,
                    params={
                        "new_expiration": new_expiration,
                        "reason": f"The minimum condition is not met: {tabulation.percent}% "
                        f"tendered, 99% required. Replay of 2001, {extension.source}.",
                        "announcement": extension_announcement(offer=offer)
                        + f" The offer is extended to {describe_instant(new_expiration)}.",
                    },
                    by=self.ops,
                    approved_by=self.ops2,
                )

        return Step(
            at=recorded_at,
            description=f"Extended to {describe_instant(new_expiration)}",
            source=extension.source,
            done=lambda: OfferEvent.objects.filter(
                offer=self.offer, kind=OfferEventKind.EXTENDED, new_expiration=new_expiration
            ).exists(),
            run=run,
            report=True,
        )

    def _payment_step(self, due: PaymentDate) -> Step:
        """The payment run of a date after the consummation, started by operations at
        PAYMENTS_AT that morning (as the worker's sweep would on the day)."""
        on = due.payment_date

        def run() -> None:
            payment_run_start(offer=self._offer(), on=on, by=self.ops)

        return Step(
            at=datetime.combine(on, PAYMENTS_AT, tzinfo=NEW_YORK),
            description=f"Payments of {long_date(on)}: {due.what}",
            source=f"{INVENTED}: {NOT_IN_2001}",
            done=lambda: PaymentRun.objects.filter(offer=self.offer, payment_date=on).exists(),
            run=run,
        )

    def _meet_conditions(self) -> None:
        today = clock.today()
        for condition in self.offer.conditions.filter(is_satisfied=False, is_waived=False):
            offer_condition_meet(
                condition=condition,
                on=today,
                note=f"Replay of 2001, {INVENTED}: {NOT_IN_2001}.",
                by=self.ops,
            )

    def _consummate(self, on: date) -> None:
        offer_decision_agreed(
            kind=ProposalKind.CONSUMMATE,
            offer=self._offer(),
            params={"on": on},
            by=self.ops,
            approved_by=self.ops2,
        )

    def _offer(self) -> ExchangeOffer:
        return ExchangeOffer.objects.get(pk=self.offer.pk)

    # Running it

    def run(self, *, until: datetime) -> int:
        """Apply every step up to `until` not yet applied; returns how many were applied.
        The tabulation is printed at each milestone this run reaches: the book then stands
        as it did at that moment (a milestone an earlier run passed is not printed again)."""
        steps = self.steps()
        recorded = [step.at for step in steps if not step.report and step.done()]
        frontier = max(recorded, default=None)
        applied = 0
        for step in steps:
            if step.at > until:
                break
            if not step.done():
                with transaction.atomic(), clock.frozen_at(step.at):
                    step.run()
                applied += 1
                self.out(f"{timestamp(step.at)}  {step.description}  [{step.source}]")
            if step.report and (frontier is None or step.at >= frontier):
                self.out(self.tabulation_line(step.at))
        return applied

    def tabulation_line(self, at: datetime) -> str:
        with clock.frozen_at(at):
            offer = self._offer()
            tabulation = tabulate(offer=offer)
            accepted = Instruction.objects.filter(offer=offer, status="accepted")
            if offer.status == OfferStatus.CONSUMMATED:
                tendered = sum((i.resolved_amount or 0 for i in accepted), Decimal(0))
                percent = (tendered / tabulation.outstanding * 100).quantize(Decimal("0.01"))
            else:
                tendered, percent = tabulation.tendered, tabulation.percent
        # Only the total at the original expiration is the company's (the demo's book is
        # built to match it); the others are the demo's book alone.
        source = (
            f"{PUBLIC}: $26,601,000 (97%) as of 12:00 a.m. on Sep 5, 2001"
            if at == ORIGINAL_EXPIRATION and tendered == TENDERED_AT_ORIGINAL_EXPIRATION
            else f"{INVENTED}: the demo's book"
        )
        return (
            f"    tabulation at {timestamp(at)}: {dollars(tendered)} tendered ({percent}%), "
            f"{dollars(tabulation.required)} required; expires "
            f"{describe_instant(offer.expiration)}; {offer.get_status_display().lower()}  "
            f"[{source}]"
        )


def replay_2001(
    *, until: datetime, consummate_on: date | None = None, out: Callable[[str], None] = print
) -> int:
    """Replay the 2001 offer up to `until` (aware); see the module's docstring."""
    return Replay(consummate_on=consummate_on, out=out).run(until=until)


__all__ = ["EXTENSIONS", "ORIGINAL_EXPIRATION", "TENDERED_AT_ORIGINAL_EXPIRATION", "replay_2001"]
