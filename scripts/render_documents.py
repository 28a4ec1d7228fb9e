"""Render one PDF of each kind of client document, and a PNG of each page, to look at them.

    .venv/bin/python scripts/render_documents.py --out /tmp/documents

It loads the consummation demo in a temporary SQLite database (every large holder has
tendered), withdraws an instruction on a faxed notice and tenders it again, then renders through
the office's own rendering code: an instruction receipt, a withdrawal receipt, a receipt under
amended terms and a termination notice (each from a change rolled back afterwards), and, after
the consummation on Sep 5, 2001, an exchange confirmation and a payment notice (a holder who
did not tender). The client letter has its own command, `manage.py client_letter`. With
pdftoppm installed (Debian's poppler-utils) each page is also written as a PNG at 60 dpi.
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the PDFs and PNGs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    var = Path(tempfile.mkdtemp(prefix="render-documents-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="exchange_office.settings",
        DEBUG="true",
        ENV_FILE=os.devnull,
        EXCHANGE_OFFICE_VAR_DIR=str(var),
        EXCHANGE_OFFICE_NOW="2001-08-20T10:00:00-04:00",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    os.environ.pop("DATABASE_URL", None)
    try:
        import django

        django.setup()
        from datetime import date, datetime
        from zoneinfo import ZoneInfo

        from django.contrib.auth.models import User
        from django.core.management import call_command

        from exchange_office import clock
        from tenders.documents import rendering
        from tenders.documents.models import DocumentKind, DocumentSnapshot
        from tenders.documents.services import document_issue
        from tenders.models import ClientAccount, Instruction

        call_command("migrate", verbosity=0)
        call_command("load_demo", scenario="consummation", stdout=open(os.devnull, "w"))  # noqa: SIM115
        ops = User.objects.get(username="ops")
        new_york = ZoneInfo("America/New_York")
        written: list[Path] = []

        def keep(name: str, content: bytes) -> None:
            path = args.out / f"{name}.pdf"
            path.write_bytes(content)
            written.append(path)

        receipt = Instruction.objects.filter(status="received").order_by("pk").first()
        assert receipt is not None
        snapshot = DocumentSnapshot.objects.get(instruction=receipt, kind=DocumentKind.RECEIPT)
        keep("receipt", rendering.render_snapshot(snapshot, document_number="R-SAMPLE-1").content)

        from tenders.instructions.services import SignatureInput, WithdrawalNoticeInput
        from tenders.intake.services import instruction_withdraw

        with clock.frozen_at(datetime(2001, 8, 31, 11, 0, tzinfo=new_york)):
            withdrawn = instruction_withdraw(
                instruction=receipt,
                expected_version=receipt.version,
                by=ops,
                notice=WithdrawalNoticeInput(
                    method="fax",
                    received_on=date(2001, 8, 30),
                    signatures=tuple(
                        SignatureInput(o.pk, o.name, True) for o in receipt.account.owners.all()
                    ),
                    attested=True,
                ),
            )
        snapshot = DocumentSnapshot.objects.get(
            instruction=withdrawn, kind=DocumentKind.WITHDRAWAL_RECEIPT
        )
        keep(
            "withdrawal_receipt",
            rendering.render_snapshot(snapshot, document_number="W-SAMPLE-1").content,
        )

        # The client tenders all again, so the minimum condition is still met on Sep 5.
        from tenders.instructions.services import InstructionInput
        from tenders.intake.services import instruction_submit as submit

        with clock.frozen_at(datetime(2001, 8, 31, 12, 0, tzinfo=new_york)):
            submit(
                account=withdrawn.account,
                offer=withdrawn.offer,
                by=ops,
                data=InstructionInput(
                    choice="ALL",
                    amount=None,
                    form_date=date(2001, 8, 31),
                    address=withdrawn.signed_address,
                    phone=str(withdrawn.signed_phone),
                    tin_type=withdrawn.tin_type,
                    tin="",
                    signatures=tuple(
                        SignatureInput(s.owner_id, s.typed_name, True)
                        for s in withdrawn.signers.all()
                    ),
                ),
            )

        from decimal import Decimal

        from django.contrib.auth import get_user_model
        from django.db import transaction

        from notes.models import ExchangeOffer
        from tenders.approvals.models import ProposalKind
        from tenders.offers.decisions import offer_decision_agreed

        # Each decision proposed by ops and approved by ops2 (four eyes), as in the office.
        ops2 = get_user_model().objects.get(username="ops2")

        offer = ExchangeOffer.objects.get(slug="lexington-2001")

        def first_snapshot(kind: str) -> DocumentSnapshot:
            found = DocumentSnapshot.objects.filter(kind=kind).order_by("pk").first()
            assert found is not None, f"no {kind} snapshot"
            return found

        # A change of terms, then a termination, each rolled back: the offer goes on as it was.
        with transaction.atomic(), clock.frozen_at(datetime(2001, 8, 31, 9, 0, tzinfo=new_york)):
            offer_decision_agreed(
                kind=ProposalKind.AMEND_TERMS,
                offer=offer,
                params={
                    "changes": {"participation_fee_per_unit": Decimal("35")},
                    "reason": "Sample: the fee raised to $35 per $1,000",
                    "extend_to": datetime(2001, 9, 17, 23, 59, 59, tzinfo=new_york),
                    "announcement": "Lexington Precision extends its exchange offer to "
                    "September 17.",
                },
                by=ops,
                approved_by=ops2,
            )
            amended = first_snapshot(DocumentKind.AMENDED_TERMS_RECEIPT)
            keep(
                "amended_terms_receipt",
                rendering.render_snapshot(amended, document_number="A-SAMPLE-1").content,
            )
            transaction.set_rollback(True)
        with transaction.atomic(), clock.frozen_at(datetime(2001, 8, 31, 9, 0, tzinfo=new_york)):
            offer_decision_agreed(
                kind=ProposalKind.TERMINATE,
                offer=offer,
                params={"reason": "Sample: the financing fell through"},
                by=ops,
                approved_by=ops2,
            )
            terminated = first_snapshot(DocumentKind.TERMINATION_NOTICE)
            keep(
                "termination_notice",
                rendering.render_snapshot(terminated, document_number="T-SAMPLE-1").content,
            )
            transaction.set_rollback(True)
        offer.refresh_from_db()
        with clock.frozen_at(datetime(2001, 9, 5, 10, 0, tzinfo=new_york)):
            offer_decision_agreed(
                kind=ProposalKind.CONSUMMATE,
                offer=offer,
                params={"on": date(2001, 9, 5)},
                by=ops,
                approved_by=ops2,
            )
            accepted = Instruction.objects.filter(status="accepted").order_by("-pk").first()
            assert accepted is not None
            keep(
                "confirmation",
                rendering.render_confirmation(
                    accepted,
                    document_number="C-SAMPLE-1",
                    generated_at=clock.now(),
                    generated_wall_at=clock.wall_now(),
                ).content,
            )
            notice = DocumentSnapshot.objects.filter(kind=DocumentKind.PAYMENT_NOTICE).first()
            if notice is not None:
                keep(
                    "payment_notice",
                    rendering.render_snapshot(notice, document_number="P-SAMPLE-1").content,
                )
        del document_issue, ClientAccount
        if shutil.which("pdftoppm"):
            for path in written:
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "60", str(path), str(path.with_suffix(""))],
                    check=True,
                )
        for path in sorted(args.out.iterdir()):
            print(path)
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
