"""The books: a double-entry stock record and cash ledger (docs/ledger.md).

What is held (`Asset`: a security by CUSIP, the warrants, US dollars), where (`LedgerAccount`:
a client's account, the firm's position at DTC, the exchange agent, the firm's cash), and every
movement (`JournalEntry`, whose `Leg`s sum to zero for each asset). Quantities are whole
numbers of the asset's smallest unit. Rows are written once, by `tenders.ledger.services`, and
never changed or deleted (the database refuses it: migration 0045): a correction is a
reversing entry. So they need no audit trail of their own; each entry says who posted it and
when, by both clocks."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from exchange_office.stamps import Stamped
from notes.models import ExchangeOffer, Security
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.domain.ledger import MAX_SCALE, to_amount, to_units

OCCASION_LENGTH = 100


class AssetKind(models.TextChoices):
    NOTES = "notes", "Notes (principal)"
    WARRANTS = "warrants", "Warrants"
    CASH = "cash", "Cash"


class Asset(models.Model):
    """Something the ledger counts: a security by its CUSIP (principal, in cents), the
    warrants (one by one), US dollars (in cents)."""

    code = models.CharField(
        max_length=20, unique=True, help_text='A CUSIP for notes, "WARRANTS", "USD".'
    )
    kind = models.CharField(max_length=10, choices=AssetKind.choices)
    name = models.CharField(max_length=100, help_text='How people say it: "New Notes".')
    scale = models.PositiveSmallIntegerField(
        help_text="Decimal places of the smallest unit held: 2 (cents) for notes and dollars, "
        "0 for warrants. Quantities are whole numbers of that unit."
    )
    security = models.OneToOneField(
        Security,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_asset",
        help_text="The security whose principal this counts (notes only).",
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale__lte=MAX_SCALE), name="ledger_asset_scale_in_range"
            ),
            # Notes are a security's principal; warrants and cash are no security's.
            models.CheckConstraint(
                condition=Q(kind=AssetKind.NOTES, security__isnull=False)
                | (~Q(kind=AssetKind.NOTES) & Q(security__isnull=True)),
                name="ledger_asset_notes_have_a_security",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.name != self.code else self.code

    def to_units(self, amount: Decimal) -> int:
        """`amount` as a whole number of this asset's smallest unit (FractionOfAUnit if not)."""
        return to_units(amount, scale=self.scale)

    def amount(self, units: int) -> Decimal:
        """A quantity as people count it: 125000 cents are Decimal("1250.00")."""
        return to_amount(units, scale=self.scale)


class LedgerAccountKind(models.TextChoices):
    CLIENT = "client", "Client account"
    DTC = "dtc", "Firm's position at DTC"
    AGENT = "agent", "Exchange agent (issuer side)"
    CASH = "cash", "Firm's cash"


class LedgerAccount(models.Model):
    """Where an asset is, or whose it is: a client's account (what the firm holds for the
    client), the firm's position at DTC (the location), the exchange agent of an offer (what
    the issuer's side delivered or took), the firm's cash."""

    kind = models.CharField(max_length=10, choices=LedgerAccountKind.choices)
    client_account = models.OneToOneField(
        ClientAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_account",
    )
    firm = models.ForeignKey(
        BrokerFirm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
        help_text="The firm whose DTC position or cash this is.",
    )
    offer = models.ForeignKey(
        ExchangeOffer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
        help_text="The offer whose exchange agent this is.",
    )

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = "ledger account"
        constraints = [
            # Each kind names exactly what it is the account of, and nothing else.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=LedgerAccountKind.CLIENT,
                        client_account__isnull=False,
                        firm__isnull=True,
                        offer__isnull=True,
                    )
                    | Q(
                        kind__in=[LedgerAccountKind.DTC, LedgerAccountKind.CASH],
                        client_account__isnull=True,
                        firm__isnull=False,
                        offer__isnull=True,
                    )
                    | Q(
                        kind=LedgerAccountKind.AGENT,
                        client_account__isnull=True,
                        firm__isnull=True,
                        offer__isnull=False,
                    )
                ),
                name="ledger_account_kind_names_its_owner",
            ),
            models.UniqueConstraint(
                fields=["kind", "firm"],
                condition=Q(firm__isnull=False),
                name="ledger_account_once_per_firm_and_kind",
            ),
            models.UniqueConstraint(
                fields=["offer"],
                condition=Q(kind=LedgerAccountKind.AGENT),
                name="ledger_account_one_agent_per_offer",
            ),
        ]

    def __str__(self) -> str:
        # The owner's row is read here: lists select it with the account.
        if self.kind == LedgerAccountKind.CLIENT and self.client_account is not None:
            return self.client_account.account_number
        if self.kind == LedgerAccountKind.DTC and self.firm is not None:
            return f"DTC {self.firm.dtc_participant_number}"
        if self.kind == LedgerAccountKind.CASH and self.firm is not None:
            return f"cash {self.firm.dtc_participant_number}"
        if self.kind == LedgerAccountKind.AGENT and self.offer is not None:
            return f"exchange agent ({self.offer.slug})"
        return self.get_kind_display()


class EntryKind(models.TextChoices):
    OPENING = "opening", "Opening balance"
    ADJUSTMENT = "adjustment", "Adjustment"
    EXCHANGE = "exchange", "Exchange"
    FEE = "fee", "Participation fee"
    NONTENDER = "nontender", "Payment to a holder who did not tender"
    COUPON = "coupon", "Coupon"
    REDEMPTION = "redemption", "Redemption"


class JournalEntry(Stamped):
    """One movement, posted once: its legs sum to zero for each asset. `posted_on` is the
    business date it belongs to (every as-of reading uses it); `business_at` and `wall_at`
    say when it was recorded. `occasion` names what it posts (`exchange:i42`,
    `fee:i42:2`): an occasion is posted once."""

    posted_on = models.DateField(help_text="The business date the movement belongs to.")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    description = models.CharField(max_length=300)
    occasion = models.CharField(
        max_length=OCCASION_LENGTH,
        unique=True,
        help_text="What the entry posts, as a key (exchange:i42, fee:i42:2, reversal:j7): "
        "each occasion is posted once.",
    )
    offer = models.ForeignKey(
        ExchangeOffer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entries",
    )
    instruction = models.ForeignKey(
        "tenders.Instruction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entries",
    )
    client_account = models.ForeignKey(
        ClientAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entries",
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        help_text="The entry this one reverses (each entry is reversed at most once).",
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    txid = models.BigIntegerField(
        "transaction",
        default=0,
        editable=False,
        help_text="PostgreSQL: the transaction that wrote the entry, which alone may write its "
        "legs (set by the database). 0 on SQLite.",
    )

    class Meta:
        ordering = ["-posted_on", "-id"]
        verbose_name = "journal entry"
        verbose_name_plural = "journal entries"
        permissions = [("reverse_journalentry", "Can post a reversing entry")]
        constraints = [
            models.CheckConstraint(condition=~Q(occasion=""), name="journal_entry_has_occasion"),
        ]
        indexes = [
            models.Index(fields=["posted_on"], name="journal_entry_posted_on"),
            models.Index(fields=["kind", "offer"], name="journal_entry_kind_offer"),
        ]

    def __str__(self) -> str:
        return f"{self.occasion} ({self.get_kind_display()}, {self.posted_on.isoformat()})"


class Leg(models.Model):
    """What one ledger account receives (+) or gives (-) of one asset in an entry, in the
    asset's smallest unit."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="legs")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="legs")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="legs")
    quantity = models.BigIntegerField(
        help_text="In the asset's smallest unit (cents, warrants): + received, - given."
    )

    class Meta:
        ordering = ["entry", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="ledger_leg_quantity_not_zero"),
        ]
        indexes = [models.Index(fields=["account", "asset"], name="ledger_leg_account_asset")]

    def __str__(self) -> str:
        # The asset's and the account's rows are read here: the admin's inline selects them.
        direction = "to" if self.quantity > 0 else "from"
        amount = self.asset.amount(abs(self.quantity))
        return f"{amount:,} {self.asset.code} {direction} {self.account}"
