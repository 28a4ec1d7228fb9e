"""An e-mail of unknown outcome (its worker stopped mid-send) waits for a person in the admin:
"Mark as sent" records who said it reached the client; "Send again" queues a new message. A
task never decides it."""

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tenders.models import OutboxMessage, OutboxStatus
from tenders.outbox.actions import outbox_message_mark_sent, outbox_message_resend
from tenders.outbox.services import outbox_message_create
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:tenders_outboxmessage_changelist"


def message_in(status: str) -> OutboxMessage:
    message = outbox_message_create(
        document=factories.DocumentFactory(), to="client@example.com", subject="Receipt R-1",
        body="Attached.", by=None,
    )  # fmt: skip
    OutboxMessage.objects.filter(pk=message.pk).update(status=status, attempts=1)
    message.refresh_from_db()
    return message


@pytest.fixture
def unknown() -> OutboxMessage:
    return message_in(OutboxStatus.UNKNOWN)


def act(client: Any, user: Any, action: str, message: OutboxMessage) -> Any:
    client.force_login(user)
    return client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [message.pk]}, follow=True
    )


def test_operations_mark_a_message_of_unknown_outcome_as_sent_from_the_admin(
    client, ops, unknown
) -> None:
    page = act(client, ops, "mark_sent", unknown).content.decode()
    unknown.refresh_from_db()
    assert unknown.status == OutboxStatus.SENT
    assert unknown.marked_sent_by == ops
    assert unknown.marked_sent_at is not None
    assert "Marked as sent: Receipt R-1." in page
    assert mail.outbox == []
    assert OutboxMessage.objects.count() == 1


def test_operations_send_a_message_of_unknown_outcome_again_from_the_admin(
    client, ops, unknown, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        act(client, ops, "resend", unknown)
    again = OutboxMessage.objects.get(resend_of=unknown)
    assert (again.status, again.queued_by) == (OutboxStatus.SENT, ops)
    unknown.refresh_from_db()
    assert unknown.status == OutboxStatus.UNKNOWN  # the old one stays as it was
    assert len(mail.outbox) == 1


def test_the_outbox_warns_operations_of_messages_of_unknown_outcome(client, ops, unknown) -> None:
    client.force_login(ops)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "1 e-mail(s) of unknown outcome: their worker stopped mid-send." in page
    assert "Outcome unknown: the worker stopped mid-send" in page


@pytest.mark.parametrize("status", [OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SENDING])
def test_only_a_message_of_unknown_outcome_can_be_marked_as_sent(ops, status) -> None:
    message = message_in(status)
    with pytest.raises(ValidationError, match="only a message whose outcome is unknown"):
        outbox_message_mark_sent(message=message, by=ops)
    assert OutboxMessage.objects.get().marked_sent_by is None


def test_a_representative_may_not_mark_an_email_as_sent(rep, unknown) -> None:
    with pytest.raises(PermissionDenied, match="You may not mark e-mails as sent"):
        outbox_message_mark_sent(message=unknown, by=rep)


def test_a_message_being_sent_is_not_sent_again_by_hand(ops) -> None:
    message = message_in(OutboxStatus.SENDING)
    with pytest.raises(ValidationError, match="is being sent right now"):
        outbox_message_resend(message=message, by=ops)
    assert OutboxMessage.objects.count() == 1
