"""Background work (django-tasks; the database backend's `manage.py db_worker` runs it).

Tasks stay thin: they call one service. They are queued with `transaction.on_commit`, so a
worker never looks for rows that a rolled-back transaction did not write.
"""

from django_tasks import task

from tenders import documents


@task()
def issue_document(instruction_id: int, kind: str) -> str:
    """Render, store and e-mail a receipt or confirmation (idempotent per instruction+kind)."""
    return documents.document_issue(instruction_id=instruction_id, kind=kind).number


@task()
def send_outbox_message(message_id: int) -> str:
    return documents.outbox_send(message_id=message_id).status


@task()
def drain_bulk_run(run_id: int) -> int:
    return documents.bulk_run_drain(run_id=run_id)
