"""The scene of the two-machine test (tests/test_two_machines.py), run as a subprocess against
the database the environment names, as an installer's script would:

    python -m tests.two_machines_scene setup CONFIRMATIONS
        the offer; an operator `ops` (password PASSWORD); a firm (DTC 0901) with CONFIRMATIONS
        accounts whose tenders of $125,000 are accepted, and one more account, HB-FEED,
        holding $125,000 with no tender. Prints, as JSON, the offer's id, HB-FEED's id and the
        positions feed that raises HB-FEED to $150,000 (a feed is taken until consummation).
    python -m tests.two_machines_scene consummate OFFER
        the offer marked consummated on Sep 5, 2001, so that its confirmations can be issued.
"""

import json
import os
import sys
from datetime import date
from decimal import Decimal

PASSWORD = "two-machines-2001"
HEADER = (
    "participant,account_number,owners,address_line1,address_line2,city,state,postal_code,"
    "country,email,phone,principal"
)


def setup(confirmations: int) -> None:
    from notes.services import offer_load_seed
    from tests import factories

    offer = offer_load_seed(slug="lexington-2001")
    factories.OperationsUserFactory(username="ops", password=PASSWORD)
    firm = factories.BrokerFirmFactory(dtc_participant_number="0901")
    rep = factories.RepresentativeFactory(firm=firm).user
    for _ in range(confirmations):
        account = factories.ClientAccountFactory(firm=firm)
        factories.PositionFactory(account=account, security=offer.old_security)
        factories.InstructionFactory(
            account=account, offer=offer, entered_by=rep, status="accepted",
            resolved_amount=Decimal("125000"),
        )  # fmt: skip
    account = factories.ClientAccountFactory(firm=firm, account_number="HB-FEED")
    factories.PositionFactory(
        account=account, security=offer.old_security, principal=Decimal("125000")
    )
    values = [
        firm.dtc_participant_number, account.account_number,
        ";".join(owner.name for owner in account.owners.all()),
        account.address_line1, account.address_line2, account.city, account.state,
        account.postal_code, str(account.country.code), account.email, str(account.phone),
        "150,000",
    ]  # fmt: skip
    feed = "\n".join([HEADER, ",".join(f'"{value}"' for value in values)]) + "\n"
    print(json.dumps({"offer": offer.pk, "account": account.pk, "feed": feed}))


def consummate(offer_id: int) -> None:
    from notes.models import ExchangeOffer

    ExchangeOffer.objects.filter(pk=offer_id).update(
        status="consummated", consummation_date=date(2001, 9, 5)
    )


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange_office.settings")
    import django

    django.setup()
    if argv[0] == "setup":
        setup(int(argv[1]))
    elif argv[0] == "consummate":
        consummate(int(argv[1]))
    else:
        raise SystemExit(f"unknown scene command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
