"""The ISO 20022 file for the exchange agent: for each message, its business application header
(head.001.001.02 `AppHdr`, whose `BizMsgIdr` is the message's reference) and its `Document`,
a seev.033.001.12 CorporateActionInstruction or a seev.040.001.12
CorporateActionInstructionCancellationRequest, side by side under one root element. Each
`AppHdr` and each `Document` declares its own default namespace (no prefixes).

The messages are built from generated dataclasses rather than written as text: seev.033.001.12
and seev.040.001.12 from python-iso20022 (the one package on PyPI with these versions), the
header from pyiso20022 (python-iso20022's head modules fail to import in 0.3.0), both
serialized by xsdata. python-iso20022 names its message classes `Seev03300112` and so on, not
`Document` as the schemas do: the two subclasses below give the root element its name.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pyiso20022.head.head_001_001_02 import (
    AppHdr,
    BranchAndFinancialInstitutionIdentification6,
    ClearingSystemIdentification2Choice,
    ClearingSystemMemberIdentification2,
    FinancialInstitutionIdentification18,
    Party44Choice,
)
from python_iso20022.seev.enums import CorporateActionEventType34Code, CorporateActionOption16Code
from python_iso20022.seev.seev_033_001_12 import models as seev033
from python_iso20022.seev.seev_040_001_12 import models as seev040
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig
from xsdata.models.datatype import XmlDateTime

from exchange_office.formatting import in_new_york
from tenders.domain.submission import (
    EVENT_TYPE,
    OPTION_NUMBER,
    OPTION_TYPE,
    AgentMessage,
    MessageKind,
    SubmissionHeader,
)

HEAD_001 = "urn:iso:std:iso:20022:tech:xsd:head.001.001.02"
SEEV_033 = "urn:iso:std:iso:20022:tech:xsd:seev.033.001.12"
SEEV_040 = "urn:iso:std:iso:20022:tech:xsd:seev.040.001.12"
INSTRUCTION = "seev.033.001.12"
CANCELLATION = "seev.040.001.12"
ROOT = "AgentSubmission"
# The identification type of a CUSIP among a security's other identifiers (ISO 20022's
# external code list ExternalFinancialInstrumentIdentificationType1Code).
CUSIP_TYPE = "CUSP"
CLEARING_SYSTEM = "DTC"


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


def app_hdr(header: SubmissionHeader, message: AgentMessage) -> AppHdr:
    """From the participant (its DTC number, and name) to the exchange agent (by name)."""
    return AppHdr(
        fr=Party44Choice(
            fiid=BranchAndFinancialInstitutionIdentification6(
                fin_instn_id=FinancialInstitutionIdentification18(
                    clr_sys_mmb_id=ClearingSystemMemberIdentification2(
                        clr_sys_id=ClearingSystemIdentification2Choice(prtry=CLEARING_SYSTEM),
                        mmb_id=header.participant,
                    ),
                    nm=header.firm_name,
                )
            )
        ),
        to=Party44Choice(
            fiid=BranchAndFinancialInstitutionIdentification6(
                fin_instn_id=FinancialInstitutionIdentification18(nm=header.agent_name)
            )
        ),
        biz_msg_idr=message.reference,
        msg_def_idr=INSTRUCTION if message.kind is MessageKind.INSTRUCT else CANCELLATION,
        cre_dt=XmlDateTime.from_datetime(in_new_york(header.created_at)),
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
            acct_dtls=m.AccountAndBalance48Seev03300112(sfkpg_acct=header.participant),
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
            acct_dtls=m.AccountIdentification60Seev04000112(sfkpg_acct=header.participant),
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


def xml_file(header: SubmissionHeader, messages: Sequence[AgentMessage]) -> bytes:
    """The messages in the order given, each as its AppHdr then its Document."""
    serializer = XmlSerializer(config=SerializerConfig(xml_declaration=False, indent="  "))
    parts = []
    for message in messages:
        if message.kind is MessageKind.INSTRUCT:
            document: Any = instruction_document(header, message)
            namespace = SEEV_033
        else:
            document = cancellation_document(header, message)
            namespace = SEEV_040
        parts += [
            _element(serializer, app_hdr(header, message), HEAD_001),
            _element(serializer, document, namespace),
        ]
    # Each part is indented one step under the root. Only whitespace between elements moves:
    # no value written here spans lines (references, codes, amounts, names).
    body = "".join("".join(f"  {line}\n" for line in part.splitlines()) for part in parts)
    root = f"<{ROOT}>\n{body}</{ROOT}>\n" if parts else f"<{ROOT}/>\n"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + root).encode("utf-8")
