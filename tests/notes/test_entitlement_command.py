"""`manage.py entitlement`: the JSON other tools read, the text table, and the refusals."""

import json
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from notes.models import ExchangeOffer, OfferStatus

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


def quote(*args: str) -> str:
    out = StringIO()
    call_command("entitlement", *args, stdout=out)
    return out.getvalue()


def quote_json(principal: str = "125000", consummation: str = "2001-09-05") -> dict:
    return json.loads(
        quote(
            "--offer", "lexington-2001", "--principal", principal,
            "--consummation", consummation, "--format", "json",
        )
    )  # fmt: skip


@pytest.fixture
def worked_example(lexington: ExchangeOffer) -> dict:
    return quote_json()


def test_json_has_every_key_other_tools_read(worked_example: dict) -> None:
    assert worked_example.keys() >= {
        "units", "accrual_days", "accrued_interest_per_unit", "accrued_interest",
        "new_notes_principal", "warrants_exact", "warrants", "participation_fee",
        "fee_installments", "coupons", "non_tender_payout",
    }  # fmt: skip


def test_json_gives_the_worked_example_of_domain_md(worked_example: dict) -> None:
    assert worked_example["units"] == 125
    assert worked_example["accrual_days"] == 754
    assert worked_example["accrued_interest_per_unit"] == "267.04"
    assert worked_example["accrued_interest"] == "33380.00"
    assert worked_example["new_notes_principal"] == "158380.00"
    assert worked_example["warrants_exact"] == "681.25"
    assert worked_example["warrants"] == 682
    assert worked_example["participation_fee"] == "3750.00"
    assert worked_example["non_tender_payout"] == "158380.00"


def test_json_gives_installments_paid_on_banking_days(worked_example: dict) -> None:
    assert worked_example["fee_installments"] == [
        {"sequence": 1, "scheduled_date": "2001-09-05", "payment_date": "2001-09-05",
         "amount": "1250.00"},
        {"sequence": 2, "scheduled_date": "2001-09-30", "payment_date": "2001-10-01",
         "amount": "1250.00"},
        {"sequence": 3, "scheduled_date": "2001-12-31", "payment_date": "2001-12-31",
         "amount": "1250.00"},
    ]  # fmt: skip


def test_json_gives_the_first_coupons(worked_example: dict) -> None:
    first, second, third = worked_example["coupons"][:3]
    assert first == {
        "period_start": "2001-09-05", "period_end": "2001-09-30", "payment_date": "2001-10-01",
        "days": 25, "rate": "0.14", "amount": "1539.81",
    }  # fmt: skip
    assert (second["days"], second["rate"], second["amount"]) == (90, "0.14", "5543.30")
    assert second["payment_date"] == "2001-12-31"
    assert third["rate"] == "0.15"


def test_json_ends_the_coupons_at_maturity(worked_example: dict) -> None:
    last = worked_example["coupons"][-1]
    assert last["period_end"] == last["payment_date"] == "2004-12-31"
    assert worked_example["principal_repayment"] == {
        "payment_date": "2004-12-31",
        "amount": "158380.00",
    }


def test_json_says_a_quote_before_consummation_is_projected(worked_example: dict) -> None:
    assert worked_example["projected"] is True


def test_json_quote_on_the_actual_consummation_date_is_not_projected(
    lexington: ExchangeOffer,
) -> None:
    lexington.status = OfferStatus.CONSUMMATED
    lexington.consummation_date = "2001-09-05"
    lexington.save()
    assert quote_json()["projected"] is False


def test_consummation_defaults_to_the_expected_date(lexington: ExchangeOffer) -> None:
    data = json.loads(quote("--offer", "lexington-2001", "--principal", "1000", "--format", "json"))
    assert data["consummation_date"] == "2001-09-05"


def test_text_format_is_the_default_and_reads_as_a_table(lexington: ExchangeOffer) -> None:
    text = quote("--offer", "lexington-2001", "--principal", "125000")
    assert "projected, assuming consummation on September 5, 2001" in text
    assert "New Notes principal" in text and "158,380.00" in text
    assert "2001-09-30   2001-10-01" in text
    assert "1,539.81" in text


def test_extended_offer_moves_the_default_consummation(lexington: ExchangeOffer) -> None:
    lexington.expiration = "2001-09-17T17:00:00-04:00"
    lexington.save()
    data = json.loads(quote("--offer", "lexington-2001", "--principal", "1000", "--format", "json"))
    assert data["consummation_date"] == "2001-09-18"
    assert data["accrual_days"] == 767


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--principal", "1500"], "positive whole multiple of $1,000"),
        (["--principal", "0"], "positive whole multiple of $1,000"),
        (["--principal", "-1000"], "positive whole multiple of $1,000"),
        (["--principal", "abc"], "'abc' is not a number"),
        (["--principal", "1000.5"], "positive whole multiple of $1,000"),
        (["--principal", "NaN"], "is not a number"),
        (["--principal", "1000", "--consummation", "2001-09-31"], "is not a date"),
        (["--principal", "1000", "--consummation", "yesterday"], "is not a date"),
        (["--principal", "1000", "--consummation", "2001-09-04"], "after the expiration day"),
        (["--principal", "1000", "--consummation", "2001-08-31"], "after the expiration day"),
        (["--principal", "1000", "--consummation", "2001-09-08"], "not a New York banking day"),
        (["--principal", "1000", "--consummation", "2001-10-08"], "not a New York banking day"),
        (["--principal", "1000", "--format", "xml"], "--format must be text or json"),
        ([], "--principal is required"),
    ],
)
def test_bad_input_is_refused_with_one_plain_line(
    lexington: ExchangeOffer, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as refusal:
        quote("--offer", "lexington-2001", *args)
    assert message in str(refusal.value)
    assert "\n" not in str(refusal.value)


def test_unknown_offer_is_refused(lexington: ExchangeOffer) -> None:
    with pytest.raises(CommandError, match="no offer with slug 'nope'"):
        quote("--offer", "nope", "--principal", "1000")


@pytest.fixture(scope="module")
def command_database(command_database: Callable[..., dict[str, str]]) -> dict[str, str]:
    """A migrated SQLite file with the offer, for running the command as a user does."""
    return command_database(["load_offer", "lexington-2001"])


@pytest.mark.slow
@pytest.mark.parametrize("principal", ["1500", "abc", "1000.5"])
def test_refusal_from_the_shell_is_one_line_on_stderr_and_exit_1(
    command_database: dict[str, str], principal: str
) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "entitlement", "--offer", "lexington-2001",
         "--principal", principal, "--format", "json"],
        cwd=BASE_DIR, env=command_database, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_json_from_the_shell_parses(command_database: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "entitlement", "--offer", "lexington-2001",
         "--principal", "125000", "--consummation", "2001-09-05", "--format", "json"],
        cwd=BASE_DIR, env=command_database, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(result.stdout)["new_notes_principal"] == "158380.00"
