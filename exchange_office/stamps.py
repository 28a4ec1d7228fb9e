"""A step recorded by both clocks. The business clock says when it happened in the offer's
time (the demo pins it to 2001); the wall clock says when the row was really written. Every
record of a step keeps both, under these names or as a pair named after the step
(`received_at` / `received_wall_at`)."""

from datetime import datetime

from django.db import models

from exchange_office import clock


class Stamped(models.Model):
    """A row that records one step, by both clocks."""

    business_at = models.DateTimeField(help_text="Business clock.")
    wall_at = models.DateTimeField(help_text="Wall clock.")

    class Meta:
        abstract = True


def stamped() -> dict[str, datetime]:
    """`business_at` and `wall_at` of a row recorded now:
    `Row.objects.create(..., **stamped())`."""
    return {"business_at": clock.now(), "wall_at": clock.wall_now()}
