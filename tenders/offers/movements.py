"""After consummation: the agent's movement confirmations, matched per participant and
instruction by instruction to the office's exchange confirmations (`tenders.domain.movements`).

The office's figures are the confirmation's own (`compute_entitlement` on the accepted
principal and the consummation date, as `confirmation_context` computes them); the agent's are
the movements imported from its seev.036 / MT566 files (`AgentMovement`). Read in a fixed
number of queries: the offer and its terms, the accepted instructions, the references sent,
the movements, the firms.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from exchange_office.spreadsheet import SpreadsheetWriter
from notes.domain.entitlement import Entitlement, compute_entitlement
from notes.models import ExchangeOffer, OfferStatus
from notes.selectors import offer_terms, offers_with_terms
from tenders.accounts.models import BrokerFirm
from tenders.domain.lifecycle import Status
from tenders.domain.movements import (
    Asset,
    Movement,
    MovementMatch,
    OfficeConfirmation,
    match_movements,
)
from tenders.instructions.models import Instruction
from tenders.submissions.models import AgentMovement, AgentReplyKind
from tenders.submissions.selectors import agent_standings


@dataclass(frozen=True, slots=True)
class ParticipantMovements:
    firm: BrokerFirm
    match: MovementMatch
    accepted: int  # accepted instructions of the firm
    movements: int  # movements confirmed by the agent


@dataclass(frozen=True, slots=True)
class OfferMovements:
    offer: ExchangeOffer
    participants: tuple[ParticipantMovements, ...]
    error: str = ""  # why nothing could be matched (the offer is not consummated)

    @property
    def clean(self) -> bool:
        return not self.error and all(p.match.clean for p in self.participants)


def offer_movements(*, offer: ExchangeOffer) -> OfferMovements:
    """Each participant's movement confirmations against the office's confirmations."""
    offer = offers_with_terms().get(pk=offer.pk)
    if offer.status != OfferStatus.CONSUMMATED or offer.consummation_date is None:
        return OfferMovements(
            offer, (), error=f"{offer} is not consummated: the agent moves nothing before."
        )
    on = offer.consummation_date
    terms = offer_terms(offer=offer)
    references = {pk: row.reference for pk, row in agent_standings(offer=offer).items()}
    accepted = Instruction.objects.filter(offer=offer, status=Status.ACCEPTED).values_list(
        "pk", "account__firm_id", "account__account_number", "resolved_amount"
    )
    priced: dict[Decimal, Entitlement] = {}
    confirmations: dict[int, list[OfficeConfirmation]] = {}
    for pk, firm_id, number, principal in accepted:
        assert principal is not None, "an accepted instruction has its resolved principal"
        if principal not in priced:
            priced[principal] = compute_entitlement(terms, principal, on)
        confirmations.setdefault(firm_id, []).append(
            OfficeConfirmation.from_entitlement(
                priced[principal],
                instruction_id=pk,
                reference=references.get(pk, ""),
                account_number=number,
            )
        )
    moved: dict[int, list[Movement]] = {}
    rows = (
        AgentMovement.objects.filter(
            reply__kind=AgentReplyKind.MOVEMENT, reply__instruction__offer=offer
        )
        .order_by("reply__instruction_id", "reply_id", "id")
        .values_list(
            "reply__instruction_id",
            "reply__reference",
            "reply__instruction__account__account_number",
            "reply__instruction__account__firm_id",
            "asset",
            "credit",
            "amount",
            "posted_on",
        )
    )
    for instruction_id, reference, number, firm_id, asset, credit, amount, posted_on in rows:
        moved.setdefault(firm_id, []).append(
            Movement(instruction_id, reference, number, Asset(asset), credit, amount, posted_on)
        )
    firms = BrokerFirm.objects.filter(pk__in={*confirmations, *moved}).order_by(
        "dtc_participant_number"
    )
    return OfferMovements(
        offer,
        tuple(
            ParticipantMovements(
                firm=firm,
                match=match_movements(
                    confirmations=confirmations.get(firm.pk, ()), movements=moved.get(firm.pk, ())
                ),
                accepted=len(confirmations.get(firm.pk, ())),
                movements=len(moved.get(firm.pk, ())),
            )
            for firm in firms
        ),
    )


CSV_COLUMNS = ["participant", "firm", "kind", "account", "reference", "what", "office", "agent"]


def movements_csv(movements: OfferMovements) -> str:
    """Every difference and every unmatched instruction or movement, one row each (an account
    number that starts like a formula is written as text: `exchange_office.spreadsheet`)."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out)
    writer.writerow(CSV_COLUMNS)
    for p in movements.participants:
        firm = [p.firm.dtc_participant_number, p.firm.name]
        for d in p.match.differences:
            writer.writerow(
                [*firm, "difference", d.account_number, d.reference, d.what, d.office, d.agent]
            )
        for u in p.match.without_movement:
            writer.writerow([*firm, "no movement", u.account_number, u.reference, u.detail, "", ""])
        for u in p.match.without_instruction:
            writer.writerow(
                [*firm, "no accepted instruction", u.account_number, u.reference, u.detail, "", ""]
            )
    return out.getvalue()
