"""The words the client reads and agrees to on the online form: the letter's points in plain
words, the form's instruction, and the consent to sign electronically (ESIGN Act, 15 U.S.C.
7001(c)). Built from the letter's values (`client_letter_context`), so the page and the
snapshot of what was agreed are the same text."""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from exchange_office.formatting import dollars, long_date, money


def _exact(value: Any) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def offer_points(letter: dict[str, Any]) -> list[str]:
    """The letter's numbered points, as a client would say them."""
    offer = letter["offer"]
    minimum = offer.get("minimum")  # a MinimumCondition, or None where the terms are invalid
    points = [
        f"{offer['issuer']} offers to exchange its {offer['old']['name']} (the Old Notes, CUSIP "
        f"{offer['old']['cusip']}) for new {offer['new']['name']} (the New Notes).",
        f"For each {dollars(offer['unit_principal'])} of Old Notes you tender, you receive New "
        f"Notes for that principal plus the interest accrued on it from "
        f"{long_date(offer['accrual_start'])} to the day before the exchange is completed; "
        f"warrants to buy {_exact(offer['warrants_per_unit'])} shares of {offer['issuer']} "
        f"common stock; and a cash participation fee of {offer['fee_percent']} of the principal "
        "tendered, paid in installments.",
        (
            f"The exchange happens only if holders of at least {_exact(minimum.percent)}% of "
            f"the Old Notes ({dollars(minimum.required_principal)} of "
            f"{dollars(minimum.outstanding_principal)}) tender and do not withdraw"
            if minimum
            else "The exchange happens only if enough Old Notes are tendered"
        )
        + (
            f". It is also conditioned upon, among other things, {letter['conditions_text']}."
            if letter.get("conditions_text")
            else "."
        ),
        "You pay no brokerage fees or commissions on the exchange.",
        f"The offer and your right to withdraw expire at {letter['expiration_text']}, unless "
        f"the offer is extended. We must receive your instructions by "
        f"{letter['firm_cutoff_text']}.",
        "If you tender, the exchange agent, "
        + (offer.get("exchange_agent") or "the company's exchange agent")
        + ", delivers the New Notes and warrants to us through The Depository Trust Company, "
        "and we credit them to your account.",
        untendered_point(letter),
    ]
    return points


def untendered_point(letter: dict[str, Any]) -> str:
    """What the Old Notes not tendered receive (all of them, or the rest of a partial tender):
    the company's promise to holders who do not tender, with the account's projected figure
    from the engine (`client_letter_context`'s "untendered")."""
    promise = (
        "Old Notes you do not tender stay in your account until the exchange is completed: "
        "if it is, the company pays holders who do not tender the full principal of and "
        "accrued interest on their Old Notes, on the day it is completed"
    )
    untendered = letter.get("untendered")
    if not untendered:
        return promise + "."
    payment = untendered["payment"]
    unit = dollars(letter["offer"]["unit_principal"])
    return (
        f"{promise}. For the {dollars(untendered['principal'])} we hold for you, that is "
        f"{money(payment.payout)} if it is completed on {long_date(untendered['paid_on'])} "
        f"({money(payment.payout_per_unit)} for each {unit}: {unit} of principal and "
        f"{money(payment.accrued_interest_per_unit)} of interest); if you tender only part, "
        f"the rest is paid the same, {money(payment.payout_per_unit)} for each {unit} you keep."
    )


def tender_declaration(letter: dict[str, Any]) -> str:
    offer = letter["offer"]
    return (
        f"I (we) acknowledge receipt of your letter about the offer by {offer['issuer']} to "
        f"exchange new {offer['new']['name']} for its existing {offer['old']['name']}, and "
        "instruct you to tender the principal amount of Old Notes stated below, held by you for "
        "my (our) account, upon the terms and subject to the conditions of the Offering "
        "Circular and the Letter of Transmittal."
    )


def withdrawal_declaration(letter: dict[str, Any]) -> str:
    return (
        "I (we) withdraw my (our) instruction to tender the Old Notes held by you for my (our) "
        f"account. Withdrawal rights expire at {letter['expiration_text']}."
    )


ESIGN_CONSENT = (
    "I (we) consent to receive records about this offer electronically and to sign this "
    "instruction electronically: typing my name below is my signature, with the same effect as "
    "signing the paper form. I may instead ask for the paper form, at no charge, by calling "
    "my representative, and I may withdraw this consent the same way. To read and keep these "
    "records I need a web browser and a PDF reader; we e-mail a PDF of what I submit."
)


def agreed_text(*, letter: dict[str, Any], declaration: str, choice_text: str) -> str:
    """The exact text the client agreed to, as stored with the submission."""
    return "\n\n".join(
        [
            *(f"{number}. {point}" for number, point in enumerate(offer_points(letter), 1)),
            declaration,
            choice_text,
            ESIGN_CONSENT,
        ]
    )


def shown_digest(
    *,
    letter: dict[str, Any],
    position: Decimal,
    offered: Sequence[str],
    firm_cutoff: datetime,
    expiration: datetime,
) -> str:
    """A digest of what the page shows the client (the points, both declarations, the
    consent, the position) and what it offers (a tender, a withdrawal, or both) with the
    deadlines it states: posted back with the form, it tells whether the offer, the position
    or the moment changed while the page was open (an extension, new terms, the cutoff
    passing), so that the text stored as agreed is the text the client read, and a post is
    taken only as what the page offered."""
    text = "\n".join(
        [
            *offer_points(letter),
            tender_declaration(letter),
            withdrawal_declaration(letter),
            ESIGN_CONSENT,
            str(position),
            "offered: " + ",".join(offered),
            f"cutoff: {firm_cutoff.isoformat()}",
            f"expiration: {expiration.isoformat()}",
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()
