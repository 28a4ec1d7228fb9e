"""Links follow the offer (issue 20, point 4).

A link no longer stores an expiry frozen when it was issued: it is valid until the firm's
current cutoff (a withdrawal, until the current expiration), derived from the offer as it
stands. The identity check counts wrong answers per account and offer, across its links
(`ClientCheck`), instead of five per link. Existing counts and locks are carried over: an
account's wrong answers are added up over its links for the offer (at most five), and it
stays locked if any of its links was locked.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MAX_FAILED_CHECKS = 5


def carry_over_checks(apps, schema_editor):
    ClientLink = apps.get_model("tenders", "ClientLink")
    ClientCheck = apps.get_model("tenders", "ClientCheck")
    checks = {}
    rows = ClientLink.objects.filter(
        models.Q(failed_checks__gt=0) | models.Q(locked_at__isnull=False)
    ).order_by("issued_wall_at", "id")
    for link in rows:
        check = checks.setdefault(
            (link.account_id, link.offer_id),
            ClientCheck(account_id=link.account_id, offer_id=link.offer_id),
        )
        check.failed_checks = min(check.failed_checks + link.failed_checks, MAX_FAILED_CHECKS)
        if link.locked_at is not None:
            check.locked_at = max(filter(None, [check.locked_at, link.locked_at]))
        if link.unlocked_wall_at is not None and (
            check.unlocked_wall_at is None or link.unlocked_wall_at > check.unlocked_wall_at
        ):
            check.unlocked_by_id = link.unlocked_by_id
            check.unlocked_wall_at = link.unlocked_wall_at
    ClientCheck.objects.bulk_create(checks.values(), batch_size=500)


def restore_link_checks(apps, schema_editor):
    """Back: each account's count and lock go onto its newest link for the offer."""
    ClientLink = apps.get_model("tenders", "ClientLink")
    ClientCheck = apps.get_model("tenders", "ClientCheck")
    for check in ClientCheck.objects.all():
        newest = (
            ClientLink.objects.filter(account_id=check.account_id, offer_id=check.offer_id)
            .order_by("-issued_wall_at", "-id")
            .first()
        )
        if newest is not None:
            ClientLink.objects.filter(pk=newest.pk).update(
                failed_checks=check.failed_checks,
                locked_at=check.locked_at,
                unlocked_by_id=check.unlocked_by_id,
                unlocked_wall_at=check.unlocked_wall_at,
            )


def restore_expiries(apps, schema_editor):
    """Back: a stored expiry again, the offer's current expiration (the firm's cutoff needs
    the banking calendar, which a migration does not have)."""
    ExchangeOffer = apps.get_model("notes", "ExchangeOffer")
    for name in ("ClientLink", "HistoricalClientLink"):
        model = apps.get_model("tenders", name)
        for offer in ExchangeOffer.objects.all():
            model.objects.filter(offer_id=offer.pk).update(expires_at=offer.expiration)


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0005_offer_agent_event_id"),
        ("tenders", "0032_stamped_help_texts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalClientCheck',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_business_at', models.DateTimeField(blank=True, null=True, verbose_name='business time')),
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
                'verbose_name': 'historical client identity check',
                'verbose_name_plural': 'historical client identity checks',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ClientCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('failed_checks', models.PositiveSmallIntegerField(default=0)),
                ('locked_at', models.DateTimeField(blank=True, help_text='Wall clock.', null=True)),
                ('unlocked_wall_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenders.clientaccount')),
                ('offer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='notes.exchangeoffer')),
                ('unlocked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'client identity check',
                'constraints': [models.UniqueConstraint(fields=('account', 'offer'), name='client_check_per_offer')],
            },
        ),
        migrations.RunPython(carry_over_checks, restore_link_checks),
        # Back, the expiry comes back empty, is filled, then required again.
        migrations.AlterField(
            model_name="clientlink",
            name="expires_at",
            field=models.DateTimeField(null=True, help_text="The firm's cutoff when it was issued."),
        ),
        migrations.AlterField(
            model_name="historicalclientlink",
            name="expires_at",
            field=models.DateTimeField(null=True, help_text="The firm's cutoff when it was issued."),
        ),
        migrations.RunPython(migrations.RunPython.noop, restore_expiries),
        migrations.RemoveField(
            model_name='clientlink',
            name='expires_at',
        ),
        migrations.RemoveField(
            model_name='clientlink',
            name='failed_checks',
        ),
        migrations.RemoveField(
            model_name='clientlink',
            name='locked_at',
        ),
        migrations.RemoveField(
            model_name='clientlink',
            name='unlocked_by',
        ),
        migrations.RemoveField(
            model_name='clientlink',
            name='unlocked_wall_at',
        ),
        migrations.RemoveField(
            model_name='historicalclientlink',
            name='expires_at',
        ),
        migrations.RemoveField(
            model_name='historicalclientlink',
            name='failed_checks',
        ),
        migrations.RemoveField(
            model_name='historicalclientlink',
            name='locked_at',
        ),
        migrations.RemoveField(
            model_name='historicalclientlink',
            name='unlocked_by',
        ),
        migrations.RemoveField(
            model_name='historicalclientlink',
            name='unlocked_wall_at',
        ),
    ]
