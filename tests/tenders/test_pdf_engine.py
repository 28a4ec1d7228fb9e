"""How the documents are rendered fast without being any different (issue 24, point 3).

Our user-agent stylesheet (static/pdf/user-agent.css) stands in for WeasyPrint's: every kind
of document is rendered twice, with ours and with WeasyPrint's own, and the two PDFs must be
the same bytes. The cyclic garbage collector is paused while WeasyPrint lays a document out.
"""

import gc
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import weasyprint

from exchange_office import clock
from notes.models import OfferStatus
from tenders.documents import rendering
from tenders.documents.models import DocumentSnapshot
from tenders.intake.services import instruction_submit, instruction_withdraw
from tenders.models import InstructionStatus
from tenders.online.letters import client_letter_issue
from tests.tenders.conftest import AUG_20, make_input, notice_for

pytestmark = pytest.mark.django_db

ONE_LINE = '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body><p>One.</p>'


@pytest.fixture
def twins(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    """Each document rendered in the test, rendered again with WeasyPrint's own user-agent
    stylesheet: the pairs (ours, WeasyPrint's)."""
    pairs: list[tuple[bytes, bytes]] = []
    original = rendering.render_html
    engine = rendering._get_engine()

    def render_html(html: str) -> rendering.RenderedPdf:
        ours = original(html)
        with monkeypatch.context() as patch:
            patch.setattr(engine, "html_class", weasyprint.HTML)
            theirs = original(html)
        pairs.append((ours.content, theirs.content))
        return ours

    monkeypatch.setattr(rendering, "render_html", render_html)
    return pairs


def _receipt(instruction: Any, kind: str) -> None:
    snapshot = DocumentSnapshot.objects.get(instruction=instruction, kind=kind)
    rendering.render_snapshot(snapshot, document_number=f"{kind.upper()}-1")


@pytest.mark.slow
def test_receipts_and_the_confirmation_are_the_same_bytes_as_with_weasyprints_stylesheet(
    account: Any, offer: Any, rep: Any, twins: list[tuple[bytes, bytes]]
) -> None:
    with clock.frozen_at(AUG_20):
        instruction = instruction_submit(
            account=account, offer=offer, data=make_input(account), by=rep
        )
        withdrawn = instruction_withdraw(
            notice=notice_for(instruction), instruction=instruction, expected_version=1, by=rep
        )
    _receipt(instruction, "receipt")
    _receipt(withdrawn, "withdrawal")
    offer.status, offer.consummation_date = OfferStatus.CONSUMMATED, date(2001, 9, 5)
    offer.save()
    instruction.status, instruction.resolved_amount = InstructionStatus.ACCEPTED, Decimal(125000)
    instruction.save()
    rendering.render_confirmation(
        instruction,
        document_number="C-1",
        generated_at=clock.now(),
        generated_wall_at=clock.wall_now(),
    )
    assert len(twins) == 3
    for ours, theirs in twins:
        assert ours == theirs


@pytest.mark.slow
def test_the_client_letter_with_its_list_and_form_is_the_same_bytes_as_with_weasyprints(
    account: Any, offer: Any, twins: list[tuple[bytes, bytes]]
) -> None:
    client_letter_issue(offer=offer, account=account)
    ((ours, theirs),) = twins
    assert ours == theirs


def test_the_collector_is_paused_while_a_document_is_laid_out_and_on_again_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = rendering._get_engine()
    collecting: list[bool] = []
    ours: Any = engine.html_class

    class Spy(ours):
        def render(self, *args: Any, **kwargs: Any) -> Any:
            collecting.append(gc.isenabled())
            return super().render(*args, **kwargs)

    monkeypatch.setattr(engine, "html_class", Spy)
    rendering.render_html(ONE_LINE)
    assert collecting == [False]
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_document_that_fails() -> None:
    with pytest.raises(rendering.ResourceRefused):
        rendering.render_html(ONE_LINE + '<img src="http://example.com/x.png">')
    assert gc.isenabled()
