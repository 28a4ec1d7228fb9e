"""A version number of the data the tabulation reads, bumped by the database itself.

Database triggers (made by migration 0021, now part of 0001_squashed_0032) add one to
`DataVersion("tabulation")` in every transaction that writes a table the tabulation reads: the
offer and its terms, the firms, accounts, owners and positions, the instructions and their
transitions, the agent's reports. A trigger
catches every writer (services, the admin, bulk imports, raw SQL), where a signal or a call in
each service would miss the one somebody adds next year. The tabulation page caches its
figures under this number, and long lists their counts (`tenders.data_version.cache`).
"""

from django.db import models

TABULATION = "tabulation"
# The tables whose writes bump it (the triggers of the migration, which keeps its own copy).
WATCHED_TABLES = frozenset(
    {
        "notes_issuer",
        "notes_security",
        "notes_ratestep",
        "notes_exchangeoffer",
        "notes_feeinstallment",
        "notes_offercondition",
        "notes_excludedjurisdiction",
        "notes_offerevent",
        "notes_agentreport",
        "tenders_brokerfirm",
        "tenders_clientaccount",
        "tenders_accountowner",
        "tenders_position",
        "tenders_agentreply",
        "tenders_instruction",
        "tenders_instructiontransition",
        "tenders_agentsubmission",
        "tenders_agentsubmissionitem",
        "tenders_journalentry",
        "tenders_leg",
    }
)


class DataVersion(models.Model):
    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"{self.name} at version {self.value}"
