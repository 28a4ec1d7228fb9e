"""The scene of the real-process tests (test_worker_kill.py), run as a subprocess against the
database the environment names, as a user's processes would:

    python -m tests.tenders.worker_scene setup
        an offer, a firm, an account holding $125,000 and its instruction, recorded through the
        service: its receipt is queued in the database queue. Prints the instruction's id.
    python -m tests.tenders.worker_scene slow-worker MARKER [office_worker options...]
        `manage.py office_worker`, except that rendering a PDF first touches MARKER, then
        waits: the test kills the worker while it renders.
"""

import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path


def setup() -> None:
    from notes.services import offer_load_seed
    from tenders.accounts.services import account_set_tin
    from tenders.instructions.services import InstructionInput, SignatureInput, instruction_submit
    from tests import factories

    offer = offer_load_seed(slug="lexington-2001")
    ops = factories.OperationsUserFactory(username="ops")
    rep = factories.RepresentativeFactory(user__username="rep").user
    firm = rep.representative.firm
    account = factories.ClientAccountFactory(
        firm=firm, account_number="HB-100003", owners=["Eleanor J. Whitfield"],
        email="whitfield@clients.example",
    )  # fmt: skip
    factories.PositionFactory(
        account=account, security=offer.old_security, principal=Decimal("125000")
    )
    account = account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=ops)
    owner = account.owners.get()
    instruction = instruction_submit(
        account=account,
        offer=offer,
        data=InstructionInput(
            choice="ALL",
            amount=None,
            form_date=date(2001, 8, 18),
            address="12 Elm Street\nScarsdale, NY 10583",
            phone="+19145550121",
            tin_type="SSN",
            tin="",
            signatures=(SignatureInput(owner.pk, owner.name, True),),
        ),
        by=rep,
    )
    print(instruction.pk)


def slow_worker(marker: str, options: list[str]) -> None:
    from django.core.management import call_command

    from tenders.documents import rendering

    def rendering_forever(html: str) -> rendering.RenderedPdf:
        Path(marker).touch()
        time.sleep(120)
        raise AssertionError("the test should have killed this worker while it rendered")

    rendering.render_html = rendering_forever  # type: ignore[assignment]  # a test's stand-in
    call_command("office_worker", *options)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange_office.settings")
    import django

    django.setup()
    if argv[0] == "setup":
        setup()
    elif argv[0] == "slow-worker":
        slow_worker(argv[1], argv[2:])
    else:
        raise SystemExit(f"unknown scene command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
