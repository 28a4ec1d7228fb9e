"""The issuer's side as of 0005, in one migration: a new install runs this; an install that
ran 0001 to 0005 has it recorded as applied (`replaces`)."""

import django.core.validators
import django.db.models.deletion
import localflavor.us.models
import notes.models
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('notes', '0001_initial'),
        ('notes', '0002_offer_history'),
        ('notes', '0003_offer_events_condition_waivers'),
        ('notes', '0004_agent_report'),
        ('notes', '0005_offer_agent_event_id'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ExchangeOffer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(unique=True)),
                ('name', models.CharField(max_length=300)),
                ('exchange_agent', models.CharField(blank=True, max_length=200)),
                ('agent_event_id', models.CharField(blank=True, db_default='', default='', help_text="The exchange agent's identifier of the offer as a corporate action event (CORP in MT565, CorpActnEvtId in seev.033): the files submitted to the agent need it.", max_length=16, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9-]{0,15}$', 'Up to 16 letters, digits or hyphens, starting with a letter or digit.')], verbose_name='corporate action event ID')),
                ('outstanding_principal', models.DecimalField(decimal_places=2, max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                ('record_date', models.DateField()),
                ('commencement_date', models.DateField()),
                ('expiration', models.DateTimeField(help_text='The instant the offer and withdrawal rights expire (New York time). 12 midnight on Sep 4 is Sep 5 at 00:00.')),
                ('status', models.CharField(choices=[('open', 'Open'), ('consummated', 'Consummated'), ('terminated', 'Terminated')], default='open', max_length=20)),
                ('consummation_date', models.DateField(blank=True, null=True)),
                ('banking_calendar', models.CharField(choices=[('XFED', 'New York banking days (Federal Reserve holidays and weekends closed)')], default='XFED', max_length=10)),
                ('unit_principal', models.DecimalField(decimal_places=2, default=Decimal('1000'), help_text='The consideration is stated per this principal amount of Old Notes.', max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                ('accrual_start', models.DateField(help_text='Accrued interest runs from this date.')),
                ('accrual_rate', models.DecimalField(decimal_places=6, help_text='Per annum, as a decimal fraction: 0.1275 means 12 3/4%.', max_digits=8)),
                ('accrual_day_count', models.CharField(choices=[('30/360 US', '30/360 US bond basis')], default='30/360 US', max_length=20)),
                ('warrants_per_unit', models.DecimalField(decimal_places=4, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('warrant_exercise_price', models.DecimalField(decimal_places=4, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('warrant_expiry', models.DateField()),
                ('warrant_rounding', models.CharField(choices=[('up', 'Round a fraction up to a whole warrant'), ('down', 'Round a fraction down'), ('half_up', 'Round half up')], default='up', max_length=10)),
                ('participation_fee_per_unit', models.DecimalField(decimal_places=2, max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('minimum_tender_percent', models.DecimalField(decimal_places=3, help_text='Minimum condition: percent of the outstanding principal validly tendered.', max_digits=6)),
            ],
            options={
                'ordering': ['-commencement_date'],
            },
        ),
        migrations.CreateModel(
            name='Issuer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True)),
                ('state_of_incorporation', models.CharField(blank=True, max_length=100)),
                ('shares_outstanding', models.PositiveBigIntegerField(blank=True, help_text='Common shares outstanding, to put the warrants in scale.', null=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalExcludedJurisdiction',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('state', localflavor.us.models.USStateField(max_length=2)),
                ('reason', models.CharField(blank=True, help_text='The statute, if known.', max_length=300)),
                ('added_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.exchangeoffer')),
            ],
            options={
                'verbose_name': 'historical excluded jurisdiction',
                'verbose_name_plural': 'historical excluded jurisdictions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalFeeInstallment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('sequence', models.PositiveSmallIntegerField()),
                ('scheduled_date', models.DateField(blank=True, help_text='Leave blank for an installment paid on the consummation date.', null=True)),
                ('amount_per_unit', models.DecimalField(decimal_places=2, max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.exchangeoffer')),
            ],
            options={
                'verbose_name': 'historical fee installment',
                'verbose_name_plural': 'historical fee installments',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalOfferCondition',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('sequence', models.PositiveSmallIntegerField(default=1)),
                ('description', models.CharField(max_length=300)),
                ('is_satisfied', models.BooleanField(default=False, verbose_name='met')),
                ('satisfied_on', models.DateField(blank=True, null=True, verbose_name='met on')),
                ('note', models.TextField(blank=True)),
                ('is_waived', models.BooleanField(default=False, verbose_name='waived')),
                ('waiver_reason', models.TextField(blank=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.exchangeoffer')),
            ],
            options={
                'verbose_name': 'historical offer condition',
                'verbose_name_plural': 'historical offer conditions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='exchangeoffer',
            name='issuer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='offers', to='notes.issuer'),
        ),
        migrations.CreateModel(
            name='OfferEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('kind', models.CharField(choices=[('extended', 'Extended'), ('terms_amended', 'Terms amended'), ('condition_met', 'Condition met'), ('condition_waived', 'Condition waived'), ('agent_report', "Exchange agent's total recorded"), ('terminated', 'Terminated'), ('consummated', 'Consummated')], max_length=20)),
                ('reason', models.TextField()),
                ('previous_expiration', models.DateTimeField(blank=True, null=True)),
                ('new_expiration', models.DateTimeField(blank=True, null=True)),
                ('announcement', models.TextField(blank=True)),
                ('announcement_deadline', models.DateTimeField(blank=True, null=True)),
                ('changes', models.JSONField(blank=True, default=dict)),
                ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='notes.exchangeoffer')),
            ],
            options={
                'verbose_name': 'offer event',
                'ordering': ['offer', 'business_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Security',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='As in the offering documents.', max_length=200)),
                ('short_name', models.CharField(help_text='How people say it: "Old Notes".', max_length=50)),
                ('cusip', models.CharField(help_text='Nine characters.', max_length=9, unique=True, validators=[notes.models.validate_cusip], verbose_name='CUSIP')),
                ('maturity_date', models.DateField()),
                ('interest_dates', models.CharField(blank=True, help_text='Month-day of each interest payment date, e.g. 03-31, 06-30, 09-30, 12-31.', max_length=100, validators=[django.core.validators.RegexValidator('^(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])(,\\s*(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01]))*$', 'Write month-day pairs separated by commas, e.g. 03-31, 06-30, 09-30, 12-31.')])),
                ('last_interest_paid_on', models.DateField(blank=True, null=True)),
                ('day_count', models.CharField(choices=[('30/360 US', '30/360 US bond basis')], default='30/360 US', max_length=20)),
                ('minimum_denomination', models.DecimalField(decimal_places=2, default=Decimal('1000'), max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                ('denomination_increment', models.DecimalField(decimal_places=2, default=Decimal('1000'), help_text='Amounts above the minimum go up in integral multiples of this.', max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                ('issuer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='securities', to='notes.issuer')),
            ],
            options={
                'verbose_name_plural': 'securities',
                'ordering': ['issuer__name', 'maturity_date'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalExchangeOffer',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
                ('slug', models.SlugField()),
                ('name', models.CharField(max_length=300)),
                ('exchange_agent', models.CharField(blank=True, max_length=200)),
                ('agent_event_id', models.CharField(blank=True, db_default='', default='', help_text="The exchange agent's identifier of the offer as a corporate action event (CORP in MT565, CorpActnEvtId in seev.033): the files submitted to the agent need it.", max_length=16, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9-]{0,15}$', 'Up to 16 letters, digits or hyphens, starting with a letter or digit.')], verbose_name='corporate action event ID')),
                ('outstanding_principal', models.DecimalField(decimal_places=2, max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                ('record_date', models.DateField()),
                ('commencement_date', models.DateField()),
                ('expiration', models.DateTimeField(help_text='The instant the offer and withdrawal rights expire (New York time). 12 midnight on Sep 4 is Sep 5 at 00:00.')),
                ('status', models.CharField(choices=[('open', 'Open'), ('consummated', 'Consummated'), ('terminated', 'Terminated')], default='open', max_length=20)),
                ('consummation_date', models.DateField(blank=True, null=True)),
                ('banking_calendar', models.CharField(choices=[('XFED', 'New York banking days (Federal Reserve holidays and weekends closed)')], default='XFED', max_length=10)),
                ('unit_principal', models.DecimalField(decimal_places=2, default=Decimal('1000'), help_text='The consideration is stated per this principal amount of Old Notes.', max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                ('accrual_start', models.DateField(help_text='Accrued interest runs from this date.')),
                ('accrual_rate', models.DecimalField(decimal_places=6, help_text='Per annum, as a decimal fraction: 0.1275 means 12 3/4%.', max_digits=8)),
                ('accrual_day_count', models.CharField(choices=[('30/360 US', '30/360 US bond basis')], default='30/360 US', max_length=20)),
                ('warrants_per_unit', models.DecimalField(decimal_places=4, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('warrant_exercise_price', models.DecimalField(decimal_places=4, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('warrant_expiry', models.DateField()),
                ('warrant_rounding', models.CharField(choices=[('up', 'Round a fraction up to a whole warrant'), ('down', 'Round a fraction down'), ('half_up', 'Round half up')], default='up', max_length=10)),
                ('participation_fee_per_unit', models.DecimalField(decimal_places=2, max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('minimum_tender_percent', models.DecimalField(decimal_places=3, help_text='Minimum condition: percent of the outstanding principal validly tendered.', max_digits=6)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('issuer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.issuer')),
                ('new_security', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.security')),
                ('old_security', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='notes.security')),
            ],
            options={
                'verbose_name': 'historical exchange offer',
                'verbose_name_plural': 'historical exchange offers',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='exchangeoffer',
            name='new_security',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='offers_as_new', to='notes.security'),
        ),
        migrations.AddField(
            model_name='exchangeoffer',
            name='old_security',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='offers_as_old', to='notes.security'),
        ),
        migrations.CreateModel(
            name='AgentReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
                ('as_of', models.DateField(help_text="The date the agent's figure is as of.", verbose_name='as of')),
                ('tendered_principal', models.DecimalField(decimal_places=2, help_text='Principal tendered and not withdrawn, for the whole issue: whole units.', max_digits=15)),
                ('source', models.CharField(help_text="Where the figure comes from, e.g. the agent's tender report by fax.", max_length=300)),
                ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agent_reports', to='notes.exchangeoffer')),
            ],
            options={
                'verbose_name': "exchange agent's report",
                'verbose_name_plural': "exchange agent's reports",
                'ordering': ['offer', '-as_of', '-business_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('tendered_principal__gt', 0)), name='agent_report_tendered_positive')],
            },
        ),
        migrations.CreateModel(
            name='ExcludedJurisdiction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', localflavor.us.models.USStateField(max_length=2)),
                ('reason', models.CharField(blank=True, help_text='The statute, if known.', max_length=300)),
                ('added_at', models.DateTimeField(auto_now_add=True)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='excluded_jurisdictions', to='notes.exchangeoffer')),
            ],
            options={
                'ordering': ['state'],
                'constraints': [models.UniqueConstraint(fields=('offer', 'state'), name='excluded_jurisdiction_once')],
            },
        ),
        migrations.CreateModel(
            name='FeeInstallment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveSmallIntegerField()),
                ('scheduled_date', models.DateField(blank=True, help_text='Leave blank for an installment paid on the consummation date.', null=True)),
                ('amount_per_unit', models.DecimalField(decimal_places=2, max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))])),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fee_installments', to='notes.exchangeoffer')),
            ],
            options={
                'ordering': ['sequence'],
                'constraints': [models.UniqueConstraint(fields=('offer', 'sequence'), name='fee_installment_sequence'), models.CheckConstraint(condition=models.Q(('amount_per_unit__gt', 0)), name='fee_installment_amount_positive')],
            },
        ),
        migrations.CreateModel(
            name='OfferCondition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveSmallIntegerField(default=1)),
                ('description', models.CharField(max_length=300)),
                ('is_satisfied', models.BooleanField(default=False, verbose_name='met')),
                ('satisfied_on', models.DateField(blank=True, null=True, verbose_name='met on')),
                ('note', models.TextField(blank=True)),
                ('is_waived', models.BooleanField(default=False, verbose_name='waived')),
                ('waiver_reason', models.TextField(blank=True)),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conditions', to='notes.exchangeoffer')),
            ],
            options={
                'ordering': ['sequence', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('is_satisfied', True), ('is_waived', True), _negated=True), name='offer_condition_met_or_waived_not_both')],
            },
        ),
        migrations.CreateModel(
            name='RateStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rate', models.DecimalField(decimal_places=6, help_text='Per annum, as a decimal fraction: 0.14 means 14%.', max_digits=8)),
                ('applies_through', models.DateField(blank=True, help_text='Periods ending on or before this date accrue at this rate. Leave blank for the last step (until maturity).', null=True)),
                ('security', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rate_steps', to='notes.security')),
            ],
            options={
                'ordering': [models.OrderBy(models.F('applies_through'), nulls_last=True)],
                'constraints': [models.UniqueConstraint(fields=('security', 'applies_through'), name='rate_step_unique_end'), models.UniqueConstraint(condition=models.Q(('applies_through__isnull', True)), fields=('security',), name='rate_step_one_open_ended'), models.CheckConstraint(condition=models.Q(('rate__gt', 0), ('rate__lt', 1)), name='rate_step_rate_is_a_fraction')],
            },
        ),
        migrations.AddConstraint(
            model_name='exchangeoffer',
            constraint=models.CheckConstraint(condition=models.Q(('minimum_tender_percent__gte', 0), ('minimum_tender_percent__lte', 100)), name='offer_minimum_percent_in_range'),
        ),
        migrations.AddConstraint(
            model_name='exchangeoffer',
            constraint=models.CheckConstraint(condition=models.Q(('old_security', models.F('new_security')), _negated=True), name='offer_old_and_new_security_differ'),
        ),
    ]
