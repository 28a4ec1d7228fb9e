"""Step 3 of 3 (see 0010): every row now has its account, offer and key. They are required, and
uniqueness rests on the occasion's key: one snapshot per key, one document revision per key,
one bulk run item per key in a run."""

import django.db.models.deletion
from django.db import migrations, models


def _fk(to, related_name):
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name=related_name, to=to)


class Migration(migrations.Migration):

    dependencies = [
        ('tenders', '0011_fill_accounts_and_keys'),
    ]

    operations = [
        migrations.AlterField(model_name='bulkrunitem', name='account', field=_fk('tenders.clientaccount', '+')),
        migrations.AlterField(model_name='document', name='account', field=_fk('tenders.clientaccount', 'documents')),
        migrations.AlterField(model_name='document', name='offer', field=_fk('notes.exchangeoffer', 'documents')),
        migrations.AlterField(model_name='documentsnapshot', name='account', field=_fk('tenders.clientaccount', '+')),
        migrations.AlterField(model_name='documentsnapshot', name='offer', field=_fk('notes.exchangeoffer', '+')),
        migrations.AlterField(model_name='outboxmessage', name='account', field=_fk('tenders.clientaccount', 'outbox_messages')),
        migrations.AlterField(model_name='outboxmessage', name='offer', field=_fk('notes.exchangeoffer', '+')),
        migrations.AlterField(
            model_name='documentsnapshot',
            name='key',
            field=models.CharField(help_text='The occasion: its document has this key.', max_length=100, unique=True),
        ),
        migrations.AddConstraint(
            model_name='bulkrunitem',
            constraint=models.UniqueConstraint(fields=('run', 'key'), name='bulk_item_once'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(fields=('key', 'revision'), name='document_key_revision_once'),
        ),
    ]
