"""Background work for documents (django-tasks; `manage.py office_worker` runs it).

The task calls one service. Other concerns queue it with `enqueue_issue`, which waits for their
transaction to commit, so a worker never looks for rows a rolled-back transaction did not write.
"""

from django.db import transaction
from django_tasks import task

from tenders.documents import services


@task()
def issue_document(instruction_id: int, kind: str) -> str:
    """Render, store and e-mail a receipt or confirmation (idempotent per instruction+kind)."""
    return services.document_issue(instruction_id=instruction_id, kind=kind).number


def enqueue_issue(*, instruction_id: int, kind: str) -> None:
    transaction.on_commit(lambda: issue_document.enqueue(instruction_id, kind))
