"""Once an instruction rests on the offer's terms, the admin shows them but no longer changes
them: receipts state those terms (an audited amendment comes with the offer's lifecycle)."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from notes.models import ExchangeOffer, FeeInstallment, RateStep
from tenders.intake.services import instruction_submit
from tests.forms import form_data
from tests.tenders.conftest import make_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_client(client: Any, ops: Any) -> Any:
    client.force_login(ops)
    return client


@pytest.fixture
def instructed(account: Any, offer: ExchangeOffer, rep: Any) -> ExchangeOffer:
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    return offer


def _post(client: Any, url: str, form_id: str, **changes: str) -> Any:
    data = form_data(client.get(url).content.decode(), form_id=form_id) | changes
    return client.post(url, {**data, "_continue": "Save"}, follow=True)


def offer_url(offer: ExchangeOffer) -> str:
    return reverse("admin:notes_exchangeoffer_change", args=[offer.pk])


def test_the_terms_can_be_edited_before_any_instruction(ops_client, offer) -> None:
    _post(ops_client, offer_url(offer), "exchangeoffer_form", accrual_rate="0.13")
    offer.refresh_from_db()
    assert offer.accrual_rate == Decimal("0.13")


def test_the_accrual_rate_is_locked_once_an_instruction_exists(ops_client, instructed) -> None:
    response = _post(ops_client, offer_url(instructed), "exchangeoffer_form", accrual_rate="0.13")
    assert response.status_code == 200
    instructed.refresh_from_db()
    assert instructed.accrual_rate == Decimal("0.1275")
    assert 'name="accrual_rate"' not in ops_client.get(offer_url(instructed)).content.decode()


def test_the_fee_installments_are_locked_once_an_instruction_exists(ops_client, instructed) -> None:
    _post(
        ops_client,
        offer_url(instructed),
        "exchangeoffer_form",
        **{"fee_installments-2-amount_per_unit": "11.00"},
    )
    amounts = list(FeeInstallment.objects.filter(offer=instructed).values_list("amount_per_unit"))
    assert amounts == [(Decimal("10.00"),)] * 3


def test_the_new_notes_coupon_is_locked_once_an_instruction_exists(ops_client, instructed) -> None:
    security = instructed.new_security
    url = reverse("admin:notes_security_change", args=[security.pk])
    page = ops_client.get(url).content.decode()
    assert 'name="maturity_date"' not in page
    assert 'name="rate_steps-0-rate"' not in page
    _post(ops_client, url, "security_form", **{"rate_steps-0-rate": "0.20"})
    assert sorted(RateStep.objects.filter(security=security).values_list("rate", flat=True)) == [
        Decimal("0.14"),
        Decimal("0.15"),
    ]


def test_excluded_jurisdictions_can_still_be_added(ops_client, instructed) -> None:
    response = _post(
        ops_client,
        offer_url(instructed),
        "exchangeoffer_form",
        **{
            "excluded_jurisdictions-TOTAL_FORMS": "1",
            "excluded_jurisdictions-0-state": "NJ",
            "excluded_jurisdictions-0-reason": "State statute",
        },
    )
    assert response.status_code == 200
    assert list(instructed.excluded_jurisdictions.values_list("state", flat=True)) == ["NJ"]
