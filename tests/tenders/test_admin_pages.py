"""Every page and action the admin exposes, as operations staff see it: each answers (no server
error), and nothing can be deleted."""

from typing import Any

import pytest
from django.contrib import admin
from django.db.models import Model
from django.urls import reverse

from tenders.intake.services import instruction_submit
from tenders.models import ClientAccount
from tests import factories
from tests.tenders.conftest import make_input

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def scene(account: ClientAccount, offer: Any, rep: Any) -> None:
    """One row of everything: an instruction taken through the service (signers, transitions,
    history), its document, an e-mail, a bulk run, a TIN reveal, a file sent to the agent and
    an agent's report."""
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    document = factories.DocumentFactory(instruction=instruction)
    from tenders.models import BulkRun, BulkRunItem, OutboxMessage, TinReveal

    OutboxMessage.objects.create(
        key=document.key, document=document, account=account, offer=offer, to="c@example.com",
        subject="s", body="", queued_at=document.generated_at,
    )  # fmt: skip
    run = BulkRun.objects.create(offer=offer, created_by=rep, created_at=document.generated_at)
    BulkRunItem.objects.create(
        run=run, account=account, instruction=instruction, key=f"confirmation:i{instruction.pk}"
    )
    TinReveal.objects.create(
        account=account, by=rep, reason="asked", business_at=document.generated_at,
        wall_at=document.generated_at,
    )  # fmt: skip
    from tenders.models import AgentSubmission

    AgentSubmission.objects.create(
        offer=offer, firm=account.firm, participant=account.firm.dtc_participant_number,
        format="csv", event_id="NONREF", content=b"message\r\n", sha256="0" * 64, size=9,
        created_by=rep, business_at=document.generated_at, wall_at=document.generated_at,
    ).items.create(
        sequence=1, instruction=instruction, kind="instruct", reference="I1V1", choice="ALL",
        face_amount=125000, status="submitted",
    )  # fmt: skip
    # What the agent answered: a file with a status advice, and a movement with one leg.
    from tenders.models import AgentMovement, AgentReply, AgentReplyFile

    reply_file = AgentReplyFile.objects.create(
        offer=offer, filename="status.fin", format="mt", content=b"{4:\r\n-}", sha256="1" * 64,
        size=8, matched=1, imported_by=rep, business_at=document.generated_at,
        wall_at=document.generated_at,
    )  # fmt: skip
    reply = AgentReply.objects.create(
        file=reply_file, item=AgentSubmission.objects.get().items.get(), instruction=instruction,
        kind="movement", message_type="MT566", reference="I1V1", status="accepted",
        business_at=document.generated_at, wall_at=document.generated_at,
    )  # fmt: skip
    AgentMovement.objects.create(
        reply=reply, asset="new_notes", credit=True, amount=125000,
        posted_on=document.generated_at.date(),
    )  # fmt: skip
    from notes.models import AgentReport

    AgentReport.objects.create(
        offer=offer, as_of=document.generated_at.date(), tendered_principal=125000,
        source="Agent's report, by fax", entered_by=rep, business_at=document.generated_at,
        wall_at=document.generated_at,
    )  # fmt: skip
    from tenders.models import LetterDispatch, Reminder

    message = OutboxMessage.objects.get()
    LetterDispatch.objects.create(
        key=document.key, document=document, account=account, offer=offer, channel="email",
        run=run,
        message=message, business_at=document.generated_at, wall_at=document.generated_at,
    )  # fmt: skip
    Reminder.objects.create(
        offer=offer, account=account, business_day=document.generated_at.date(),
        business_at=document.generated_at, wall_at=document.generated_at,
        firm_cutoff=document.generated_at, letter=document, message=message,
    )  # fmt: skip
    # Four eyes: an instruction held for a supervisor, and a proposal about the offer.
    from decimal import Decimal

    from tenders.approvals.models import ProposalKind
    from tenders.offers.decisions import offer_decision_propose

    held_account = factories.ClientAccountFactory(firm=account.firm, owners=["Held Owner"])
    factories.PositionFactory(
        account=held_account, security=offer.old_security, principal=Decimal("2000000")
    )
    account.firm.second_approval_threshold = Decimal("1000000")
    account.firm.save()
    instruction_submit(
        account=held_account, offer=offer, data=make_input(held_account, tin="123-45-6789"),
        by=rep,
    )  # fmt: skip
    # A client's link, a wrong answer to its identity check and what she submitted online.
    from tenders.online.services import (
        OnlineInput,
        client_identity_check,
        client_link_issue,
        client_submission_create,
    )

    link = client_link_issue(offer=offer, account=account)
    client_identity_check(link=link, tin_last4="0000", postal_code="00000")
    client_submission_create(
        link=link,
        data=OnlineInput(
            kind="withdrawal", choice="", amount=None,
            names={o.pk: o.name for o in account.owners.all()}, address="", phone="",
            esign_consent=True,
        ),
    )  # fmt: skip
    offer_decision_propose(
        kind=ProposalKind.TERMINATE, offer=offer, params={"reason": "Financing failed"},
        by=factories.OperationsUserFactory(username="ops-proposer"),
    )  # fmt: skip
    # The books: an entry with its legs.
    from tenders.ledger import services as ledger

    cash = ledger.offer_assets_get_or_create(offer=offer).cash
    ledger.entries_post(
        entries=[ledger.EntryInput(
            occasion=f"fee:i{instruction.pk}:1", kind=ledger.EntryKind.FEE,
            posted_on=document.generated_at.date(), description="Participation fee",
            legs=[
                ledger.LegInput(account=ledger.client_ledger_account_get_or_create(
                    account=account), asset=cash, amount=Decimal("1250.00")),
                ledger.LegInput(account=ledger.agent_ledger_account_get_or_create(
                    offer=offer), asset=cash, amount=Decimal("-1250.00")),
            ],
        )],
        by=rep,
    )  # fmt: skip
    # A payment run (its services need a consummated offer: the row alone is enough here).
    from datetime import date

    from exchange_office.stamps import stamped
    from tenders.payments.models import PaymentRun

    PaymentRun.objects.create(
        offer=offer, payment_date=date(2001, 12, 31), record_date=date(2001, 12, 28),
        what="fee installment 3, coupon", status="paid", clients=1, entries=2,
        fees_total=Decimal("1250.00"), coupons_total=Decimal("0"), redemption_total=Decimal("0"),
        total=Decimal("1250.00"), started_by=rep, **stamped(),
    )  # fmt: skip


def _admin_url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def ops_client(client: Any, ops: Any, scene: None) -> Any:
    client.force_login(ops)
    return client


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=lambda v: str(v))
def test_every_admin_page_answers(ops_client, model, model_admin) -> None:
    if not model_admin.has_view_permission(_request(ops_client)):
        # Not operations' business (groups, the task queue's rows): closed to them.
        assert ops_client.get(_admin_url(model, "changelist")).status_code == 403
        return
    assert ops_client.get(_admin_url(model, "changelist")).status_code == 200
    assert ops_client.get(_admin_url(model, "add")).status_code in (200, 403)
    row = model._default_manager.first()
    assert row is not None, f"the scene has no {model._meta.label}"
    assert ops_client.get(_admin_url(model, "change", row.pk)).status_code == 200
    assert ops_client.get(_admin_url(model, "history", row.pk)).status_code == 200
    assert ops_client.get(_admin_url(model, "delete", row.pk)).status_code == 403


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=lambda v: str(v))
def test_every_admin_action_answers_without_a_server_error(ops_client, model, model_admin) -> None:
    request = _request(ops_client)
    actions = [name for name in model_admin.get_actions(request) if name != "delete_selected"]
    row = model._default_manager.first()
    for action in actions:
        response = ops_client.post(
            _admin_url(model, "changelist"), {"action": action, "_selected_action": [row.pk]}
        )
        assert response.status_code in (200, 302), action
    assert "delete_selected" not in model_admin.get_actions(request)


def _request(client: Any) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = factories.get_user_model().objects.get(pk=client.session["_auth_user_id"])
    return request
