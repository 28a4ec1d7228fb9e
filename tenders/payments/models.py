"""Payment runs: what an offer paid on one of its payment dates after consummation (the later
fee installments, the New Notes' coupons, the principal at maturity), posted once through the
books, with a payment advice for each client (docs/rules.md "Payment runs")."""

from django.conf import settings
from django.db import models

from exchange_office.stamps import Stamped
from notes.models import ExchangeOffer
from tenders.bulk_runs.models import BulkRun


class PaymentRunStatus(models.TextChoices):
    PAID = "paid", "Paid; the advices are issued by the bulk run"
    NOTHING = "nothing", "Nothing to pay: nobody was owed a payment"


class PaymentRun(Stamped):
    """One payment date of an offer, paid: once (a run started again, or racing this one,
    finds this row). Its entries are in the books under their occasions (`fee:i42:3`,
    `coupon:o3:a17:2001-12-31`); its advices are the bulk run's items. `business_at` and
    `wall_at` say when it was started."""

    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="payment_runs")
    payment_date = models.DateField(help_text="The day the payments are made (a banking day).")
    record_date = models.DateField(
        help_text="Holders of New Notes at the close of this banking day, the one before the "
        "payment date, are paid the coupon (convention)."
    )
    what = models.CharField(
        max_length=100, help_text='What the date pays: "fee installment 3, coupon".'
    )
    status = models.CharField(max_length=10, choices=PaymentRunStatus.choices)
    clients = models.PositiveIntegerField(help_text="Client accounts paid.")
    entries = models.PositiveIntegerField(help_text="Journal entries posted.")
    fees_total = models.DecimalField(max_digits=16, decimal_places=2)
    coupons_total = models.DecimalField(max_digits=16, decimal_places=2)
    redemption_total = models.DecimalField(max_digits=16, decimal_places=2)
    total = models.DecimalField(max_digits=16, decimal_places=2)
    bulk_run = models.OneToOneField(
        BulkRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_run",
        help_text="The run that issues and e-mails the payment advices.",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["offer", "payment_date"]
        verbose_name = "payment run"
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "payment_date"], name="payment_run_once_per_offer_and_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer.slug} payments of {self.payment_date.isoformat()} ({self.what})"
