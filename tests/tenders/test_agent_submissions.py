"""Submission files for the exchange agent: the seev.033 / seev.040 XML validated against the
message definitions, its fields, the MT565 and CSV of the same messages, recording (the
instructions move to submitted; the file and its SHA-256 are kept), what the next file holds
(only what changed; a withdrawal or an amendment after submission is cancelled), who may send,
the admin page and `manage.py agent_submission`.

The scene is Hudson & Broad (DTC 0901) as in the demo: Keystone Mutual (HB-100001) tenders all
of its $7,250,000; the Ferris Family Foundation (HB-100007) tenders $400,000 of its $480,000.
The ISIN of CUSIP 529529AA7 is US529529AA73 (worked by hand in domain/test_submission.py).
"""

import csv
import getpass
import hashlib
import io
import socket
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from tenders.accounts.services import account_set_tin
from tenders.domain.submission import Standing
from tenders.intake.services import instruction_amend, instruction_submit, instruction_withdraw
from tenders.models import (
    AgentSubmission,
    ClientAccount,
    Instruction,
    InstructionTransition,
    Position,
)
from tenders.submissions import files
from tenders.submissions.selectors import agent_standing, agent_submission_build, submission_plan
from tenders.submissions.services import (
    agent_submission_record,
    agent_submission_resend,
    instructions_submit_to_agent,
)
from tests import factories
from tests.tenders.conftest import (
    AUG_20,
    EXPIRATION,
    ONE_SECOND,
    amount_input,
    make_input,
    notice_for,
)
from tests.tenders.iso20022_check import (
    HEAD_001,
    HEAD_002,
    SEEV_033,
    SEEV_040,
    messages_of,
    parse,
    root_of,
    validation_errors,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
OLD_NOTES = "12 3/4% Senior Subordinated Notes due February 1, 2000"


@pytest.fixture
def offer(db: None) -> Any:
    return factories.ExchangeOfferFactory(
        slug="lexington-2001", old_security__cusip="529529AA7", old_security__name=OLD_NOTES
    )


@pytest.fixture
def firm(db: None) -> Any:
    return factories.BrokerFirmFactory(
        name="Hudson & Broad Securities LLC",
        dtc_participant_number="0901",
        bic="DEMHUS30",  # fictional, as in the demo
        agent_format="seev033",
    )


def _holder(firm: Any, offer: Any, ops: Any, number: str, owner: str, held: str) -> ClientAccount:
    account = factories.ClientAccountFactory(firm=firm, account_number=number, owners=[owner])
    factories.PositionFactory(account=account, security=offer.old_security, principal=Decimal(held))
    return account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=ops)


@pytest.fixture
def keystone(firm, offer, ops) -> ClientAccount:
    return _holder(firm, offer, ops, "HB-100001", "Keystone Mutual Insurance Company", "7250000")


@pytest.fixture
def ferris(firm, offer, ops) -> ClientAccount:
    return _holder(firm, offer, ops, "HB-100007", "Ferris Family Foundation", "480000")


@pytest.fixture
def tender_all(keystone, offer, rep) -> Instruction:
    return instruction_submit(account=keystone, offer=offer, data=make_input(keystone), by=rep)


@pytest.fixture
def tender_400000(ferris, offer, rep) -> Instruction:
    return instruction_submit(
        account=ferris, offer=offer, data=amount_input(ferris, "400000"), by=rep
    )


@pytest.fixture
def instructed(tender_all, tender_400000) -> tuple[Instruction, Instruction]:
    return tender_all, tender_400000


def _build(offer: Any, firm: Any, file_format: str = "seev033", **kwargs: Any) -> bytes:
    return agent_submission_build(offer=offer, firm=firm, file_format=file_format, **kwargs).content


def _record(offer: Any, firm: Any, ops: Any, file_format: str | None = None, **kwargs: Any) -> Any:
    """Record the firm's next file (in its own format, unless `file_format` switches the firm's
    channel to another first)."""
    if file_format is not None and file_format != firm.agent_format:
        firm.agent_format = file_format
        firm.save()
    return agent_submission_record(offer=offer, firm=firm, by=ops, **kwargs).submission


def _documents(xml: bytes) -> list[Any]:
    """The parsed Documents of the file, in order (each after its AppHdr)."""
    return [parse(e) for e in messages_of(xml) if etree.QName(e).localname == "Document"]


def _instruction_of(xml: bytes, reference: str) -> Any:
    """The seev.033 instruction whose AppHdr has this BizMsgIdr."""
    elements = messages_of(xml)
    for header, document in zip(elements[::2], elements[1::2], strict=True):
        if parse(header).biz_msg_idr == reference:
            return parse(document).corp_actn_instr
    raise AssertionError(f"no message {reference}")


def _ref(instruction: Instruction, letter: str = "I") -> str:
    return f"0901{letter}{instruction.pk}V{instruction.version}"


# seev.033 / seev.040 against the official schemas


def test_the_seev033_file_is_valid_against_the_official_schemas(offer, firm, instructed):
    xml = _build(offer, firm)
    assert len(messages_of(xml)) == 4
    assert validation_errors(xml) == []


def test_a_seev040_cancellation_is_valid_against_the_official_schemas(
    offer, firm, ops, rep, tender_400000
):
    _record(offer, firm, ops)
    instruction_withdraw(
        notice=notice_for(tender_400000), instruction=tender_400000, expected_version=1, by=rep
    )
    xml = _build(offer, firm)
    assert [etree.QName(e).namespace for e in messages_of(xml)] == [HEAD_001, SEEV_040]
    assert validation_errors(xml) == []


@pytest.mark.parametrize(
    ("written", "broken"),
    [
        (b"<Cd>EXOF</Cd>", b"<Cd>EXOX</Cd>"),  # not in the event type code list
        (b"<CorpActnEvtId>NONREF</CorpActnEvtId>", b""),  # a required element left out
        (b"<ISIN>US529529AA73</ISIN>", b"<ISIN>us529529aa73</ISIN>"),  # ISIN's pattern
        (b"<Nb>001</Nb>", b"<Nb>1</Nb>"),  # an option number is three digits
        (b"<SfkpgAcct>0901</SfkpgAcct>", b"<Acct>0901</Acct>"),  # no such element
        (b"<BICFI>DEMHUS30</BICFI>", b"<BICFI>demhus30</BICFI>"),  # a BIC's pattern
        (b"<TtlNbOfDocs>2</TtlNbOfDocs>", b"<TtlNbOfDocs>two</TtlNbOfDocs>"),  # the envelope's
    ],
)
def test_the_validation_refuses_a_file_that_breaks_the_schemas(
    offer, firm, tender_400000, written, broken
):
    xml = _build(offer, firm)
    assert written in xml
    assert validation_errors(xml.replace(written, broken, 1)) != []


def test_the_file_is_a_business_file_header_holding_each_app_hdr_then_its_document(
    offer, firm, instructed
):
    xml = _build(offer, firm)
    root = root_of(xml)
    assert (etree.QName(root).namespace, etree.QName(root).localname) == (HEAD_002, "Xchg")
    payloads = root.findall(f"{{{HEAD_002}}}Pyld")
    assert [[(etree.QName(e).localname, e.prefix, e.nsmap) for e in p] for p in payloads] == [
        [("AppHdr", None, {None: HEAD_001})],
        [("Document", None, {None: SEEV_033})],
    ] * 2


def test_the_business_file_header_counts_its_documents(offer, firm, instructed):
    root = root_of(_build(offer, firm))
    description = root.find(f"{{{HEAD_002}}}PyldDesc")
    assert description.findtext(f".//{{{HEAD_002}}}TtlNbOfDocs") == "4"
    manifest = [
        (m.findtext(f"{{{HEAD_002}}}DocTp"), m.findtext(f"{{{HEAD_002}}}NbOfDocs"))
        for m in description.iterfind(f"{{{HEAD_002}}}MnfstData")
    ]
    assert manifest == [("head.001.001.02", "2"), ("seev.033.001.12", "2")]


def test_the_root_is_never_a_private_element(offer, firm, instructed):
    assert b"AgentSubmission" not in _build(offer, firm)


# The seev.033 fields


def test_the_app_hdr_names_the_message_by_the_instructions_reference(offer, firm, tender_400000):
    header = parse(messages_of(_build(offer, firm))[0])
    assert header.biz_msg_idr == _ref(tender_400000)
    assert header.msg_def_idr == "seev.033.001.12"
    assert str(header.cre_dt) == "2001-08-20T10:00:00-04:00"


def test_the_app_hdr_is_from_the_firms_bic_to_the_servicers_bic_and_no_name(
    offer, firm, tender_400000
):
    header = parse(messages_of(_build(offer, firm))[0])
    assert header.fr.fiid.fin_instn_id.bicfi == "DEMHUS30"
    assert header.to.fiid.fin_instn_id.bicfi == "DEMDUS30"
    assert (header.fr.fiid.fin_instn_id.nm, header.to.fiid.fin_instn_id.nm) == (None, None)


def test_a_first_sending_is_not_flagged_as_a_possible_duplicate(offer, firm, tender_400000):
    xml = _build(offer, firm)
    assert parse(messages_of(xml)[0]).pssbl_dplct is None
    assert b"PssblDplctFlg" not in xml


def test_the_instruction_is_an_exchange_offer_option_001_for_securities(offer, firm, tender_400000):
    instruction = _instruction_of(_build(offer, firm), _ref(tender_400000))
    assert instruction.corp_actn_gnl_inf.evt_tp.cd.value == "EXOF"
    assert instruction.corp_actn_instr.optn_nb.nb == "001"
    assert instruction.corp_actn_instr.optn_tp.cd.value == "SECU"


def test_a_stated_amount_is_instructed_as_its_face_amount(offer, firm, tender_400000):
    instruction = _instruction_of(_build(offer, firm), _ref(tender_400000))
    quantity = instruction.corp_actn_instr.scties_qty_or_instd_amt.scties_qty.instd_qty
    assert quantity.qty.face_amt == Decimal("400000")


def test_a_tender_all_is_instructed_as_the_position_it_resolves_to_not_qall(
    offer, firm, tender_all
):
    instruction = _instruction_of(_build(offer, firm), _ref(tender_all))
    quantity = instruction.corp_actn_instr.scties_qty_or_instd_amt.scties_qty.instd_qty
    assert quantity.cd is None  # QALL would tender every client's notes in the omnibus account
    assert quantity.qty.face_amt == Decimal("7250000")


def test_the_safekeeping_account_is_the_participant_when_the_firm_names_none(
    offer, firm, tender_400000
):
    instruction = _instruction_of(_build(offer, firm), _ref(tender_400000))
    assert instruction.acct_dtls.sfkpg_acct == "0901"


def test_the_safekeeping_account_is_the_firms_when_it_names_one(offer, firm, tender_400000):
    firm.safekeeping_account = "DTC0901A"
    firm.save()
    instruction = _instruction_of(_build(offer, firm), _ref(tender_400000))
    assert instruction.acct_dtls.sfkpg_acct == "DTC0901A"


def test_the_old_notes_are_named_by_isin_with_the_cusip_beside_it(offer, firm, tender_400000):
    security = _instruction_of(_build(offer, firm), _ref(tender_400000))
    identification = security.corp_actn_gnl_inf.undrlyg_scty.fin_instrm_id
    assert identification.isin == "US529529AA73"
    assert [(o.id, o.tp.cd) for o in identification.othr_id] == [("529529AA7", "CUSP")]


def test_the_event_is_nonref_until_operations_enter_the_servicers(offer, firm, tender_400000):
    instruction = _instruction_of(_build(offer, firm), _ref(tender_400000))
    assert instruction.corp_actn_gnl_inf.corp_actn_evt_id == "NONREF"


def test_the_event_is_named_by_the_offers_event_reference_once_entered(offer, firm, tender_400000):
    offer.agent_event_id = "DTC123456"
    offer.save()
    instruction = _instruction_of(_build(offer, firm), _ref(tender_400000))
    assert instruction.corp_actn_gnl_inf.corp_actn_evt_id == "DTC123456"


def test_an_offer_without_an_event_reference_is_refused(offer, firm, tender_400000):
    offer.agent_event_id = ""
    offer.save()
    with pytest.raises(ValidationError, match="no corporate action event reference"):
        _build(offer, firm)


def test_a_firm_without_a_bic_is_refused_saying_where_to_enter_it(offer, firm, tender_400000):
    firm.bic = ""
    firm.save()
    with pytest.raises(ValidationError, match=r"0901 Hudson & Broad Securities LLC has no BIC.*"
                       r"admin's Broker firms"):  # fmt: skip
        _build(offer, firm)


def test_an_offer_without_a_servicer_bic_is_refused_saying_where_to_enter_it(
    offer, firm, tender_400000
):
    offer.servicer_bic = ""
    offer.save()
    with pytest.raises(
        ValidationError, match=r"no account servicer's BIC.*admin's Exchange offers"
    ):
        _build(offer, firm)


# MT565 and CSV of the same messages


def test_the_mt565_tenders_hb_100007s_400000_face_amount(offer, firm, tender_400000):
    lines = _build(offer, firm, "mt565").decode("ascii").split("\r\n")
    assert f":20C::SEME//{_ref(tender_400000)}" in lines
    assert ":22F::CAEV//EXOF" in lines
    assert ":13A::CAON//001" in lines
    assert ":22F::CAOP//SECU" in lines
    assert ":36B::QINS//FAMT/400000," in lines
    assert ":97A::SAFE//0901" in lines
    assert ":35B:ISIN US529529AA73" in lines and "/US/529529AA7" in lines


def test_the_csv_has_a_row_per_instruction_with_its_reference(offer, firm, instructed):
    rows = list(csv.DictReader(io.StringIO(_build(offer, firm, "csv").decode())))
    tender_all, tender_400000 = instructed
    columns = ["participant", "account", "cusip", "tender", "face_amount", "status", "reference"]
    assert [tuple(r[c] for c in columns) for r in rows] == [
        ("0901", "HB-100001", "529529AA7", "ALL", "7250000.00", "received", _ref(tender_all)),
        ("0901", "HB-100007", "529529AA7", "400000.00", "400000.00", "received",
         _ref(tender_400000)),
    ]  # fmt: skip


# Recording


def test_building_a_file_changes_nothing(offer, firm, instructed):
    _build(offer, firm)
    assert set(Instruction.objects.values_list("status", flat=True)) == {"received"}
    assert not AgentSubmission.objects.exists()


def test_recording_moves_the_instructions_to_submitted_with_their_reference(
    offer, firm, ops, instructed
):
    _record(offer, firm, ops)
    tender_all, tender_400000 = (Instruction.objects.get(pk=i.pk) for i in instructed)
    assert (tender_all.status, tender_all.resolved_amount) == ("submitted", Decimal("7250000"))
    assert (tender_400000.status, tender_400000.resolved_amount) == ("submitted", Decimal("400000"))
    move = InstructionTransition.objects.get(instruction=tender_all, to_status="submitted")
    assert move.by == ops
    assert _ref(tender_all) in move.reason


def test_recording_keeps_the_file_with_its_sha256_who_and_when(offer, firm, ops, instructed):
    submission = _record(offer, firm, ops)
    content = bytes(submission.content)
    assert submission.sha256 == hashlib.sha256(content).hexdigest()
    assert submission.size == len(content)
    assert (submission.participant, submission.format, submission.created_by) == (
        "0901", "seev033", ops
    )  # fmt: skip
    assert submission.business_at == AUG_20
    assert list(submission.items.values_list("kind", "reference")) == [
        ("instruct", _ref(i)) for i in instructed
    ]
    assert b"<Document" in content and validation_errors(content) == []


def test_the_recorded_file_states_the_instructions_as_submitted(offer, firm, ops, instructed):
    rows = list(
        csv.DictReader(io.StringIO(bytes(_record(offer, firm, ops, "csv").content).decode()))
    )
    assert {r["status"] for r in rows} == {"submitted"}


def test_recording_again_sends_only_what_changed(offer, firm, ops, rep, tender_all, ferris):
    _record(offer, firm, ops)
    tender_400000 = instruction_submit(
        account=ferris, offer=offer, data=amount_input(ferris, "400000"), by=rep
    )
    again = _record(offer, firm, ops)
    assert list(again.items.values_list("reference", flat=True)) == [_ref(tender_400000)]


def test_recording_with_nothing_new_is_refused(offer, firm, ops, instructed):
    _record(offer, firm, ops)
    with pytest.raises(ValidationError, match="Nothing to send for 0901"):
        _record(offer, firm, ops)
    assert AgentSubmission.objects.count() == 1


def test_a_tender_all_keeps_the_amount_it_resolved_to_when_sent_again(
    offer, firm, ops, tender_all, keystone
):
    _record(offer, firm, ops)
    Position.objects.filter(account=keystone).update(principal=Decimal("8000000"))
    again = _record(offer, firm, ops, holds_all=True)
    assert list(again.items.values_list("reference", "face_amount")) == [
        (_ref(tender_all), Decimal("7250000"))
    ]


# One channel per participant


def test_once_a_file_is_recorded_no_formats_preview_holds_its_instructions(
    offer, firm, ops, tender_400000
):
    _record(offer, firm, ops)
    for file_format in ("seev033", "mt565", "csv"):
        assert (
            agent_submission_build(offer=offer, firm=firm, file_format=file_format).plan.messages
            == ()
        )


def test_the_mt565_preview_of_an_instruction_sent_in_seev033_is_an_empty_file(
    offer, firm, ops, tender_400000
):
    _record(offer, firm, ops, "seev033")
    assert _build(offer, firm, "mt565") == b""


def test_the_csv_preview_with_nothing_due_is_its_header_row(offer, firm, ops, tender_400000):
    _record(offer, firm, ops)
    assert _build(offer, firm, "csv").decode() == ",".join(files.CSV_COLUMNS) + "\r\n"


def test_the_iso20022_preview_with_nothing_due_is_a_valid_header_with_no_payload(
    offer, firm, ops, tender_400000
):
    _record(offer, firm, ops)
    xml = _build(offer, firm)
    assert messages_of(xml) == []
    assert root_of(xml).findtext(f".//{{{HEAD_002}}}TtlNbOfDocs") == "0"
    assert validation_errors(xml) == []


def test_a_format_other_than_the_firms_is_previewed_but_never_recorded(
    offer, firm, ops, tender_400000
):
    assert b":20C::SEME//" in _build(offer, firm, "mt565")
    with pytest.raises(ValidationError, match="^.*0901 records its files in ISO 20022 seev.033 "
                       r"\(XML\): ISO 15022 MT565 is a preview only"):  # fmt: skip
        agent_submission_record(offer=offer, firm=firm, file_format="mt565", by=ops)
    assert not AgentSubmission.objects.exists()


def test_a_cancellation_is_due_in_every_formats_preview_until_it_is_sent_in_one(
    offer, firm, ops, rep, tender_400000
):
    _record(offer, firm, ops, "seev033")
    instruction_withdraw(
        notice=notice_for(tender_400000), instruction=tender_400000, expected_version=1, by=rep
    )
    assert ":23G:CANC" in _build(offer, firm, "mt565").decode()
    _record(offer, firm, ops, "mt565")  # the firm moved to MT565
    assert submission_plan(offer=offer, firm=firm, file_format="seev033").messages == ()


# Sent again: the same references, flagged as possible duplicates


def test_all_repeats_the_sent_instructions_under_the_same_references_as_possible_duplicates(
    offer, firm, ops, tender_400000
):
    first = _record(offer, firm, ops)
    again = _record(offer, firm, ops, holds_all=True)
    assert list(again.items.values_list("reference")) == list(first.items.values_list("reference"))
    assert (first.possible_duplicate, again.possible_duplicate) == (False, True)
    xml = bytes(again.content)
    assert parse(messages_of(xml)[0]).pssbl_dplct is True
    assert b"<PssblDplctFlg>true</PssblDplctFlg>" in xml
    assert validation_errors(xml) == []


def test_all_flags_only_the_instructions_sent_before(offer, firm, ops, rep, tender_all, ferris):
    _record(offer, firm, ops)
    tender_400000 = instruction_submit(
        account=ferris, offer=offer, data=amount_input(ferris, "400000"), by=rep
    )
    elements = messages_of(bytes(_record(offer, firm, ops, holds_all=True).content))
    flags = {parse(h).biz_msg_idr: parse(h).pssbl_dplct for h in elements[::2]}
    assert flags == {_ref(tender_all): True, _ref(tender_400000): None}


def test_an_mt565_sent_again_carries_the_pde_trailer(offer, firm, ops, tender_400000):
    _record(offer, firm, ops, "mt565")
    text = bytes(_record(offer, firm, ops, holds_all=True).content).decode("ascii")
    assert text.endswith("-}{5:{PDE:}}\r\n")


def test_sending_a_recorded_file_again_repeats_its_messages_as_a_resend(
    offer, firm, ops, tender_400000
):
    first = _record(offer, firm, ops)
    again = agent_submission_resend(submission=first, by=ops).submission
    assert list(again.items.values_list("kind", "reference", "face_amount")) == list(
        first.items.values_list("kind", "reference", "face_amount")
    )
    assert again.possible_duplicate and again.pk != first.pk
    assert parse(messages_of(bytes(again.content))[0]).pssbl_dplct is True
    assert tender_400000.transitions.filter(to_status="submitted").count() == 1


def test_a_stated_amount_above_the_position_is_held_back_and_stays_received(
    offer, firm, ops, tender_all, tender_400000, ferris
):
    Position.objects.filter(account=ferris).update(principal=Decimal("300000"))
    recorded = agent_submission_record(offer=offer, firm=firm, by=ops)
    assert recorded.held_back == ("HB-100007: $400,000 instructed but $300,000 held.",)
    assert list(recorded.submission.items.values_list("reference", flat=True)) == [_ref(tender_all)]
    assert Instruction.objects.get(pk=tender_400000.pk).status == "received"


# Withdrawals and amendments after submission


def test_a_withdrawal_after_submission_produces_its_cancellation(
    offer, firm, ops, rep, tender_400000
):
    _record(offer, firm, ops)
    instruction_withdraw(
        notice=notice_for(tender_400000), instruction=tender_400000, expected_version=1, by=rep
    )
    cancellation = _record(offer, firm, ops)
    assert list(
        cancellation.items.values_list("kind", "reference", "cancels_reference", "face_amount")
    ) == [("cancel", _ref(tender_400000, "C"), _ref(tender_400000), Decimal("400000"))]
    (document,) = _documents(bytes(cancellation.content))
    assert document.corp_actn_instr_cxl_req.instr_id.id == _ref(tender_400000)


def test_a_cancellation_is_sent_once(offer, firm, ops, rep, tender_400000):
    _record(offer, firm, ops)
    instruction_withdraw(
        notice=notice_for(tender_400000), instruction=tender_400000, expected_version=1, by=rep
    )
    _record(offer, firm, ops)
    assert submission_plan(offer=offer, firm=firm, file_format="seev033").messages == ()


def test_a_withdrawal_before_submission_sends_nothing(offer, firm, ops, rep, tender_400000):
    instruction_withdraw(
        notice=notice_for(tender_400000), instruction=tender_400000, expected_version=1, by=rep
    )
    assert submission_plan(offer=offer, firm=firm, file_format="seev033").messages == ()


def test_an_amendment_after_submission_produces_its_cancellation_then_the_new_instruction(
    offer, firm, ops, rep, ferris, tender_400000
):
    _record(offer, firm, ops)
    amended = instruction_amend(
        instruction=tender_400000,
        expected_version=1,
        data=amount_input(ferris, "300000"),
        by=rep,
    )
    submission = _record(offer, firm, ops)
    assert list(
        submission.items.values_list("kind", "reference", "cancels_reference", "face_amount")
    ) == [
        ("cancel", _ref(tender_400000, "C"), _ref(tender_400000), Decimal("400000")),
        ("instruct", _ref(amended), "", Decimal("300000")),
    ]
    namespaces = [etree.QName(e).namespace for e in messages_of(bytes(submission.content))]
    assert namespaces == [HEAD_001, SEEV_040, HEAD_001, SEEV_033]


def test_a_cancellation_in_mt565_is_canc_with_the_original_reference(
    offer, firm, ops, rep, tender_400000
):
    _record(offer, firm, ops, "mt565")
    instruction_withdraw(
        notice=notice_for(tender_400000), instruction=tender_400000, expected_version=1, by=rep
    )
    lines = bytes(_record(offer, firm, ops, "mt565").content).decode("ascii").split("\r\n")
    assert ":23G:CANC" in lines
    assert f":20C::PREV//{_ref(tender_400000)}" in lines
    assert ":36B::QINS//FAMT/400000," in lines


# Who may send, and when


def test_representatives_cannot_record_a_submission(offer, firm, rep, instructed):
    with pytest.raises(PermissionDenied, match="Only operations staff submit"):
        _record(offer, firm, rep)
    assert set(Instruction.objects.values_list("status", flat=True)) == {"received"}


def test_nothing_is_recorded_at_the_expiration_instant(offer, firm, ops, at, instructed):
    at(EXPIRATION)
    with pytest.raises(ValidationError, match="the agent takes no more tenders"):
        _record(offer, firm, ops)


def test_a_file_is_built_at_any_time_of_the_business_clock(offer, firm, at, instructed):
    at(EXPIRATION + ONE_SECOND)
    assert validation_errors(_build(offer, firm)) == []


# The admin


def test_the_admin_lists_what_each_firm_has_to_send(client, ops, offer, firm, instructed):
    client.force_login(ops)
    page = client.get(reverse("admin:tenders_agentsubmission_changelist")).content.decode()
    assert "0901 Hudson &amp; Broad Securities LLC" in page
    assert "2 new ($7,650,000), 0 cancellation(s)" in page


def test_the_admin_shows_each_firms_bic_and_the_format_it_records(
    client, ops, offer, firm, instructed
):
    client.force_login(ops)
    page = client.get(reverse("admin:tenders_agentsubmission_changelist")).content.decode()
    row = page[page.index('data-participant="0901"') :]
    assert "DEMHUS30" in row and "ISO 20022 seev.033 (XML)" in row
    assert row.count("Send and download") == 1


def test_the_admin_preview_downloads_any_format_and_records_nothing(
    client, ops, offer, firm, instructed
):
    client.force_login(ops)
    url = reverse("admin:tenders_agentsubmission_preview", args=[offer.pk, firm.pk, "mt565"])
    response = client.get(url)
    assert response.content == _build(offer, firm, "mt565")
    assert not AgentSubmission.objects.exists()


def test_the_admin_says_where_to_enter_a_missing_bic(client, ops, offer, firm, instructed):
    firm.bic = ""
    firm.save()
    client.force_login(ops)
    page = client.get(reverse("admin:tenders_agentsubmission_changelist")).content.decode()
    assert "has no BIC, the sender of its files: enter it in the admin&#x27;s Broker firms" in page


def test_the_admin_send_again_of_a_firm_repeats_its_instructions_as_possible_duplicates(
    client, ops, offer, firm, instructed
):
    client.force_login(ops)
    url = reverse("admin:tenders_agentsubmission_send")
    client.post(url, {"offer": offer.pk, "firm": firm.pk})
    client.post(url, {"offer": offer.pk, "firm": firm.pk, "holds_all": "on"})
    first, again = AgentSubmission.objects.order_by("pk")
    assert (first.possible_duplicate, again.possible_duplicate) == (False, True)
    assert again.items.count() == 2


def test_the_admin_send_again_of_a_recorded_file_records_a_resend(
    client, ops, offer, firm, instructed
):
    first = _record(offer, firm, ops)
    client.force_login(ops)
    page = client.get(reverse("admin:tenders_agentsubmission_change", args=[first.pk]))
    assert "Send again and download" in page.content.decode()
    response = client.post(reverse("admin:tenders_agentsubmission_resend", args=[first.pk]))
    again = AgentSubmission.objects.latest("pk")
    assert response.content == bytes(again.content)
    assert again.possible_duplicate and again.pk != first.pk


def test_the_admin_send_again_of_a_recorded_file_refuses_a_representative(
    client, ops, offer, firm, instructed
):
    first = _record(offer, firm, ops)
    staff_rep = factories.RepresentativeFactory(firm=firm, user__is_staff=True).user
    client.force_login(staff_rep)
    response = client.post(reverse("admin:tenders_agentsubmission_resend", args=[first.pk]))
    assert response.status_code == 403
    assert AgentSubmission.objects.count() == 1


def test_downloading_from_the_admin_records_the_submission_and_serves_its_bytes(
    client, ops, offer, firm, instructed
):
    client.force_login(ops)
    response = client.post(
        reverse("admin:tenders_agentsubmission_send"),
        {"offer": offer.pk, "firm": firm.pk, "file_format": "seev033"},
    )
    submission = AgentSubmission.objects.get()
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{submission.filename}"'
    assert response.content == bytes(submission.content)
    assert response["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest()
    assert set(Instruction.objects.values_list("status", flat=True)) == {"submitted"}


def test_a_past_submission_downloads_again_as_stored(client, ops, offer, firm, instructed):
    submission = _record(offer, firm, ops, "mt565")
    client.force_login(ops)
    response = client.get(reverse("admin:tenders_agentsubmission_download", args=[submission.pk]))
    assert response.content == bytes(submission.content)
    assert response["X-Content-SHA256"] == submission.sha256


def test_the_admin_send_refuses_a_representative(client, offer, firm, instructed):
    staff_rep = factories.RepresentativeFactory(firm=firm, user__is_staff=True).user
    client.force_login(staff_rep)
    response = client.post(
        reverse("admin:tenders_agentsubmission_send"),
        {"offer": offer.pk, "firm": firm.pk, "file_format": "csv"},
    )
    assert response.status_code == 403
    assert not AgentSubmission.objects.exists()


def test_the_admin_send_refusal_is_a_message_on_the_page(client, ops, offer, firm, instructed):
    client.force_login(ops)
    url = reverse("admin:tenders_agentsubmission_send")
    client.post(url, {"offer": offer.pk, "firm": firm.pk, "file_format": "csv"})
    response = client.post(
        url, {"offer": offer.pk, "firm": firm.pk, "file_format": "csv"}, follow=True
    )
    assert "Nothing to send for 0901" in response.content.decode()
    assert AgentSubmission.objects.count() == 1


def test_the_admin_send_answers_only_a_post(client, ops):
    client.force_login(ops)
    assert client.get(reverse("admin:tenders_agentsubmission_send")).status_code == 405


# manage.py agent_submission


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("agent_submission", "--offer", "lexington-2001", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_file_and_changes_nothing(offer, firm, instructed):
    text = _command("--format", "csv", "--participant", "0901")
    assert text == _build(offer, firm, "csv").decode()
    assert not AgentSubmission.objects.exists()


def test_the_command_records_with_record_by_an_operator(offer, firm, ops, instructed):
    text = _command("--format", "seev033", "--participant", "0901", "--record", "--by", "ops")
    submission = AgentSubmission.objects.get()
    assert text.encode() == bytes(submission.content)
    assert submission.created_by == ops


def test_the_command_takes_the_participant_as_written(offer, firm, instructed):
    with pytest.raises(CommandError, match=r"no participant '901' \(did you mean 0901\?"):
        _command("--format", "csv", "--participant", "901")


def test_the_command_needs_a_participant_when_several_have_something_to_send(
    offer, firm, ops, rep, instructed
):
    mercer = factories.BrokerFirmFactory(dtc_participant_number="0902")
    account = _holder(mercer, offer, ops, "MS-200001", "Mercer Client", "125000")
    instruction_submit(account=account, offer=offer, data=make_input(account), by=ops)
    with pytest.raises(CommandError, match=r"choose one with --participant \(0901, 0902 have"):
        _command("--format", "csv")


def test_the_command_records_without_by_as_the_command_line_with_the_shell_login(
    offer, firm, tender_all, instructed, monkeypatch
):
    monkeypatch.setattr(getpass, "getuser", lambda: "tabulator")
    monkeypatch.setattr(socket, "gethostname", lambda: "ops-host")
    firm.agent_format = "csv"
    firm.save()
    text = _command("--format", "csv", "--participant", "0901", "--record")
    submission = AgentSubmission.objects.get()
    assert text.encode() == bytes(submission.content)
    assert submission.created_by.username == "command-line"
    instruction = Instruction.objects.get(pk=tender_all.pk)
    assert instruction.status == "submitted"
    assert instruction.transitions.last().reason.endswith(
        "(CSV) from the command line (tabulator@ops-host)."
    )


def test_the_command_line_account_cannot_log_in(offer, firm, instructed):
    _command("--participant", "0901", "--record")
    account = User.objects.get(username="command-line")
    assert (account.is_active, account.has_usable_password()) == (False, False)


def test_the_command_records_in_the_firms_format_when_no_format_is_given(
    offer, firm, ops, instructed
):
    text = _command("--participant", "0901", "--record", "--by", "ops")
    submission = AgentSubmission.objects.get()
    assert (submission.format, text.encode()) == ("seev033", bytes(submission.content))


def test_the_command_refuses_to_record_in_another_format_with_one_line(offer, firm, instructed):
    with pytest.raises(CommandError, match="0901 records its files in ISO 20022") as refusal:
        _command("--format", "mt565", "--participant", "0901", "--record")
    assert "\n" not in str(refusal.value)
    assert not AgentSubmission.objects.exists()


def test_the_command_previews_nothing_due_as_an_empty_file(offer, firm, ops, instructed):
    _command("--participant", "0901", "--record", "--by", "ops")
    assert _command("--format", "mt565", "--participant", "0901") == ""


def test_the_command_refuses_by_without_record(offer, firm, ops, instructed):
    with pytest.raises(CommandError, match="--by names who records the file: use it with"):
        _command("--format", "csv", "--participant", "0901", "--by", "ops")
    assert not AgentSubmission.objects.exists()


def test_the_command_refuses_a_representative(offer, firm, rep, instructed):
    with pytest.raises(CommandError, match="Only operations staff submit"):
        _command("--format", "csv", "--participant", "0901", "--record", "--by", rep.username)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format must be one of seev033, mt565, csv, not 'xml'"),
        (["--format", "csv", "--participant", "0999"], "There is no participant '0999'"),
    ],
)
def test_bad_command_input_is_refused_with_one_plain_line(offer, firm, args, message):
    with pytest.raises(CommandError, match=message) as refusal:
        _command(*args)
    assert "\n" not in str(refusal.value)


@pytest.fixture(scope="module")
def demo_database(command_database: Callable[..., dict[str, str]]) -> dict[str, str]:
    """The demo, migrated and loaded in a SQLite file, for the command as a user runs it."""
    return command_database(["load_demo"], now="2001-08-20T10:00:00-04:00")


def _run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Exit status, standard output and standard error, decoded as written (CRLF kept)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "agent_submission", "--offer", "lexington-2001", *args],
        cwd=ROOT, env=env, capture_output=True,
    )  # fmt: skip
    return result.returncode, result.stdout.decode(), result.stderr.decode()


@pytest.mark.slow
def test_from_the_shell_the_demos_mt565_is_on_stdout_and_nothing_on_stderr(demo_database):
    status, out, err = _run(demo_database, "--format", "mt565", "--participant", "0901")
    assert (status, err) == (0, "")
    assert ":36B::QINS//FAMT/400000,\r\n" in out  # HB-100007's $400,000
    # HB-100001, HB-100002, HB-100007, HB-100010 (amended) and HB-100013, who answered online.
    assert out.count("{4:") == 5


@pytest.mark.slow
def test_from_the_shell_a_refusal_is_one_line_on_stderr_and_exit_1(demo_database):
    status, out, err = _run(demo_database, "--format", "seev033")
    assert (status, out) == (1, "")
    assert len(err.strip().splitlines()) == 1
    assert "0901, 0902, 0903 have something to send" in err


@pytest.fixture
def fresh_demo(command_database: Callable[..., dict[str, str]]) -> dict[str, str]:
    """The demo in a SQLite file of this test's own, to record in."""
    return command_database(["load_demo"], now="2001-08-20T10:00:00-04:00")


@pytest.mark.slow
def test_from_the_shell_the_demos_seev033_is_valid_and_once_recorded_the_mt565_preview_is_empty(
    fresh_demo,
):
    status, xml, err = _run(fresh_demo, "--format", "seev033", "--participant", "0901")
    assert (status, err, validation_errors(xml.encode())) == (0, "", [])
    assert _run(fresh_demo, "--participant", "0901", "--record") == (0, xml, "")
    assert _run(fresh_demo, "--format", "mt565", "--participant", "0901") == (0, "", "")


@pytest.mark.parametrize("event_id", ["LXP/2001", "LXP 2001", "-LXP2001", "A" * 17])
def test_an_event_id_mt565_cannot_carry_is_refused(offer, event_id):
    offer.agent_event_id = event_id
    with pytest.raises(ValidationError, match="Up to 16 letters, digits or hyphens"):
        offer.full_clean()


def test_an_instruction_submitted_without_a_file_goes_in_the_next_file_as_it_resolved(
    offer, firm, ops, tender_all, keystone
):
    instructions_submit_to_agent(offer=offer, instructions=[tender_all], by=ops)
    Position.objects.filter(account=keystone).update(principal=Decimal("8000000"))
    submission = _record(offer, firm, ops, "csv")
    assert list(submission.items.values_list("reference", "face_amount", "status")) == [
        (_ref(tender_all), Decimal("7250000"), "submitted")
    ]


def test_marking_instructions_submitted_by_hand_says_they_still_count_as_not_sent(
    client, offer, ops, tender_all
):
    client.force_login(ops)
    response = client.post(
        reverse("admin:tenders_instruction_changelist"),
        {"action": "submit_to_agent", "_selected_action": [tender_all.pk]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any("No file holds them yet" in m and "count as not sent" in m for m in shown), shown
    assert agent_standing(instruction=tender_all).standing is Standing.NOT_SENT
