"""The tabulation's kept lines (`tenders.tally`): derived data, rebuilt from the instructions,
positions, the agent's answers and the books at any time. Plain ids rather than foreign keys:
the lines follow the data through the triggers' notes, never hold up a delete. Amounts are
whole numbers (cents, and warrants in units of 10^-10), so that the database adds them up
exactly: SQLite's SUM over a decimal column is floating point."""

from django.db import models


class TallyNote(models.Model):
    """A write touched this account's lines for this offer (or every line of the offer, without
    an account): written by the database's triggers, removed by the fold that reads it."""

    offer_id = models.BigIntegerField()
    account_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "tabulation note"
        indexes = [models.Index(fields=["offer_id"], name="tally_note_offer")]

    def __str__(self) -> str:
        return f"offer {self.offer_id}, account {self.account_id or 'all'}"


class TallyState(models.Model):
    """An offer whose lines have been built; the fold locks this row, so folds of one offer
    run one at a time."""

    offer_id = models.BigIntegerField(primary_key=True)
    built_at = models.DateTimeField(null=True)  # wall clock of the last full build

    class Meta:
        verbose_name = "tabulation state"

    def __str__(self) -> str:
        return f"offer {self.offer_id}, built {self.built_at}"


class TallyLine(models.Model):
    """One instruction of the offer, any status: what it tenders (a "tender all" at the
    position as the offer saw it), its warrants, whether the agent holds it, and when it
    counted in the office's total."""

    instruction_id = models.BigIntegerField(primary_key=True)
    offer_id = models.BigIntegerField()
    account_id = models.BigIntegerField()
    firm_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
    standing = models.CharField(max_length=20)  # with the agent: tenders.domain.submission
    held_by_agent = models.BooleanField()
    tendered_cents = models.BigIntegerField()
    warrants_exact_e10 = models.BigIntegerField()  # the exact warrants times 10^10
    warrants = models.BigIntegerField()  # rounded by the offer's rule
    # When it started and stopped counting, in microseconds since 1970 (UTC): the chart reads
    # tens of thousands of them, and an integer loads ten times faster than a timestamp.
    counted_from_us = models.BigIntegerField(null=True)
    counted_until_us = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "tabulation line"
        indexes = [
            models.Index(fields=["offer_id", "account_id"], name="tally_line_offer_account"),
        ]

    def __str__(self) -> str:
        return f"instruction {self.instruction_id} of offer {self.offer_id}"


class TallyAccount(models.Model):
    """One account of the offer that holds its Old Notes (as the offer saw them) or has an
    instruction for it: the by-firm breakdown and the list of who has not answered."""

    offer_id = models.BigIntegerField()
    account_id = models.BigIntegerField()
    firm_id = models.BigIntegerField()
    position_cents = models.BigIntegerField()  # 0 unless it holds
    holds = models.BooleanField()
    answered = models.BooleanField()  # with an instruction of any status
    tendering = models.BooleanField()  # with a live instruction
    tendered_cents = models.BigIntegerField()  # by its live instructions

    class Meta:
        verbose_name = "tabulation account"
        constraints = [
            models.UniqueConstraint(fields=["offer_id", "account_id"], name="tally_account_once")
        ]
        indexes = [
            models.Index(
                "offer_id",
                "holds",
                "answered",
                models.F("position_cents").desc(),
                "firm_id",
                "account_id",
                name="tally_account_unanswered",
            ),
        ]

    def __str__(self) -> str:
        return f"account {self.account_id} of offer {self.offer_id}"


class TallyGroup(models.Model):
    """The offer's lines added up by firm, status, standing with the agent and whether the
    agent holds them: kept by each fold (what it took off and put back), so that the figures
    read a few dozen rows instead of adding up 100,000 lines."""

    offer_id = models.BigIntegerField()
    firm_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
    standing = models.CharField(max_length=20)
    held_by_agent = models.BooleanField()
    instructions = models.BigIntegerField()
    tendered_cents = models.BigIntegerField()
    warrants_exact_e10 = models.BigIntegerField()
    warrants = models.BigIntegerField()

    class Meta:
        verbose_name = "tabulation group"
        constraints = [
            models.UniqueConstraint(
                fields=["offer_id", "firm_id", "status", "standing", "held_by_agent"],
                name="tally_group_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructions} {self.status} of firm {self.firm_id}, offer {self.offer_id}"


class TallyFirm(models.Model):
    """The offer's accounts added up by firm (the by-firm breakdown), kept like `TallyGroup`."""

    offer_id = models.BigIntegerField()
    firm_id = models.BigIntegerField()
    accounts = models.BigIntegerField()
    answered = models.BigIntegerField()
    tendering = models.BigIntegerField()
    held_cents = models.BigIntegerField()
    tendered_cents = models.BigIntegerField()
    not_answered = models.BigIntegerField()
    not_answered_cents = models.BigIntegerField()

    class Meta:
        verbose_name = "tabulation firm"
        constraints = [
            models.UniqueConstraint(fields=["offer_id", "firm_id"], name="tally_firm_once")
        ]

    def __str__(self) -> str:
        return f"firm {self.firm_id} of offer {self.offer_id}"
