"""The books of HB-100007 in 2001 as the research for issue 23 works them out, posted directly
with `entries_post`: $480,000 of Old Notes brought onto the books on Aug 15; on Nov 1 the
exchange (Old Notes out; $617,702.40 of New Notes and 2,616 warrants in) with fee installments
1 and 2 ($4,800.00 each); on Dec 31 installment 3 ($4,800.00) and the coupon ($14,413.06)."""

from datetime import date
from decimal import Decimal
from typing import Any

from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.ledger.models import EntryKind, JournalEntry
from tenders.ledger.services import (
    EntryInput,
    LegInput,
    agent_ledger_account_get_or_create,
    client_ledger_account_get_or_create,
    dtc_ledger_account_get_or_create,
    entries_post,
    offer_assets_get_or_create,
)

AUG_15 = date(2001, 8, 15)
NOV_1 = date(2001, 11, 1)
DEC_31 = date(2001, 12, 31)


def post_hb_100007(*, offer: ExchangeOffer, account: ClientAccount, by: Any) -> list[JournalEntry]:
    assets = offer_assets_get_or_create(offer=offer)
    client = client_ledger_account_get_or_create(account=account)
    dtc = dtc_ledger_account_get_or_create(firm=account.firm)
    agent = agent_ledger_account_get_or_create(offer=offer)
    a = account.pk

    def entry(
        occasion: str, kind: EntryKind, on: date, text: str, *legs: tuple[Any, Any, str]
    ) -> EntryInput:
        return EntryInput(
            occasion=occasion,
            kind=kind,
            posted_on=on,
            description=text,
            offer=offer,
            client_account=account,
            legs=[LegInput(account=x, asset=asset, amount=Decimal(q)) for x, asset, q in legs],
        )

    def fee(seq: int, on: date) -> EntryInput:
        return entry(
            f"fee:a{a}:{seq}",
            EntryKind.FEE,
            on,
            f"Participation fee, installment {seq} of 3",
            (client, assets.cash, "4800.00"),
            (agent, assets.cash, "-4800.00"),
        )

    return entries_post(
        entries=[
            entry(
                f"opening:a{a}",
                EntryKind.OPENING,
                AUG_15,
                "Old Notes held for the account, brought onto the books",
                (client, assets.old_notes, "480000.00"),
                (dtc, assets.old_notes, "-480000.00"),
            ),
            entry(
                f"exchange:a{a}",
                EntryKind.EXCHANGE,
                NOV_1,
                "Exchange on consummation: Old Notes tendered for New Notes and warrants",
                (client, assets.old_notes, "-480000.00"),
                (dtc, assets.old_notes, "480000.00"),
                (client, assets.new_notes, "617702.40"),
                (agent, assets.new_notes, "-617702.40"),
                (client, assets.warrants, "2616"),
                (agent, assets.warrants, "-2616"),
            ),
            fee(1, NOV_1),
            fee(2, NOV_1),
            fee(3, DEC_31),
            entry(
                f"coupon:a{a}:2001-12-31",
                EntryKind.COUPON,
                DEC_31,
                "New Notes coupon, Nov 1 to Dec 31, 2001 at 14%",
                (client, assets.cash, "14413.06"),
                (agent, assets.cash, "-14413.06"),
            ),
        ],
        by=by,
    )
