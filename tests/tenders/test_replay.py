"""The 2001 replay: the demo's book walked through the real calendar with the same services as
the admin. The public figures: $26,601,000 (97.04%) at 12:00 a.m. on Sep 5, 2001; extensions
to 5:00 p.m. on Sep 17, Oct 1 and Oct 31, 2001, each recorded before 9:00 a.m."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exchange_office import clock
from notes.models import ExchangeOffer, OfferEvent, OfferEventKind, OfferStatus
from tenders.domain.submission import Standing
from tenders.models import Instruction
from tenders.offers.selectors import tabulate
from tenders.replay import MARKETS_CLOSED, replay_2001
from tenders.submissions.models import AgentReply, AgentReplyFile, AgentSubmission
from tenders.submissions.selectors import agent_standings
from tests.tenders.conftest import NY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SEP_5_MIDNIGHT = datetime(2001, 9, 5, 0, 0, tzinfo=NY)


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
        (datetime(2001, 10, 2, 8, 30, tzinfo=NY), datetime(2001, 10, 31, 17, 0, tzinfo=NY)),
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
