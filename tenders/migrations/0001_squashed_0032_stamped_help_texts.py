"""The broker's side as of 0032, in one migration: a new install runs this; an install that ran
0001 to 0032 has it recorded as applied (`replaces`), and those files stay until every install
has passed them.

Besides the tables, what the models do not say, as the history left it:
- the tabulation's data version (0021): its row, and the triggers that bump it on every write to
  a table the tabulation reads; a deferred constraint trigger per table on PostgreSQL, a
  trigger per table and kind of write on SQLite. They are created last, after every table
  (on SQLite a table rebuilt by a later step would lose its triggers);
- the trigram indexes of the account search on PostgreSQL (0023).
The groups' permissions are not here: `tenders.accounts.roles` declares them, and every
`migrate` makes the groups match (post_migrate).
`tests/test_migrations.py` checks that this and the history give the same schema.
"""


import datetime
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.math
import django.db.models.lookups
import django_countries.fields
import exchange_office.encryption
import localflavor.us.models
import phonenumber_field.modelfields
import simple_history.models
import tenders.domain.lifecycle
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


# The data version (from 0021): every table the tabulation reads.
VERSION = "tabulation"
TABLES = [
    "notes_issuer",
    "notes_security",
    "notes_ratestep",
    "notes_exchangeoffer",
    "notes_feeinstallment",
    "notes_offercondition",
    "notes_excludedjurisdiction",
    "notes_offerevent",
    "notes_agentreport",
    "tenders_brokerfirm",
    "tenders_clientaccount",
    "tenders_accountowner",
    "tenders_position",
    "tenders_instruction",
    "tenders_instructiontransition",
]
WRITES = ["INSERT", "UPDATE", "DELETE"]

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION tenders_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tenders.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE tenders_dataversion SET value = value + 1 WHERE name = TG_ARGV[0];
        PERFORM set_config('tenders.data_version_bumped', 'on', true);
    END IF;
    RETURN NULL;
END
$$;
"""


def _create_triggers(apps, schema_editor):
    apps.get_model("tenders", "DataVersion").objects.create(name=VERSION, value=0)
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(POSTGRESQL_FUNCTION)
        for table in TABLES:
            run(
                f"CREATE CONSTRAINT TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION tenders_bump_data_version('{VERSION}')"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for write in WRITES:
                run(
                    f"CREATE TRIGGER {table}_data_version_{write.lower()} AFTER {write} ON {table} "
                    f"BEGIN UPDATE tenders_dataversion SET value = value + 1 "
                    f"WHERE name = '{VERSION}'; END"
                )
    else:
        raise NotImplementedError(f"no data version triggers for {schema_editor.connection.vendor}")


def _drop_triggers(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            run(f"DROP TRIGGER IF EXISTS {table}_data_version ON {table}")
        run("DROP FUNCTION IF EXISTS tenders_bump_data_version()")
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for write in WRITES:
                run(f"DROP TRIGGER IF EXISTS {table}_data_version_{write.lower()}")


# The account search's trigram indexes on PostgreSQL (from 0023).
TRIGRAM_INDEXES = {
    "tenders_clientaccount_number_trgm": ("tenders_clientaccount", "account_number"),
    "tenders_accountowner_name_trgm": ("tenders_accountowner", "name"),
}


def _create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def _drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('tenders', '0001_initial'),
        ('tenders', '0002_accounts_tin_instructions_history'),
        ('tenders', '0003_documents_outbox_bulk_runs'),
        ('tenders', '0004_operations_role'),
        ('tenders', '0005_history_without_tins'),
        ('tenders', '0006_document_snapshots_worker_heartbeats'),
        ('tenders', '0007_operations_see_snapshots_workers_mark_sent'),
        ('tenders', '0008_operations_see_offer_events'),
        ('tenders', '0009_operations_record_agent_reports'),
        ('tenders', '0010_documents_belong_to_accounts'),
        ('tenders', '0011_fill_accounts_and_keys'),
        ('tenders', '0012_accounts_and_keys_required'),
        ('tenders', '0013_operations_see_nontender_report'),
        ('tenders', '0014_agent_submissions'),
        ('tenders', '0015_operations_see_agent_submissions'),
        ('tenders', '0016_signer_names_and_unticked_forms'),
        ('tenders', '0017_withdrawal_notices'),
        ('tenders', '0018_operations_see_withdrawal_notices'),
        ('tenders', '0019_client_letters_and_reminders'),
        ('tenders', '0020_operations_see_letters_and_reminders'),
        ('tenders', '0021_tabulation_data_version'),
        ('tenders', '0022_instruction_received_at_index'),
        ('tenders', '0023_search_trigram_indexes'),
        ('tenders', '0024_operations_see_data_version'),
        ('tenders', '0025_online_clients'),
        ('tenders', '0026_operations_see_online_submissions'),
        ('tenders', '0027_four_eyes'),
        ('tenders', '0028_operations_see_proposals'),
        ('tenders', '0029_online_audit_trail'),
        ('tenders', '0030_operations_see_online_history'),
        ('tenders', '0031_held_instruction_expiry_help'),
        ('tenders', '0032_stamped_help_texts'),
    ]

    dependencies = [
        ('notes', '0001_squashed_0005_offer_agent_event_id'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BrokerFirm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True)),
                ('dtc_participant_number', models.CharField(max_length=8, unique=True, validators=[django.core.validators.RegexValidator('^\\d{3,8}$', 'A DTC participant number is 3 to 8 digits.')], verbose_name='DTC participant number')),
                ('address', models.TextField(blank=True, help_text='For the letterhead.')),
                ('phone', phonenumber_field.modelfields.PhoneNumberField(blank=True, max_length=128, region=None)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('cutoff_banking_days_before', models.PositiveSmallIntegerField(default=1, help_text='Banking days before the expiration day on which the firm stops taking instructions (0 = the expiration day itself).')),
                ('cutoff_time', models.TimeField(default=datetime.time(17, 0), help_text='New York time on that day.')),
                ('second_approval_threshold', models.DecimalField(blank=True, decimal_places=2, help_text='Instructions a representative enters above this principal amount, and late instructions operations take for the firm, wait for a supervisor of the firm. Blank: no second approval.', max_digits=15, null=True, verbose_name='second approval above')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('name', models.CharField(max_length=40, primary_key=True, serialize=False)),
                ('value', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'data version',
            },
        ),
        migrations.CreateModel(
            name='WorkerHeartbeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('worker_id', models.CharField(max_length=64, unique=True)),
                ('hostname', models.CharField(max_length=255)),
                ('pid', models.PositiveIntegerField()),
                ('started_at', models.DateTimeField(help_text='Wall clock.')),
                ('beat_at', models.DateTimeField(help_text='Wall clock: the last heartbeat.')),
                ('stopped_at', models.DateTimeField(blank=True, help_text='Wall clock: set on a clean exit.', null=True)),
            ],
            options={
                'verbose_name': 'worker heartbeat',
                'ordering': ['-beat_at'],
            },
        ),
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
        migrations.CreateModel(
            name='AgentSubmission',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('participant', models.CharField(help_text='As written in the file.', max_length=8, verbose_name='DTC participant number')),
                ('format', models.CharField(choices=[('seev033', 'ISO 20022 seev.033 (XML)'), ('mt565', 'ISO 15022 MT565'), ('csv', 'CSV')], max_length=8)),
                ('holds_all', models.BooleanField(default=False, help_text='Sent again with every live instruction, not only what changed.', verbose_name='every live instruction')),
                ('event_id', models.CharField(help_text='As written in the file.', max_length=16, verbose_name='corporate action event ID')),
                ('content', models.BinaryField()),
                ('sha256', models.CharField(editable=False, max_length=64, verbose_name='SHA-256')),
                ('size', models.PositiveIntegerField(editable=False)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agent_submissions', to='notes.exchangeoffer')),
                ('firm', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agent_submissions', to='tenders.brokerfirm')),
            ],
            options={
                'verbose_name': 'submission to the agent',
                'verbose_name_plural': 'submissions to the agent',
                'ordering': ['-wall_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='BulkRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('receipt', 'Instruction receipt'), ('withdrawal', 'Withdrawal receipt'), ('confirmation', 'Exchange confirmation'), ('amended_receipt', 'Receipt under amended terms'), ('termination', 'Termination notice'), ('payment', 'Payment notice'), ('client_letter', 'Client letter'), ('online_submission', 'Online submission received')], default='confirmation', max_length=20)),
                ('status', models.CharField(choices=[('running', 'Running'), ('finished', 'Finished')], default='running', max_length=10)),
                ('delivery', models.CharField(blank=True, choices=[('email', 'By e-mail'), ('print', 'Printed for mailing')], help_text='Client letters: e-mailed (printed for clients without an address), or all printed for mailing.', max_length=10)),
                ('created_at', models.DateTimeField()),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bulk_runs', to='notes.exchangeoffer')),
            ],
            options={
                'verbose_name': 'bulk run',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='ClientAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('account_number', models.CharField(max_length=30)),
                ('address_line1', models.CharField(max_length=200, verbose_name='address')),
                ('address_line2', models.CharField(blank=True, max_length=200, verbose_name='address (line 2)')),
                ('city', models.CharField(max_length=100)),
                ('state', localflavor.us.models.USStateField(blank=True, help_text='Blank outside the US.', max_length=2, verbose_name='state of domicile')),
                ('postal_code', localflavor.us.models.USZipCodeField(blank=True, max_length=10, verbose_name='ZIP code')),
                ('country', django_countries.fields.CountryField(default='US', max_length=2)),
                ('phone', phonenumber_field.modelfields.PhoneNumberField(blank=True, max_length=128, region=None)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('tin_type', models.CharField(blank=True, choices=[('SSN', 'Social security number (person)'), ('ITIN', 'Individual taxpayer ID (person)'), ('EIN', 'Employer ID (entity)')], max_length=4, verbose_name='taxpayer ID type')),
                ('tin', exchange_office.encryption.EncryptedTextField(blank=True, verbose_name='taxpayer ID')),
                ('tin_last4', models.CharField(blank=True, editable=False, max_length=4)),
                ('tin_hash', models.CharField(blank=True, db_index=True, editable=False, max_length=64)),
                ('firm', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='accounts', to='tenders.brokerfirm')),
            ],
            options={
                'ordering': ['firm__name', 'account_number'],
                'permissions': [('reveal_tin', "Can reveal a client's full taxpayer ID (recorded)")],
            },
        ),
        migrations.CreateModel(
            name='AccountOwner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveSmallIntegerField(default=1)),
                ('name', models.CharField(max_length=200)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='owners', to='tenders.clientaccount')),
            ],
            options={
                'ordering': ['account', 'sequence'],
            },
        ),
        migrations.CreateModel(
            name='ClientLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.PositiveIntegerField(default=0, help_text='The extension or amendment the letter follows (0: the first).')),
                ('expires_at', models.DateTimeField(help_text="The firm's cutoff when it was issued.")),
                ('issued_at', models.DateTimeField(help_text='Business clock.')),
                ('issued_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('failed_checks', models.PositiveSmallIntegerField(default=0)),
                ('locked_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('unlocked_wall_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='links', to='tenders.clientaccount')),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer')),
                ('unlocked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'client link',
                'ordering': ['-issued_wall_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ClientSubmission',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('tender', 'Tender'), ('withdrawal', 'Withdrawal')], max_length=10)),
                ('choice', models.CharField(blank=True, choices=[('ALL', 'Tender all Old Notes held for my account'), ('AMOUNT', 'Tender only the aggregate principal amount indicated')], max_length=6)),
                ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                ('address', models.TextField(blank=True)),
                ('phone', phonenumber_field.modelfields.PhoneNumberField(blank=True, max_length=128, region=None)),
                ('esign_consent', models.BooleanField(help_text='ESIGN: the client consented, with the right to ask for paper.', verbose_name='consented to electronic records and signatures')),
                ('agreed_text', models.TextField(help_text='The exact text the client agreed to.')),
                ('submitted_at', models.DateTimeField(help_text='Business clock.')),
                ('submitted_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                ('user_agent', models.TextField(blank=True)),
                ('status', models.CharField(choices=[('awaiting', 'Awaiting review'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('replaced', 'Replaced by a later submission')], default='awaiting', max_length=10)),
                ('reviewed_at', models.DateTimeField(blank=True, help_text='Business clock.', null=True)),
                ('reviewed_wall_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('rejection_reason', models.TextField(blank=True)),
                ('submission_token', models.UUIDField(blank=True, editable=False, null=True, unique=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='online_submissions', to='tenders.clientaccount')),
                ('link', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='tenders.clientlink')),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'online submission',
                'ordering': ['submitted_wall_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ClientSubmissionSigner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('typed_name', models.CharField(max_length=200)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.accountowner')),
                ('submission', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='signers', to='tenders.clientsubmission')),
            ],
            options={
                'ordering': ['submission', 'owner__sequence'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalAccountOwner',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('sequence', models.PositiveSmallIntegerField(default=1)),
                ('name', models.CharField(max_length=200)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('account', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.clientaccount')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical account owner',
                'verbose_name_plural': 'historical account owners',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalClientAccount',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('account_number', models.CharField(max_length=30)),
                ('address_line1', models.CharField(max_length=200, verbose_name='address')),
                ('address_line2', models.CharField(blank=True, max_length=200, verbose_name='address (line 2)')),
                ('city', models.CharField(max_length=100)),
                ('state', localflavor.us.models.USStateField(blank=True, help_text='Blank outside the US.', max_length=2, verbose_name='state of domicile')),
                ('postal_code', localflavor.us.models.USZipCodeField(blank=True, max_length=10, verbose_name='ZIP code')),
                ('country', django_countries.fields.CountryField(default='US', max_length=2)),
                ('phone', phonenumber_field.modelfields.PhoneNumberField(blank=True, max_length=128, region=None)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('tin_type', models.CharField(blank=True, choices=[('SSN', 'Social security number (person)'), ('ITIN', 'Individual taxpayer ID (person)'), ('EIN', 'Employer ID (entity)')], max_length=4, verbose_name='taxpayer ID type')),
                ('tin_last4', models.CharField(blank=True, editable=False, max_length=4)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('firm', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.brokerfirm')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical client account',
                'verbose_name_plural': 'historical client accounts',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalClientLink',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('event_id', models.PositiveIntegerField(default=0, help_text='The extension or amendment the letter follows (0: the first).')),
                ('expires_at', models.DateTimeField(help_text="The firm's cutoff when it was issued.")),
                ('issued_at', models.DateTimeField(help_text='Business clock.')),
                ('issued_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('failed_checks', models.PositiveSmallIntegerField(default=0)),
                ('locked_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('unlocked_wall_at', models.DateTimeField(blank=True, null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('account', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.clientaccount')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.exchangeoffer')),
                ('unlocked_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical client link',
                'verbose_name_plural': 'historical client links',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalPosition',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('principal', models.DecimalField(decimal_places=2, max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('account', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.clientaccount')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('security', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.security')),
            ],
            options={
                'verbose_name': 'historical position',
                'verbose_name_plural': 'historical positions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalProposal',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('status', models.CharField(choices=[('awaiting', 'Awaiting approval'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('expired', 'Expired')], default='awaiting', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, help_text='Business clock.', null=True)),
                ('decided_wall_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('decision_note', models.TextField(blank=True)),
                ('kind', models.CharField(choices=[('extend', 'Extend the offer'), ('amend_terms', 'Amend the terms'), ('terminate', 'Terminate the offer'), ('consummate', 'Consummate the offer'), ('reveal_tin', 'Reveal a full taxpayer ID')], max_length=20)),
                ('params', models.JSONField(default=dict)),
                ('summary', models.TextField(help_text='What it does, in words, as proposed.')),
                ('reason', models.TextField()),
                ('proposed_at', models.DateTimeField(help_text='Business clock.')),
                ('proposed_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('expires_at', models.DateTimeField(help_text='The next deadline that would make it meaningless (business clock).')),
                ('outcome', models.TextField(blank=True, help_text='What the approval did.')),
                ('used_at', models.DateTimeField(blank=True, help_text='A reveal: when the approved request was used.', null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('account', models.ForeignKey(blank=True, db_constraint=False, help_text='Whose taxpayer ID (a reveal).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.clientaccount')),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.exchangeoffer')),
                ('proposed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical proposal',
                'verbose_name_plural': 'historical proposals',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Instruction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField()),
                ('choice', models.CharField(choices=[('ALL', 'Tender all Old Notes held for my account'), ('AMOUNT', 'Tender only the aggregate principal amount indicated')], max_length=6)),
                ('amount', models.DecimalField(blank=True, decimal_places=2, help_text='The amount stated on the form (AMOUNT only).', max_digits=15, null=True)),
                ('resolved_amount', models.DecimalField(blank=True, decimal_places=2, help_text='What the instruction tenders: the amount, or for ALL the position when it was submitted to the agent (or on consummation).', max_digits=15, null=True)),
                ('status', models.CharField(choices=[('received', 'Received'), ('submitted', 'Submitted to the exchange agent'), ('accepted', 'Accepted on consummation'), ('returned', 'Returned on termination'), ('withdrawn', 'Withdrawn'), ('superseded', 'Superseded by an amendment')], default='received', max_length=10)),
                ('form_date', models.DateField(verbose_name='dated')),
                ('signed_address', models.TextField(verbose_name='address')),
                ('signed_phone', phonenumber_field.modelfields.PhoneNumberField(max_length=128, region=None, verbose_name='telephone')),
                ('tin_type', models.CharField(choices=[('SSN', 'Social security number (person)'), ('ITIN', 'Individual taxpayer ID (person)'), ('EIN', 'Employer ID (entity)')], max_length=4, verbose_name='taxpayer ID type')),
                ('tin', exchange_office.encryption.EncryptedTextField(verbose_name='taxpayer ID')),
                ('tin_last4', models.CharField(editable=False, max_length=4)),
                ('received_at', models.DateTimeField(help_text='Business clock.')),
                ('received_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('late_reason', models.TextField(blank=True, help_text="Why operations accepted it after the firm's cutoff.")),
                ('channel', models.CharField(choices=[('paper', 'Paper form'), ('online', 'Online, signed electronically')], default='paper', help_text='How the client gave it: the signed paper form, or online.', max_length=6)),
                ('approved_at', models.DateTimeField(blank=True, help_text='Business clock.', null=True)),
                ('approved_wall_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('no_box_ticked', models.BooleanField(default=False, help_text='The client signed without ticking either box: read as “tender all”, as the letter states.', verbose_name='neither box ticked')),
                ('submission_token', models.UUIDField(blank=True, editable=False, null=True, unique=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='instructions', to='tenders.clientaccount')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='instructions', to='notes.exchangeoffer')),
                ('supersedes', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_by', to='tenders.instruction')),
            ],
            options={
                'ordering': ['account', 'offer', '-version'],
                'permissions': [('override_cutoff', "Can act on instructions after a firm's cutoff, with a reason")],
            },
        ),
        migrations.CreateModel(
            name='HistoricalInstruction',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('version', models.PositiveIntegerField()),
                ('choice', models.CharField(choices=[('ALL', 'Tender all Old Notes held for my account'), ('AMOUNT', 'Tender only the aggregate principal amount indicated')], max_length=6)),
                ('amount', models.DecimalField(blank=True, decimal_places=2, help_text='The amount stated on the form (AMOUNT only).', max_digits=15, null=True)),
                ('resolved_amount', models.DecimalField(blank=True, decimal_places=2, help_text='What the instruction tenders: the amount, or for ALL the position when it was submitted to the agent (or on consummation).', max_digits=15, null=True)),
                ('status', models.CharField(choices=[('received', 'Received'), ('submitted', 'Submitted to the exchange agent'), ('accepted', 'Accepted on consummation'), ('returned', 'Returned on termination'), ('withdrawn', 'Withdrawn'), ('superseded', 'Superseded by an amendment')], default='received', max_length=10)),
                ('form_date', models.DateField(verbose_name='dated')),
                ('signed_address', models.TextField(verbose_name='address')),
                ('signed_phone', phonenumber_field.modelfields.PhoneNumberField(max_length=128, region=None, verbose_name='telephone')),
                ('tin_type', models.CharField(choices=[('SSN', 'Social security number (person)'), ('ITIN', 'Individual taxpayer ID (person)'), ('EIN', 'Employer ID (entity)')], max_length=4, verbose_name='taxpayer ID type')),
                ('tin_last4', models.CharField(editable=False, max_length=4)),
                ('received_at', models.DateTimeField(help_text='Business clock.')),
                ('received_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('late_reason', models.TextField(blank=True, help_text="Why operations accepted it after the firm's cutoff.")),
                ('channel', models.CharField(choices=[('paper', 'Paper form'), ('online', 'Online, signed electronically')], default='paper', help_text='How the client gave it: the signed paper form, or online.', max_length=6)),
                ('approved_at', models.DateTimeField(blank=True, help_text='Business clock.', null=True)),
                ('approved_wall_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('no_box_ticked', models.BooleanField(default=False, help_text='The client signed without ticking either box: read as “tender all”, as the letter states.', verbose_name='neither box ticked')),
                ('submission_token', models.UUIDField(blank=True, db_index=True, editable=False, null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('account', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.clientaccount')),
                ('approved_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('entered_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.exchangeoffer')),
                ('supersedes', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.instruction')),
            ],
            options={
                'verbose_name': 'historical instruction',
                'verbose_name_plural': 'historical instructions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalHeldInstruction',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('status', models.CharField(choices=[('awaiting', 'Awaiting approval'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('expired', 'Expired')], default='awaiting', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, help_text='Business clock.', null=True)),
                ('decided_wall_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('decision_note', models.TextField(blank=True)),
                ('reason', models.CharField(choices=[('over_threshold', "Above the firm's threshold"), ('late', "Taken by operations after the firm's cutoff")], max_length=20)),
                ('tendered', models.DecimalField(decimal_places=2, help_text='What it tenders as entered.', max_digits=15)),
                ('data', models.JSONField(help_text='The form as entered, without the taxpayer ID.')),
                ('submission_token', models.UUIDField(blank=True, db_index=True, editable=False, null=True)),
                ('entered_at', models.DateTimeField(help_text='Business clock: it counts as received then.')),
                ('entered_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('expires_at', models.DateTimeField(help_text="The offer's expiration when it was entered (an extension moves the deadline for approving it: the offer's expiration as it is then).")),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('account', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.clientaccount')),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('entered_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.exchangeoffer')),
                ('amends', models.ForeignKey(blank=True, db_constraint=False, help_text='The version it would replace (an amendment).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.instruction')),
                ('instruction', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.instruction')),
            ],
            options={
                'verbose_name': 'historical instruction awaiting a supervisor',
                'verbose_name_plural': 'historical instructions awaiting a supervisor',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalClientSubmission',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('kind', models.CharField(choices=[('tender', 'Tender'), ('withdrawal', 'Withdrawal')], max_length=10)),
                ('choice', models.CharField(blank=True, choices=[('ALL', 'Tender all Old Notes held for my account'), ('AMOUNT', 'Tender only the aggregate principal amount indicated')], max_length=6)),
                ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                ('address', models.TextField(blank=True)),
                ('phone', phonenumber_field.modelfields.PhoneNumberField(blank=True, max_length=128, region=None)),
                ('esign_consent', models.BooleanField(help_text='ESIGN: the client consented, with the right to ask for paper.', verbose_name='consented to electronic records and signatures')),
                ('agreed_text', models.TextField(help_text='The exact text the client agreed to.')),
                ('submitted_at', models.DateTimeField(help_text='Business clock.')),
                ('submitted_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                ('user_agent', models.TextField(blank=True)),
                ('status', models.CharField(choices=[('awaiting', 'Awaiting review'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('replaced', 'Replaced by a later submission')], default='awaiting', max_length=10)),
                ('reviewed_at', models.DateTimeField(blank=True, help_text='Business clock.', null=True)),
                ('reviewed_wall_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('rejection_reason', models.TextField(blank=True)),
                ('submission_token', models.UUIDField(blank=True, db_index=True, editable=False, null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('account', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.clientaccount')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('link', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.clientlink')),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.exchangeoffer')),
                ('reviewed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('instruction', models.ForeignKey(blank=True, db_constraint=False, help_text='The instruction it became (a tender), or the one it withdrew.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenders.instruction')),
            ],
            options={
                'verbose_name': 'historical online submission',
                'verbose_name_plural': 'historical online submissions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HeldInstruction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('awaiting', 'Awaiting approval'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('expired', 'Expired')], default='awaiting', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, help_text='Business clock.', null=True)),
                ('decided_wall_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('decision_note', models.TextField(blank=True)),
                ('reason', models.CharField(choices=[('over_threshold', "Above the firm's threshold"), ('late', "Taken by operations after the firm's cutoff")], max_length=20)),
                ('tendered', models.DecimalField(decimal_places=2, help_text='What it tenders as entered.', max_digits=15)),
                ('data', models.JSONField(help_text='The form as entered, without the taxpayer ID.')),
                ('tin', exchange_office.encryption.EncryptedTextField(blank=True, verbose_name='taxpayer ID as typed')),
                ('submission_token', models.UUIDField(blank=True, editable=False, null=True, unique=True)),
                ('entered_at', models.DateTimeField(help_text='Business clock: it counts as received then.')),
                ('entered_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('expires_at', models.DateTimeField(help_text="The offer's expiration when it was entered (an extension moves the deadline for approving it: the offer's expiration as it is then).")),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='held', to='tenders.clientaccount')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer')),
                ('amends', models.ForeignKey(blank=True, help_text='The version it would replace (an amendment).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.instruction')),
                ('instruction', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.instruction')),
            ],
            options={
                'verbose_name': 'instruction awaiting a supervisor',
                'verbose_name_plural': 'instructions awaiting a supervisor',
                'ordering': ['entered_wall_at', 'id'],
                'permissions': [('supervise_instructions', "Can approve the firm's large and late instructions (a supervisor)")],
            },
        ),
        migrations.CreateModel(
            name='DocumentSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text='The occasion: its document has this key.', max_length=100, unique=True)),
                ('kind', models.CharField(choices=[('receipt', 'Instruction receipt'), ('withdrawal', 'Withdrawal receipt'), ('confirmation', 'Exchange confirmation'), ('amended_receipt', 'Receipt under amended terms'), ('termination', 'Termination notice'), ('payment', 'Payment notice'), ('client_letter', 'Client letter'), ('online_submission', 'Online submission received')], max_length=20)),
                ('taken_at', models.DateTimeField(help_text='Business clock: the moment the document describes.')),
                ('taken_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('data', models.JSONField(editable=False, help_text="The template's values as of that moment (tagged JSON: tenders.documents.snapshots).")),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.clientaccount')),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer')),
                ('instruction', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='tenders.instruction')),
            ],
            options={
                'ordering': ['account_id', 'key'],
            },
        ),
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text='The occasion it was issued for (kind, instruction or account, event): one document, with its revisions, per key.', max_length=100)),
                ('kind', models.CharField(choices=[('receipt', 'Instruction receipt'), ('withdrawal', 'Withdrawal receipt'), ('confirmation', 'Exchange confirmation'), ('amended_receipt', 'Receipt under amended terms'), ('termination', 'Termination notice'), ('payment', 'Payment notice'), ('client_letter', 'Client letter'), ('online_submission', 'Online submission received')], max_length=20)),
                ('revision', models.PositiveSmallIntegerField(default=1)),
                ('number', models.CharField(max_length=80, unique=True, verbose_name='document id')),
                ('content', models.BinaryField()),
                ('sha256', models.CharField(editable=False, max_length=64, verbose_name='SHA-256')),
                ('size', models.PositiveIntegerField(editable=False)),
                ('pages', models.PositiveSmallIntegerField(editable=False)),
                ('generated_at', models.DateTimeField(help_text='Business clock.')),
                ('generated_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='tenders.clientaccount')),
                ('generated_by', models.ForeignKey(blank=True, help_text='Blank when issued in the background.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='notes.exchangeoffer')),
                ('instruction', models.ForeignKey(blank=True, help_text='Blank for a document about the account alone (a payment notice).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='tenders.instruction')),
            ],
            options={
                'ordering': ['account_id', 'key', '-revision'],
            },
        ),
        migrations.AddField(
            model_name='clientsubmission',
            name='instruction',
            field=models.ForeignKey(blank=True, help_text='The instruction it became (a tender), or the one it withdrew.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='online_submissions', to='tenders.instruction'),
        ),
        migrations.CreateModel(
            name='BulkRunItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text="The document's key.", max_length=100)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('working', 'Working'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=8)),
                ('lease_expires_at', models.DateTimeField(blank=True, null=True)),
                ('holder', models.CharField(blank=True, help_text='The worker that claimed the item last.', max_length=64)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('error', models.TextField(blank=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='items', to='tenders.bulkrun')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.clientaccount')),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.document')),
                ('instruction', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.instruction')),
            ],
            options={
                'ordering': ['run', 'id'],
            },
        ),
        migrations.CreateModel(
            name='AgentSubmissionItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveIntegerField(help_text='Its place in the file, from 1.')),
                ('kind', models.CharField(choices=[('instruct', 'Instruction'), ('cancel', 'Cancellation')], max_length=8)),
                ('reference', models.CharField(help_text="The message's reference (BizMsgIdr, :20C::SEME).", max_length=16)),
                ('cancels_reference', models.CharField(blank=True, help_text='For a cancellation: the instruction it cancels.', max_length=16)),
                ('choice', models.CharField(choices=[('ALL', 'Tender all Old Notes held for my account'), ('AMOUNT', 'Tender only the aggregate principal amount indicated')], max_length=6)),
                ('face_amount', models.DecimalField(decimal_places=2, help_text='What it tenders: for ALL, the position it resolved to.', max_digits=15)),
                ('status', models.CharField(choices=[('received', 'Received'), ('submitted', 'Submitted to the exchange agent'), ('accepted', 'Accepted on consummation'), ('returned', 'Returned on termination'), ('withdrawn', 'Withdrawn'), ('superseded', 'Superseded by an amendment')], help_text="The instruction's status as the file states it.", max_length=10)),
                ('submission', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='items', to='tenders.agentsubmission')),
                ('instruction', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agent_submission_items', to='tenders.instruction')),
            ],
            options={
                'ordering': ['submission', 'sequence'],
            },
        ),
        migrations.CreateModel(
            name='InstructionSigner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('typed_name', models.CharField(max_length=200)),
                ('attested', models.BooleanField()),
                ('signed_electronically', models.BooleanField(default=False)),
                ('mismatch_reason', models.TextField(blank=True, help_text='Why operations accepted a printed name that differs from the owner on file (e.g. a power of attorney).')),
                ('instruction', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='signers', to='tenders.instruction')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.accountowner')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['instruction', 'owner__sequence'],
            },
        ),
        migrations.CreateModel(
            name='InstructionTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('from_status', models.CharField(blank=True, choices=[('received', 'Received'), ('submitted', 'Submitted to the exchange agent'), ('accepted', 'Accepted on consummation'), ('returned', 'Returned on termination'), ('withdrawn', 'Withdrawn'), ('superseded', 'Superseded by an amendment')], max_length=10)),
                ('to_status', models.CharField(choices=[('received', 'Received'), ('submitted', 'Submitted to the exchange agent'), ('accepted', 'Accepted on consummation'), ('returned', 'Returned on termination'), ('withdrawn', 'Withdrawn'), ('superseded', 'Superseded by an amendment')], max_length=10)),
                ('reason', models.TextField(blank=True)),
                ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('instruction', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transitions', to='tenders.instruction')),
            ],
            options={
                'ordering': ['instruction', 'wall_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(blank=True, help_text="A notice sent as an e-mail alone: its occasion (one message per account and occasion). Blank for a document's e-mail and for a copy sent again.", max_length=100)),
                ('to', models.EmailField(max_length=254)),
                ('subject', models.CharField(max_length=300)),
                ('body', models.TextField()),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed'), ('unknown', 'Outcome unknown: the worker stopped mid-send')], default='queued', max_length=10)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('queued_at', models.DateTimeField()),
                ('attempted_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('error', models.TextField(blank=True)),
                ('holder', models.CharField(blank=True, help_text='The worker that made the last attempt.', max_length=64)),
                ('lease_expires_at', models.DateTimeField(blank=True, help_text='Wall clock: an attempt still sending after this has an unknown outcome.', null=True)),
                ('marked_sent_at', models.DateTimeField(blank=True, help_text='Wall clock: when a person recorded that it was sent.', null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outbox_messages', to='tenders.clientaccount')),
                ('document', models.ForeignKey(blank=True, help_text='Blank for a notice sent as an e-mail alone.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='tenders.document')),
                ('marked_sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer')),
                ('queued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('resend_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='resends', to='tenders.outboxmessage')),
            ],
            options={
                'verbose_name': 'outbox message',
                'ordering': ['-queued_at', '-id'],
                'permissions': [('mark_outboxmessage_sent', 'Can record that an e-mail of unknown outcome was sent')],
            },
        ),
        migrations.CreateModel(
            name='LetterDispatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('channel', models.CharField(choices=[('email', 'By e-mail'), ('print', 'Printed for mailing')], max_length=10)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.clientaccount')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='dispatches', to='tenders.document')),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer')),
                ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.bulkrun')),
                ('message', models.ForeignKey(blank=True, help_text='The e-mail, for a letter sent by e-mail.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.outboxmessage')),
            ],
            options={
                'verbose_name': 'client letter sent',
                'verbose_name_plural': 'client letters sent',
                'ordering': ['-wall_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Position',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('principal', models.DecimalField(decimal_places=2, max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='positions', to='tenders.clientaccount')),
                ('security', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='positions', to='notes.security')),
            ],
            options={
                'ordering': ['account', 'security'],
            },
        ),
        migrations.CreateModel(
            name='Proposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('awaiting', 'Awaiting approval'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('expired', 'Expired')], default='awaiting', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, help_text='Business clock.', null=True)),
                ('decided_wall_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('decision_note', models.TextField(blank=True)),
                ('kind', models.CharField(choices=[('extend', 'Extend the offer'), ('amend_terms', 'Amend the terms'), ('terminate', 'Terminate the offer'), ('consummate', 'Consummate the offer'), ('reveal_tin', 'Reveal a full taxpayer ID')], max_length=20)),
                ('params', models.JSONField(default=dict)),
                ('summary', models.TextField(help_text='What it does, in words, as proposed.')),
                ('reason', models.TextField()),
                ('proposed_at', models.DateTimeField(help_text='Business clock.')),
                ('proposed_wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('expires_at', models.DateTimeField(help_text='The next deadline that would make it meaningless (business clock).')),
                ('outcome', models.TextField(blank=True, help_text='What the approval did.')),
                ('used_at', models.DateTimeField(blank=True, help_text='A reveal: when the approved request was used.', null=True)),
                ('account', models.ForeignKey(blank=True, help_text='Whose taxpayer ID (a reveal).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.clientaccount')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-proposed_wall_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Reminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('business_day', models.DateField(help_text='The New York day of the business clock.')),
                ('firm_cutoff', models.DateTimeField(help_text="The firm's cutoff the reminder gave.")),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reminders', to='tenders.clientaccount')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('letter', models.ForeignKey(help_text='The client letter the e-mail links to.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.document')),
                ('message', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.outboxmessage')),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer')),
            ],
            options={
                'ordering': ['-business_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Representative',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('firm', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='representatives', to='tenders.brokerfirm')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='representative', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'firm membership',
                'ordering': ['firm__name', 'user__username'],
            },
        ),
        migrations.CreateModel(
            name='TinReveal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('reason', models.CharField(max_length=300)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reveals', to='tenders.clientaccount')),
                ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('instruction', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reveals', to='tenders.instruction')),
            ],
            options={
                'verbose_name': 'taxpayer ID reveal',
                'ordering': ['-wall_at'],
            },
        ),
        migrations.CreateModel(
            name='WithdrawalNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('method', models.CharField(choices=[('letter', 'Signed letter'), ('fax', 'Fax'), ('telephone', 'Telephone, with a call-back'), ('online', 'Online, signed electronically')], max_length=10, verbose_name='how it came')),
                ('received_on', models.DateField(verbose_name='dated')),
                ('callback_number', models.CharField(blank=True, help_text='Telephone notices only.', max_length=40, verbose_name='number called back')),
                ('attested', models.BooleanField()),
                ('instruction', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='withdrawal_notice', to='tenders.instruction')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='WithdrawalNoticeSigner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('typed_name', models.CharField(max_length=200)),
                ('mismatch_reason', models.TextField(blank=True)),
                ('notice', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='signers', to='tenders.withdrawalnotice')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.accountowner')),
            ],
            options={
                'ordering': ['notice', 'owner__sequence'],
            },
        ),
        migrations.AddConstraint(
            model_name='agentsubmission',
            constraint=models.CheckConstraint(condition=models.Q(('size__gt', 0)), name='agent_submission_not_empty'),
        ),
        migrations.AddConstraint(
            model_name='clientaccount',
            constraint=models.UniqueConstraint(fields=('firm', 'account_number'), name='account_number_unique_in_firm'),
        ),
        migrations.AddConstraint(
            model_name='accountowner',
            constraint=models.UniqueConstraint(fields=('account', 'sequence'), name='owner_sequence_unique'),
        ),
        migrations.AddConstraint(
            model_name='clientlink',
            constraint=models.UniqueConstraint(fields=('account', 'offer', 'event_id'), name='client_link_once_per_occasion'),
        ),
        migrations.AddConstraint(
            model_name='clientsubmissionsigner',
            constraint=models.UniqueConstraint(fields=('submission', 'owner'), name='online_signer_once'),
        ),
        migrations.AddIndex(
            model_name='instruction',
            index=models.Index(fields=['received_at'], name='instruction_received_at'),
        ),
        migrations.AddConstraint(
            model_name='instruction',
            constraint=models.UniqueConstraint(fields=('account', 'offer', 'version'), name='instruction_version_once'),
        ),
        migrations.AddConstraint(
            model_name='instruction',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', [tenders.domain.lifecycle.Status['ACCEPTED'], tenders.domain.lifecycle.Status['RECEIVED'], tenders.domain.lifecycle.Status['SUBMITTED']])), fields=('account', 'offer'), name='instruction_one_live_per_account_and_offer'),
        ),
        migrations.AddConstraint(
            model_name='instruction',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('choice', 'ALL'), ('amount__isnull', True)), models.Q(('choice', 'AMOUNT'), ('amount__gt', 0), django.db.models.lookups.Exact(django.db.models.functions.math.Mod('amount', models.Value(Decimal('1000'))), models.Value(Decimal('0')))), _connector='OR'), name='instruction_amount_positive_whole_thousands'),
        ),
        migrations.AddConstraint(
            model_name='instruction',
            constraint=models.CheckConstraint(condition=models.Q(('resolved_amount__isnull', True), ('resolved_amount__gt', 0), _connector='OR'), name='instruction_resolved_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='heldinstruction',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'awaiting')), fields=('account', 'offer'), name='held_instruction_one_awaiting_per_account'),
        ),
        migrations.AddConstraint(
            model_name='heldinstruction',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), _negated=True), ('instruction__isnull', False), _connector='OR'), name='held_instruction_approved_has_instruction'),
        ),
        migrations.AddIndex(
            model_name='documentsnapshot',
            index=models.Index(fields=['taken_wall_at'], name='document_snapshot_taken'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(fields=('key', 'revision'), name='document_key_revision_once'),
        ),
        migrations.AddConstraint(
            model_name='clientsubmission',
            constraint=models.CheckConstraint(condition=models.Q(('esign_consent', True)), name='submission_consented'),
        ),
        migrations.AddConstraint(
            model_name='clientsubmission',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'awaiting')), fields=('account', 'offer'), name='submission_one_awaiting_per_account'),
        ),
        migrations.AddConstraint(
            model_name='clientsubmission',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'withdrawal'), models.Q(('amount__isnull', True), ('choice', 'ALL')), models.Q(('amount__gt', 0), ('choice', 'AMOUNT')), _connector='OR'), name='submission_tender_choice'),
        ),
        migrations.AddIndex(
            model_name='bulkrunitem',
            index=models.Index(fields=['run', 'status'], name='bulk_item_run_status'),
        ),
        migrations.AddConstraint(
            model_name='bulkrunitem',
            constraint=models.UniqueConstraint(fields=('run', 'key'), name='bulk_item_once'),
        ),
        migrations.AddConstraint(
            model_name='agentsubmissionitem',
            constraint=models.UniqueConstraint(fields=('submission', 'sequence'), name='agent_submission_item_place_once'),
        ),
        migrations.AddConstraint(
            model_name='agentsubmissionitem',
            constraint=models.UniqueConstraint(fields=('submission', 'instruction', 'kind'), name='agent_submission_item_message_once'),
        ),
        migrations.AddConstraint(
            model_name='agentsubmissionitem',
            constraint=models.CheckConstraint(condition=models.Q(('face_amount__gt', 0)), name='agent_submission_item_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='agentsubmissionitem',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'instruct'), ('cancels_reference', '')), models.Q(('kind', 'cancel'), models.Q(('cancels_reference', ''), _negated=True)), _connector='OR'), name='agent_submission_item_cancel_names_original'),
        ),
        migrations.AddConstraint(
            model_name='instructionsigner',
            constraint=models.UniqueConstraint(fields=('instruction', 'owner'), name='signer_once'),
        ),
        migrations.AddConstraint(
            model_name='instructionsigner',
            constraint=models.CheckConstraint(condition=models.Q(('attested', True), ('signed_electronically', True), _connector='OR'), name='signer_attested_or_signed_electronically'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(fields=['status'], name='outbox_status'),
        ),
        migrations.AddConstraint(
            model_name='outboxmessage',
            constraint=models.UniqueConstraint(condition=models.Q(('key', ''), _negated=True), fields=('key',), name='outbox_notice_once'),
        ),
        migrations.AddConstraint(
            model_name='letterdispatch',
            constraint=models.UniqueConstraint(condition=models.Q(('run__isnull', False)), fields=('run', 'account'), name='letter_dispatch_once_per_run'),
        ),
        migrations.AddConstraint(
            model_name='position',
            constraint=models.UniqueConstraint(fields=('account', 'security'), name='position_once'),
        ),
        migrations.AddConstraint(
            model_name='position',
            constraint=models.CheckConstraint(condition=models.Q(('principal__gte', 0)), name='position_principal_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(('decided_by__isnull', True), models.Q(('decided_by', models.F('proposed_by')), _negated=True), _connector='OR'), name='proposal_not_approved_by_its_proposer'),
        ),
        migrations.AddConstraint(
            model_name='reminder',
            constraint=models.UniqueConstraint(fields=('offer', 'account', 'business_day'), name='reminder_once_a_day'),
        ),
        migrations.AddConstraint(
            model_name='withdrawalnotice',
            constraint=models.CheckConstraint(condition=models.Q(('attested', True)), name='withdrawal_notice_attested'),
        ),
        migrations.AddConstraint(
            model_name='withdrawalnotice',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('method', 'telephone'), _negated=True), models.Q(('callback_number', ''), _negated=True), _connector='OR'), name='withdrawal_notice_telephone_called_back'),
        ),
        migrations.AddConstraint(
            model_name='withdrawalnoticesigner',
            constraint=models.UniqueConstraint(fields=('notice', 'owner'), name='notice_signer_once'),
        ),
        migrations.RunPython(_create_trigram_indexes, _drop_trigram_indexes),
        migrations.RunPython(_create_triggers, _drop_triggers),
    ]

