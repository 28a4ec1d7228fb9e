"""Positions already stored are brought onto the books (docs/ledger.md): from here on a position
is the ledger's cached balance, so each one needs the entry that gives it. For each firm and
security, one OPENING entry: a leg for each client account's principal, and the firm's DTC
account the negative of their sum. `Position.principal` is left as it is (it already equals
the legs).

The entry is dated the record date of the earliest offer on the security (the positions are
those of the offer's holders), or, for a security no offer names, the business date of the
earliest audit-trail row of its positions. The historical models cannot reach the business
clock, so the entries are stamped with the wall clock on both. They are posted by the
"command-line" user (tenders/accounts/command_line.py), made here if missing, as the command
makes it. Applying it again posts nothing twice: each occasion is looked for first. Reversing
it removes nothing: ledger rows never change.
"""

from collections import defaultdict
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.utils import timezone

COMMAND_LINE_USERNAME = "command-line"


def _posted_on(apps, security) -> date:
    ExchangeOffer = apps.get_model("notes", "ExchangeOffer")
    HistoricalPosition = apps.get_model("tenders", "HistoricalPosition")
    offer = ExchangeOffer.objects.filter(old_security=security).order_by("record_date").first()
    if offer is not None:
        return offer.record_date
    first = (
        HistoricalPosition.objects.filter(security_id=security.pk)
        .order_by("history_business_at")
        .values_list("history_business_at", flat=True)
        .first()
    )
    return first.date() if first is not None else timezone.now().date()


def post_openings(apps, schema_editor) -> None:
    Position = apps.get_model("tenders", "Position")
    Asset = apps.get_model("tenders", "Asset")
    LedgerAccount = apps.get_model("tenders", "LedgerAccount")
    JournalEntry = apps.get_model("tenders", "JournalEntry")
    Leg = apps.get_model("tenders", "Leg")
    User = apps.get_model("auth", "User")

    groups = defaultdict(list)
    positions = Position.objects.filter(principal__gt=0).values_list(
        "account_id", "account__firm_id", "security_id", "principal"
    )
    for account_id, firm_id, security_id, principal in positions.order_by("account_id"):
        groups[(firm_id, security_id)].append((account_id, principal))
    if not groups:
        return
    by, created = User.objects.get_or_create(
        username=COMMAND_LINE_USERNAME,
        defaults={"is_active": False, "first_name": "Command", "last_name": "line"},
    )
    if created:
        by.password = make_password(None)
        by.save(update_fields=["password"])
    now = timezone.now()
    for (firm_id, security_id), held in sorted(groups.items()):
        occasion = f"opening:f{firm_id}:s{security_id}:0046"
        if JournalEntry.objects.filter(occasion=occasion).exists():
            continue
        security = apps.get_model("notes", "Security").objects.get(pk=security_id)
        asset, _ = Asset.objects.get_or_create(
            security_id=security_id,
            defaults={
                "code": security.cusip,
                "kind": "notes",
                "name": security.short_name,
                "scale": 2,
            },
        )
        dtc, _ = LedgerAccount.objects.get_or_create(kind="dtc", firm_id=firm_id)
        clients = {}
        for account_id, _ in held:
            clients[account_id], _ = LedgerAccount.objects.get_or_create(
                client_account_id=account_id, defaults={"kind": "client"}
            )
        entry = JournalEntry.objects.create(
            posted_on=_posted_on(apps, security),
            kind="opening",
            description="Opening positions: positions on file brought onto the books "
            "(migration 0046)",
            occasion=occasion,
            by=by,
            business_at=now,
            wall_at=now,
        )
        units = [(account_id, int(principal * 100)) for account_id, principal in held]
        Leg.objects.bulk_create(
            [
                Leg(entry=entry, account=clients[account_id], asset=asset, quantity=quantity)
                for account_id, quantity in units
            ]
            + [Leg(entry=entry, account=dtc, asset=asset, quantity=-sum(q for _, q in units))],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tenders", "0045_ledger_triggers"),
    ]

    operations = [
        migrations.RunPython(post_openings, migrations.RunPython.noop),
    ]
