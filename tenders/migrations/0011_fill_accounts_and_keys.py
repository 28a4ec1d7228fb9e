"""Step 2 of 3 (see 0010): every existing document, snapshot, outbox message and bulk run item
takes its account and offer from its instruction (a message from its document's), and its key
from its kind and instruction: `receipt:i42`, as `tenders.documents.keys` writes it. Set-based
updates, a handful of queries whatever the number of rows."""

from django.db import migrations
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat


def _key(kind_path):
    return Concat(F(kind_path), Value(":i"), Cast("instruction_id", CharField()))


def fill(apps, schema_editor):
    Instruction = apps.get_model("tenders", "Instruction")
    Document = apps.get_model("tenders", "Document")
    DocumentSnapshot = apps.get_model("tenders", "DocumentSnapshot")
    OutboxMessage = apps.get_model("tenders", "OutboxMessage")
    BulkRunItem = apps.get_model("tenders", "BulkRunItem")
    BulkRun = apps.get_model("tenders", "BulkRun")

    def of_instruction(field):
        return Subquery(Instruction.objects.filter(pk=OuterRef("instruction_id")).values(field)[:1])

    for model in (Document, DocumentSnapshot):
        model.objects.update(
            account_id=of_instruction("account_id"),
            offer_id=of_instruction("offer_id"),
            key=_key("kind"),
        )
    documents = Document.objects.filter(pk=OuterRef("document_id"))
    OutboxMessage.objects.update(
        account_id=Subquery(documents.values("account_id")[:1]),
        offer_id=Subquery(documents.values("offer_id")[:1]),
    )
    BulkRunItem.objects.update(
        account_id=of_instruction("account_id"),
        key=Concat(
            Subquery(BulkRun.objects.filter(pk=OuterRef("run_id")).values("kind")[:1]),
            Value(":i"),
            Cast("instruction_id", CharField()),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("tenders", "0010_documents_belong_to_accounts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
