"""The ISO 20022 file for the exchange agent: a business file header (head.002.001.01 `Xchg`)
whose payloads are the messages, each as its business application header (head.001.001.02
`AppHdr`: from the participant's BIC to the account servicer's, `BizMsgIdr` = the message's
reference, `PssblDplct` when it is sent again) and its `Document`, a seev.033.001.12
CorporateActionInstruction or a seev.040.001.12 CorporateActionInstructionCancellationRequest.

Why this shape: an XML file has one root, so a file is never a bare AppHdr beside a Document;
the ISO 20022 envelope made for files of messages is the business file header. Its official
schema gives each `Pyld` exactly one element (`LaxPayload`: one `xs:any`), so a message takes
two payloads in a row, its AppHdr then its Document; `PyldDesc` counts them by type
(`MnfstData`) and in all (`TtlNbOfDocs`). A file with nothing due is the header with no payload,
which the schema allows (`Pyld` 0..n): a valid, empty file. Every element declares its own
default namespace (no prefixes). The tests validate every part against the official XSDs in
`tests/data/iso20022/`.

The messages are built from generated dataclasses rather than written as text: seev.033.001.12
and seev.040.001.12 from python-iso20022 (the one package on PyPI with these versions), the
header from pyiso20022 (python-iso20022's head modules fail to import in 0.3.0), both
serialized by xsdata; the envelope, a handful of elements, as text. python-iso20022 names its
message classes `Seev03300112` and so on, not `Document` as the schemas do: the two subclasses
below give the root element its name.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from pyiso20022.head.head_001_001_02 import (
    AppHdr,
    BranchAndFinancialInstitutionIdentification6,
    FinancialInstitutionIdentification18,
    Party44Choice,
)
from python_iso20022.seev.enums import CorporateActionEventType34Code, CorporateActionOption16Code
from python_iso20022.seev.seev_033_001_12 import models as seev033
from python_iso20022.seev.seev_040_001_12 import models as seev040
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig
from xsdata.models.datatype import XmlDateTime

from exchange_office.formatting import digits_timestamp, in_new_york
from tenders.domain.submission import (
    EVENT_TYPE,
    OPTION_NUMBER,
    OPTION_TYPE,
    AgentMessage,
    MessageKind,
    SubmissionHeader,
)

HEAD_001 = "urn:iso:std:iso:20022:tech:xsd:head.001.001.02"
HEAD_002 = "urn:iso:std:iso:20022:tech:xsd:head.002.001.01"
APP_HDR = "head.001.001.02"
SEEV_033 = "urn:iso:std:iso:20022:tech:xsd:seev.033.001.12"
SEEV_040 = "urn:iso:std:iso:20022:tech:xsd:seev.040.001.12"
INSTRUCTION = "seev.033.001.12"
CANCELLATION = "seev.040.001.12"
# What the business file header says its payloads are.
PAYLOAD_TYPE = "ISO 20022 messages: each AppHdr in one Pyld, its Document in the next"
# The identification type of a CUSIP among a security's other identifiers (ISO 20022's
# external code list ExternalFinancialInstrumentIdentificationType1Code).
CUSIP_TYPE = "CUSP"


@dataclass
class InstructionDocument(seev033.Seev03300112):
    class Meta:
        name = "Document"
        namespace = SEEV_033


@dataclass
class CancellationDocument(seev040.Seev04000112):
    class Meta:
        name = "Document"
        namespace = SEEV_040


def _face_amount(amount: Decimal) -> Decimal:
    """A whole amount without decimals (400000, not 400000.00); FaceAmt takes up to 5."""
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


def _party(bic: str) -> Party44Choice:
    return Party44Choice(
        fiid=BranchAndFinancialInstitutionIdentification6(
            fin_instn_id=FinancialInstitutionIdentification18(bicfi=bic)
        )
    )


def business_header(
    *,
    sender_bic: str,
    receiver_bic: str,
    reference: str,
    definition: str,
    at: datetime,
    possible_duplicate: bool = False,
) -> AppHdr:
    """The head.001.001.02 AppHdr of one message, from and to financial institutions by BIC
    (BICFI): the office's messages to the servicer and the servicer's (the simulator's) back."""
    return AppHdr(
        fr=_party(sender_bic),
        to=_party(receiver_bic),
        biz_msg_idr=reference,
        msg_def_idr=definition,
        cre_dt=XmlDateTime.from_datetime(in_new_york(at)),
        pssbl_dplct=True if possible_duplicate else None,
    )


def app_hdr(header: SubmissionHeader, message: AgentMessage) -> AppHdr:
    """From the participant to its account servicer; a message sent again is flagged as a
    possible duplicate."""
    return business_header(
        sender_bic=header.sender_bic,
        receiver_bic=header.receiver_bic,
        reference=message.reference,
        definition=INSTRUCTION if message.kind is MessageKind.INSTRUCT else CANCELLATION,
        at=header.created_at,
        possible_duplicate=message.possible_duplicate,
    )


def instruction_document(header: SubmissionHeader, message: AgentMessage) -> InstructionDocument:
    """seev.033: tender `face_amount` (FAMT) of the Old Notes from the participant's
    safekeeping account, under the event's option 001, securities (SECU)."""
    m = seev033
    return InstructionDocument(
        corp_actn_instr=m.CorporateActionInstructionV12Seev03300112(
            corp_actn_gnl_inf=m.CorporateActionGeneralInformation164Seev03300112(
                corp_actn_evt_id=header.event_id,
                evt_tp=m.CorporateActionEventType102ChoiceSeev03300112(
                    cd=CorporateActionEventType34Code(EVENT_TYPE)
                ),
                undrlyg_scty=m.FinancialInstrumentAttributes109Seev03300112(
                    fin_instrm_id=m.SecurityIdentification19Seev03300112(
                        isin=header.isin,
                        othr_id=[
                            m.OtherIdentification1Seev03300112(
                                id=header.cusip,
                                tp=m.IdentificationSource3ChoiceSeev03300112(cd=CUSIP_TYPE),
                            )
                        ],
                        desc=header.security_name[:140],
                    )
                ),
            ),
            acct_dtls=m.AccountAndBalance48Seev03300112(sfkpg_acct=header.safekeeping_account),
            corp_actn_instr=m.CorporateActionOption198Seev03300112(
                optn_nb=m.OptionNumber1ChoiceSeev03300112(nb=OPTION_NUMBER),
                optn_tp=m.CorporateActionOption40ChoiceSeev03300112(
                    cd=CorporateActionOption16Code(OPTION_TYPE)
                ),
                scties_qty_or_instd_amt=m.SecuritiesQuantityOrAmount6ChoiceSeev03300112(
                    scties_qty=m.SecuritiesOption79Seev03300112(
                        instd_qty=m.Quantity52ChoiceSeev03300112(
                            qty=m.FinancialInstrumentQuantity33ChoiceSeev03300112(
                                face_amt=_face_amount(message.face_amount)
                            )
                        )
                    )
                ),
            ),
        )
    )


def cancellation_document(header: SubmissionHeader, message: AgentMessage) -> CancellationDocument:
    """seev.040: cancel the instruction whose reference is `message.cancels`, restating it."""
    m = seev040
    return CancellationDocument(
        corp_actn_instr_cxl_req=m.CorporateActionInstructionCancellationRequestV12Seev04000112(
            instr_id=m.DocumentIdentification31Seev04000112(id=message.cancels),
            corp_actn_gnl_inf=m.CorporateActionGeneralInformation155Seev04000112(
                corp_actn_evt_id=header.event_id,
                evt_tp=m.CorporateActionEventType102ChoiceSeev04000112(
                    cd=CorporateActionEventType34Code(EVENT_TYPE)
                ),
                fin_instrm_id=m.SecurityIdentification19Seev04000112(
                    isin=header.isin,
                    othr_id=[
                        m.OtherIdentification1Seev04000112(
                            id=header.cusip,
                            tp=m.IdentificationSource3ChoiceSeev04000112(cd=CUSIP_TYPE),
                        )
                    ],
                    desc=header.security_name[:140],
                ),
            ),
            acct_dtls=m.AccountIdentification60Seev04000112(sfkpg_acct=header.safekeeping_account),
            corp_actn_instr=m.CorporateActionOption200Seev04000112(
                optn_nb=m.OptionNumber1ChoiceSeev04000112(nb=OPTION_NUMBER),
                optn_tp=m.CorporateActionOption40ChoiceSeev04000112(
                    cd=CorporateActionOption16Code(OPTION_TYPE)
                ),
                instd_qty=m.Quantity52ChoiceSeev04000112(
                    qty=m.FinancialInstrumentQuantity33ChoiceSeev04000112(
                        face_amt=_face_amount(message.face_amount)
                    )
                ),
            ),
        )
    )


def _element(serializer: XmlSerializer, value: Any, namespace: str) -> str:
    text: str = serializer.render(value, ns_map={None: namespace})
    return text.strip()


def file_reference(header: SubmissionHeader) -> str:
    """The file's identifier (PyldIdr, 35 characters at most): the participant and the
    moment it was written, e.g. 0901-20010820100000."""
    return f"{header.participant}-{digits_timestamp(header.created_at)}"


def _indented(text: str, depth: int) -> str:
    # Only whitespace between elements moves: no value written here spans lines.
    return "".join(f"{'  ' * depth}{line}\n" for line in text.splitlines())


def xml_file(header: SubmissionHeader, messages: Sequence[AgentMessage]) -> bytes:
    """The business file header, then the messages in the order given, each as its AppHdr
    then its Document. The file is flagged a possible duplicate when every message is."""
    serializer = XmlSerializer(config=SerializerConfig(xml_declaration=False, indent="  "))
    parts: list[str] = []
    counts = {APP_HDR: 0, INSTRUCTION: 0, CANCELLATION: 0}
    for message in messages:
        if message.kind is MessageKind.INSTRUCT:
            document = _element(serializer, instruction_document(header, message), SEEV_033)
            counts[INSTRUCTION] += 1
        else:
            document = _element(serializer, cancellation_document(header, message), SEEV_040)
            counts[CANCELLATION] += 1
        counts[APP_HDR] += 1
        parts += [_element(serializer, app_hdr(header, message), HEAD_001), document]
    duplicate = bool(messages) and all(m.possible_duplicate for m in messages)
    manifest = "".join(
        f"<MnfstData><DocTp>{escape(kind)}</DocTp><NbOfDocs>{count}</NbOfDocs></MnfstData>\n"
        for kind, count in counts.items()
        if count
    )
    description = (
        "<PyldDesc>\n"
        "  <PyldData>\n"
        f"    <PyldIdr>{escape(file_reference(header))}</PyldIdr>\n"
        f"    <CreDtAndTm>{in_new_york(header.created_at).isoformat()}</CreDtAndTm>\n"
        + ("    <PssblDplctFlg>true</PssblDplctFlg>\n" if duplicate else "")
        + "  </PyldData>\n"
        f"  <ApplSpcfcs><TtlNbOfDocs>{len(parts)}</TtlNbOfDocs></ApplSpcfcs>\n"
        f"  <PyldTp>{escape(PAYLOAD_TYPE)}</PyldTp>\n" + _indented(manifest, 1) + "</PyldDesc>"
    )
    payloads = "".join(f"  <Pyld>\n{_indented(part, 2)}  </Pyld>\n" for part in parts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Xchg xmlns="{HEAD_002}">\n{_indented(description, 1)}{payloads}</Xchg>\n'
    ).encode()
