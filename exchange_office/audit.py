"""The audit trail (django-simple-history), with the business clock next to the wall clock.

Models declare `history = audit_trail()`; every create, change and status change then leaves
a row saying who, when by both clocks, and what the record looked like.
"""

from typing import Any

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from exchange_office import clock


class BusinessTimeHistory(models.Model):
    """Base of every audit-trail row; `history_date` is simple-history's wall-clock time."""

    history_business_at = models.DateTimeField("business time", null=True, blank=True)

    class Meta:
        abstract = True


def audit_trail(**options: Any) -> HistoricalRecords:
    return HistoricalRecords(bases=[BusinessTimeHistory], cascade_delete_history=False, **options)


@receiver(pre_create_historical_record)
def stamp_business_time(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    if hasattr(history_instance, "history_business_at"):
        history_instance.history_business_at = clock.now()
