"""The scene of the notices' tests: three Hudson & Broad clients of a $610,000 issue.

- HB-100003, Eleanor J. Whitfield: $125,000, "tender all";
- HB-100007, Ferris Family Foundation: $480,000, $400,000 stated (the rest, $80,000, stays out);
- HB-100005, Samuel O. Adeyemi: $5,000, no instruction.

The minimum condition is lowered to 80% (a convention on the offer) so that $525,000 of
$610,000 (86.07%) meets it, and the conditions are met: the offer can be consummated on
Sep 5, 2001 through the service.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from notes.models import ExchangeOffer, OfferEvent, OfferEventKind
from tenders.accounts.services import account_set_tin
from tenders.intake.services import instruction_submit
from tenders.models import ClientAccount, Instruction
from tests import factories
from tests.tenders.conftest import NY, amount_input, make_input

SEP_5 = date(2001, 9, 5)
SEP_5_MORNING = datetime(2001, 9, 5, 10, 0, tzinfo=NY)


def holder(firm: Any, offer: ExchangeOffer, ops: Any, number: str, owner: str, held: str) -> Any:
    account = factories.ClientAccountFactory(
        firm=firm, owners=[owner], account_number=number, email=f"{number.lower()}@example.com"
    )
    factories.PositionFactory(account=account, security=offer.old_security, principal=Decimal(held))
    return account_set_tin(account=account, tin_type="SSN", tin="234-56-7890", by=ops)


def set_the_scene(
    offer: ExchangeOffer, firm: Any, rep: Any, ops: Any, account: ClientAccount
) -> dict[str, Any]:
    offer.outstanding_principal = Decimal("610000")
    offer.minimum_tender_percent = Decimal("80")
    offer.save()
    offer.conditions.update(is_satisfied=True, satisfied_on=date(2001, 9, 4))
    ferris = holder(firm, offer, ops, "HB-100007", "Ferris Family Foundation", "480000")
    adeyemi = holder(firm, offer, ops, "HB-100005", "Samuel O. Adeyemi", "5000")
    whitfield_instruction = instruction_submit(
        account=account, offer=offer, data=make_input(account), by=rep
    )
    ferris_instruction = instruction_submit(
        account=ferris, offer=offer, data=amount_input(ferris, "400000"), by=rep
    )
    return {
        "whitfield": account,
        "ferris": ferris,
        "adeyemi": adeyemi,
        "whitfield_instruction": whitfield_instruction,
        "ferris_instruction": ferris_instruction,
    }


def event(offer: ExchangeOffer, kind: str, by: Any, at: datetime, **fields: Any) -> OfferEvent:
    """The offer's step as the lifecycle services record it (they are another issue's)."""
    return OfferEvent.objects.create(
        offer=offer, kind=kind, by=by, business_at=at, wall_at=at, **fields
    )


def extension(offer: ExchangeOffer, by: Any, at: datetime) -> OfferEvent:
    """The offer extended from 12 midnight ending Sep 4 to 5:00 p.m. on Monday, Sep 17."""
    new_expiration = datetime(2001, 9, 17, 17, 0, tzinfo=NY)
    recorded = event(
        offer,
        OfferEventKind.EXTENDED,
        by,
        at,
        reason="The minimum condition is not met yet.",
        previous_expiration=offer.expiration,
        new_expiration=new_expiration,
        announcement="As of 12:00 a.m. on Sep 5, 2001, $26,601,000 (97%) had been tendered.",
    )
    offer.expiration = new_expiration
    offer.save()
    return recorded


def live(account: ClientAccount, offer: ExchangeOffer) -> Instruction:
    return Instruction.objects.get(
        account=account, offer=offer, status__in=["received", "submitted"]
    )
