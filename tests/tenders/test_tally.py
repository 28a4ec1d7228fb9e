"""The tabulation's kept lines (tenders.tally): every kind of write is noted by the database in
its own transaction, and the next tabulation folds it in, so the kept figures always agree with
a recomputation from every row (`offer_tabulation_recomputed`, the reference)."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenders.domain.submission import Standing
from tenders.intake.services import instruction_submit
from tenders.models import Instruction, Position, TallyGroup, TallyLine, TallyNote
from tenders.offers import tabulation as tabulation_module
from tenders.offers.tabulation import (
    kept_standing_counts,
    offer_tabulation,
    tabulation_differences,
    tendered_over_time,
)
from tenders.submissions.reconciliation import live_standing_counts
from tenders.submissions.services import instructions_submit_to_agent
from tenders.tally.models import TallyAccount
from tenders.tally.services import tally_fold
from tests import factories
from tests.tenders import test_tabulation
from tests.tenders.conftest import make_input, send_to_agent
from tests.tenders.reconciliation_scene import reply, reply_file
from tests.tenders.test_tabulation import Scene, _holder

scene = test_tabulation.scene  # the fixture: five accounts at two firms

# (table, writes) the migration's triggers note: tenders/migrations/0053_tally.py.
NOTED = {
    "tenders_instruction": ("insert", "update", "delete"),
    "tenders_instructiontransition": ("insert", "update", "delete"),
    "tenders_agentsubmissionitem": ("insert", "update", "delete"),
    "tenders_agentreply": ("insert", "update", "delete"),
    "tenders_position": ("insert", "update", "delete"),
    "tenders_clientaccount": ("update",),
    "tenders_leg": ("insert",),
    "notes_exchangeoffer": ("update",),
}


def hudson_rep(scene: Scene) -> Any:
    return factories.RepresentativeFactory(firm=scene.hudson).user


def tendered(scene: Scene) -> Decimal:
    return offer_tabulation(offer=scene.offer).figures.tendered


def test_the_kept_figures_are_the_recomputed_ones(scene: Scene) -> None:
    assert tabulation_differences(offer=scene.offer) == []
    assert TallyLine.objects.filter(offer_id=scene.offer.pk).count() == 4


def test_a_new_instruction_is_counted_by_the_next_tabulation(scene: Scene) -> None:
    a3 = scene.accounts["A3"]
    before = tendered(scene)
    instruction_submit(account=a3, offer=scene.offer, data=make_input(a3), by=hudson_rep(scene))
    assert tendered(scene) == before + Decimal("90000")
    assert tabulation_differences(offer=scene.offer) == []


def test_a_position_changed_by_raw_sql_moves_a_tender_all(scene: Scene) -> None:
    before = tendered(scene)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tenders_position SET principal = 500000 WHERE account_id = %s",
            [scene.accounts["A1"].pk],
        )
    assert tendered(scene) == before + Decimal("20000")  # A1 tenders all: 480,000 then
    assert tabulation_differences(offer=scene.offer) == []


def test_an_instruction_the_agent_holds_and_then_rejects_leaves_the_held_total(
    scene: Scene, ops: Any
) -> None:
    send_to_agent(scene.offer, ops)
    held = offer_tabulation(offer=scene.offer).figures.held
    assert held == Decimal("581000")
    a1 = Instruction.objects.get(account=scene.accounts["A1"])
    reply(reply_file(scene.offer, ops), a1, "rejected", code="NARR", reason="Test")
    assert offer_tabulation(offer=scene.offer).figures.held == held - Decimal("480000")
    assert tabulation_differences(offer=scene.offer) == []


def test_a_tender_all_resolved_at_submission_keeps_its_amount(scene: Scene, ops: Any) -> None:
    a1 = scene.accounts["A1"]
    instructions_submit_to_agent(
        offer=scene.offer, instructions=Instruction.objects.filter(account=a1), by=ops
    )
    Position.objects.filter(account=a1).update(principal=Decimal("400000"))
    assert tendered(scene) == Decimal("581000")
    assert tabulation_differences(offer=scene.offer) == []


def test_an_account_moved_to_another_firm_moves_its_figures(scene: Scene) -> None:
    a3 = scene.accounts["A3"]
    a3.firm = scene.mercer
    a3.save(update_fields=["firm"])
    firms = {line.name: line.totals for line in offer_tabulation(offer=scene.offer).firms}
    assert firms["Mercer Street"].not_answered == 2
    assert firms["Hudson & Broad"].not_answered == 0
    assert tabulation_differences(offer=scene.offer) == []


def test_changing_the_warrants_per_unit_rebuilds_every_line(scene: Scene) -> None:
    before = offer_tabulation(offer=scene.offer).figures.warrants_exact_total
    scene.offer.warrants_per_unit = scene.offer.warrants_per_unit * 2
    scene.offer.save()
    assert TallyNote.objects.filter(offer_id=scene.offer.pk, account_id=None).exists()
    assert offer_tabulation(offer=scene.offer).figures.warrants_exact_total == before * 2
    assert tabulation_differences(offer=scene.offer) == []


def test_saving_the_offer_unchanged_does_not_rebuild_its_lines(scene: Scene) -> None:
    offer_tabulation(offer=scene.offer)
    scene.offer.save()
    assert not TallyNote.objects.filter(offer_id=scene.offer.pk).exists()


def test_a_fold_consumes_its_notes_and_a_second_has_nothing_to_do(scene: Scene) -> None:
    a3 = scene.accounts["A3"]
    offer_tabulation(offer=scene.offer)
    instruction_submit(account=a3, offer=scene.offer, data=make_input(a3), by=hudson_rep(scene))
    assert set(TallyNote.objects.values_list("account_id", flat=True)) == {a3.pk}
    tally_fold(offer=scene.offer)
    assert not TallyNote.objects.exists()
    assert TallyAccount.objects.get(offer_id=scene.offer.pk, account_id=a3.pk).answered


@pytest.mark.django_db
def test_each_noted_table_has_its_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}
    for table, writes in NOTED.items():
        for write in writes:
            assert f"{table}_tally_{write}" in triggers, f"{table} {write} is not noted"


def test_the_check_command_says_the_kept_totals_agree(scene: Scene) -> None:
    out = StringIO()
    call_command("tabulation", "--offer", scene.offer.slug, "--check", stdout=out)
    assert out.getvalue().strip() == (
        f"The kept totals of {scene.offer.slug} agree with a recomputation."
    )


def test_the_check_command_rebuilds_kept_totals_that_went_wrong(scene: Scene) -> None:
    offer_tabulation(offer=scene.offer)
    TallyGroup.objects.filter(offer_id=scene.offer.pk).update(tendered_cents=1)
    with pytest.raises(CommandError, match="differed from a recomputation in tendered_principal"):
        call_command("tabulation", "--offer", scene.offer.slug, "--check")
    assert tabulation_differences(offer=scene.offer) == []


def test_a_holder_added_by_the_feed_is_listed_as_not_answered(scene: Scene, ops: Any) -> None:
    offer_tabulation(offer=scene.offer)
    _holder(scene.hudson, scene.offer, ops, "A9", "700000")
    tabulation = offer_tabulation(offer=scene.offer)
    assert tabulation.not_answered[0].account_number == "A9"
    assert tabulation_differences(offer=scene.offer) == []


def test_the_kept_counts_by_standing_are_the_ones_read_from_every_row(
    scene: Scene, ops: Any
) -> None:
    send_to_agent(scene.offer, ops)
    a1 = Instruction.objects.get(account=scene.accounts["A1"])
    reply(reply_file(scene.offer, ops), a1, "rejected", code="NARR", reason="Test")
    a3 = scene.accounts["A3"]
    instruction_submit(account=a3, offer=scene.offer, data=make_input(a3), by=hudson_rep(scene))
    kept = kept_standing_counts(offer=scene.offer)
    assert kept == live_standing_counts(offer=scene.offer)
    assert kept[(scene.hudson.pk, Standing.NOT_SENT)] == (1, Decimal("90000"))


def test_beyond_the_charts_resolution_the_history_is_thinned_in_steps(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabulation_module, "CHART_STEPS", 1)  # the scene's 4 lines exceed it
    history = tendered_over_time(tabulation=offer_tabulation(offer=scene.offer))
    step = (history.end - history.start) / 1
    assert len(history.points) <= 2  # one step, and one before the start if any
    assert history.points[-1][1] == Decimal("581000")  # the total now
    assert step > timedelta(0)
    assert tabulation_differences(offer=scene.offer) == []
