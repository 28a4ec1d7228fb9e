"""Operations read the offer's terms grouped as the press release, with a worked example."""

from datetime import datetime

import pytest
from django.urls import reverse

from notes.domain.deadlines import NEW_YORK
from notes.models import ExchangeOffer, Security
from tests.forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_client(client, lexington: ExchangeOffer, django_user_model):
    user = django_user_model.objects.create_superuser("admin-test", password="x")
    client.force_login(user)
    return client


def change_url(offer: ExchangeOffer) -> str:
    return reverse("admin:notes_exchangeoffer_change", args=[offer.pk])


def submit_change(client, url: str, **changes: str):
    data = form_data(client.get(url).content.decode(), form_id="exchangeoffer_form")
    data.update(changes)
    data["_continue"] = "Save and continue editing"
    return client.post(url, data, follow=True)


def test_offer_page_groups_terms_as_the_press_release(ops_client, lexington) -> None:
    page = ops_client.get(change_url(lexington)).content.decode()
    headings = [
        "Worked example per $1,000",
        "Securities",
        "Consideration per unit",
        "Participation fee",
        "Minimum condition",
        "Dates",
    ]
    positions = [page.index(f'class="fieldset-heading">{h}<') for h in headings]
    assert positions == sorted(positions)
    assert "Participation-fee installments" in page
    assert "Other conditions (besides the minimum tender)" in page


def test_worked_example_shows_the_engine_figures_per_1000(ops_client, lexington) -> None:
    page = ops_client.get(change_url(lexington)).content.decode()
    assert "assuming consummation on <strong>Wednesday, September 5, 2001</strong>" in page
    assert "754 days (30/360) at 12.75%" in page
    assert "$267.04" in page and "$1,267.04" in page
    assert "5.45 exact" in page
    assert "paid Oct 1, 2001 (scheduled Sep 30, 2001)" in page
    assert "at most <strong>$274,000</strong> may remain untendered" in page
    assert "149,395.4 exact, 149,396" in page


def test_changing_a_term_changes_the_worked_example(ops_client, lexington) -> None:
    response = submit_change(ops_client, change_url(lexington), accrual_rate="0.13")
    page = response.content.decode()
    assert "754 days (30/360) at 13%" in page
    assert "$272.28" in page  # 1000 x 13% x 754/360 = 272.277...


def test_a_later_expiration_moves_the_projected_consummation(ops_client, lexington) -> None:
    lexington.expiration = datetime(2001, 9, 17, 17, 0, tzinfo=NEW_YORK)  # the first extension
    lexington.save()
    page = ops_client.get(change_url(lexington)).content.decode()
    assert "assuming consummation on <strong>Tuesday, September 18, 2001</strong>" in page
    assert "767 days" in page


def test_the_offers_status_consummation_date_and_expiration_are_not_form_fields(
    ops_client, lexington
) -> None:
    response = submit_change(
        ops_client,
        change_url(lexington),
        status="consummated",
        consummation_date="2001-09-05",
        expiration_0="2001-09-17",
        expiration_1="17:00:00",
    )
    assert response.status_code == 200
    lexington.refresh_from_db()
    assert lexington.status == "open"
    assert lexington.consummation_date is None
    assert lexington.expiration == datetime(2001, 9, 5, 0, 0, tzinfo=NEW_YORK)


def test_installments_that_do_not_add_up_to_the_fee_are_refused(ops_client, lexington) -> None:
    response = submit_change(
        ops_client, change_url(lexington), **{"fee_installments-2-amount_per_unit": "11.00"}
    )
    page = response.content.decode()
    assert "The installments add up to $31.00 per unit, but the participation fee is $30.00" in page
    assert ExchangeOffer.objects.get().fee_installments.get(sequence=3).amount_per_unit == 10


def test_unusable_saved_terms_show_why_instead_of_an_example(ops_client, lexington) -> None:
    lexington.fee_installments.filter(sequence=3).update(amount_per_unit=5)
    page = ops_client.get(change_url(lexington)).content.decode()
    assert "The terms cannot be computed yet" in page
    assert "add up to 25" in page


def test_rate_steps_that_leave_periods_without_a_rate_are_refused(ops_client, lexington) -> None:
    security = lexington.new_security
    url = reverse("admin:notes_security_change", args=[security.pk])
    data = form_data(ops_client.get(url).content.decode(), form_id="security_form")
    data["rate_steps-1-applies_through"] = "2003-12-31"
    page = ops_client.post(url, data).content.decode()
    assert "must cover every period up to maturity" in page
    assert (
        Security.objects.get(pk=security.pk)
        .rate_steps.filter(applies_through__isnull=True)
        .exists()
    )


def test_invalid_cusip_is_refused_next_to_the_field(ops_client, lexington) -> None:
    url = reverse("admin:notes_security_change", args=[lexington.old_security.pk])
    data = form_data(ops_client.get(url).content.decode(), form_id="security_form")
    data["cusip"] = "529529AA8"
    page = ops_client.post(url, data).content.decode()
    assert "529529AA8 is not a valid CUSIP" in page


def test_offer_changelist_lists_the_offer(ops_client, lexington) -> None:
    page = ops_client.get(reverse("admin:notes_exchangeoffer_changelist")).content.decode()
    assert "lexington-2001" in page
