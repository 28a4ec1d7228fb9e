"""What the document templates get: plain values, never a model, so a template cannot reach
the full TIN. Every figure comes from the engine (`compute_entitlement`); the templates only
format them."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django_countries.fields import Country

from exchange_office.tagged import decode
from notes.domain.entitlement import (
    Entitlement,
    InvalidConsummationDate,
    InvalidPrincipal,
    compute_entitlement,
    minimum_condition,
    non_tender_payment,
)
from notes.domain.terms import InvalidTerms, OfferTerms
from notes.models import ExchangeOffer, OfferStatus, Security
from notes.selectors import offer_consummation_date, offer_terms, offers_with_terms
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.accounts.selectors import firm_deadlines, position_for
from tenders.documents.keys import DocumentKey
from tenders.documents.models import DocumentKind, DocumentSnapshot
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import (
    Instruction,
    InstructionChannel,
    InstructionChoice,
    InstructionStatus,
)


class DocumentNotAvailable(ValueError):
    """The instruction is not in a state this document describes."""


def cusip_text(value: str) -> str:
    """529529AC3 as printed: 529529 AC 3."""
    return f"{value[:6]} {value[6:8]} {value[8:]}" if len(value) == 9 else value


def text_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def firm_values(firm: BrokerFirm) -> dict[str, Any]:
    return {
        "name": firm.name,
        "address_lines": text_lines(firm.address),
        "phone": firm.phone.as_national if firm.phone else "",
        "email": firm.email,
        "dtc_participant_number": firm.dtc_participant_number,
    }


def client_values(account: ClientAccount, owners: Sequence[str] | None = None) -> dict[str, Any]:
    """The addressee: `owners` are the owners' names where the caller read them for many
    accounts at once; otherwise they are read from the account."""
    region = " ".join(part for part in (account.state, account.postal_code) if part)
    city_line = ", ".join(part for part in (account.city, region) if part)
    lines = [account.address_line1, account.address_line2, city_line]
    country: Country = account.country  # type: ignore[assignment]  # a Country, typed as str
    if country and country.code != "US":
        lines.append(country.name)
    return {
        "names": list(owners) if owners is not None else [o.name for o in account.owners.all()],
        "address_lines": [line for line in lines if line],
        "account_number": account.account_number,
        "masked_tin": account.masked_tin,
    }


def security_values(security: Security) -> dict[str, Any]:
    return {
        "name": security.name,
        "short_name": security.short_name,
        "cusip": cusip_text(security.cusip),
    }


def offer_values(offer: ExchangeOffer, terms: OfferTerms | None) -> dict[str, Any]:
    return {
        "name": offer.name,
        "issuer": offer.issuer.name,
        "exchange_agent": offer.exchange_agent,
        "old": security_values(offer.old_security),
        "new": security_values(offer.new_security),
        "unit_principal": offer.unit_principal,
        "accrual_start": offer.accrual_start,
        "accrual_rate": offer.accrual_rate,
        "warrants_per_unit": offer.warrants_per_unit,
        "warrant_exercise_price": offer.warrant_exercise_price,
        "warrant_expiry": offer.warrant_expiry,
        "participation_fee_per_unit": offer.participation_fee_per_unit,
        "minimum": minimum_condition(terms) if terms is not None else None,
        "conditions": [c.description for c in offer.conditions.all()],
    }


def load_instruction(instruction: Instruction) -> tuple[Instruction, ExchangeOffer]:
    """The instruction as stored, with what the documents read."""
    stored = (
        Instruction.objects.select_related("account__firm", "supersedes", "approved_by")
        .prefetch_related("account__owners", "signers", "transitions")
        .get(pk=instruction.pk)
    )
    offer = offers_with_terms().prefetch_related("conditions").get(pk=stored.offer_id)
    return stored, offer


def instruction_values(instruction: Instruction) -> dict[str, Any]:
    withdrawals = [
        t for t in instruction.transitions.all() if t.to_status == InstructionStatus.WITHDRAWN
    ]
    return {
        "version": instruction.version,
        "amends_version": instruction.supersedes.version if instruction.supersedes else None,
        "tenders_all": instruction.choice == InstructionChoice.ALL,
        "amount": instruction.amount,
        "resolved_amount": instruction.resolved_amount,
        "form_date": instruction.form_date,
        "received_at": instruction.received_at,
        "status": instruction.status,
        "status_label": instruction.get_status_display(),
        "withdrawn": instruction.status == InstructionStatus.WITHDRAWN,
        "withdrawn_at": withdrawals[-1].business_at if withdrawals else None,
        "masked_tin": instruction.masked_tin,
        "signed_address_lines": text_lines(instruction.signed_address),
        "signers": [_signed_as(s.typed_name, s.mismatch_reason) for s in instruction.signers.all()],
        "no_box_ticked": instruction.no_box_ticked,
        "withdrawal_notice": _notice_values(instruction),
        "channel": instruction.channel,
        "channel_label": (
            "Online, signed electronically on our client page"
            if instruction.channel == InstructionChannel.ONLINE
            else "Paper instruction form, signed and returned to us"
        ),
        "approved_by": (
            (instruction.approved_by.get_full_name() or instruction.approved_by.get_username())
            if instruction.approved_by
            else ""
        ),
    }


def _signed_as(typed_name: str, mismatch_reason: str) -> str:
    """A printed name as a document states it, with operations' reason where it differs."""
    if mismatch_reason:
        return f"{typed_name} (accepted by operations: {mismatch_reason})"
    return typed_name


def _notice_values(instruction: Instruction) -> dict[str, Any] | None:
    """The client's notice of a withdrawal, as the withdrawal receipt states it."""
    try:
        notice = instruction.withdrawal_notice
    except ObjectDoesNotExist:
        return None
    return {
        "method": notice.get_method_display(),
        "received_on": notice.received_on,
        "signers": [_signed_as(s.typed_name, s.mismatch_reason) for s in notice.signers.all()],
        "callback_number": notice.callback_number,
        "recorded_by": notice.recorded_by.get_full_name() or notice.recorded_by.get_username(),
        "recorded_at": notice.business_at,
    }


def fee_rows_for(entitlement: Entitlement, terms: OfferTerms) -> list[dict[str, Any]]:
    """Each installment, and why its payment date differs from its scheduled one, if it does:
    `unscheduled` (the terms pay it on the consummation date), `date_passed` (its scheduled
    date is before the consummation date, so it is paid then: the documents keep the date
    and say why) or `moved` (off a banking day)."""
    unscheduled = {term.sequence for term in terms.fee_installments if term.scheduled_date is None}
    rows = []
    for fee in entitlement.fee_installments:
        on_consummation = fee.scheduled_date <= entitlement.consummation_date
        rows.append(
            {
                "sequence": fee.sequence,
                "scheduled_date": fee.scheduled_date,
                "payment_date": fee.payment_date,
                "amount": fee.amount,
                "on_consummation": on_consummation,
                "unscheduled": fee.sequence in unscheduled,
                "date_passed": (
                    fee.sequence not in unscheduled
                    and fee.scheduled_date < entitlement.consummation_date
                ),
                "moved": not on_consummation and fee.payment_date != fee.scheduled_date,
            }
        )
    return rows


def receipt_context(
    instruction: Instruction, *, kind: str = DocumentKind.RECEIPT
) -> dict[str, Any]:
    """What the receipt template gets: the instruction as recorded now, the deadlines, the
    offer's conditions and, for an instruction that tenders, the projected entitlement. Taken
    once, when the instruction is received or withdrawn (`tenders.documents.snapshots`): the
    receipt is rendered from that snapshot, never from this function later. Terms the engine
    cannot use leave the figures out, with the reason, rather than refuse the instruction."""
    instruction, offer = load_instruction(instruction)
    account = instruction.account
    deadlines = firm_deadlines(firm=account.firm, offer=offer)
    consummation_date, projected = offer_consummation_date(offer=offer)
    position = position_for(account=account, offer=offer)
    tendered = tendered_principal(
        choice=instruction.choice,
        stated=instruction.amount,
        resolved=instruction.resolved_amount,
        position=position,
    )
    principal = tendered.principal
    tenders = instruction.status not in (
        InstructionStatus.WITHDRAWN,
        InstructionStatus.SUPERSEDED,
        InstructionStatus.RETURNED,
        InstructionStatus.NOT_ACCEPTED,
    )
    terms, entitlement, untendered, projection_error = None, None, None, ""
    try:
        terms = offer_terms(offer=offer)
        if tenders and principal and principal > 0:
            entitlement = compute_entitlement(terms, principal, consummation_date)
    except (InvalidTerms, InvalidConsummationDate, InvalidPrincipal) as exc:
        projection_error = str(exc)
    if terms is not None:
        # What the Old Notes it does not tender receive if the offer is consummated: all of
        # them once it is withdrawn, the rest of a partial tender otherwise.
        untendered = untendered_projection(
            terms=terms,
            position=position,
            tendered=principal if tenders and principal else Decimal(0),
            on=consummation_date,
        )
    return {
        "document_title": DocumentKind(kind).label,
        "firm": firm_values(account.firm),
        "client": client_values(account),
        "offer": offer_values(offer, terms),
        "instruction": instruction_values(instruction),
        "principal": principal,
        "principal_basis": tendered.basis.value,
        "consummation_date": consummation_date,
        "accrual_through": consummation_date - timedelta(days=1),
        "projected": projected,
        "entitlement": entitlement,
        "fee_rows": fee_rows_for(entitlement, terms) if entitlement and terms else [],
        "untendered": untendered,
        "projection_error": projection_error,
        "firm_cutoff": deadlines.firm_cutoff,
        "expiration": deadlines.expiration,
        "withdrawal_deadline": deadlines.expiration,
    }


def confirmation_context(instruction: Instruction) -> dict[str, Any]:
    """What the confirmation template gets: the actual figures on consummation."""
    instruction, offer = load_instruction(instruction)
    if offer.status != OfferStatus.CONSUMMATED or offer.consummation_date is None:
        raise DocumentNotAvailable(
            "The offer has not been consummated: there is nothing to confirm."
        )
    if instruction.status != InstructionStatus.ACCEPTED or not instruction.resolved_amount:
        raise DocumentNotAvailable(
            f"Instruction version {instruction.version} is "
            f"{instruction.get_status_display().lower()}, not accepted on consummation."
        )
    terms = offer_terms(offer=offer)
    entitlement = compute_entitlement(terms, instruction.resolved_amount, offer.consummation_date)
    return {
        "document_title": "Exchange confirmation",
        "firm": firm_values(instruction.account.firm),
        "client": client_values(instruction.account),
        "offer": offer_values(offer, terms),
        "instruction": instruction_values(instruction),
        "consummation_date": offer.consummation_date,
        "accrual_through": offer.consummation_date - timedelta(days=1),
        "entitlement": entitlement,
        "fee_rows": fee_rows_for(entitlement, terms),
        "untendered": _untendered_on_consummation(instruction, offer, terms),
    }


def untendered_values(
    *, terms: OfferTerms, position: Decimal, tendered: Decimal, on: date
) -> dict[str, Any] | None:
    """The Old Notes held and not tendered (nothing tendered, or the rest of a partial
    tender), and what they are paid on consummation on `on`: principal plus accrued interest
    (`non_tender_payment`). None when nothing is left untendered."""
    principal = position - tendered
    if principal <= 0:
        return None
    return {
        "position": position,
        "tendered": tendered,
        "principal": principal,
        "payment": non_tender_payment(terms, principal, on),
        "paid_on": on,
        "accrual_through": on - timedelta(days=1),
    }


def untendered_projection(
    *, terms: OfferTerms, position: Decimal, tendered: Decimal, on: date
) -> dict[str, Any] | None:
    """`untendered_values` for a document written before the fact (a receipt, a letter):
    None where the engine cannot project it (a position that is not a whole number of units,
    a consummation date it refuses), so the document leaves the figure out."""
    try:
        return untendered_values(terms=terms, position=position, tendered=tendered, on=on)
    except (InvalidConsummationDate, InvalidPrincipal):
        return None


def projected_figures(
    *, offer: ExchangeOffer, tendered: Decimal, position: Decimal
) -> dict[str, Any]:
    """The figures a document states for a tender of `tendered` out of `position` before the
    offer is consummated (the online submission's PDF): the entitlement and its installments,
    and what the Old Notes not tendered receive, for the expected consummation date. The
    engine refusing the terms or the amount leaves the figures out."""
    consummation_date, projected = offer_consummation_date(offer=offer)
    entitlement, fee_rows, untendered = None, [], None
    try:
        terms = offer_terms(offer=offer)
    except InvalidTerms:
        terms = None
    if terms is not None:
        if tendered > 0:
            try:
                entitlement = compute_entitlement(terms, tendered, consummation_date)
                fee_rows = fee_rows_for(entitlement, terms)
            except (InvalidConsummationDate, InvalidPrincipal):
                entitlement = None
        untendered = untendered_projection(
            terms=terms, position=position, tendered=tendered, on=consummation_date
        )
    return {
        "consummation_date": consummation_date,
        "accrual_through": consummation_date - timedelta(days=1),
        "projected": projected,
        "entitlement": entitlement,
        "fee_rows": fee_rows,
        "untendered": untendered,
    }


def _untendered_on_consummation(
    instruction: Instruction, offer: ExchangeOffer, terms: OfferTerms
) -> dict[str, Any] | None:
    """What the account kept out of the exchange. Read from its payment notice's snapshot,
    taken on consummation (a position may be lowered afterwards, as the notes leave the
    account); without one (an offer consummated before payment notices), from the position
    held now."""
    assert offer.consummation_date is not None and instruction.resolved_amount is not None
    key = DocumentKey(
        DocumentKind.PAYMENT_NOTICE, offer_id=offer.pk, account_id=instruction.account_id
    )
    data = DocumentSnapshot.objects.filter(key=str(key)).values_list("data", flat=True).first()
    if data is not None:
        untendered: dict[str, Any] | None = decode(data)["untendered"]
        return untendered
    return untendered_values(
        terms=terms,
        position=position_for(account=instruction.account, offer=offer),
        tendered=instruction.resolved_amount,
        on=offer.consummation_date,
    )
