"""What operations staff decide about an e-mail of unknown outcome, or one that failed: each
checks the permission, calls one service and queues what it leaves to send (a service never
queues its own concern's task: the task module imports the services)."""

from django.contrib.auth.models import User
from django.db import transaction

from tenders.accounts import permissions
from tenders.outbox import services, tasks
from tenders.outbox.models import OutboxMessage
from tenders.outbox.permissions import may_mark_email_sent, may_resend_email


def outbox_message_mark_sent(*, message: OutboxMessage, by: User) -> OutboxMessage:
    """A person checked that a message of unknown outcome reached the client: it is recorded
    as sent, by whom and when, and never sent again."""
    permissions.require(may_mark_email_sent(user=by), "You may not mark e-mails as sent.")
    return services.outbox_message_record_sent(message=message, by=by)


@transaction.atomic
def outbox_message_resend(*, message: OutboxMessage, by: User) -> OutboxMessage:
    """A person decided to send a message again (after a failure, or an attempt of unknown
    outcome): a new message is queued; the old one stays as it was."""
    permissions.require(may_resend_email(user=by), "You may not resend e-mails.")
    again = services.outbox_message_copy(message=message, by=by)
    tasks.enqueue_send(message_id=again.pk)
    return again
