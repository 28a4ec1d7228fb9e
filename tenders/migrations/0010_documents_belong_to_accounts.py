"""Documents, their snapshots, outbox messages and bulk run items belong to a client account
(and an offer), not necessarily to an instruction: a payment notice concerns the account
alone, an extension notice is an e-mail without a document. Step 1 of 3: the new columns,
nullable; 0011 fills them from the instructions; 0012 makes them required and puts the
uniqueness on the occasion's key. (Three migrations: on PostgreSQL, rows updated in a
transaction cannot have their table altered in it.) Also the admin's report of the holders who
do not tender (a proxy of the offer)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notes', '0003_offer_events_condition_waivers'),
        ('tenders', '0009_operations_record_agent_reports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='NonTenderReportOffer',
            fields=[
            ],
            options={
                'verbose_name': 'holders who do not tender',
                'verbose_name_plural': 'holders who do not tender',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('notes.exchangeoffer',),
        ),
        migrations.AlterModelOptions(
            name='document',
            options={'ordering': ['account_id', 'key', '-revision']},
        ),
        migrations.AlterModelOptions(
            name='documentsnapshot',
            options={'ordering': ['account_id', 'key']},
        ),
        migrations.RemoveConstraint(
            model_name='bulkrunitem',
            name='bulk_item_once',
        ),
        migrations.RemoveConstraint(
            model_name='document',
            name='document_revision_once',
        ),
        migrations.RemoveConstraint(
            model_name='documentsnapshot',
            name='document_snapshot_once',
        ),
        migrations.AddField(
            model_name='bulkrunitem',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.clientaccount'),
        ),
        migrations.AddField(
            model_name='bulkrunitem',
            name='key',
            field=models.CharField(default='', help_text="The document's key.", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='document',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='tenders.clientaccount'),
        ),
        migrations.AddField(
            model_name='document',
            name='key',
            field=models.CharField(default='', help_text='The occasion it was issued for (kind, instruction or account, event): one document, with its revisions, per key.', max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='document',
            name='offer',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='notes.exchangeoffer'),
        ),
        migrations.AddField(
            model_name='documentsnapshot',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.clientaccount'),
        ),
        migrations.AddField(
            model_name='documentsnapshot',
            name='key',
            field=models.CharField(default='', help_text='The occasion: its document has this key.', max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='documentsnapshot',
            name='offer',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer'),
        ),
        migrations.AddField(
            model_name='outboxmessage',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='outbox_messages', to='tenders.clientaccount'),
        ),
        migrations.AddField(
            model_name='outboxmessage',
            name='key',
            field=models.CharField(blank=True, help_text="A notice sent as an e-mail alone: its occasion (one message per account and occasion). Blank for a document's e-mail and for a copy sent again.", max_length=100),
        ),
        migrations.AddField(
            model_name='outboxmessage',
            name='offer',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer'),
        ),
        migrations.AlterField(
            model_name='bulkrun',
            name='kind',
            field=models.CharField(choices=[('receipt', 'Instruction receipt'), ('withdrawal', 'Withdrawal receipt'), ('confirmation', 'Exchange confirmation'), ('amended_receipt', 'Receipt under amended terms'), ('termination', 'Termination notice'), ('payment', 'Payment notice')], default='confirmation', max_length=20),
        ),
        migrations.AlterField(
            model_name='bulkrunitem',
            name='instruction',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.instruction'),
        ),
        migrations.AlterField(
            model_name='document',
            name='instruction',
            field=models.ForeignKey(blank=True, help_text='Blank for a document about the account alone (a payment notice).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='tenders.instruction'),
        ),
        migrations.AlterField(
            model_name='document',
            name='kind',
            field=models.CharField(choices=[('receipt', 'Instruction receipt'), ('withdrawal', 'Withdrawal receipt'), ('confirmation', 'Exchange confirmation'), ('amended_receipt', 'Receipt under amended terms'), ('termination', 'Termination notice'), ('payment', 'Payment notice')], max_length=20),
        ),
        migrations.AlterField(
            model_name='document',
            name='number',
            field=models.CharField(max_length=80, unique=True, verbose_name='document id'),
        ),
        migrations.AlterField(
            model_name='documentsnapshot',
            name='instruction',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='tenders.instruction'),
        ),
        migrations.AlterField(
            model_name='documentsnapshot',
            name='kind',
            field=models.CharField(choices=[('receipt', 'Instruction receipt'), ('withdrawal', 'Withdrawal receipt'), ('confirmation', 'Exchange confirmation'), ('amended_receipt', 'Receipt under amended terms'), ('termination', 'Termination notice'), ('payment', 'Payment notice')], max_length=20),
        ),
        migrations.AlterField(
            model_name='outboxmessage',
            name='document',
            field=models.ForeignKey(blank=True, help_text='Blank for a notice sent as an e-mail alone.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='tenders.document'),
        ),
        migrations.AddIndex(
            model_name='documentsnapshot',
            index=models.Index(fields=['taken_wall_at'], name='document_snapshot_taken'),
        ),
        migrations.AddConstraint(
            model_name='outboxmessage',
            constraint=models.UniqueConstraint(condition=models.Q(('key', ''), _negated=True), fields=('key',), name='outbox_notice_once'),
        ),
    ]
