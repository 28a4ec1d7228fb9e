"""What each notice says: the template values of its PDF (snapshotted at the notice's moment)
and the text of its e-mail. Plain values, never a model; every figure from the engine.

- a payment notice: the Old Notes an account kept out of the exchange, paid principal plus
  accrued interest on the consummation date (`non_tender_payment`);
- a termination notice: the offer was terminated, the instruction returned, the notes stay;
- a receipt under amended terms: the receipt of the live instruction, projected under the new
  terms, with what changed;
- an extension notice (an e-mail alone): the new dates, and the instruction stays live.
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from exchange_office.formatting import (
    describe_instant,
    dollars,
    exact,
    in_new_york,
    long_date,
    money,
    percent,
)
from notes.domain.calendar import BankingCalendar
from notes.domain.deadlines import CutoffRule, expected_consummation_date, firm_cutoff
from notes.domain.entitlement import (
    InvalidConsummationDate,
    InvalidPrincipal,
    compute_entitlement,
)
from notes.domain.terms import OfferTerms
from notes.models import ExchangeOffer, OfferEvent, WarrantRounding
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.documents.contexts import (
    client_values,
    cusip_text,
    firm_values,
    instruction_values,
    load_instruction,
    receipt_context,
    security_values,
    untendered_values,
)
from tenders.documents.models import DocumentKind
from tenders.domain.tender import Voice, choice_text, tendered_principal
from tenders.instructions.models import Instruction, InstructionChoice


def _what_instructed(choice: str, amount: Decimal | None) -> str:
    words = choice_text(
        tenders_all=choice == InstructionChoice.ALL, amount=amount, voice=Voice.YOURS
    )
    return words[0].lower() + words[1:]


# Payment notices


def payment_notice_context(
    *,
    account: ClientAccount,
    owners: Sequence[str],
    terms: OfferTerms,
    position: Decimal,
    tendered: Decimal,
    instruction_version: int | None,
    on: date,
    not_accepted: str = "",
) -> dict[str, Any]:
    """An account's payment for the Old Notes it kept out of the exchange (nothing tendered,
    or the rest of a partial tender), on consummation on `on`. With `not_accepted` (why), its
    instruction was not accepted on consummation (the exchange agent did not hold it): the
    notice says so, and pays the whole position as not tendered. Without the offer's and the
    firm's blocks ("offer", "firm"): the caller builds and encodes those once for all the
    accounts (`firm_values`, `offer_values`)."""
    untendered = untendered_values(terms=terms, position=position, tendered=tendered, on=on)
    if untendered is None:
        raise ValueError(f"account {account.account_number} kept nothing out of the exchange")
    payment = untendered["payment"]
    if tendered:
        kept = (
            f"Your instruction (version {instruction_version}) tendered {dollars(tendered)} of "
            f"the {dollars(position)} of Old Notes held for your account; the rest, "
            f"{dollars(untendered['principal'])}, was not tendered."
        )
    elif not_accepted:
        kept = (
            f"Your instruction (version {instruction_version}) was not accepted when the offer "
            f"was consummated: the exchange agent did not hold it ({not_accepted}). The "
            f"{dollars(position)} of Old Notes held for your account were therefore not "
            "tendered."
        )
    else:
        kept = f"The {dollars(position)} of Old Notes held for your account were not tendered."
    return {
        "document_title": DocumentKind.PAYMENT_NOTICE.label,
        "client": client_values(account, owners),
        "consummation_date": on,
        "untendered": untendered,
        "tendered_version": instruction_version if tendered else None,
        "not_accepted": (
            {"version": instruction_version, "why": not_accepted} if not_accepted else None
        ),
        "email_paragraphs": [
            f"The exchange offer was consummated on {long_date(on)}. {kept}",
            f"Holders who do not tender are paid the full principal plus accrued interest on "
            f"the consummation date: on {long_date(on)} we pay {money(payment.payout)} into "
            f"your account ({dollars(untendered['principal'])} principal plus "
            f"{money(payment.accrued_interest)} accrued interest, {payment.units} x "
            f"{money(payment.payout_per_unit)}).",
        ],
    }


# Termination notices


def _old_notes_after_termination(offer: ExchangeOffer) -> dict[str, Any]:
    """The Old Notes as a termination notice states them: both CUSIPs, and what they stay."""
    old = offer.old_security
    return {
        **security_values(old),
        "maturity_date": old.maturity_date,
        "last_interest_paid_on": old.last_interest_paid_on,
    }


def _what_happens_to_the_old_notes(offer: ExchangeOffer) -> str:
    """What the Old Notes stay after a termination: unexchanged, and unpaid under the offer
    (its promise to holders who did not tender held only on consummation)."""
    old = offer.old_security
    unpaid = (
        f": they matured on {long_date(old.maturity_date)} and, with their interest since "
        f"{long_date(old.last_interest_paid_on)}, remain unpaid"
        if old.last_interest_paid_on is not None
        else ""
    )
    return (
        f"They stay in your account as they were before the offer{unpaid}. The payment the "
        "company promised to holders who do not tender (principal plus accrued interest) "
        "was due only if the offer was consummated, so it is not made either. We will "
        "credit any payment the company makes on your Old Notes to your account, and tell "
        "you of any new offer for them."
    )


def _old_notes_email(offer: ExchangeOffer, position: Decimal) -> str:
    """The e-mail's paragraph on the Old Notes, with both CUSIPs (as the notice states them)."""
    old, new = offer.old_security, offer.new_security
    return (
        f"Your Old Notes ({old.name}, CUSIP {cusip_text(old.cusip)}; {dollars(position)} "
        f"held) stay in your account. No New Notes ({new.name}, CUSIP {cusip_text(new.cusip)}) "
        f"are issued. {_what_happens_to_the_old_notes(offer)}"
    )


def termination_notice_context(
    *, instruction: Instruction, event: OfferEvent, position: Decimal
) -> dict[str, Any]:
    """The notice to a client whose instruction was live when the offer was terminated, and is
    now returned: nothing was exchanged, the Old Notes stay in the account, no payment."""
    instruction, offer = load_instruction(instruction)
    account = instruction.account
    tendered = tendered_principal(
        choice=instruction.choice,
        stated=instruction.amount,
        resolved=instruction.resolved_amount,
        position=position,
    ).principal
    terminated_on = in_new_york(event.business_at).date()
    values = instruction_values(instruction)
    return {
        **_termination_values(offer, account, event, position),
        "instruction": values,
        "instructed": _what_instructed(instruction.choice, instruction.amount),
        "tendered": tendered,
        "email_paragraphs": [
            f"{offer.issuer.name} terminated the exchange offer on {long_date(terminated_on)}. "
            f"Reason: {event.reason}",
            f"Your instruction (version {instruction.version}, to "
            f"{_what_instructed(instruction.choice, instruction.amount)}) has been returned. "
            f"Your Old Notes stay in your account ({dollars(position)} held): nothing was "
            "exchanged, and no payment is made under the offer.",
            _old_notes_email(offer, position),
        ],
    }


def holder_termination_notice_context(
    *, offer: ExchangeOffer, account: ClientAccount, event: OfferEvent, position: Decimal
) -> dict[str, Any]:
    """The notice to a holder who was sent the letter but had no instruction to return when
    the offer was terminated: the offer is over, and what happens to the Old Notes."""
    terminated_on = in_new_york(event.business_at).date()
    return {
        **_termination_values(offer, account, event, position),
        "instruction": None,
        "email_paragraphs": [
            f"{offer.issuer.name} terminated the exchange offer on {long_date(terminated_on)}, "
            f"about which we wrote to you. Reason: {event.reason}",
            "We held no instruction of yours to tender when it was terminated, so none is "
            "returned: nothing was tendered or exchanged for your account.",
            _old_notes_email(offer, position),
        ],
    }


def _termination_values(
    offer: ExchangeOffer, account: ClientAccount, event: OfferEvent, position: Decimal
) -> dict[str, Any]:
    return {
        "document_title": DocumentKind.TERMINATION_NOTICE.label,
        "firm": firm_values(account.firm),
        "client": client_values(account),
        "offer": {
            "name": offer.name,
            "issuer": offer.issuer.name,
            "old": _old_notes_after_termination(offer),
            "new": security_values(offer.new_security),
        },
        "position": position,
        "terminated_on": in_new_york(event.business_at).date(),
        "terminated_at": event.business_at,
        "reason": event.reason,
        "old_notes_after": _what_happens_to_the_old_notes(offer),
    }


# Receipts under amended terms

_TERM_LABELS = {
    "accrual_rate": "Interest accrued on the Old Notes (per annum)",
    "warrants_per_unit": "Warrants per $1,000 principal amount",
    "warrant_rounding": "A fraction of a warrant",
    "warrant_exercise_price": "Warrant exercise price per share",
    "warrant_expiry": "Warrants may be exercised until",
    "participation_fee_per_unit": "Participation fee per $1,000 principal amount",
    "minimum_tender_percent": "Minimum condition: Old Notes validly tendered",
}


def _term_value(name: str, text: str) -> str:
    """A changed term as the client reads it; the stored text if it is not what we expect."""
    try:
        if name == "accrual_rate":
            return percent(Decimal(text))
        if name == "warrants_per_unit":
            return exact(Decimal(text))
        if name == "warrant_exercise_price":
            return f"${exact(Decimal(text))}"
        if name == "participation_fee_per_unit":
            return money(Decimal(text))
        if name == "minimum_tender_percent":
            return f"{exact(Decimal(text))}%"
        if name == "warrant_expiry":
            return long_date(date.fromisoformat(text))
        if name == "warrant_rounding":
            return str(WarrantRounding(text).label).lower()
    except (InvalidOperation, ValueError):
        pass
    return text


def term_changes(changes: dict[str, Any]) -> list[dict[str, str]]:
    """An amendment's {field: [old, new]}, as rows of what changed."""
    rows = []
    for name, values in changes.items():
        if not isinstance(values, list | tuple) or len(values) != 2:
            continue
        old, new = (str(value) for value in values)
        label = _TERM_LABELS.get(name, name.replace("_", " ").capitalize())
        rows.append({"label": label, "old": _term_value(name, old), "new": _term_value(name, new)})
    return rows


def amended_terms_receipt_context(*, instruction: Instruction, event: OfferEvent) -> dict[str, Any]:
    """The receipt of a live instruction under the terms as amended now: the instruction as it
    stands, the new terms and projection, and what changed."""
    context = receipt_context(instruction, kind=DocumentKind.AMENDED_TERMS_RECEIPT)
    changes = term_changes(event.changes)
    amended_on = in_new_york(event.business_at).date()
    what = "; ".join(f"{row['label']}: {row['old']} → {row['new']}" for row in changes)
    entitlement = context["entitlement"]
    projection = (
        f"Projected on {dollars(context['principal'])} tendered, with consummation on "
        f"{long_date(context['consummation_date'])}: New Notes of "
        f"{money(entitlement.new_notes_principal)}, {exact(entitlement.warrants)} warrants and a "
        f"participation fee of {money(entitlement.participation_fee)}."
        if entitlement is not None
        else ""
    )
    context.update(
        {
            "amendment": {"on": amended_on, "reason": event.reason, "changes": changes},
            "email_paragraphs": [
                p
                for p in (
                    f"The terms of the exchange offer were amended on {long_date(amended_on)}. "
                    f"What changed: {what}.",
                    "Your instruction stays in force. The attached receipt states it under the "
                    "new terms, with the new projection; the receipts we sent you before stay "
                    "as they were.",
                    projection,
                )
                if p
            ],
        }
    )
    return context


# Extension notices (an e-mail alone)


def extension_email(
    *,
    offer: ExchangeOffer,
    event: OfferEvent,
    account: ClientAccount,
    owners: Sequence[str],
    firm: BrokerFirm,
    calendar: BankingCalendar,
    instruction: Instruction,
    position: Decimal,
    terms: OfferTerms | None,
    now: datetime,
    client_link: str = "",
) -> tuple[str, str]:
    """The subject and body of the e-mail telling a client with a live instruction that the
    offer was extended: the new dates, that the instruction stays live, and the client's
    current link to their own page."""
    assert event.new_expiration is not None, "an extension sets a new expiration"
    new_expiration = event.new_expiration
    cutoff = firm_cutoff(
        new_expiration, CutoffRule(firm.cutoff_banking_days_before, firm.cutoff_time), calendar
    )
    consummation = expected_consummation_date(new_expiration, calendar)
    principal = tendered_principal(
        choice=instruction.choice,
        stated=instruction.amount,
        resolved=instruction.resolved_amount,
        position=position,
    ).principal
    projection = ""
    if terms is not None and principal > 0:
        try:
            entitlement = compute_entitlement(terms, principal, consummation)
        except (InvalidPrincipal, InvalidConsummationDate):
            entitlement = None
        if entitlement is not None:
            projection = (
                f"Projected on {dollars(principal)} tendered, with consummation on "
                f"{long_date(consummation)}: accrued interest of "
                f"{money(entitlement.accrued_interest)} through "
                f"{long_date(consummation - timedelta(days=1))} "
                f"({entitlement.accrual_days} days), so New Notes of "
                f"{money(entitlement.new_notes_principal)}, {exact(entitlement.warrants)} warrants "
                f"and a participation fee of {money(entitlement.participation_fee)}.\n\n"
            )
    previously = (
        f" (it was to expire at {describe_instant(event.previous_expiration)})"
        if event.previous_expiration
        else ""
    )
    subject = (
        f"The exchange offer is extended to {long_date(in_new_york(new_expiration).date())} "
        f"— account {account.account_number}"
    )
    body = (
        f"Dear {' and '.join(owners)},\n\n"
        f"{offer.issuer.name} has extended its exchange offer ({offer.name}). The offer, and "
        f"your right to withdraw, now expire at {describe_instant(new_expiration)}{previously}.\n\n"
        f"New dates (New York City time):\n"
        f"- Our deadline for instructions, amendments and withdrawals: "
        f"{describe_instant(cutoff)}\n"
        f"- The offer and withdrawal rights expire: {describe_instant(new_expiration)}\n"
        f"- Consummation is now expected on: {long_date(consummation)}\n\n"
        f"Your instruction stays live (version {instruction.version}, to "
        f"{_what_instructed(instruction.choice, instruction.amount)}): you need do nothing. "
        f"You can still amend or withdraw it until the offer expires at "
        f"{describe_instant(new_expiration)}, through us by our deadline, "
        f"{describe_instant(cutoff)}.\n\n"
        + (
            f"You can also change it on your own page online until our deadline, or withdraw "
            f"it there until the offer expires:\n{client_link}\n\n"
            if client_link
            else ""
        )
        + f"{projection}"
        f"The company's announcement:\n{event.announcement}\n\n"
        f"As of {long_date(in_new_york(now).date())}.\n\n"
        f"{firm.name}\n{firm.address}\n"
    )
    return subject, body
