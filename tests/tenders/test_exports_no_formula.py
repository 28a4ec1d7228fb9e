"""Every CSV export, downloaded from the admin or written by a command, with an account number
`=1+1` and an owner named like a HYPERLINK formula stored (as rows saved before the fields
refused them are): no cell starts a formula, and the values are there, written as text
(issue 22, point 1).

Hudson & Broad's `=1+1` holds $480,000 and tenders $400,000 (its file for the agent is CSV);
"-2+3 Securities"' own `=1+1` holds $130,000 and never answers.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from notes.models import ExchangeOffer
from notes.services import agent_report_record
from tenders.intake.services import instruction_submit
from tenders.models import Instruction
from tenders.offers.consummation import offer_consummate
from tenders.submissions.models import AgentStatus, AgentSubmission
from tests import factories
from tests.tenders.agent_scene import SEP_5, SEP_5_MORNING, agent_says, reply_file
from tests.tenders.conftest import amount_input, send_to_agent
from tests.tenders.notices_scene import holder

pytestmark = pytest.mark.django_db

HOSTILE_NUMBER = "=1+1"
HOSTILE_NAME = '=HYPERLINK("http://evil.example","nt")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Hostile:
    offer: ExchangeOffer
    firm: Any
    instruction: Instruction
    ops: Any
    client: Client
    at: Callable[[Any], None]


@pytest.fixture
def hostile(offer, firm, rep, ops, client, at, fake_pdf) -> Hostile:
    offer.outstanding_principal = Decimal("610000")
    offer.minimum_tender_percent = Decimal("80")
    offer.save()
    offer.conditions.update(is_satisfied=True)
    firm.agent_format = "csv"
    firm.save()
    tendering = holder(firm, offer, ops, HOSTILE_NUMBER, HOSTILE_NAME, "480000")
    instruction = instruction_submit(
        account=tendering, offer=offer, data=amount_input(tendering, "400000"), by=rep
    )
    quiet_firm = factories.BrokerFirmFactory(name="-2+3 Securities")
    holder(quiet_firm, offer, ops, HOSTILE_NUMBER, HOSTILE_NAME, "130000")
    client.force_login(ops)
    return Hostile(offer, firm, instruction, ops, client, at)


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _download(h: Hostile, name: str, *args: Any) -> str:
    response = h.client.get(reverse(f"admin:{name}", args=args))
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def _consummated(h: Hostile) -> None:
    """Sent, accepted by the agent, its report recorded, consummated on Sep 5, 2001 (no
    movement imported: the instruction is listed as without one)."""
    send_to_agent(h.offer, h.ops)
    agent_says(reply_file(h.offer, h.ops, "status.xml"), h.instruction, AgentStatus.ACCEPTED)
    h.at(SEP_5_MORNING)
    agent_report_record(
        offer=h.offer,
        tendered_principal=Decimal("600000"),
        as_of=SEP_5,
        source="Wilmington Trust tender report (invented for the test)",
        by=h.ops,
    )
    offer_consummate(offer=h.offer, on=SEP_5, by=h.ops)


def tabulation_download(h: Hostile) -> str:
    return _download(h, "notes_exchangeoffer_tabulation_csv", h.offer.pk)


def tabulation_command(h: Hostile) -> str:
    return _command("tabulation", "--offer", h.offer.slug, "--format", "csv")


def nontender_download(h: Hostile) -> str:
    return _download(h, "tenders_nontenderreportoffer_csv", h.offer.pk)


def nontender_command(h: Hostile) -> str:
    return _command("nontender_report", "--offer", h.offer.slug, "--format", "csv")


def agent_preview_download(h: Hostile) -> str:
    return _download(h, "tenders_agentsubmission_preview", h.offer.pk, h.firm.pk, "csv")


def agent_command(h: Hostile) -> str:
    participant = h.firm.dtc_participant_number
    return _command(
        "agent_submission", "--offer", h.offer.slug, "--format", "csv", "--participant", participant
    )


def agent_sent_file_download(h: Hostile) -> str:
    send_to_agent(h.offer, h.ops)
    return _download(h, "tenders_agentsubmission_download", AgentSubmission.objects.get().pk)


def reconciliation_download(h: Hostile) -> str:
    send_to_agent(h.offer, h.ops)
    return _download(h, "tenders_agentsubmission_reconciliation_csv", h.offer.pk, h.firm.pk)


def movements_download(h: Hostile) -> str:
    _consummated(h)
    return _download(h, "notes_exchangeoffer_movements_csv", h.offer.pk)


# Each export, and whether it names the owners.
EXPORTS = [
    pytest.param(export, names_owners, id=export.__name__)
    for export, names_owners in [
        (tabulation_download, True),
        (tabulation_command, True),
        (nontender_download, True),
        (nontender_command, True),
        (agent_preview_download, False),
        (agent_command, False),
        (agent_sent_file_download, False),
        (reconciliation_download, False),
        (movements_download, False),
    ]
]


@pytest.mark.parametrize(("export", "names_owners"), EXPORTS)
def test_no_export_writes_a_cell_that_starts_a_formula(
    hostile: Hostile, export: Callable[[Hostile], str], names_owners: bool
) -> None:
    cells = [cell for row in csv.reader(io.StringIO(export(hostile))) for cell in row]
    assert [cell for cell in cells if cell.startswith(FORMULA_START)] == []
    assert f"'{HOSTILE_NUMBER}" in cells
    assert not names_owners or f"'{HOSTILE_NAME}" in cells
