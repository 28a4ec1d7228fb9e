"""Who may do what on the broker's side: every answer comes from a concern's permissions
module, and the services ask it before they write."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tenders.accounts import permissions
from tenders.accounts.roles import operations_role_revoke
from tenders.bulk_runs.actions import bulk_run_resume
from tenders.documents.services import document_regenerate
from tenders.domain.rules import Actor
from tenders.instructions import permissions as instruction_permissions
from tenders.models import BulkRun, ClientAccount, OutboxMessage, OutboxStatus
from tenders.offers.consummation import confirmations_issue
from tenders.outbox.actions import outbox_message_resend
from tenders.submissions.permissions import may_submit_to_agent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_firm_account() -> ClientAccount:
    return factories.ClientAccountFactory(account_number="MS-200001")


def test_a_representative_may_act_on_the_firms_accounts_only(
    rep, account, other_firm_account
) -> None:
    assert instruction_permissions.may_act_on_account(user=rep, account=account)
    assert not instruction_permissions.may_act_on_account(user=rep, account=other_firm_account)


def test_operations_may_act_on_every_firms_accounts(ops, account, other_firm_account) -> None:
    assert instruction_permissions.may_act_on_account(user=ops, account=account)
    assert instruction_permissions.may_act_on_account(user=ops, account=other_firm_account)


def test_staff_without_the_operations_role_may_not_act(account) -> None:
    staff = factories.StaffUserFactory()
    assert not instruction_permissions.may_act_on_account(user=staff, account=account)
    assert not permissions.sees_all_firms(user=staff)


def test_an_inactive_operator_may_not_act(ops, account) -> None:
    ops.is_active = False
    assert not instruction_permissions.may_act_on_account(user=ops, account=account)
    assert not may_submit_to_agent(user=ops)


def test_only_operations_act_after_the_cutoff(rep, ops) -> None:
    assert instruction_permissions.actor_for(user=rep) is Actor.REPRESENTATIVE
    assert instruction_permissions.actor_for(user=ops) is Actor.OPERATIONS


def test_accounts_are_scoped_to_the_firm_or_to_every_firm_for_operations(
    rep, ops, account, other_firm_account
) -> None:
    every = ClientAccount.objects.all()
    assert list(permissions.visible_accounts(user=rep, accounts=every)) == [account]
    assert set(permissions.visible_accounts(user=ops, accounts=every)) == {
        account,
        other_firm_account,
    }
    stranger = factories.UserFactory()
    assert not permissions.visible_accounts(user=stranger, accounts=every).exists()


def test_revealing_a_tin_needs_its_own_permission(rep) -> None:
    operator = factories.OperationsUserFactory()
    assert not permissions.may_reveal_tin(user=operator)
    assert not permissions.may_reveal_tin(user=rep)
    assert permissions.may_reveal_tin(user=factories.OperationsUserFactory(reveal_tin=True))


def test_a_representative_may_not_regenerate_a_document(rep) -> None:
    document = factories.DocumentFactory()
    with pytest.raises(PermissionDenied, match="You may not issue documents"):
        document_regenerate(document=document, by=rep)


def test_a_representative_may_not_resend_an_email(rep) -> None:
    message = OutboxMessage(status=OutboxStatus.FAILED)
    with pytest.raises(PermissionDenied, match="You may not resend e-mails"):
        outbox_message_resend(message=message, by=rep)


def test_a_message_still_queued_is_not_resent(ops) -> None:
    document = factories.DocumentFactory()
    message = OutboxMessage.objects.create(
        key=document.key, document=document, account=document.account, offer=document.offer,
        to="c@example.com", subject="s", body="", queued_at=document.generated_at,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="is still queued: it will be sent"):
        outbox_message_resend(message=message, by=ops)
    assert OutboxMessage.objects.count() == 1


def test_a_representative_may_not_resume_a_bulk_run(rep) -> None:
    with pytest.raises(PermissionDenied, match="You may not resume bulk runs"):
        bulk_run_resume(run=BulkRun(), by=rep)


def test_confirmations_are_issued_only_for_a_consummated_offer(ops, offer) -> None:
    with pytest.raises(ValidationError, match="is not consummated: there is nothing to confirm"):
        confirmations_issue(offer=offer, by=ops)
    assert not BulkRun.objects.exists()


def test_revoking_a_superuser_leaves_them_staff() -> None:
    boss = factories.UserFactory(is_staff=True, is_superuser=True)
    operations_role_revoke(user=boss)
    boss.refresh_from_db()
    assert boss.is_staff
