"""`{{ instruction|tender_choice:"yours" }}`: the client's choice worded by
`tenders.domain.tender.choice_text`, for an instruction, a client's submission or a
snapshot's values (a mapping with `tenders_all` or `choice`, and `amount`); within a sentence,
`{{ instruction|tender_choice:"yours"|lowerfirst }}`."""

from collections.abc import Mapping
from typing import Any

from django import template

from tenders.domain.rules import Choice
from tenders.domain.tender import Voice, choice_text

register = template.Library()


def _value(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


@register.filter
def tender_choice(row: Any, voice: str = Voice.SHORT) -> str:
    tenders_all = _value(row, "tenders_all")
    if tenders_all is None:
        tenders_all = _value(row, "choice") == Choice.ALL
    return choice_text(
        tenders_all=bool(tenders_all), amount=_value(row, "amount"), voice=Voice(voice)
    )


@register.simple_tag
def tender_choice_words(choice: str, amount: Any, voice: str = Voice.SHORT) -> str:
    """For values not on one object: `{% tender_choice_words row.choice row.amount "short" %}`."""
    return choice_text(tenders_all=choice == Choice.ALL, amount=amount, voice=Voice(voice))


@register.filter
def lowerfirst(text: str) -> str:
    """ "Tender all ..." within a sentence: "... to tender all ..."."""
    return text[:1].lower() + text[1:]
