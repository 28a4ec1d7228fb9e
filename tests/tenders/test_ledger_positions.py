"""Positions are the ledger (docs/ledger.md): every write of a position posts through the books,
an OPENING entry for a new position and an ADJUSTMENT of the difference for a changed one,
against the firm's DTC account, dated the business date; `Position.principal` is the ledger's
cached balance, written only by the posting service, in the same transaction."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from notes.models import ExchangeOffer
from tenders.ledger.models import EntryKind, JournalEntry, LedgerAccountKind, Leg
from tenders.ledger.selectors import ledger_position_mismatches
from tenders.ledger.services import (
    EntryInput,
    LegInput,
    client_ledger_account_get_or_create,
    dtc_ledger_account_get_or_create,
    entries_post,
    offer_assets_get_or_create,
)
from tenders.models import ClientAccount, Position
from tenders.positions.imports import positions_import
from tenders.positions.services import position_save
from tests import factories
from tests.tenders.test_position_imports import feed, line

pytestmark = pytest.mark.django_db

AUG_20 = date(2001, 8, 20)  # the business clock's day in these tests


def _legs(entry: JournalEntry) -> list[tuple[str, Decimal]]:
    """(ledger account kind, amount) of each leg, as people count it."""
    return sorted(
        (leg.account.kind, leg.asset.amount(leg.quantity))
        for leg in entry.legs.select_related("account", "asset")
    )


def test_a_new_position_posts_an_opening_entry_against_the_firms_dtc_account(
    account: ClientAccount,
) -> None:
    # The `account` fixture's $125,000 was written through the factory, which posts too.
    (entry,) = JournalEntry.objects.filter(client_account=account)
    assert (entry.kind, entry.posted_on) == (EntryKind.OPENING, AUG_20)
    assert _legs(entry) == [
        (LedgerAccountKind.CLIENT, Decimal("125000.00")),
        (LedgerAccountKind.DTC, Decimal("-125000.00")),
    ]


def test_a_changed_position_posts_an_adjustment_of_the_difference(
    account: ClientAccount, ops: Any
) -> None:
    position = Position.objects.get(account=account)
    position.principal = Decimal("100000")
    position_save(position=position, by=ops)
    entry = JournalEntry.objects.get(kind=EntryKind.ADJUSTMENT)
    assert (entry.posted_on, entry.by) == (AUG_20, ops)
    assert _legs(entry) == [
        (LedgerAccountKind.CLIENT, Decimal("-25000.00")),
        (LedgerAccountKind.DTC, Decimal("25000.00")),
    ]


def test_a_position_saved_unchanged_posts_nothing(account: ClientAccount, ops: Any) -> None:
    position_save(position=Position.objects.get(account=account), by=ops)
    assert not JournalEntry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()


def test_a_saved_position_is_what_the_ledger_gives_it(account: ClientAccount, ops: Any) -> None:
    position = Position.objects.get(account=account)
    position.principal = Decimal("480000")
    saved = position_save(position=position, by=ops)
    assert Position.objects.get(pk=saved.pk).principal == Decimal("480000")
    assert ledger_position_mismatches() == []


def test_the_feed_posts_one_opening_and_one_adjustment_per_firm_with_a_leg_per_account(
    account: ClientAccount, joint_account: ClientAccount, ops: Any
) -> None:
    participant = account.firm.dtc_participant_number
    text = feed(
        line(account, principal="150,000"),
        line(joint_account),
        line(participant=participant, account_number="HB-200001"),
        line(participant=participant, account_number="HB-200002", principal="20000"),
    )
    positions_import(text=text, by=ops, file_name="feed-0820.csv", create_accounts=True)
    opening = JournalEntry.objects.exclude(client_account__isnull=False).get(kind=EntryKind.OPENING)
    assert _legs(opening) == [
        (LedgerAccountKind.CLIENT, Decimal("20000.00")),
        (LedgerAccountKind.CLIENT, Decimal("50000.00")),
        (LedgerAccountKind.DTC, Decimal("-70000.00")),
    ]
    assert opening.description == "Opening positions: Positions import feed-0820.csv"
    adjustment = JournalEntry.objects.get(kind=EntryKind.ADJUSTMENT)
    assert _legs(adjustment) == [
        (LedgerAccountKind.CLIENT, Decimal("25000.00")),
        (LedgerAccountKind.DTC, Decimal("-25000.00")),
    ]
    assert ledger_position_mismatches() == []


def test_a_posting_that_would_take_a_position_below_zero_is_refused_whole(
    offer: ExchangeOffer, account: ClientAccount, ops: Any
) -> None:
    notes = offer_assets_get_or_create(offer=offer).old_notes
    client = client_ledger_account_get_or_create(account=account)
    dtc = dtc_ledger_account_get_or_create(firm=account.firm)
    entry = EntryInput(
        occasion="adjustment:test",
        kind=EntryKind.ADJUSTMENT,
        posted_on=AUG_20,
        description="More than is held",
        legs=[
            LegInput(account=client, asset=notes, amount=Decimal("-125001")),
            LegInput(account=dtc, asset=notes, amount=Decimal("125001")),
        ],
    )
    with pytest.raises(ValidationError, match="would fall below zero"):
        entries_post(entries=[entry], by=ops)
    assert not JournalEntry.objects.filter(occasion="adjustment:test").exists()
    assert Position.objects.get(account=account).principal == Decimal("125000")


def test_a_position_written_past_the_ledger_is_a_mismatch(account: ClientAccount) -> None:
    Position.objects.filter(account=account).update(principal=Decimal("130000"))
    (mismatch,) = ledger_position_mismatches()
    assert (mismatch.account_id, mismatch.position, mismatch.ledger) == (
        account.pk,
        Decimal("130000"),
        Decimal("125000.00"),
    )


def test_a_new_position_of_zero_is_stored_without_an_entry(
    offer: ExchangeOffer, firm: Any, ops: Any
) -> None:
    account = factories.ClientAccountFactory(firm=firm, account_number="HB-100099")
    position = Position(account=account, security=offer.old_security, principal=Decimal(0))
    position_save(position=position, by=ops)
    assert Position.objects.get(account=account).principal == 0
    assert not Leg.objects.filter(account__client_account=account).exists()
