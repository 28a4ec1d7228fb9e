"""The exchange agent's ISO 20022 replies, read (`read_xml`) and, for the simulator, written
(`status_xml`, `movements_xml`): seev.034.001.14 CorporateActionInstructionStatusAdvice for
an instruction, seev.041.001.13 CorporateActionInstructionCancellationRequestStatusAdvice for a
cancellation, seev.036.001.15 CorporateActionMovementConfirmation after consummation; each
after its head.001.001.02 business application header (`Fr` the account servicer's BIC, `To`
the participant's, `BizMsgIdr` the agent's reference of its message).

Written strictly: one message is its AppHdr and Document under a head.002.001.01 `Xchg`
business file header (`PyldDesc`, then one `Pyld` per message). Read liberally: an `Xchg`
envelope, a bare AppHdr and Document, or any root holding them; a Document without an AppHdr
is read too (its reference and time come from the Document alone).

The Documents are python-iso20022's generated dataclasses (subclassed so that the root
element has the schemas' name, `Document`), the AppHdr pyiso20022's, all serialized and parsed
by xsdata, as `tenders.submissions.iso20022` does for seev.033. The `Xchg` envelope is written
and read with lxml: python-iso20022's head.002 module fails to import in 0.3.0 and pyiso20022
has none; the envelope only wraps the messages (its payload is `lax`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints
from pyiso20022.head.head_001_001_02 import AppHdr
from python_iso20022.enums import CreditDebitCode, NoReasonCode, ShortLong1Code
from python_iso20022.seev.enums import (
    CorporateActionEventType30Code,
    CorporateActionEventType34Code,
    CorporateActionOption12Code,
    RejectionReason79Code,
    RejectionReason85Code,
)
from python_iso20022.seev.seev_034_001_14 import models as seev034
from python_iso20022.seev.seev_036_001_15 import models as seev036
from python_iso20022.seev.seev_041_001_13 import models as seev041
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig
from xsdata.models.datatype import XmlDate, XmlDateTime

from exchange_office.formatting import in_new_york
from tenders.domain.agent_replies import (
    MOVEMENT_CONFIRMATION,
    STATUS_CANCELLATION,
    STATUS_INSTRUCTION,
    Asset,
    Movement,
    ParsedReply,
    ReplyKind,
    ReplyStatus,
    UnreadableMessage,
    asset_for,
    movement,
)
from tenders.domain.submission import EVENT_TYPE, OPTION_NUMBER, OPTION_TYPE
from tenders.submissions.iso20022 import CUSIP_TYPE, HEAD_001, HEAD_002, business_header

SEEV_034 = f"urn:iso:std:iso:20022:tech:xsd:{STATUS_INSTRUCTION}"
SEEV_041 = f"urn:iso:std:iso:20022:tech:xsd:{STATUS_CANCELLATION}"
SEEV_036 = f"urn:iso:std:iso:20022:tech:xsd:{MOVEMENT_CONFIRMATION}"


@dataclass
class StatusDocument(seev034.Seev03400114):
    class Meta:
        name = "Document"
        namespace = SEEV_034


@dataclass
class CancellationStatusDocument(seev041.Seev04100113):
    class Meta:
        name = "Document"
        namespace = SEEV_041


@dataclass
class MovementDocument(seev036.Seev03600115):
    class Meta:
        name = "Document"
        namespace = SEEV_036


DOCUMENTS: dict[str, type] = {
    SEEV_034: StatusDocument,
    SEEV_041: CancellationStatusDocument,
    SEEV_036: MovementDocument,
}


@dataclass(frozen=True, slots=True)
class ReplyHeader:
    """What the agent's messages to one participant share."""

    servicer_bic: str
    participant_bic: str
    event_id: str
    safekeeping_account: str
    isin: str
    cusip: str
    new_isin: str
    security_name: str
    created_at: datetime  # the file's, business clock
    narrative: str  # e.g. that a simulator wrote it


# Writing


def app_hdr(header: ReplyHeader, *, reference: str, definition: str, at: datetime) -> AppHdr:
    """From the account servicer back to the participant, as the office's own headers are
    written (`iso20022.business_header`)."""
    return business_header(
        sender_bic=header.servicer_bic,
        receiver_bic=header.participant_bic,
        reference=reference,
        definition=definition,
        at=at,
    )


def _reason_code(codes: type, wanted: str) -> Any:
    values = {code.value for code in codes}  # type: ignore[attr-defined]  # an Enum class, typed as type
    return codes(wanted if wanted in values else "OTHR")


def instruction_status_document(header: ReplyHeader, reply: ParsedReply) -> StatusDocument:
    m = seev034
    status: Any
    if reply.status is ReplyStatus.ACCEPTED:
        status = m.InstructionProcessingStatus51ChoiceSeev03400114(
            accptd_for_frthr_prcg=m.AcceptedStatus8ChoiceSeev03400114(
                no_spcfd_rsn=NoReasonCode.NORE
            )
        )
    elif reply.status is ReplyStatus.REJECTED:
        status = m.InstructionProcessingStatus51ChoiceSeev03400114(
            rjctd=m.RejectedStatus56ChoiceSeev03400114(
                rsn=[
                    m.RejectedStatusReason56Seev03400114(
                        rsn_cd=m.RejectedReason60ChoiceSeev03400114(
                            cd=_reason_code(RejectionReason85Code, reply.reason_code)
                        ),
                        addtl_rsn_inf=reply.reason[:210] or None,
                    )
                ]
            )
        )
    else:
        status = m.InstructionProcessingStatus51ChoiceSeev03400114(
            pdg=m.PendingStatus71ChoiceSeev03400114(no_spcfd_rsn=NoReasonCode.NORE)
        )
    return StatusDocument(
        corp_actn_instr_sts_advc=m.CorporateActionInstructionStatusAdviceV14Seev03400114(
            instr_id=m.DocumentIdentification9Seev03400114(id=reply.answers),
            corp_actn_gnl_inf=m.CorporateActionGeneralInformation154Seev03400114(
                corp_actn_evt_id=header.event_id,
                evt_tp=m.CorporateActionEventType102ChoiceSeev03400114(
                    cd=CorporateActionEventType34Code(EVENT_TYPE)
                ),
            ),
            instr_prcg_sts=[status],
            addtl_inf=m.CorporateActionNarrative10Seev03400114(addtl_txt=[header.narrative]),
        )
    )


def cancellation_status_document(
    header: ReplyHeader, reply: ParsedReply
) -> CancellationStatusDocument:
    m = seev041
    status: Any
    if reply.status is ReplyStatus.ACCEPTED:
        status = m.InstructionCancellationRequestStatus15ChoiceSeev04100113(
            cxl_cmpltd=m.CancelledStatus11ChoiceSeev04100113(no_spcfd_rsn=NoReasonCode.NORE)
        )
    elif reply.status is ReplyStatus.REJECTED:
        status = m.InstructionCancellationRequestStatus15ChoiceSeev04100113(
            rjctd=m.RejectedStatus53ChoiceSeev04100113(
                rsn=[
                    m.RejectedStatusReason52Seev04100113(
                        rsn_cd=m.RejectedReason55ChoiceSeev04100113(
                            cd=_reason_code(RejectionReason79Code, reply.reason_code)
                        ),
                        addtl_rsn_inf=reply.reason[:210] or None,
                    )
                ]
            )
        )
    else:
        status = m.InstructionCancellationRequestStatus15ChoiceSeev04100113(
            pdg_cxl=m.PendingCancellationStatus7ChoiceSeev04100113(not_spcfd_rsn=NoReasonCode.NORE)
        )
    advice = m.CorporateActionInstructionCancellationRequestStatusAdviceV13Seev04100113
    return CancellationStatusDocument(
        corp_actn_instr_cxl_req_sts_advc=advice(
            instr_cxl_req_id=m.DocumentIdentification9Seev04100113(id=reply.answers),
            corp_actn_gnl_inf=m.CorporateActionGeneralInformation154Seev04100113(
                corp_actn_evt_id=header.event_id,
                evt_tp=m.CorporateActionEventType102ChoiceSeev04100113(
                    cd=CorporateActionEventType34Code(EVENT_TYPE)
                ),
            ),
            instr_cxl_req_sts=[status],
            addtl_inf=m.CorporateActionNarrative10Seev04100113(addtl_txt=[header.narrative]),
        )
    )


def _amount(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def movement_document(
    header: ReplyHeader, reply: ParsedReply, *, face_amount: Decimal
) -> MovementDocument:
    """seev.036: what was posted for one instruction tendering `face_amount`."""
    m = seev036
    old_notes = m.SecurityIdentification19Seev03600115(
        isin=header.isin,
        othr_id=[
            m.OtherIdentification1Seev03600115(
                id=header.cusip, tp=m.IdentificationSource3ChoiceSeev03600115(cd=CUSIP_TYPE)
            )
        ],
        desc=header.security_name[:140],
    )
    securities, cash = [], []
    for move in reply.movements:
        posted = m.DateAndDateTime2ChoiceSeev03600115(dt=XmlDate.from_date(move.posted_on))
        indicator = CreditDebitCode.CRDT if move.credit else CreditDebitCode.DBIT
        if move.asset is Asset.CASH:
            cash.append(
                m.CashOption95Seev03600115(
                    cdt_dbt_ind=indicator,
                    amt_dtls=m.CorporateActionAmounts66Seev03600115(
                        pstng_amt=m.ActiveCurrencyAndAmountSeev03600115(
                            value=move.amount, ccy="USD"
                        )
                    ),
                    dt_dtls=m.CorporateActionDate99Seev03600115(
                        pstng_dt=posted, val_dt=XmlDate.from_date(move.posted_on)
                    ),
                )
            )
            continue
        if move.asset is Asset.WARRANTS:
            security = m.SecurityIdentification19Seev03600115(desc="Warrants")
            quantity = m.FinancialInstrumentQuantity33ChoiceSeev03600115(unit=move.amount)
        else:
            security = (
                old_notes
                if move.asset is Asset.OLD_NOTES
                else m.SecurityIdentification19Seev03600115(isin=header.new_isin)
            )
            quantity = m.FinancialInstrumentQuantity33ChoiceSeev03600115(
                face_amt=_amount(move.amount)
            )
        securities.append(
            m.SecuritiesOption103Seev03600115(
                fin_instrm_id=security,
                cdt_dbt_ind=indicator,
                pstng_qty=m.Quantity51ChoiceSeev03600115(qty=quantity),
                dt_dtls=m.SecurityDate25Seev03600115(pstng_dt=posted),
            )
        )
    return MovementDocument(
        corp_actn_mvmnt_conf=m.CorporateActionMovementConfirmationV15Seev03600115(
            instr_id=m.DocumentIdentification9Seev03600115(id=reply.answers),
            corp_actn_gnl_inf=m.CorporateActionGeneralInformation162Seev03600115(
                corp_actn_evt_id=header.event_id,
                evt_tp=m.CorporateActionEventType87ChoiceSeev03600115(
                    cd=CorporateActionEventType30Code(EVENT_TYPE)
                ),
                fin_instrm_id=old_notes,
            ),
            acct_dtls=m.AccountAndBalance49Seev03600115(
                sfkpg_acct=header.safekeeping_account,
                bal=m.CorporateActionBalanceDetails41Seev03600115(
                    confd_bal=m.BalanceFormat11ChoiceSeev03600115(
                        bal=m.SignedQuantityFormat11Seev03600115(
                            shrt_lng_pos=ShortLong1Code.LONG,
                            qty_chc=m.Quantity48ChoiceSeev03600115(
                                qty=m.FinancialInstrumentQuantity33ChoiceSeev03600115(
                                    face_amt=_amount(face_amount)
                                )
                            ),
                        )
                    )
                ),
            ),
            corp_actn_conf_dtls=m.CorporateActionOption222Seev03600115(
                optn_nb=m.OptionNumber1ChoiceSeev03600115(nb=OPTION_NUMBER),
                optn_tp=m.CorporateActionOption33ChoiceSeev03600115(
                    cd=CorporateActionOption12Code(OPTION_TYPE)
                ),
                scties_mvmnt_dtls=securities,
                csh_mvmnt_dtls=cash,
            ),
            addtl_inf=m.CorporateActionNarrative31Seev03600115(addtl_txt=[header.narrative]),
        )
    )


def _element(value: Any, namespace: str) -> etree._Element:
    serializer = XmlSerializer(config=SerializerConfig(xml_declaration=False))
    text: str = serializer.render(value, ns_map={None: namespace})
    return etree.fromstring(text.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to write: the reply, its definition, and for a movement confirmation the
    face amount of the instruction it confirms."""

    reply: ParsedReply
    definition: str
    face_amount: Decimal = Decimal(0)


def _document(header: ReplyHeader, message: OutgoingMessage) -> tuple[Any, str]:
    if message.definition == STATUS_INSTRUCTION:
        return instruction_status_document(header, message.reply), SEEV_034
    if message.definition == STATUS_CANCELLATION:
        return cancellation_status_document(header, message.reply), SEEV_041
    if message.definition == MOVEMENT_CONFIRMATION:
        document = movement_document(header, message.reply, face_amount=message.face_amount)
        return document, SEEV_036
    raise ValueError(f"unknown message definition {message.definition!r}")


def xml_file(header: ReplyHeader, messages: Sequence[OutgoingMessage], *, file_id: str) -> bytes:
    """The messages in one head.002 `Xchg` business file, as the office writes its own
    (`tenders.submissions.iso20022`): the payload description (the file's identifier and time,
    how many documents in all and of each definition), then each message's AppHdr in one `Pyld`
    and its Document in the next (the schema's `LaxPayload` holds one element)."""
    xchg = etree.Element(f"{{{HEAD_002}}}Xchg", nsmap={None: HEAD_002})
    description = etree.SubElement(xchg, f"{{{HEAD_002}}}PyldDesc")
    data = etree.SubElement(description, f"{{{HEAD_002}}}PyldData")
    etree.SubElement(data, f"{{{HEAD_002}}}PyldIdr").text = file_id
    etree.SubElement(data, f"{{{HEAD_002}}}CreDtAndTm").text = str(
        XmlDateTime.from_datetime(in_new_york(header.created_at))
    )
    specifics = etree.SubElement(description, f"{{{HEAD_002}}}ApplSpcfcs")
    etree.SubElement(specifics, f"{{{HEAD_002}}}TtlNbOfDocs").text = str(2 * len(messages))
    etree.SubElement(
        description, f"{{{HEAD_002}}}PyldTp"
    ).text = "ISO 20022 messages: each AppHdr in one Pyld, its Document in the next"
    counts: dict[str, int] = {}
    if messages:
        counts[HEAD_001.rsplit(":", 1)[-1]] = len(messages)
    for message in messages:
        counts[message.definition] = counts.get(message.definition, 0) + 1
    for definition, count in counts.items():
        manifest = etree.SubElement(description, f"{{{HEAD_002}}}MnfstData")
        etree.SubElement(manifest, f"{{{HEAD_002}}}DocTp").text = definition
        etree.SubElement(manifest, f"{{{HEAD_002}}}NbOfDocs").text = str(count)
    for message in messages:
        at = message.reply.advised_at or header.created_at
        header_element = app_hdr(
            header,
            reference=message.reply.agent_reference,
            definition=message.definition,
            at=at,
        )
        document, namespace = _document(header, message)
        for element in (_element(header_element, HEAD_001), _element(document, namespace)):
            etree.SubElement(xchg, f"{{{HEAD_002}}}Pyld").append(element)
    etree.indent(xchg, space="  ")
    return etree.tostring(xchg, xml_declaration=True, encoding="UTF-8") + b"\n"


# Reading


_LIBERAL = ParserConfig(fail_on_unknown_properties=False, fail_on_unknown_attributes=False)


def _parse(element: etree._Element, cls: type) -> Any:
    return XmlParser(config=_LIBERAL).from_bytes(etree.tostring(element), cls)


def _code(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    instant: datetime = value.to_datetime()
    return instant if instant.tzinfo is not None else None


def _date(value: Any) -> date:
    if value is None:
        raise UnreadableMessage("a movement states no posting date")
    if value.dt is not None:
        return date(value.dt.year, value.dt.month, value.dt.day)
    if value.dt_tm is not None:
        moment: datetime = value.dt_tm.to_datetime()
        return moment.date()
    raise UnreadableMessage("a movement states no posting date")


def _reason(reasons: Sequence[Any]) -> tuple[str, str]:
    for reason in reasons:
        choice = reason.rsn_cd
        code = ""
        if choice is not None:
            code = _code(choice.cd) or (choice.prtry.id if choice.prtry else "")
        return code[:8], (reason.addtl_rsn_inf or "")[:350]
    return "", ""


def _instruction_status(document: Any) -> tuple[str, ReplyStatus, str, str]:
    advice = document.corp_actn_instr_sts_advc
    if advice is None or advice.instr_id is None or not advice.instr_id.id:
        raise UnreadableMessage(f"{STATUS_INSTRUCTION} names no instruction (InstrId)")
    for status in advice.instr_prcg_sts:
        if status.accptd_for_frthr_prcg is not None:
            return advice.instr_id.id, ReplyStatus.ACCEPTED, "", ""
        if status.rjctd is not None:
            code, text = _reason(status.rjctd.rsn)
            return advice.instr_id.id, ReplyStatus.REJECTED, code, text
        if status.pdg is not None:
            code, text = _reason(status.pdg.rsn)
            return advice.instr_id.id, ReplyStatus.PENDING, code, text
        if status.canc is not None:
            return advice.instr_id.id, ReplyStatus.REJECTED, "CANC", "Cancelled by the agent."
    raise UnreadableMessage(f"{STATUS_INSTRUCTION} for {advice.instr_id.id} states no status")


def _cancellation_status(document: Any) -> tuple[str, ReplyStatus, str, str]:
    advice = document.corp_actn_instr_cxl_req_sts_advc
    if advice is None or advice.instr_cxl_req_id is None or not advice.instr_cxl_req_id.id:
        raise UnreadableMessage(f"{STATUS_CANCELLATION} names no cancellation (InstrCxlReqId)")
    reference = advice.instr_cxl_req_id.id
    statuses = advice.instr_cxl_req_sts
    for status in statuses if isinstance(statuses, list) else [statuses]:
        if status is None:
            continue
        if status.cxl_cmpltd is not None or status.accptd is not None:
            return reference, ReplyStatus.ACCEPTED, "", ""
        if status.rjctd is not None:
            code, text = _reason(status.rjctd.rsn)
            return reference, ReplyStatus.REJECTED, code, text
        if status.pdg_cxl is not None:
            code, text = _reason(status.pdg_cxl.rsn)
            return reference, ReplyStatus.PENDING, code, text
    raise UnreadableMessage(f"{STATUS_CANCELLATION} for {reference} states no status")


def _movements(document: Any) -> tuple[str, tuple[Movement, ...]]:
    confirmation = document.corp_actn_mvmnt_conf
    if confirmation is None or confirmation.instr_id is None or not confirmation.instr_id.id:
        raise UnreadableMessage(f"{MOVEMENT_CONFIRMATION} names no instruction (InstrId)")
    details = confirmation.corp_actn_conf_dtls
    moves: list[Movement] = []
    for security in details.scties_mvmnt_dtls if details else []:
        quantity = security.pstng_qty.qty if security.pstng_qty else None
        if quantity is None or (quantity.face_amt is None and quantity.unit is None):
            raise UnreadableMessage("a securities movement states no quantity")
        credit = _code(security.cdt_dbt_ind) == "CRDT"
        units = quantity.face_amt is None
        moves.append(
            movement(
                asset=asset_for(security=True, units=units, credit=credit),
                credit=credit,
                amount=Decimal(quantity.unit if units else quantity.face_amt),
                posted_on=_date(security.dt_dtls.pstng_dt if security.dt_dtls else None),
            )
        )
    for cash in details.csh_mvmnt_dtls if details else []:
        credit = _code(cash.cdt_dbt_ind) == "CRDT"
        moves.append(
            movement(
                asset=Asset.CASH,
                credit=credit,
                amount=Decimal(cash.amt_dtls.pstng_amt.value),
                posted_on=_date(cash.dt_dtls.pstng_dt if cash.dt_dtls else None),
            )
        )
    if not moves:
        raise UnreadableMessage(
            f"{MOVEMENT_CONFIRMATION} for {confirmation.instr_id.id} confirms no movement"
        )
    return confirmation.instr_id.id, tuple(moves)


def _reply(header: AppHdr | None, document: etree._Element) -> ParsedReply:
    namespace = etree.QName(document).namespace or ""
    cls = DOCUMENTS.get(namespace)
    if cls is None:
        raise UnreadableMessage(
            f"a Document in {namespace or 'no namespace'}, not seev.034.001.14, "
            "seev.041.001.13 or seev.036.001.15"
        )
    try:
        parsed = _parse(document, cls)
    except Exception as exc:  # xsdata's ParserError or a converter's ValueError
        raise UnreadableMessage(f"{namespace.rsplit(':', 1)[-1]}: {exc}") from None
    agent_reference = (header.biz_msg_idr or "") if header is not None else ""
    advised_at = _instant(header.cre_dt) if header is not None else None
    definition = namespace.rsplit(":", 1)[-1]
    if cls is MovementDocument:
        answers, moves = _movements(parsed)
        return ParsedReply(
            message_type=definition,
            kind=ReplyKind.MOVEMENT,
            answers=answers,
            agent_reference=agent_reference[:35],
            status=ReplyStatus.ACCEPTED,
            advised_at=advised_at,
            movements=moves,
        )
    cancellation = cls is CancellationStatusDocument
    answers, status, code, text = (
        _cancellation_status(parsed) if cancellation else _instruction_status(parsed)
    )
    if status is ReplyStatus.REJECTED and not (code or text):
        text = "Rejected; the agent gave no reason."
    return ParsedReply(
        message_type=definition,
        kind=ReplyKind.STATUS,
        answers=answers,
        agent_reference=agent_reference[:35],
        status=status,
        reason_code=code,
        reason=text,
        advised_at=advised_at,
        cancellation=cancellation,
    )


def read_xml(content: bytes) -> tuple[list[ParsedReply], list[str]]:
    """Every reply in an XML file, and one line per message that could not be read. Each
    Document is paired with the AppHdr before it, wherever they sit in the file."""
    try:
        root = etree.fromstring(
            content, parser=etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        )
    except etree.XMLSyntaxError as exc:
        return [], [f"The file is not well-formed XML: {exc}."]
    if root.getroottree().docinfo.doctype:
        # ISO 20022 messages have no DTD: a declaration can only smuggle entities in.
        return [], [
            "The file declares a DOCTYPE, which ISO 20022 files never do: refused, and no "
            "entity in it was read."
        ]
    replies: list[ParsedReply] = []
    problems: list[str] = []
    pending_header: AppHdr | None = None
    number = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element)
        if name.localname == "AppHdr":
            try:
                pending_header = _parse(element, AppHdr)
            except Exception as exc:
                number += 1
                problems.append(f"Message {number}: its AppHdr cannot be read: {exc}.")
                pending_header = None
            continue
        if name.localname != "Document":
            continue
        number += 1
        try:
            replies.append(_reply(pending_header, element))
        except UnreadableMessage as exc:
            problems.append(f"Message {number}: {exc}.")
        pending_header = None
    if not replies and not problems:
        problems.append("The file holds no AppHdr and Document.")
    return replies, problems
