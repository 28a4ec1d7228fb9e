"""What the letter "To Our Clients" says to one account: plain values, taken as a snapshot at
the moment it is issued (`tenders.documents.snapshots`), every figure from the offer's rows."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from exchange_office.formatting import (
    describe_instant,
    dollars,
    in_new_york,
    long_date,
    money,
    percent,
)
from notes.domain.terms import InvalidTerms
from notes.models import ExchangeOffer, OfferEvent
from notes.selectors import offer_consummation_date, offer_terms
from tenders.accounts.models import ClientAccount
from tenders.accounts.selectors import firm_deadlines
from tenders.documents.contexts import (
    client_values,
    firm_values,
    offer_values,
    untendered_projection,
)

_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")


def client_letter_context(
    *,
    offer: ExchangeOffer,
    account: ClientAccount,
    position: Decimal,
    event: OfferEvent | None,
    now: datetime,
    client_link: str = "",
) -> dict[str, Any]:
    """The letter's numbered points (issuer, notes, consideration, conditions, expiration),
    the firm's cutoff as "in ample time", and the instruction form filled in for the account.
    `event`: the extension or amendment of the terms the letter follows, if any."""
    try:
        terms = offer_terms(offer=offer)
    except InvalidTerms:
        terms = None
    deadlines = firm_deadlines(firm=account.firm, offer=offer)
    fee_percent = (offer.participation_fee_per_unit / offer.unit_principal).quantize(
        Decimal("0.0001")
    )
    cutoff = describe_instant(deadlines.firm_cutoff)
    changes = []
    if event is not None:
        changed_on = long_date(in_new_york(event.business_at).date())
        changes.append(
            f"This letter replaces our earlier one: on {changed_on} "
            f"the offer was {event.get_kind_display().lower()}"
            + (f" ({event.announcement})" if event.announcement else "")
            + ". The points below state the offer as it now stands."
        )
    conditions = [c.description for c in offer.conditions.all()]
    consummation_date, projected = offer_consummation_date(offer=offer)
    # What the account's Old Notes receive if none is tendered (the press release's promise
    # to holders who do not tender), projected by the engine for the expected consummation.
    untendered = (
        untendered_projection(
            terms=terms, position=position, tendered=Decimal(0), on=consummation_date
        )
        if terms is not None
        else None
    )
    return {
        "document_title": "To Our Clients",
        "firm": firm_values(account.firm),
        "client": client_values(account),
        "offer": {
            **offer_values(offer, terms),
            "issuer_state": offer.issuer.state_of_incorporation,
            "commencement_date": offer.commencement_date,
            "fee_percent": percent(fee_percent),
        },
        "position": position,
        "expiration": deadlines.expiration,
        "expiration_text": describe_instant(deadlines.expiration),
        "firm_cutoff": deadlines.firm_cutoff,
        "firm_cutoff_text": cutoff,
        "changes": changes,
        "conditions_text": conditions_text(conditions),
        "consummation_date": consummation_date,
        "projected": projected,
        "untendered": untendered,
        "letter_date": in_new_york(now).date(),
        "client_link": client_link,
        "email_paragraphs": [
            f"Enclosed is our letter about the {offer.issuer.name} exchange offer and the "
            f"instruction form for your account, which holds {dollars(position)} of Old Notes.",
            f"If you wish us to tender, please return the signed form in ample time: we must "
            f"receive your instructions by {cutoff}.",
            *(
                [
                    "If you do not tender and the exchange offer is consummated, the company "
                    "pays holders who do not tender the full principal of and accrued interest "
                    f"on their Old Notes: for your {dollars(position)}, "
                    f"{money(untendered['payment'].payout)} on "
                    f"{long_date(untendered['paid_on'])}"
                    + (", the projected consummation date." if projected else ".")
                ]
                if untendered
                else []
            ),
            *(
                [
                    "You can also answer online, without the paper form, until then: open "
                    f"{client_link} and have your taxpayer ID and ZIP code at hand."
                ]
                if client_link
                else []
            ),
        ],
    }


def _lower_first(text: str) -> str:
    """A condition as a clause of the letter's sentence: "Senior secured ..." -> "senior
    secured ..." (an acronym such as "SEC" keeps its capitals)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def conditions_text(conditions: list[str]) -> str:
    """The conditions as the letter states them, one sentence: "(i) the Company's completion
    of ...; (ii) ...; and (iii) ..." (two: "(i) ... and (ii) ...", as the offer's own letter
    puts them)."""
    clauses = [
        f"({_ROMAN[i] if i < len(_ROMAN) else i + 1}) {_lower_first(text.strip().rstrip('.;'))}"
        for i, text in enumerate(conditions)
    ]
    if len(clauses) <= 2:
        return " and ".join(clauses)
    return "; ".join(clauses[:-1]) + "; and " + clauses[-1]
