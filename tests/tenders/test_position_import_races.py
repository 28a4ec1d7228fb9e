"""A feed lowering a position while a representative takes a tender on the same account, on
PostgreSQL: the import locks the accounts it touches before it checks, so the two cannot both
pass (each would be right alone, not together)."""

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection

from tenders.intake.services import instruction_submit
from tenders.models import Instruction, Position
from tenders.positions import imports as services
from tenders.positions.imports import ImportRefused, positions_import
from tests import factories
from tests.tenders.conftest import POSTGRES_RACES, make_input
from tests.tenders.test_position_imports import feed, line

pytestmark = POSTGRES_RACES

HOLD = 0.3  # seconds the import waits between its check and its write


@pytest.fixture
def ops(db: None) -> Any:
    """Operations staff made by hand: a transactional test empties the tables after it, the
    Operations group the migrations create included, so the group may be gone by now."""
    user = factories.StaffUserFactory(username="ops")
    codenames = [
        f"{verb}_{model}"
        for model in ("clientaccount", "accountowner", "position")
        for verb in ("add", "change")
    ]
    user.user_permissions.add(*Permission.objects.filter(codename__in=[*codenames, "reveal_tin"]))
    return user


def test_a_tender_waits_for_the_feed_that_lowers_the_position(
    account: Any, offer: Any, rep: Any, ops: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read = services._read

    def read_then_dawdle(*args: Any, **kwargs: Any) -> Any:
        on_file = real_read(*args, **kwargs)
        started.set()
        time.sleep(HOLD)  # without the lock, the tender would pass here
        return on_file

    monkeypatch.setattr(services, "_read", read_then_dawdle)
    started = threading.Event()
    outcomes: dict[str, str] = {}
    text = feed(line(account, principal="60000"))

    def feed_run() -> None:
        try:
            positions_import(text=text, by=ops)
            outcomes["feed"] = "imported"
        except ImportRefused:
            outcomes["feed"] = "refused"
        finally:
            connection.close()

    def tender() -> None:
        try:
            started.wait(timeout=10)
            instruction_submit(
                account=account,
                offer=offer,
                data=make_input(account, choice="AMOUNT", amount=Decimal("100000")),
                by=rep,
            )
            outcomes["tender"] = "taken"
        except ValidationError as exc:
            outcomes["tender"] = f"refused: {exc.messages}"
        finally:
            connection.close()

    threads = [threading.Thread(target=feed_run), threading.Thread(target=tender)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes["feed"] == "imported"
    assert outcomes["tender"].startswith("refused")
    assert "$60,000" in outcomes["tender"]
    assert Position.objects.get(account=account).principal == Decimal("60000")
    assert not Instruction.objects.exists()
