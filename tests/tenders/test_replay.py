"""The 2001 replay: the demo's book walked through the public dates with the same services as
the admin. The public figures: $26,601,000 (97.04%) at 12:00 a.m. on Sep 5, 2001; extensions
to 5:00 p.m. on Sep 17 (announced Sep 5), Oct 1 and Oct 31, 2001 (announced Oct 1). The times
of day, the later totals and the clients are invented, and every line the replay prints and
every extension's reason on the timeline says so."""

import html
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from exchange_office import clock
from notes.models import ExchangeOffer, OfferEvent, OfferEventKind, OfferStatus
from tenders.domain.submission import Standing
from tenders.ledger.selectors import ledger_position_mismatches
from tenders.models import Instruction, Position
from tenders.offers.selectors import tabulate
from tenders.replay import MARKETS_CLOSED, replay_2001
from tenders.submissions.models import AgentReply, AgentReplyFile, AgentSubmission
from tenders.submissions.selectors import agent_standings
from tests.tenders.conftest import NY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SEP_5_MIDNIGHT = datetime(2001, 9, 5, 0, 0, tzinfo=NY)
AFTER_THE_THIRD_EXTENSION = datetime(2001, 10, 31, 12, 0, tzinfo=NY)
LABELLED = re.compile(r"  \[(public|invented)[^\]]*\]$")


def _replay(until: datetime, consummate_on: date | None = None) -> list[str]:
    lines: list[str] = []
    replay_2001(until=until, consummate_on=consummate_on, out=lines.append)
    return lines


def _tendered_at(instant: datetime) -> tuple[Decimal, Decimal]:
    with clock.frozen_at(instant):
        tabulation = tabulate(offer=ExchangeOffer.objects.get(slug="lexington-2001"))
    return tabulation.tendered, tabulation.percent


def test_at_midnight_ending_sep_4_the_office_has_tendered_26_601_000() -> None:
    lines = _replay(SEP_5_MIDNIGHT)
    assert _tendered_at(SEP_5_MIDNIGHT) == (Decimal("26601000"), Decimal("97.04"))
    assert "$26,601,000 tendered (97.04%), $27,138,000 required" in lines[-1]


def test_each_extension_is_recorded_at_half_past_eight_before_the_announcement() -> None:
    _replay(datetime(2001, 10, 31, 12, 0, tzinfo=NY))
    events = OfferEvent.objects.filter(kind=OfferEventKind.EXTENDED).order_by("business_at")
    assert [(e.business_at, e.new_expiration) for e in events] == [
        (datetime(2001, 9, 5, 8, 30, tzinfo=NY), datetime(2001, 9, 17, 17, 0, tzinfo=NY)),
        (datetime(2001, 9, 18, 8, 30, tzinfo=NY), datetime(2001, 10, 1, 17, 0, tzinfo=NY)),
        # On Oct 1, the date of the company's release, before that day's 5:00 p.m. expiration.
        (datetime(2001, 10, 1, 8, 30, tzinfo=NY), datetime(2001, 10, 31, 17, 0, tzinfo=NY)),
    ]
    assert [e.announcement_deadline.astimezone(NY).hour for e in events] == [9, 9, 9]
    assert all("had been tendered and not withdrawn" in e.announcement for e in events)


def test_a_replay_goes_on_from_where_the_last_one_stopped() -> None:
    _replay(SEP_5_MIDNIGHT)
    instructions = Instruction.objects.count()
    assert not OfferEvent.objects.exists()
    later = _replay(datetime(2001, 9, 18, 9, 0, tzinfo=NY))
    assert OfferEvent.objects.filter(kind=OfferEventKind.EXTENDED).count() == 2
    assert Instruction.objects.count() == instructions + 2  # two answered inside the extension
    again = _replay(datetime(2001, 9, 18, 9, 0, tzinfo=NY))
    assert not [line for line in again if not line.startswith("    tabulation")]
    assert len(later) > len(again)


def test_with_a_consummation_date_enough_further_tenders_arrive() -> None:
    # Consummation accepts what the agent holds: the replay sent every file and read the
    # agent SIMULATOR's acknowledgements before it.
    _replay(datetime(2001, 11, 1, 12, 0, tzinfo=NY), consummate_on=date(2001, 11, 1))
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    assert (offer.status, offer.consummation_date) == (OfferStatus.CONSUMMATED, date(2001, 11, 1))
    accepted = Instruction.objects.filter(offer=offer, status="accepted")
    tendered = sum(i.resolved_amount for i in accepted)
    assert tendered >= Decimal("27138000")


def test_a_consummation_date_before_the_first_expiration_day_is_refused() -> None:
    with pytest.raises(CommandError, match="is not after the offer's first expiration day"):
        call_command(
            "replay_2001", "--until", "2001-09-05T12:00-04:00", "--consummate", "2001-09-04"
        )


def test_an_until_without_its_offset_is_refused() -> None:
    with pytest.raises(CommandError, match="needs its UTC offset"):
        call_command("replay_2001", "--until", "2001-09-05T00:00")


def test_each_file_is_sent_at_the_end_of_its_day_and_acknowledged_the_next_morning() -> None:
    lines = _replay(datetime(2001, 9, 18, 9, 0, tzinfo=NY))
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    sent = [s.business_at.astimezone(NY) for s in AgentSubmission.objects.all()]
    assert {at.time() for at in sent} == {time(17, 30), time(9, 30)}  # 9:30: Sep 12's, Sep 17
    assert not {at.date() for at in sent} & MARKETS_CLOSED
    live = Instruction.objects.filter(offer=offer, status__in=["received", "submitted"])
    standings = agent_standings(offer=offer)
    assert {standings[i.pk].standing for i in live} == {Standing.ACCEPTED}
    assert all(i.status == "submitted" for i in live)
    advised = {f.business_at.astimezone(NY).time() for f in AgentReplyFile.objects.all()}
    assert advised == {time(9, 0)}
    assert sum("invented time" in line for line in lines) == (
        AgentSubmission.objects.count() + AgentReplyFile.objects.count()
    )


def test_after_the_consummation_the_movements_are_imported() -> None:
    _replay(datetime(2001, 11, 1, 17, 0, tzinfo=NY), consummate_on=date(2001, 11, 1))
    movements = AgentReplyFile.objects.filter(filename__startswith="simulator-movements-")
    assert movements.count() == 3  # one per participant, at 4:00 p.m. on Nov 1, 2001
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    accepted = Instruction.objects.filter(offer=offer, status="accepted").count()
    assert AgentReply.objects.filter(kind="movement").count() == accepted
    again = _replay(datetime(2001, 11, 1, 17, 0, tzinfo=NY), consummate_on=date(2001, 11, 1))
    assert not [line for line in again if not line.startswith("    tabulation")]


def test_every_position_equals_the_ledger_at_every_event_of_the_replay() -> None:
    # The replay reports each step it applies, once committed: at each, every account's
    # position is what its legs give it (the book's openings, the consummation's postings).
    events: list[str] = []
    mismatched: list[tuple[str, list[Any]]] = []

    def walk(line: str) -> None:
        events.append(line)
        found = ledger_position_mismatches()
        if found:
            mismatched.append((line, found))

    replay_2001(
        until=datetime(2001, 11, 1, 17, 0, tzinfo=NY), consummate_on=date(2001, 11, 1), out=walk
    )
    assert len(events) > 50
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    old_notes = Position.objects.filter(security=offer.old_security)
    assert old_notes.count() == 40  # the demo's book, every account walked
    # Consummated: every Old Note was exchanged or paid off; the New Notes are held.
    assert not old_notes.filter(principal__gt=0).exists()
    assert Position.objects.filter(security=offer.new_security, principal__gt=0).count() == (
        Instruction.objects.filter(offer=offer, status="accepted").count()
    )
    assert mismatched == []


def test_every_printed_step_ends_with_what_of_it_is_public_or_invented() -> None:
    lines = _replay(AFTER_THE_THIRD_EXTENSION)
    steps = [line for line in lines if not line.startswith("    tabulation")]
    assert steps
    assert [line for line in steps if not LABELLED.search(line)] == []


def test_the_public_dates_are_labelled_public_and_their_times_invented() -> None:
    lines = _replay(AFTER_THE_THIRD_EXTENSION)
    extensions = [line for line in lines if "Extended to" in line]
    assert "[public: announced Sep 5, 2001, with $26,601,000 (97%)" in extensions[0]
    assert "[public: the new expiration; invented: the day and time" in extensions[1]
    assert (
        "[public: announced Oct 1, 2001 (the release states no amount); invented" in (extensions[2])
    )


def test_only_the_total_at_the_original_expiration_is_labelled_public() -> None:
    lines = _replay(AFTER_THE_THIRD_EXTENSION)
    totals = [line for line in lines if line.startswith("    tabulation")]
    assert "(97.04%)" in totals[0]
    assert totals[0].endswith("[public: $26,601,000 (97%) as of 12:00 a.m. on Sep 5, 2001]")
    assert {total[total.rindex("[") :] for total in totals[1:]} == {"[invented: the demo's book]"}


def test_the_timeline_says_what_of_each_extension_is_public(client: Any) -> None:
    _replay(AFTER_THE_THIRD_EXTENSION)
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    client.force_login(User.objects.get(username="ops"))
    page = client.get(reverse("admin:notes_exchangeoffer_change", args=[offer.pk]))
    text = html.unescape(page.content.decode())
    assert "Replay of 2001, public: announced Sep 5, 2001, with $26,601,000 (97%)" in text
    assert "Replay of 2001, public: the new expiration; invented: the day and time" in text
    assert "Replay of 2001, public: announced Oct 1, 2001 (the release states no amount)" in text


def test_a_consummation_in_2001_is_labelled_invented() -> None:
    lines = _replay(datetime(2001, 11, 1, 12, 0, tzinfo=NY), consummate_on=date(2001, 11, 1))
    (consummation,) = [line for line in lines if "Consummation on" in line]
    assert consummation.endswith(
        "[invented: in fact the offer was extended into 2002 and then replaced, never consummated]"
    )
