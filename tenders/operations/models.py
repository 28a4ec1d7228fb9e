"""A version number of the data the tabulation reads, bumped by the database itself.

Database triggers (migration 0021) add one to `DataVersion("tabulation")` in every transaction
that writes a table the tabulation reads: the offer and its terms, the firms, accounts,
owners and positions, the instructions and their transitions, the agent's reports. A trigger
catches every writer (services, the admin, bulk imports, raw SQL), where a signal or a call in
each service would miss the one somebody adds next year. The tabulation page caches its
figures under this number (`tenders.operations.tabulation_cache`).
"""

from django.db import models

TABULATION = "tabulation"


class DataVersion(models.Model):
    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"{self.name} at version {self.value}"
