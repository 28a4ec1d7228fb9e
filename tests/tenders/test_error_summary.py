"""A refused form opens with an error summary: every error, each linking to its field, in a
box that takes focus (the browser tests see the focus move; here, the markup)."""

from typing import Any

import lxml.html
import pytest
from django.urls import reverse

from tenders.intake.services import instruction_submit
from tests.forms import form_data
from tests.tenders.conftest import make_input
from tests.tenders.test_instruction_pages import fill, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client: Any, rep: Any) -> Any:
    client.force_login(rep)
    return client


def summary_of(page: str) -> Any:
    summaries = lxml.html.fromstring(page).xpath("//*[@id='error-summary']")
    assert len(summaries) == 1, "one error summary"
    return summaries[0]


def links_of(summary: Any) -> list[tuple[str, str]]:
    return [(a.get("href"), a.text_content().strip()) for a in summary.xpath(".//a")]


def test_a_refused_instruction_links_each_error_to_its_field(rep_client, account, offer) -> None:
    data = fill(
        rep_client,
        account,
        _review="",
        choice="AMOUNT",
        amount="1,500",
        **{"signers-0-typed_name": "Somebody Else"},
    )
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    summary = summary_of(page)
    assert summary.get("tabindex") == "-1"
    assert "There are 2 problems:" in summary.text_content()
    href, text = links_of(summary)[0]
    assert href == "#id_amount"
    assert text.startswith("Aggregate principal amount indicated: ")
    assert "$1,000" in text  # amounts come in multiples of the $1,000 unit
    assert links_of(summary)[1] == (
        "#id_signers-0-typed_name",
        "Eleanor J. Whitfield, Name as signed: The printed name must be the owner's as on "
        "file: Eleanor J. Whitfield.",
    )
    for href, text in links_of(summary):
        field = lxml.html.fromstring(page).get_element_by_id(href[1:])
        assert field.get("aria-invalid") == "true"
        described = field.get("aria-describedby", "").split()
        assert f"{href[1:]}_error" in described, f"{href} is described by its error"
        error = lxml.html.fromstring(page).get_element_by_id(f"{href[1:]}_error")
        assert text.split(": ", 1)[1].split(" ")[0] in error.text_content()


def test_an_unsigned_form_links_the_missing_signatures_to_the_first_signer(
    rep_client, account, offer
) -> None:
    data = fill(rep_client, account, _review="", **{"signers-0-attested": ""})
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    links = links_of(summary_of(page))
    assert links, "the missing attestation is in the summary"
    assert all(href.startswith("#id_signers-0-") for href, _ in links)


def test_the_summary_is_the_first_thing_in_the_form_and_its_script_is_loaded(
    rep_client, account, offer
) -> None:
    data = fill(rep_client, account, _review="", choice="AMOUNT", amount="")
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    document = lxml.html.fromstring(page)
    form = document.get_element_by_id("instruction-form")
    first_visible = next(e for e in form if e.tag != "input")
    assert first_visible.get("id") == "error-summary"
    scripts = [s.get("src") for s in document.xpath("//script")]
    assert any(src.endswith("js/error_summary.js") for src in scripts)


def test_a_page_without_errors_has_no_summary(rep_client, account, offer) -> None:
    page = rep_client.get(url("instruction_new", account)).content.decode()
    assert 'id="error-summary"' not in page


def test_a_refused_withdrawal_links_each_missing_part_of_the_notice(
    rep_client, account, offer, rep
) -> None:
    instruction_submit(account=account, offer=offer, by=rep, data=make_input(account))
    page = rep_client.get(url("instruction_withdraw", account)).content.decode()
    data = form_data(page, "withdraw-form")
    data.pop("method", None)
    data["attested"] = ""
    page = rep_client.post(url("instruction_withdraw", account), data).content.decode()
    summary = summary_of(page)
    text = summary.text_content()
    assert "How the client" in text
    assert "attest" in text
    assert any(href == "#id_attested" for href, _ in links_of(summary))


def test_a_failed_login_opens_with_the_summary(client, rep) -> None:
    page = client.post(reverse("login"), {"username": "rep", "password": "wrong"}).content
    summary = summary_of(page.decode())
    assert "Please enter a correct username and password" in summary.text_content()


def test_a_refused_admin_save_links_each_error_including_the_inline_rows(
    client, ops, account, offer
) -> None:
    client.force_login(ops)
    change = reverse("admin:tenders_clientaccount_change", args=[account.pk])
    data = form_data(client.get(change).content.decode(), "clientaccount_form")
    data["postal_code"] = "not a zip"
    data["owners-0-name"] = ""
    page = client.post(change, data).content.decode()
    summary = summary_of(page)
    hrefs = [href for href, _ in links_of(summary)]
    assert "#id_postal_code" in hrefs
    assert "#id_owners-0-name" in hrefs


def test_an_error_on_a_group_of_radios_links_to_its_first_option() -> None:
    from django import forms

    from exchange_office.templatetags.error_summary import error_links

    class Choice(forms.Form):
        how = forms.ChoiceField(
            label="How much to tender",
            choices=[("ALL", "All"), ("AMOUNT", "An amount")],
            widget=forms.RadioSelect,
        )

    form = Choice(data={})
    assert not form.is_valid()
    (link,) = error_links(form)
    assert (link.message, link.field_id) == (
        "How much to tender: This field is required.",
        "id_how_0",
    )
