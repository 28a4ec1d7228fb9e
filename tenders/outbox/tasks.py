"""Background work for the outbox: send one message (the task calls one service)."""

from django.db import transaction
from django_tasks import task

from tenders.outbox import services


@task()
def send_outbox_message(message_id: int) -> str:
    return services.outbox_send(message_id=message_id).status


def enqueue_send(*, message_id: int) -> None:
    """Send the message once the caller's transaction commits."""
    transaction.on_commit(lambda: send_outbox_message.enqueue(message_id))
