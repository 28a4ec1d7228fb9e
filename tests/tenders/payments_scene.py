"""An offer consummated on Nov 1, 2001 (invented, as the replay's), with HB-100007's $480,000
accepted: its exchange is posted directly with `entries_post` ($617,702.40 of New Notes and
2,616 warrants), as consummation posts it (the EXCHANGE occasion and legs it uses)."""

from datetime import date
from decimal import Decimal
from typing import Any

from notes.models import ExchangeOffer
from tenders.instructions.models import Instruction
from tenders.ledger.models import EntryKind
from tenders.ledger.services import (
    EntryInput,
    LegInput,
    agent_ledger_account_get_or_create,
    client_ledger_account_get_or_create,
    dtc_ledger_account_get_or_create,
    entries_post,
    offer_assets_get_or_create,
)
from tenders.models import ClientAccount
from tests import factories

NOV_1 = date(2001, 11, 1)
DEC_28 = date(2001, 12, 28)
DEC_31 = date(2001, 12, 31)
ACCEPTED = Decimal("480000")
NEW_NOTES = Decimal("617702.40")  # 480 x $1,286.88 (810 days at 12.75%)


def consummate_on_nov_1(offer: ExchangeOffer) -> None:
    offer.status, offer.consummation_date = "consummated", NOV_1
    offer.save()


def exchanged(
    offer: ExchangeOffer,
    firm: Any,
    by: Any,
    *,
    number: str = "HB-100007",
    accepted: Decimal = ACCEPTED,
    new_notes: Decimal = NEW_NOTES,
    warrants: int = 2616,
) -> tuple[ClientAccount, Instruction]:
    """An account whose Old Notes were accepted, exchanged on Nov 1, 2001."""
    account = factories.ClientAccountFactory(
        firm=firm, account_number=number, owners=["Margaret Holloway"], email="mh@example.com"
    )
    factories.PositionFactory(account=account, security=offer.old_security, principal=accepted)
    instruction = factories.InstructionFactory(
        account=account, offer=offer, entered_by=by, status="accepted", resolved_amount=accepted
    )
    assets = offer_assets_get_or_create(offer=offer)
    client = client_ledger_account_get_or_create(account=account)
    dtc = dtc_ledger_account_get_or_create(firm=firm)
    agent = agent_ledger_account_get_or_create(offer=offer)
    legs = [
        (client, assets.old_notes, -accepted),
        (dtc, assets.old_notes, accepted),
        (client, assets.new_notes, new_notes),
        (agent, assets.new_notes, -new_notes),
        (client, assets.warrants, Decimal(warrants)),
        (agent, assets.warrants, -Decimal(warrants)),
    ]
    entries_post(
        entries=[
            EntryInput(
                occasion=f"exchange:i{instruction.pk}",
                kind=EntryKind.EXCHANGE,
                posted_on=NOV_1,
                description="Exchange on consummation",
                legs=[LegInput(account=a, asset=s, amount=q) for a, s, q in legs],
                offer=offer,
                instruction=instruction,
                client_account=account,
            )
        ],
        by=by,
    )
    return account, instruction


def new_notes_moved_in(
    offer: ExchangeOffer, account: ClientAccount, amount: Decimal, on: date, by: Any
) -> None:
    """New Notes brought into `account` from the firm's DTC position on `on` (an ADJUSTMENT,
    as a transfer in from another broker is)."""
    assets = offer_assets_get_or_create(offer=offer)
    entries_post(
        entries=[
            EntryInput(
                occasion=f"adjustment:test:a{account.pk}:{on.isoformat()}",
                kind=EntryKind.ADJUSTMENT,
                posted_on=on,
                description="New Notes transferred in",
                legs=[
                    LegInput(
                        account=client_ledger_account_get_or_create(account=account),
                        asset=assets.new_notes,
                        amount=amount,
                    ),
                    LegInput(
                        account=dtc_ledger_account_get_or_create(firm=account.firm),
                        asset=assets.new_notes,
                        amount=-amount,
                    ),
                ],
                client_account=account,
            )
        ],
        by=by,
    )
