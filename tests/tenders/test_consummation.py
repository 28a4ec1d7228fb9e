"""Consummation: refused unless the offer expired, the minimum condition and every other
condition are met; then instructions are accepted, "tender all" resolved, and confirmations
issued in a bulk run. The instructions are sent to the exchange agent first (`sent`): only
what the agent holds is accepted (tests/tenders/test_consummation_by_agent.py)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notes.models import ExchangeOffer, OfferStatus
from tenders.intake.services import instruction_submit
from tenders.ledger.models import JournalEntry
from tenders.ledger.selectors import ledger_position_mismatches
from tenders.models import BulkRun, Document, Instruction, InstructionStatus, Position
from tenders.notices.selectors import nontender_report
from tenders.offers.consummation import offer_consummate
from tenders.offers.selectors import tabulate
from tenders.offers.tabulation import offer_tabulation
from tenders.positions.imports import positions_import
from tenders.positions.rows import FileRefused
from tenders.positions.services import position_save
from tests import factories
from tests.forms import form_data
from tests.tenders.conftest import NY, make_input, notice_for, send_to_agent
from tests.tenders.test_position_imports import feed, line

pytestmark = pytest.mark.django_db

SEP_5 = date(2001, 9, 5)
MORNING_AFTER = datetime(2001, 9, 5, 9, 0, tzinfo=NY)


@pytest.fixture
def small_offer(offer: ExchangeOffer) -> ExchangeOffer:
    """The Lexington terms on a $200,000 issue, so that two accounts can meet the 99%."""
    offer.outstanding_principal = Decimal("200000")
    offer.save()
    offer.conditions.update(is_satisfied=True, satisfied_on=date(2001, 9, 4))
    return offer


@pytest.fixture
def tendered(small_offer, account, firm, rep, ops) -> list[Instruction]:
    """$125,000 tender all, and $75,000 stated of a $75,000 position: 100% tendered."""
    other = factories.ClientAccountFactory(firm=firm, owners=["Thomas K. Nguyen"])
    factories.PositionFactory(account=other, security=small_offer.old_security, principal=75000)
    from tenders.accounts.services import account_set_tin

    account_set_tin(account=other, tin_type="SSN", tin="234-56-7890", by=ops)
    return [
        instruction_submit(account=account, offer=small_offer, data=make_input(account), by=rep),
        instruction_submit(
            account=other,
            offer=small_offer,
            data=make_input(other, choice="AMOUNT", amount=Decimal("75000")),
            by=rep,
        ),
    ]


@pytest.fixture
def sent(tendered, small_offer, ops) -> list[Instruction]:
    """The two instructions, sent to the exchange agent before the expiration."""
    send_to_agent(small_offer, ops)
    return [Instruction.objects.get(pk=i.pk) for i in tendered]


def refusals(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def test_offer_cannot_be_consummated_before_it_expires(tendered, small_offer, ops, at) -> None:
    at(datetime(2001, 9, 4, 23, 59, tzinfo=NY))  # one minute before the expiration
    with pytest.raises(ValidationError) as exc:
        offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    assert "can be consummated only after it expires" in refusals(exc)


def test_minimum_condition_must_be_met(small_offer, account, rep, ops, at) -> None:
    small_offer.outstanding_principal = Decimal("27412000")
    small_offer.save()
    instruction_submit(account=account, offer=small_offer, data=make_input(account), by=rep)
    send_to_agent(small_offer, ops)
    at(MORNING_AFTER)
    with pytest.raises(ValidationError) as exc:
        offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    assert "minimum condition is not met: $125,000 tendered (0.46%), $27,138,000 required" in (
        refusals(exc)
    )


def test_every_other_condition_must_be_satisfied(tendered, small_offer, ops, at) -> None:
    small_offer.conditions.filter(sequence=1).update(is_satisfied=False)
    at(MORNING_AFTER)
    with pytest.raises(ValidationError) as exc:
        offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    assert "Condition not satisfied: Senior secured financing." in refusals(exc)


@pytest.mark.parametrize(
    ("on", "reason"),
    [
        (date(2001, 9, 4), "must be after the expiration day"),
        (date(2001, 9, 8), "not a New York banking day"),
        (date(2001, 9, 6), "is in the future"),
    ],
)
def test_consummation_date_is_checked(tendered, small_offer, ops, at, on, reason) -> None:
    at(MORNING_AFTER)
    with pytest.raises(ValidationError) as exc:
        offer_consummate(offer=small_offer, on=on, by=ops)
    assert reason in refusals(exc)


def test_representatives_cannot_consummate(tendered, small_offer, rep, at) -> None:
    at(MORNING_AFTER)
    with pytest.raises(PermissionDenied, match="Only operations staff consummate"):
        offer_consummate(offer=small_offer, on=SEP_5, by=rep)


def test_consummation_accepts_instructions_and_resolves_tender_all(
    tendered, small_offer, account, ops, at, fake_pdf
) -> None:
    from tenders.models import Position

    Position.objects.filter(account=account).update(principal=Decimal("130000"))
    send_to_agent(small_offer, ops)  # "tender all" resolves as it is sent
    at(MORNING_AFTER)
    result = offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    all_instruction, stated = (Instruction.objects.get(pk=i.pk) for i in tendered)
    assert (all_instruction.status, all_instruction.resolved_amount) == (
        InstructionStatus.ACCEPTED,
        Decimal("130000"),
    )
    assert stated.resolved_amount == Decimal("75000")
    assert result.tendered == Decimal("205000")
    small_offer.refresh_from_db()
    assert (small_offer.status, small_offer.consummation_date) == (OfferStatus.CONSUMMATED, SEP_5)


def test_after_consummation_the_account_page_says_the_clients_link_takes_nothing_more(
    sent, small_offer, account, rep, ops, at, client, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    client.force_login(rep)
    page = client.get(reverse("tenders:account_detail", args=[account.pk])).content.decode()
    assert "The offer is consummated: the client's link takes no more instructions" in page
    assert 'data-testid="client-link"' not in page


def test_consummation_issues_the_confirmations(
    sent, small_offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(MORNING_AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    run = BulkRun.objects.get()
    assert run.items.count() == 2
    assert Document.objects.filter(kind="confirmation").count() == 2


def test_tabulation_counts_tender_all_at_the_position(tendered, small_offer, ops) -> None:
    tabulation = tabulate(offer=small_offer)
    # Issue 21: what the agent does not hold (nothing sent yet) does not meet the minimum.
    assert (tabulation.tendered, tabulation.held, tabulation.required) == (
        Decimal("200000"),
        Decimal("0"),
        Decimal("198000"),
    )
    assert not tabulation.minimum_met
    send_to_agent(small_offer, ops)
    tabulation = tabulate(offer=small_offer)
    assert (tabulation.held, tabulation.minimum_met) == (Decimal("200000"), True)


def test_admin_action_consummates_with_a_date(
    client, sent, small_offer, at, fake_pdf, django_user_model
) -> None:
    at(MORNING_AFTER)
    boss = django_user_model.objects.create_superuser("boss", password="x")
    client.force_login(boss)
    changelist = reverse("admin:notes_exchangeoffer_changelist")
    ask = client.post(changelist, {"action": "consummate", "_selected_action": [small_offer.pk]})
    page = ask.content.decode()
    assert "$200,000 tendered by 2 instructions (100.00% of $200,000)" in page
    data = form_data(page, None) | {"consummation_date": "2001-09-05"}
    data.pop("csrfmiddlewaretoken", None)
    response = client.post(changelist, {**data, "action": "consummate"}, follow=True)
    assert (
        "Consummated on September 5, 2001: 2 instruction(s) accepted" in response.content.decode()
    )


def test_admin_action_shows_the_refusals(client, tendered, small_offer, django_user_model) -> None:
    boss = django_user_model.objects.create_superuser("boss", password="x")
    client.force_login(boss)
    changelist = reverse("admin:notes_exchangeoffer_changelist")
    response = client.post(
        changelist,
        {"action": "consummate", "_selected_action": [small_offer.pk],
         "consummation_date": "2001-09-05"},
    )  # fmt: skip
    assert "can be consummated only after it expires" in response.content.decode()
    assert ExchangeOffer.objects.get().status == OfferStatus.OPEN


def test_an_offer_already_consummated_is_not_consummated_again(sent, small_offer, ops, at) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    with pytest.raises(ValidationError) as exc:
        offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    assert "The offer is consummated, not open." in refusals(exc)
    assert BulkRun.objects.count() == 1


def test_an_instruction_above_what_its_account_now_holds_stops_the_consummation(
    sent, small_offer, ops, at
) -> None:
    stated = sent[1]  # $75,000 stated; the position then drops to $50,000
    factories.PositionFactory._meta.model.objects.filter(account=stated.account).update(
        principal=Decimal("50000")
    )
    at(MORNING_AFTER)
    with pytest.raises(ValidationError) as exc:
        offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    assert f"Account {stated.account.account_number} instructs $75,000 but holds $50,000." in (
        refusals(exc)
    )
    stated.refresh_from_db()
    assert stated.status == InstructionStatus.SUBMITTED  # as sent: nothing changed


def test_an_accepted_instruction_can_no_longer_be_amended_or_withdrawn(
    sent, small_offer, ops, rep, at
) -> None:
    from tenders.intake.services import instruction_amend, instruction_withdraw

    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    accepted = Instruction.objects.get(pk=sent[0].pk)
    with pytest.raises(ValidationError, match="accepted on consummation cannot be withdrawn"):
        instruction_withdraw(
            notice=notice_for(accepted),
            instruction=accepted,
            expected_version=1,
            by=ops,
            late_reason="x",
        )
    with pytest.raises(ValidationError, match="accepted on consummation cannot be amended"):
        instruction_amend(
            instruction=accepted,
            expected_version=1,
            data=make_input(accepted.account, late_reason="x"),
            by=ops,
        )


# The books (issue 23, point 3): consummation posts in its own transaction


@pytest.fixture
def kept_out(small_offer, firm, ops) -> Any:
    """A third holder, of $5,000, who never instructs: paid off on consummation."""
    holder = factories.ClientAccountFactory(firm=firm, owners=["Irene M. Castillo"])
    factories.PositionFactory(account=holder, security=small_offer.old_security, principal=5000)
    return holder


def legs_of(occasion: str) -> dict[tuple[str, str], Decimal]:
    """{(ledger account, asset code): amount} of the entry posted for `occasion`."""
    entry = JournalEntry.objects.get(occasion=occasion)
    return {
        (str(leg.account), leg.asset.code): leg.asset.amount(leg.quantity)
        for leg in entry.legs.select_related("account__client_account", "account__firm", "asset")
    }


def cusips(offer: ExchangeOffer) -> tuple[str, str, str]:
    """The Old and New Notes' asset codes, and the agent's ledger account, as legs_of names them."""
    return offer.old_security.cusip, offer.new_security.cusip, f"exchange agent ({offer.slug})"


def test_consummation_posts_the_exchange_of_each_accepted_instruction(
    sent, small_offer, account, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    participant = account.firm.dtc_participant_number
    old, new, agent = cusips(small_offer)
    # $125,000 on Sep 5, 2001: $158,380.00 of New Notes (754 days accrued) and 682 warrants.
    assert legs_of(f"exchange:i{sent[0].pk}") == {
        (account.account_number, old): Decimal("-125000.00"),
        (f"DTC {participant}", old): Decimal("125000.00"),
        (account.account_number, new): Decimal("158380.00"),
        (agent, new): Decimal("-158380.00"),
        (account.account_number, "WARRANTS"): Decimal("682"),
        (agent, "WARRANTS"): Decimal("-682"),
    }
    assert JournalEntry.objects.get(occasion=f"exchange:i{sent[0].pk}").posted_on == SEP_5


def test_consummation_posts_the_first_fee_installment_only_before_sep_30(
    sent, small_offer, account, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    _, _, agent = cusips(small_offer)
    assert legs_of(f"fee:i{sent[0].pk}:1") == {
        (account.account_number, "USD"): Decimal("1250.00"),
        (agent, "USD"): Decimal("-1250.00"),
    }
    assert not JournalEntry.objects.filter(occasion__startswith=f"fee:i{sent[0].pk}:2").exists()


def test_consummation_after_sep_30_posts_the_second_installment_saying_why_it_is_paid_then(
    sent, small_offer, account, ops, at, fake_pdf
) -> None:
    at(datetime(2001, 11, 1, 9, 0, tzinfo=NY))
    offer_consummate(offer=small_offer, on=date(2001, 11, 1), by=ops)
    second = JournalEntry.objects.get(occasion=f"fee:i{sent[0].pk}:2")
    assert (second.posted_on, legs_of(second.occasion)[(account.account_number, "USD")]) == (
        date(2001, 11, 1),
        Decimal("1250.00"),
    )
    assert second.description == (
        "Participation fee, installment 2 of 3 (scheduled September 30, 2001, paid on the "
        "consummation date November 1, 2001)"
    )
    assert not JournalEntry.objects.filter(occasion=f"fee:i{sent[0].pk}:3").exists()


def test_consummation_pays_off_the_old_notes_kept_out(
    sent, kept_out, small_offer, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    participant = kept_out.firm.dtc_participant_number
    old, _, agent = cusips(small_offer)
    # $5,000 at $1,267.04 per $1,000 on Sep 5, 2001.
    assert legs_of(f"nontender:o{small_offer.pk}:a{kept_out.pk}") == {
        (kept_out.account_number, old): Decimal("-5000.00"),
        (f"DTC {participant}", old): Decimal("5000.00"),
        (kept_out.account_number, "USD"): Decimal("6335.20"),
        (agent, "USD"): Decimal("-6335.20"),
    }


def test_after_consummation_no_old_notes_are_held_and_the_new_notes_are(
    sent, kept_out, small_offer, account, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    old = Position.objects.filter(security=small_offer.old_security)
    assert sorted(old.values_list("principal", flat=True)) == [0, 0, 0]
    assert Position.objects.get(account=account, security=small_offer.new_security).principal == (
        Decimal("158380.00")
    )
    assert ledger_position_mismatches() == []


def test_a_refused_consummation_posts_nothing(sent, small_offer, ops, at) -> None:
    small_offer.conditions.update(is_satisfied=False)
    at(MORNING_AFTER)
    with pytest.raises(ValidationError):
        offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    assert not JournalEntry.objects.exclude(kind__in=["opening", "adjustment"]).exists()


def test_a_consummation_failing_at_its_postings_leaves_nothing_consummated(
    sent, small_offer, ops, at, fake_pdf, monkeypatch
) -> None:
    from tenders.offers import consummation

    def refuse(**kwargs: Any) -> None:
        raise ValidationError("The books refuse the posting.")

    monkeypatch.setattr(consummation, "consummation_post", refuse)
    at(MORNING_AFTER)
    with pytest.raises(ValidationError):
        offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    small_offer.refresh_from_db()
    assert small_offer.status == OfferStatus.OPEN
    assert not Instruction.objects.filter(status=InstructionStatus.ACCEPTED).exists()
    assert not BulkRun.objects.exists()


def test_after_consummation_the_report_of_holders_who_kept_out_is_unchanged(
    sent, kept_out, small_offer, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    before = nontender_report(offer=small_offer)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    after = nontender_report(offer=small_offer)
    assert [(r.account_number, r.position, r.untendered) for r in after.rows] == [
        (kept_out.account_number, Decimal("5000"), Decimal("5000"))
    ]
    assert [r.account_id for r in after.rows] == [r.account_id for r in before.rows]
    assert after.total_payout == Decimal("6335.20")


def test_after_consummation_the_tabulation_reads_the_positions_the_offer_consummated(
    sent, kept_out, small_offer, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    before = offer_tabulation(offer=small_offer).figures
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    after = offer_tabulation(offer=small_offer).figures

    def seen(figures: Any) -> tuple[Decimal, ...]:
        return (figures.tendered, figures.held, figures.not_answered_principal)

    # The $5,000 kept out is still the largest holding that never answered.
    assert seen(after) == seen(before) == (Decimal("200000"), Decimal("200000"), Decimal("5000"))


def test_consummation_records_each_move_in_the_transitions_and_the_audit_trail(
    sent, small_offer, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    for instruction in sent:
        last = instruction.transitions.order_by("-id").first()
        assert (last.from_status, last.to_status, last.by, last.reason) == (
            "submitted",
            "accepted",
            ops,
            "Consummated 2001-09-05",
        )
        latest = instruction.history.order_by("-history_id").first()
        assert (latest.status, latest.history_type, latest.history_user) == ("accepted", "~", ops)
        assert latest.received_at == instruction.received_at  # a full row, not only the status
    tender_all = Instruction.objects.get(pk=sent[0].pk)
    assert tender_all.history.order_by("-history_id").first().resolved_amount == Decimal("125000")


# After consummation, positions in the offer's notes move only through the books


def test_after_consummation_a_new_notes_position_cannot_be_changed_by_hand(
    sent, small_offer, account, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    position = Position.objects.get(account=account, security=small_offer.new_security)
    position.principal = Decimal("200000")
    with pytest.raises(ValidationError) as exc:
        position_save(position=position, by=ops)
    assert "move only through the books since its consummation on September 5, 2001" in str(
        exc.value
    )
    assert Position.objects.get(pk=position.pk).principal == Decimal("158380.00")
    assert ledger_position_mismatches() == []


def test_after_consummation_an_old_notes_position_cannot_be_changed_by_hand(
    sent, small_offer, account, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    position = Position.objects.get(account=account, security=small_offer.old_security)
    position.principal = Decimal("125000")
    with pytest.raises(ValidationError, match="The offer's Old Notes move only through the books"):
        position_save(position=position, by=ops)


def test_after_consummation_the_positions_feed_is_refused_whole(
    sent, small_offer, account, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    with pytest.raises(FileRefused, match="Old Notes move only through the books"):
        positions_import(text=feed(line(account, principal="125,000")), by=ops, file_name="f.csv")
    assert ledger_position_mismatches() == []


def test_the_admin_inline_refuses_a_new_notes_change_next_to_the_field(
    client, sent, small_offer, account, ops, at, fake_pdf
) -> None:
    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    client.force_login(ops)
    url = reverse("admin:tenders_clientaccount_change", args=[account.pk])
    data = form_data(client.get(url).content.decode())
    new_notes = Position.objects.get(account=account, security=small_offer.new_security)
    (prefix,) = [
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("positions-") and key.endswith("-id") and str(value) == str(new_notes.pk)
    ]
    data[f"{prefix}-principal"] = "700000.00"
    page = client.post(url, data).content.decode()
    assert "move only through the books" in page
    assert Position.objects.get(pk=new_notes.pk).principal == Decimal("158380.00")


def test_account_holdings_after_consummation_are_the_books_balances(
    sent, small_offer, account, ops, at, fake_pdf
) -> None:
    """What the account page lists (its one query) is what the books hold for the account,
    each asset by its name and kind, notes before warrants before cash."""
    from tenders.ledger.models import Asset, LedgerAccount
    from tenders.ledger.selectors import balances_as_of, client_holdings

    at(MORNING_AFTER)
    offer_consummate(offer=small_offer, on=SEP_5, by=ops)
    holdings = client_holdings(account=account, on=SEP_5)
    ledger_account = LedgerAccount.objects.get(client_account=account)
    assets = {a.code: a for a in Asset.objects.all()}
    expected = {
        (b.asset_code, assets[b.asset_code].name, assets[b.asset_code].kind, b.amount)
        for b in balances_as_of(on=SEP_5, accounts=[ledger_account])
    }
    assert {(h.code, h.name, h.kind, h.amount) for h in holdings} == expected
    assert {h.kind for h in holdings} >= {"notes", "warrants", "cash"}
    order = {"notes": 0, "warrants": 1, "cash": 2}
    assert [order[h.kind] for h in holdings] == sorted(order[h.kind] for h in holdings)
    assert client_holdings(account=account, on=date(2001, 1, 1)) == []
