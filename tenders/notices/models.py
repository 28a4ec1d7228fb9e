"""The report of the holders who do not tender, as operations find it in the admin: a view of
the offers (a proxy: no table of its own), each with its report and CSV."""

from notes.models import ExchangeOffer


class NonTenderReportOffer(ExchangeOffer):
    """An offer, seen as the report of its accounts that keep Old Notes out of the exchange."""

    class Meta:
        proxy = True
        verbose_name = "holders who do not tender"
        verbose_name_plural = "holders who do not tender"
