"""Background work for documents (django-tasks; `manage.py office_worker` runs it).

The task calls one service. Other concerns queue it with `enqueue_issue`, which waits for their
transaction to commit, so a worker never looks for rows a rolled-back transaction did not write.
"""

from django.db import transaction
from django_tasks import task

from tenders.documents import services
from tenders.documents.keys import DocumentKey


@task()
def issue_document(key: str) -> str:
    """Render, store and e-mail the document of one occasion (idempotent per key)."""
    return services.document_issue(key=key).number


def enqueue_issue(
    *,
    key: str | DocumentKey | None = None,
    instruction_id: int | None = None,
    kind: str | None = None,
) -> None:
    """Issue the document of `key` (or of an instruction's receipt, withdrawal receipt or
    confirmation) once the caller's transaction commits."""
    if key is None:
        if instruction_id is None or kind is None:
            raise TypeError("give the document's key, or its instruction and kind")
        key = DocumentKey.for_instruction(kind, instruction_id)
    text = str(key)
    transaction.on_commit(lambda: issue_document.enqueue(text))
