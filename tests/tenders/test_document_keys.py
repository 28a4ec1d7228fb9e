"""A document's key names the occasion it is issued for, once; its number stays readable."""

import pytest

from tenders.documents.keys import DocumentKey, InvalidDocumentKey
from tenders.documents.models import DocumentKind


def test_a_receipt_keeps_the_number_it_had_before_keys() -> None:
    key = DocumentKey.for_instruction(DocumentKind.RECEIPT, 42)
    assert str(key) == "receipt:i42"
    assert key.number(offer_slug="lexington-2001", revision=1) == "LEXINGTON-2001-R000042-1"


def test_a_payment_notice_is_numbered_by_its_account() -> None:
    key = DocumentKey(DocumentKind.PAYMENT_NOTICE, offer_id=3, account_id=17)
    assert str(key) == "payment:o3:a17"
    assert key.number(offer_slug="lexington-2001", revision=2) == "LEXINGTON-2001-P000017-2"


def test_a_receipt_under_amended_terms_is_numbered_by_instruction_and_event() -> None:
    key = DocumentKey(DocumentKind.AMENDED_TERMS_RECEIPT, instruction_id=42, event_id=7)
    assert str(key) == "amended_receipt:i42:e7"
    assert key.number(offer_slug="lexington-2001", revision=1) == "LEXINGTON-2001-A000042E7-1"


def test_a_statement_is_keyed_and_numbered_by_account_and_quarter() -> None:
    key = DocumentKey(DocumentKind.STATEMENT, account_id=17, period="2001Q4")
    assert str(key) == "statement:a17:2001Q4"
    assert DocumentKey.parse("statement:a17:2001Q4") == key
    assert key.number(offer_slug="lexington-2001", revision=1) == "LEXINGTON-2001-Q000017-2001Q4-1"


@pytest.mark.parametrize("text", ["statement:a17:2001Q5", "statement:a17", "statement:2001Q4:a17"])
def test_a_statement_key_without_its_quarter_is_refused(text: str) -> None:
    with pytest.raises(InvalidDocumentKey, match="not a document key"):
        DocumentKey.parse(text)


def test_a_payment_advice_is_keyed_and_numbered_by_offer_account_and_date() -> None:
    key = DocumentKey(DocumentKind.PAYMENT_ADVICE, offer_id=3, account_id=17, day="2001-12-31")
    assert str(key) == "payment_advice:o3:a17:2001-12-31"
    assert DocumentKey.parse("payment_advice:o3:a17:2001-12-31") == key
    number = key.number(offer_slug="lexington-2001", revision=1)
    assert number == "LEXINGTON-2001-N000017-20011231-1"


@pytest.mark.parametrize(
    "text",
    ["payment_advice:o3:a17", "payment_advice:o3:a17:2001-13", "payment_advice:a17:o3:2001-12-31"],
)
def test_a_payment_advice_key_without_its_date_is_refused(text: str) -> None:
    with pytest.raises(InvalidDocumentKey, match="not a document key"):
        DocumentKey.parse(text)


@pytest.mark.parametrize(
    "text",
    ["receipt:i42", "withdrawal:i1", "confirmation:i9", "termination:i5", "payment:o1:a2",
     "amended_receipt:i4:e3"],
)  # fmt: skip
def test_a_key_reads_back_as_written(text: str) -> None:
    assert str(DocumentKey.parse(text)) == text


@pytest.mark.parametrize(
    "text", ["receipt:42", "receipt:i042", "receipt:a1", "payment:a2:o1", "memo:i1", "receipt:i"]
)
def test_a_key_this_office_does_not_write_is_refused(text: str) -> None:
    with pytest.raises(InvalidDocumentKey, match="not a document key"):
        DocumentKey.parse(text)


def test_a_payment_notice_needs_an_account_and_an_offer() -> None:
    with pytest.raises(InvalidDocumentKey, match="keyed by offer_id, account_id"):
        DocumentKey(DocumentKind.PAYMENT_NOTICE, instruction_id=1)
