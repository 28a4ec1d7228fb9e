# ruff: noqa: F811  (the fixtures imported from test_agent_submissions are arguments here)
"""The agent read back: the agent SIMULATOR's files (seev.034/041/036 and MT567/MT566) valid
against the official XSDs, imported with `manage.py import_agent_messages`, matched to the
messages sent; a file with an unknown reference or read twice refused whole; the standing of
each instruction with the agent.

The scene is test_agent_submissions.py's: Hudson & Broad (DTC 0901) sends Keystone's tender of
all $7,250,000 and the Ferris Family Foundation's $400,000.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from lxml import etree

from notes.models import OfferStatus
from tenders.domain.agent_replies import (
    Asset,
    ParsedReply,
    ReplyKind,
    ReplyStatus,
    movement,
    parse_fin,
)
from tenders.domain.submission import Standing
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.submissions.models import AgentMovement, AgentReply, AgentReplyFile
from tenders.submissions.selectors import agent_standing
from tenders.submissions.services import agent_submission_record
from tenders.submissions.simulator import agent_simulator_file
from tests.tenders.iso20022_check import parse, validation_errors
from tests.tenders.test_agent_submissions import (  # noqa: F401  (fixtures)
    ferris,
    firm,
    instructed,
    keystone,
    offer,
    tender_400000,
    tender_all,
)

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "iso20022"
SEP_5 = date(2001, 9, 5)


@pytest.fixture
def channel(offer: Any, firm: Any) -> None:
    """The demo's fictional BICs: the account servicer's and the participant's."""
    offer.servicer_bic = "DTCYUS33XXX"
    offer.new_security.cusip = "529529AC3"
    offer.new_security.save()
    offer.save()
    firm.bic = "HUDBUS33XXX"
    firm.save()


@pytest.fixture
def sent(offer: Any, firm: Any, ops: Any, instructed: Any, channel: None) -> list[str]:
    """The seev.033 file recorded as sent: its two references."""
    submission = agent_submission_record(
        offer=offer, firm=firm, file_format="seev033", by=ops
    ).submission
    return [item.reference for item in submission.items.order_by("sequence")]


def _simulate(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "reply"
    call_command(
        "agent_simulator",
        "--offer",
        "lexington-2001",
        "--participant",
        "0901",
        "--out",
        str(out),
        *args,
    )
    return out


def _import(path: Path, *args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_agent_messages", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(path: Path, *args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="refused"):
        call_command("import_agent_messages", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("file_format", ["seev", "mt"])
def test_the_simulators_status_advice_imports_as_matched_for_every_instruction_sent(
    tmp_path, sent, file_format
):
    path = _simulate(tmp_path, "--reply", "status", "--format", file_format)
    out, _ = _import(path)
    assert out.strip().splitlines()[-1] == "matched=2 unmatched=0 rejected=0"
    assert AgentReply.objects.filter(status="accepted").count() == 2
    assert AgentReplyFile.objects.get().format == file_format


@pytest.mark.parametrize("file_format", ["seev", "mt"])
def test_a_rejection_is_counted_and_the_instruction_stands_rejected_with_its_reason(
    tmp_path, sent, tender_400000, file_format
):
    reference = f"0901I{tender_400000.pk}V{tender_400000.version}"
    path = _simulate(tmp_path, "--reply", "status", "--format", file_format, "--reject", reference)
    out, _ = _import(path)
    assert out.strip().splitlines()[-1] == "matched=2 unmatched=0 rejected=1"
    standing = agent_standing(instruction=tender_400000)
    assert standing.standing is Standing.REJECTED
    assert standing.reason_code == "LACK"
    assert "insufficient Old Notes" in standing.reason
    assert standing.advised_at is not None


def test_an_unknown_reference_refuses_the_whole_file_and_writes_nothing(tmp_path, sent):
    path = _simulate(tmp_path, "--reply", "status")
    path.write_bytes(path.read_bytes().replace(sent[0].encode(), b"0901I999999V1"))
    out, err = _refused(path)
    assert "0901I999999V1" in err
    assert out.strip().splitlines()[-1] == "matched=1 unmatched=1 rejected=0"
    assert not AgentReplyFile.objects.exists()
    assert not AgentReply.objects.exists()


def test_an_unreadable_message_refuses_the_whole_file(tmp_path, sent):
    path = _simulate(tmp_path, "--reply", "status", "--format", "mt")
    path.write_bytes(path.read_bytes().replace(b":25D::IPRC//PACK", b":25D::IPRC//WHAT", 1))
    _, err = _refused(path)
    assert "WHAT" in err
    assert not AgentReply.objects.exists()


def test_the_same_file_twice_is_refused(tmp_path, sent):
    path = _simulate(tmp_path, "--reply", "status")
    _import(path)
    _, err = _refused(path)
    assert "imported before" in err
    assert AgentReplyFile.objects.count() == 1
    assert AgentReply.objects.count() == 2


def test_a_dry_run_counts_and_writes_nothing(tmp_path, sent):
    path = _simulate(tmp_path, "--reply", "status", "--reject", sent[1])
    out, _ = _import(path, "--dry-run")
    assert out.strip().splitlines()[-1] == "matched=2 unmatched=0 rejected=1"
    assert not AgentReplyFile.objects.exists()
    assert not AgentReply.objects.exists()


def test_an_instruction_sent_and_not_answered_stands_unacknowledged(sent, tender_all):
    assert agent_standing(instruction=tender_all).standing is Standing.UNACKNOWLEDGED


# The simulator's ISO 20022 against the official XSDs


def test_the_simulator_can_answer_only_what_no_status_advice_answered_yet(
    tmp_path, offer, firm, sent
):
    _import(_simulate(tmp_path, "--reply", "status"))
    with pytest.raises(ValidationError, match="Every message sent for 0901 has its status advice"):
        agent_simulator_file(offer=offer, firm=firm, reply="status", unanswered_only=True)
    everything = agent_simulator_file(offer=offer, firm=firm, reply="status")
    assert all(reference.encode() in everything for reference in sent)


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd")))


def _documents_valid(content: bytes) -> list[str]:
    """The whole file validated against the official XSDs (the head.002 envelope, each AppHdr
    and each Document: `validation_errors`), each AppHdr from the servicer to the firm and
    naming its Document's definition: the names of the definitions checked."""
    assert validation_errors(content) == []
    root = etree.fromstring(content)
    assert etree.QName(root).localname == "Xchg"
    elements = [child for payload in root.iter("{*}Pyld") for child in payload]
    checked = []
    for header, document in zip(elements[::2], elements[1::2], strict=True):
        app_hdr = parse(header)
        assert app_hdr.fr.fiid.fin_instn_id.bicfi == "DTCYUS33XXX"
        assert app_hdr.to.fiid.fin_instn_id.bicfi == "HUDBUS33XXX"
        name = etree.QName(document).namespace.rsplit(":", 1)[-1]
        assert app_hdr.msg_def_idr == name
        checked.append(name)
    return checked


def test_the_simulators_seev034_is_valid_against_the_official_xsd(tmp_path, sent):
    path = _simulate(tmp_path, "--reply", "status", "--reject", sent[0])
    assert _documents_valid(path.read_bytes()) == ["seev.034.001.14"] * 2


def test_the_simulators_seev041_is_valid_against_the_official_xsd(
    tmp_path, sent, offer, firm, ops, rep, tender_400000
):
    from tenders.intake.services import instruction_withdraw
    from tests.tenders.conftest import notice_for

    instruction_withdraw(
        notice=notice_for(tender_400000), instruction=tender_400000, expected_version=1, by=rep
    )
    agent_submission_record(offer=offer, firm=firm, file_format="seev033", by=ops)
    path = _simulate(tmp_path, "--reply", "status")
    assert sorted(_documents_valid(path.read_bytes())) == [
        "seev.034.001.14",
        "seev.034.001.14",
        "seev.041.001.13",
    ]
    out, _ = _import(path)
    assert out.strip().splitlines()[-1] == "matched=3 unmatched=0 rejected=0"


def test_a_reply_that_breaks_the_xsd_is_caught_by_the_check(tmp_path, sent):
    path = _simulate(tmp_path, "--reply", "status")
    broken = path.read_bytes().replace(b"<Cd>EXOF</Cd>", b"<Cd>EXOX</Cd>", 1)
    with pytest.raises(AssertionError):
        _documents_valid(broken)


# After consummation: the movements


@pytest.fixture
def consummated(offer: Any, sent: list[str]) -> Any:
    """As consummation on Sep 5, 2001 leaves them: the offer consummated, the instructions
    accepted with the amounts sent."""
    Instruction.objects.filter(offer=offer).update(status=InstructionStatus.ACCEPTED)
    offer.status = OfferStatus.CONSUMMATED
    offer.consummation_date = SEP_5
    offer.save()
    return offer


def test_the_simulators_seev036_is_valid_against_the_official_xsd(tmp_path, consummated):
    path = _simulate(tmp_path, "--reply", "movements")
    assert _documents_valid(path.read_bytes()) == ["seev.036.001.15"] * 2


@pytest.mark.parametrize("file_format", ["seev", "mt"])
def test_movements_import_stores_the_new_notes_warrants_and_the_first_fee(
    tmp_path, consummated, tender_400000, file_format
):
    path = _simulate(tmp_path, "--reply", "movements", "--format", file_format)
    out, _ = _import(path)
    assert out.strip().splitlines()[-1] == "matched=2 unmatched=0 rejected=0"
    reply = AgentReply.objects.get(instruction=tender_400000, kind="movement")
    moves = {
        (m.asset, m.credit): (m.amount, m.posted_on)
        for m in AgentMovement.objects.filter(reply=reply)
    }
    # $400,000: 400 x ($1,000 + $267.04) New Notes, 400 x 5.45 warrants, fee 1 = 400 x $10.
    assert moves == {
        ("old_notes", False): (Decimal("400000.00"), SEP_5),
        ("new_notes", True): (Decimal("506816.00"), SEP_5),
        ("warrants", True): (Decimal("2180.00"), SEP_5),
        ("cash", True): (Decimal("4000.00"), SEP_5),
    }


def test_movements_before_consummation_are_refused_by_the_simulator(tmp_path, sent):
    with pytest.raises(CommandError, match="not consummated"):
        _simulate(tmp_path, "--reply", "movements")


def test_the_simulator_writes_nothing_to_the_database(tmp_path, sent):
    _simulate(tmp_path, "--reply", "status")
    assert not AgentReplyFile.objects.exists()
    assert not AgentReply.objects.exists()


# MT567 / MT566 without the database


def test_mt567_and_mt566_round_trip():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tenders.domain.agent_replies import (
        FinParties,
        fin_file,
        fin_message,
        mt566_fields,
        mt567_fields,
    )

    at = datetime(2001, 8, 21, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    parties = FinParties(
        "DTCYUS33XXX", "HUDBUS33", "NONREF", "0901", "US529529AA73", "US529529AC30"
    )
    status = ParsedReply(
        "MT567",
        ReplyKind.STATUS,
        "0901I7V1",
        "SIMS000001",
        ReplyStatus.REJECTED,
        reason_code="LACK",
        reason="Insufficient securities",
        advised_at=at,
    )
    cancel = ParsedReply(
        "MT567",
        ReplyKind.STATUS,
        "0901C7V1",
        "SIMS000002",
        ReplyStatus.ACCEPTED,
        advised_at=at,
        cancellation=True,
    )
    moves = ParsedReply(
        "MT566",
        ReplyKind.MOVEMENT,
        "0901I8V1",
        "SIMM000001",
        ReplyStatus.ACCEPTED,
        advised_at=at,
        movements=(
            movement(
                asset=Asset.OLD_NOTES, credit=False, amount=Decimal("125000"), posted_on=SEP_5
            ),
            movement(asset=Asset.NEW_NOTES, credit=True, amount=Decimal("158380"), posted_on=SEP_5),
            movement(asset=Asset.WARRANTS, credit=True, amount=Decimal("682"), posted_on=SEP_5),
            movement(asset=Asset.CASH, credit=True, amount=Decimal("1250"), posted_on=SEP_5),
        ),
    )
    text = fin_file(
        [
            fin_message(
                parties, "MT567", mt567_fields(parties, status, narrative="SIMULATOR"), sent_at=at
            ),
            fin_message(
                parties, "MT567", mt567_fields(parties, cancel, narrative="SIMULATOR"), sent_at=at
            ),
            fin_message(
                parties, "MT566", mt566_fields(parties, moves, narrative="SIMULATOR"), sent_at=at
            ),
        ]
    ).decode("ascii")
    assert text.startswith("{1:F01HUDBUS33XXXX")
    assert "{2:O567" in text
    replies, problems = parse_fin(text)
    assert problems == []
    assert replies == [status, cancel, moves]


def test_fin_messages_are_also_read_one_after_another_without_dollar_signs():
    block = (
        "{1:F01HUDBUS33XXXX0000000000}{2:O5670930010821DTCYUS33XXXX00000000000108210930N}"
        "{4:\n:16R:GENL\n:20C::SEME//A{n}\n:23G:INST\n:16R:LINK\n:20C::RELA//0901I{n}V1\n"
        ":16S:LINK\n:16R:STAT\n:25D::IPRC//PEND\n:16S:STAT\n:16S:GENL\n-}"
    )
    replies, problems = parse_fin(block.replace("{n}", "1") + "\n" + block.replace("{n}", "2"))
    assert problems == []
    assert [(r.answers, r.status) for r in replies] == [
        ("0901I1V1", ReplyStatus.PENDING),
        ("0901I2V1", ReplyStatus.PENDING),
    ]


def test_the_same_movements_in_a_file_that_differs_are_refused_and_not_counted_twice(
    tmp_path, consummated
):
    path = _simulate(tmp_path, "--reply", "movements")
    _import(path)
    copy = tmp_path / "copy.xml"
    copy.write_bytes(path.read_bytes() + b"\n")  # other bytes, the same messages
    _out, err = _refused(copy)
    assert "was imported before, in file No." in err
    assert AgentReplyFile.objects.count() == 1
    assert AgentMovement.objects.filter(reply__file__filename="copy.xml").count() == 0


def test_a_file_declaring_a_doctype_is_refused_and_its_entities_never_read(tmp_path, sent):
    path = _simulate(tmp_path, "--reply", "status")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    content = path.read_bytes().replace(
        b"<Xchg ",
        f'<!DOCTYPE Xchg [<!ENTITY xxe SYSTEM "file://{secret}">]>\n<Xchg '.encode(),
        1,
    )
    hostile = tmp_path / "hostile.xml"
    hostile.write_bytes(content)
    _out, err = _refused(hostile)
    assert "DOCTYPE" in err
    assert not AgentReply.objects.exists()
