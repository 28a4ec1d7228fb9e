"""The trial balance's arithmetic (tenders/domain/books.py), without a database: the figures
from the clients' legs by kind of entry, the keys of the ledger accounts, what is off."""

from tenders.domain.books import (
    BookFigures,
    ClientAccountKey,
    assets_off_zero,
    book_figures,
    client_key,
    is_balanced,
)

OLD, NEW = "529529AA7", "529529AC3"


def figures(sums: dict[tuple[str, str], int]) -> BookFigures:
    return book_figures(sums, old_notes=OLD, new_notes=NEW, warrants="WARRANTS", cash="USD")


def test_old_notes_exchanged_is_the_clients_old_notes_sign_flipped() -> None:
    assert figures({("exchange", OLD): -12_500_000}).old_notes_exchanged == 12_500_000


def test_an_opening_balance_is_no_exchange() -> None:
    assert figures({("opening", OLD): 12_500_000}).old_notes_exchanged == 0


def test_a_reversal_under_its_entrys_kind_nets_the_figure_out() -> None:
    # A fee of 125,000 cents posted twice and reversed once: the sums arrive netted.
    assert figures({("fee", "USD"): 125_000 + 125_000 - 125_000}).fees_paid == 125_000


def test_each_cash_figure_reads_its_own_kind() -> None:
    got = figures({("fee", "USD"): 1, ("nontender", "USD"): 2, ("coupon", "USD"): 3})
    assert (got.fees_paid, got.nontender_paid, got.coupons_paid) == (1, 2, 3)


def test_a_number_at_one_firm_is_written_alone() -> None:
    key = client_key(ClientAccountKey("HB-100007", "0901"), numbers_at_two_firms=set())
    assert key == "HB-100007"


def test_a_number_at_two_firms_is_prefixed_with_the_participant() -> None:
    key = client_key(ClientAccountKey("HB-100007", "0901"), numbers_at_two_firms={"HB-100007"})
    assert key == "0901:HB-100007"


def test_an_asset_whose_balances_do_not_sum_to_zero_is_named_with_its_sum() -> None:
    totals = {"USD": {"HB-100007": 5000, "agent": 0}, "WARRANTS": {"HB-100007": 682, "agent": -682}}
    assert assets_off_zero(totals) == {"USD": 5000}


def test_a_position_off_makes_the_books_unbalanced() -> None:
    assert not is_balanced(assets_off={}, entries_off=0, positions_off=["HB-100007"])
