"""The tabulation's kept lines under concurrency (PostgreSQL, one connection per thread): folds
of one offer take turns on its state row, and a write committed while a fold runs leaves its
note for the next, so the figures always end as a recomputation's."""

import contextlib
import itertools
import threading
from decimal import Decimal

import pytest
from django.db.models import F

from tenders.models import Position, TallyNote
from tenders.offers.tabulation import offer_tabulation, tabulation_differences
from tenders.tally import services
from tenders.tally.services import tally_fold
from tests.tenders import test_tabulation
from tests.tenders.conftest import POSTGRES_RACES
from tests.tenders.test_races import race
from tests.tenders.test_tabulation import Scene

pytestmark = POSTGRES_RACES

scene = test_tabulation.scene  # the fixture: five accounts at two firms


def test_four_folds_at_once_fold_every_note_once(scene: Scene) -> None:
    offer_tabulation(offer=scene.offer)  # built
    Position.objects.filter(security=scene.offer.old_security).update(
        principal=F("principal") + Decimal(1000)
    )
    race(4, lambda: tally_fold(offer=scene.offer))
    assert not TallyNote.objects.exists()
    assert offer_tabulation(offer=scene.offer).figures.tendered == Decimal("582000")
    assert tabulation_differences(offer=scene.offer) == []


def test_writes_committed_while_folds_run_are_folded_by_the_next(scene: Scene) -> None:
    offer_tabulation(offer=scene.offer)
    turns = itertools.count()
    lock = threading.Lock()
    a1 = scene.accounts["A1"]

    def fold_or_write() -> None:
        with lock:
            turn = next(turns)
        for _ in range(5):
            if turn % 2:
                tally_fold(offer=scene.offer)
            else:
                Position.objects.filter(account=a1, security=scene.offer.old_security).update(
                    principal=F("principal") + Decimal(1000)
                )

    race(4, fold_or_write)
    assert offer_tabulation(offer=scene.offer).figures.tendered == Decimal("591000")
    assert tabulation_differences(offer=scene.offer) == []


def test_a_fold_waits_for_another_fold_of_the_offer_to_commit(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first fold claims A1's note; a write then notes A1 again; the second fold must not
    claim it and recompute A1 while the first has not committed (its lines and sums would be
    written twice): it waits on the offer's state row."""
    offer_tabulation(offer=scene.offer)
    a1 = scene.accounts["A1"]
    claimed, written = threading.Event(), threading.Event()
    both_claimed = threading.Barrier(2, timeout=3)
    claim = services._claim_notes
    calls = itertools.count()

    def claim_then_hold(offer_id: int) -> list[int | None]:
        first = next(calls) == 0
        if not first:
            written.wait(timeout=10)
        notes = claim(offer_id)
        if first:
            claimed.set()
        # Times out when the second fold cannot claim before the first commits: as it should.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_claimed.wait()
        return notes

    monkeypatch.setattr(services, "_claim_notes", claim_then_hold)
    Position.objects.filter(account=a1).update(principal=F("principal") + Decimal(1000))
    roles = itertools.count()

    def act() -> None:
        role = next(roles)
        if role == 1:  # the writer, once the first fold has claimed
            claimed.wait(timeout=10)
            Position.objects.filter(account=a1).update(principal=F("principal") + Decimal(1000))
            written.set()
        else:
            if role == 2:
                claimed.wait(timeout=10)
            tally_fold(offer=scene.offer)

    race(3, act)
    assert offer_tabulation(offer=scene.offer).figures.tendered == Decimal("583000")
    assert tabulation_differences(offer=scene.offer) == []
