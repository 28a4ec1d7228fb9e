"""The scene of the real-process tests (test_worker_kill.py), run as a subprocess against the
database the environment names, as a user's processes would:

    python -m tests.tenders.worker_scene setup
        an offer, a firm, an account holding $125,000 and its instruction, recorded through the
        service: its receipt is queued in the database queue. Prints the instruction's id.
    python -m tests.tenders.worker_scene setup-online
        the same account, whose client submits online from the link in her letter: the PDF of
        what she submitted is queued. Prints the submission's id.
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
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the modules load after django.setup(), in main()
    from notes.models import ExchangeOffer
    from tenders.accounts.models import ClientAccount


def _account() -> tuple["ExchangeOffer", "ClientAccount"]:
    from notes.services import offer_load_seed
    from tenders.accounts.services import account_set_tin
    from tests import factories

    offer = offer_load_seed(slug="lexington-2001")
    ops = factories.OperationsUserFactory(username="ops")
    rep = factories.RepresentativeFactory(user__username="rep").user
    account = factories.ClientAccountFactory(
        firm=rep.representative.firm, account_number="HB-100003",
        owners=["Eleanor J. Whitfield"], email="whitfield@clients.example",
    )  # fmt: skip
    factories.PositionFactory(
        account=account, security=offer.old_security, principal=Decimal("125000")
    )
    return offer, account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=ops)


def setup_online() -> None:
    from tenders.online.services import OnlineInput, client_link_issue, client_submission_create

    offer, account = _account()
    submission = client_submission_create(
        link=client_link_issue(offer=offer, account=account),
        data=OnlineInput(
            kind="tender",
            choice="AMOUNT",
            amount=Decimal("50000"),
            names={owner.pk: owner.name for owner in account.owners.all()},
            address="12 Elm Street\nScarsdale, NY 10583",
            phone="+19145550121",
            esign_consent=True,
        ),
    )
    print(submission.pk)


def setup() -> None:
    from tenders.instructions.services import InstructionInput, SignatureInput
    from tenders.intake.services import instruction_submit

    offer, account = _account()
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
        by=account.firm.representatives.get().user,
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
    elif argv[0] == "setup-online":
        setup_online()
    elif argv[0] == "slow-worker":
        slow_worker(argv[1], argv[2:])
    else:
        raise SystemExit(f"unknown scene command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
