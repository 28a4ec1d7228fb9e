"""Exactly once per client and occasion: every e-mail to a client, every client letter sent and
every bulk run item that sends something once carry the occasion's key, and the database holds
one of each per key (a person's resend of an e-mail keeps the key and names what it resends).

The rows recorded before take their keys from what they were sent for: a document's e-mail its
document's key, a reminder's e-mail `reminder:o3:a17:d2001-08-20`, a resend the key of the
message it resends, a letter sent (and its run's item) the letter's key. An e-mail whose
occasion was not recorded (a client's submission turned down) is keyed by its own row. Where
runs racing one another left duplicates (four copies of a letter), the first keeps the key and
each later copy, kept as it was, is told apart by its row (`client_letter:o3:a17:e0:dup58`),
so the constraints hold from here on without losing what happened. Rows are read once, in
order, and updated in batches."""

from django.db import migrations, models

BATCH = 1000
ONCE_KINDS = ("client_letter", "payment")  # the runs whose items send something once


def _distinct(key, pk, seen):
    """The key itself the first time it is seen, then the copy's own (key and row)."""
    if key in seen:
        return f"{key}:dup{pk}"
    seen.add(key)
    return key


def _save(model, field, changed):
    rows = [model(pk=pk, **{field: value}) for pk, value in changed.items()]
    model.objects.bulk_update(rows, [field], batch_size=BATCH)


def key_rows(apps, schema_editor):
    OutboxMessage = apps.get_model("tenders", "OutboxMessage")
    Reminder = apps.get_model("tenders", "Reminder")
    LetterDispatch = apps.get_model("tenders", "LetterDispatch")
    BulkRunItem = apps.get_model("tenders", "BulkRunItem")

    reminders = {
        message_id: f"reminder:o{offer_id}:a{account_id}:d{day.isoformat()}"
        for message_id, offer_id, account_id, day in Reminder.objects.values_list(
            "message_id", "offer_id", "account_id", "business_day"
        )
    }
    keys, seen, changed = {}, set(), {}
    rows = OutboxMessage.objects.order_by("pk").values_list(
        "pk", "key", "document__key", "resend_of_id"
    )
    for pk, key, document_key, resend_of_id in rows.iterator(chunk_size=BATCH):
        if resend_of_id is not None:  # a person's resend: the occasion it repeats
            new = keys[resend_of_id]
        else:
            new = _distinct(
                key or document_key or reminders.get(pk) or f"message:m{pk}", pk, seen
            )
        keys[pk] = new
        if new != key:
            changed[pk] = new
    _save(OutboxMessage, "key", changed)

    seen, changed = set(), {}
    rows = LetterDispatch.objects.order_by("pk").values_list("pk", "document__key")
    for pk, document_key in rows.iterator(chunk_size=BATCH):
        changed[pk] = _distinct(document_key, pk, seen)
    _save(LetterDispatch, "key", changed)

    seen, changed = set(), {}
    rows = (
        BulkRunItem.objects.filter(run__kind__in=ONCE_KINDS)
        .order_by("pk")
        .values_list("pk", "key")
    )
    for pk, key in rows.iterator(chunk_size=BATCH):
        changed[pk] = _distinct(key, pk, seen)
    _save(BulkRunItem, "occasion", changed)


def unkey_rows(apps, schema_editor):
    """Back to before: only an extension notice's e-mail had a key, and its resends none."""
    OutboxMessage = apps.get_model("tenders", "OutboxMessage")
    OutboxMessage.objects.exclude(key__startswith="extension:", resend_of__isnull=True).update(
        key=""
    )


class Migration(migrations.Migration):

    dependencies = [
        ("tenders", "0034_missed_submissions"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="outboxmessage",
            name="outbox_notice_once",
        ),
        migrations.AddField(
            model_name="bulkrunitem",
            name="occasion",
            field=models.CharField(
                blank=True,
                help_text="What the item sends once, across runs (a client letter's or payment "
                "notice's key): a run started again, or racing this one, leaves it out. Blank "
                "where a run may issue again what is issued once anyway (confirmations).",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="letterdispatch",
            name="key",
            field=models.CharField(
                default="",
                help_text="The occasion: the letter's key (client_letter:o3:a17:e7). One sending "
                "per key; a new letter after an extension or a change of terms is a new occasion.",
                max_length=100,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="key",
            field=models.CharField(
                help_text="The occasion it is sent for (a document's key, or a notice's such as "
                "extension:e7:a17, reminder:o3:a17:d2001-08-20): one message per occasion; a copy "
                "sent again by a person keeps the key and names the message it resends.",
                max_length=100,
            ),
        ),
        migrations.RunPython(key_rows, unkey_rows),
        migrations.AddConstraint(
            model_name="bulkrunitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("occasion", ""), _negated=True),
                fields=("occasion",),
                name="bulk_item_once_per_occasion",
            ),
        ),
        migrations.AddConstraint(
            model_name="letterdispatch",
            constraint=models.UniqueConstraint(fields=("key",), name="letter_sent_once"),
        ),
        migrations.AddConstraint(
            model_name="outboxmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(("key", ""), _negated=True), name="outbox_message_has_occasion"
            ),
        ),
        migrations.AddConstraint(
            model_name="outboxmessage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resend_of__isnull", True)),
                fields=("key",),
                name="outbox_once_per_occasion",
            ),
        ),
    ]
