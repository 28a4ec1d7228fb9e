# The exchange agent's reported total tendered for the whole issue (the tabulation).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notes', '0003_offer_events_condition_waivers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AgentReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('as_of', models.DateField(help_text="The date the agent's figure is as of.", verbose_name='as of')),
                ('tendered_principal', models.DecimalField(decimal_places=2, help_text='Principal tendered and not withdrawn, for the whole issue: whole units.', max_digits=15)),
                ('source', models.CharField(help_text="Where the figure comes from, e.g. the agent's tender report by fax.", max_length=300)),
                ('business_at', models.DateTimeField(help_text='Business clock.')),
                ('wall_at', models.DateTimeField(help_text='Wall clock.')),
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
    ]
