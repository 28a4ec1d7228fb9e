"""After consummation, the agent's movement confirmations matched, instruction by instruction,
to the office's exchange confirmations (issue 21, point 8): every difference listed with both
figures; accepted instructions without a movement and movements for no accepted instruction
listed too; an exact match lists none.

The scene is tests/tenders/agent_scene.py's, consummated on Sep 5, 2001 on the agent's report
of $600,000: Ferris ($400,000) and Young ($10,000) accepted. Figures worked by hand from
domain.md ($267.04 accrued per $1,000; 5.45 warrants per $1,000 rounded up per instruction;
fee installment 1, $10 per $1,000, paid on the consummation date):
- Ferris: New Notes 400 x $1,267.04 = $506,816.00; warrants 2,180 (exact); cash $4,000.00;
- Young: New Notes 10 x $1,267.04 = $12,670.40; warrants 54.5 -> 55; cash $100.00.
"""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from notes.services import agent_report_record
from tenders.domain.movements import (
    Asset,
    Movement,
    OfficeConfirmation,
    match_movements,
)
from tenders.offers.consummation import offer_consummate
from tenders.offers.movements import offer_movements
from tests.tenders.agent_scene import (
    SEP_5,
    SEP_5_MORNING,
    AgentScene,
    movements,
    reply_file,
    set_the_agent_scene,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def consummated(offer, firm, rep, ops, account, at, fake_pdf) -> AgentScene:
    scene = set_the_agent_scene(offer, firm, rep, ops, account)
    at(SEP_5_MORNING)
    agent_report_record(
        offer=scene.offer,
        tendered_principal=Decimal("600000"),
        as_of=SEP_5,
        source="Wilmington Trust tender report (invented for the test)",
        by=ops,
    )
    offer_consummate(offer=scene.offer, on=SEP_5, by=ops)
    return scene


def _exact(scene: AgentScene, ops: Any) -> None:
    file = reply_file(scene.offer, ops, "movements-0901.xml")
    movements(file, scene.ferris, old_notes="400000", new_notes="506816.00", warrants="2180",
              cash="4000.00")  # fmt: skip
    movements(file, scene.young, old_notes="10000", new_notes="12670.40", warrants="55",
              cash="100.00")  # fmt: skip


def test_an_exact_match_lists_no_difference(consummated: AgentScene, ops: Any) -> None:
    _exact(consummated, ops)
    (participant,) = offer_movements(offer=consummated.offer).participants
    assert participant.match.clean
    assert participant.match.exact == tuple(sorted([consummated.ferris.pk, consummated.young.pk]))
    assert (participant.accepted, participant.movements) == (2, 8)


def test_every_difference_is_listed_with_both_figures(consummated: AgentScene, ops: Any) -> None:
    file = reply_file(consummated.offer, ops, "movements-0901.xml")
    movements(file, consummated.ferris, old_notes="400000", new_notes="506186.00",
              warrants="2179", cash="4000.00")  # fmt: skip
    movements(file, consummated.young, old_notes="10000", new_notes="12670.40", warrants="55",
              cash="200.00", posted_on=date(2001, 9, 6))  # fmt: skip
    (participant,) = offer_movements(offer=consummated.offer).participants
    found = [(d.account_number, d.what, d.office, d.agent) for d in participant.match.differences]
    assert found == [
        ("HB-100007", "New Notes credited (principal)", "506,816.00 credited",
         "506,186.00 credited"),
        ("HB-100007", "Warrants credited", "2,180 credited", "2,179 credited"),
        ("HB-100022", "Cash credited on the consummation date (fee installments)",
         "100.00 credited", "200.00 credited"),
        ("HB-100022", "Posting date", "2001-09-05", "2001-09-06"),
    ]  # fmt: skip
    assert participant.match.exact == ()


def test_an_accepted_instruction_without_a_movement_is_listed(
    consummated: AgentScene, ops: Any
) -> None:
    file = reply_file(consummated.offer, ops, "movements-0901.xml")
    movements(file, consummated.ferris, old_notes="400000", new_notes="506816.00",
              warrants="2180", cash="4000.00")  # fmt: skip
    (participant,) = offer_movements(offer=consummated.offer).participants
    (missing,) = participant.match.without_movement
    assert (missing.account_number, missing.detail) == (
        "HB-100022",
        "no movement confirmed; expected New Notes 12,670.40, warrants 55, cash 100.00",
    )
    assert participant.match.differences == ()


def test_a_movement_for_an_instruction_not_accepted_is_listed(
    consummated: AgentScene, ops: Any
) -> None:
    _exact(consummated, ops)
    file = reply_file(consummated.offer, ops, "movements-0901-late.xml")
    movements(file, consummated.kim, new_notes="114033.60")  # rejected, then moved anyway
    (participant,) = offer_movements(offer=consummated.offer).participants
    (stray,) = participant.match.without_instruction
    assert (stray.account_number, stray.detail) == (
        "HB-100021",
        "New Notes 114,033.60 credited on 2001-09-05",
    )


def test_the_page_and_the_csv_list_the_differences_with_both_figures(
    consummated: AgentScene, ops: Any, client: Any, django_user_model: Any
) -> None:
    file = reply_file(consummated.offer, ops, "movements-0901.xml")
    movements(file, consummated.ferris, old_notes="400000", new_notes="506186.00",
              warrants="2180", cash="4000.00")  # fmt: skip
    client.force_login(django_user_model.objects.create_superuser("boss", password="x"))
    page = client.get(
        reverse("admin:notes_exchangeoffer_movements", args=[consummated.offer.pk])
    ).content.decode()
    assert (
        "<td>HB-100007</td><td>" in page
        and '<td>New Notes credited (principal)</td><td class="amount">506,816.00 credited'
        '</td><td class="amount">506,186.00 credited</td>'
        in page
    )
    assert "HB-100022" in page and "no movement confirmed" in page
    response = client.get(
        reverse("admin:notes_exchangeoffer_movements_csv", args=[consummated.offer.pk])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["participant", "firm", "kind", "account", "reference", "what", "office",
                       "agent"]  # fmt: skip
    assert [r[2:4] + r[5:] for r in rows[1:]] == [
        ["difference", "HB-100007", "New Notes credited (principal)", "506,816.00 credited",
         "506,186.00 credited"],
        ["no movement", "HB-100022",
         "no movement confirmed; expected New Notes 12,670.40, warrants 55, cash 100.00", "", ""],
    ]  # fmt: skip


def test_the_office_figures_are_the_confirmations_own() -> None:
    from notes.domain.entitlement import compute_entitlement
    from tests.notes.domain.lexington import LEXINGTON

    entitlement = compute_entitlement(LEXINGTON, Decimal("125000"), SEP_5)
    office = OfficeConfirmation.from_entitlement(
        entitlement, instruction_id=1, reference="0901I1V1", account_number="HB-100003"
    )
    assert (office.old_notes, office.new_notes, office.warrants, office.cash) == (
        Decimal("125000"), Decimal("158380.00"), 682, Decimal("1250.00"),
    )  # fmt: skip
    assert office.installments == (1,)
    moved = [
        Movement(1, "0901I1V1", "HB-100003", Asset.OLD_NOTES, False, Decimal("125000"), SEP_5),
        Movement(1, "0901I1V1", "HB-100003", Asset.NEW_NOTES, True, Decimal("158380.00"), SEP_5),
        Movement(1, "0901I1V1", "HB-100003", Asset.WARRANTS, True, Decimal("682"), SEP_5),
        Movement(1, "0901I1V1", "HB-100003", Asset.CASH, True, Decimal("1250.00"), SEP_5),
    ]
    assert match_movements(confirmations=[office], movements=moved).clean


def test_installments_whose_date_passed_are_cash_on_the_consummation_date() -> None:
    from notes.domain.entitlement import compute_entitlement
    from tests.notes.domain.lexington import LEXINGTON

    # Consummated Oct 2, 2001: installment 2 (Sep 30, paid Oct 1) has passed: paid Oct 2 too.
    entitlement = compute_entitlement(LEXINGTON, Decimal("125000"), date(2001, 10, 2))
    office = OfficeConfirmation.from_entitlement(
        entitlement, instruction_id=1, reference="0901I1V1", account_number="HB-100003"
    )
    assert (office.cash, office.installments) == (Decimal("2500.00"), (1, 2))
