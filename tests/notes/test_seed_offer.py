from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from notes.domain.deadlines import NEW_YORK
from notes.domain.entitlement import minimum_condition
from notes.models import ExchangeOffer, OfferStatus, WarrantRounding
from notes.selectors import offer_by_slug, offer_consummation_date, offer_terms
from notes.services import offer_load_seed
from tests.notes.domain.lexington import LEXINGTON

pytestmark = pytest.mark.django_db


def test_seed_has_the_cusips_of_the_documents(lexington: ExchangeOffer) -> None:
    assert lexington.old_security.cusip == "529529AA7"
    assert lexington.new_security.cusip == "529529AC3"


def test_seed_expires_at_midnight_new_york_time_ending_sep_4(lexington: ExchangeOffer) -> None:
    assert lexington.expiration == datetime(2001, 9, 5, 4, 0, tzinfo=UTC)


def test_seed_dates_match_the_press_release(lexington: ExchangeOffer) -> None:
    assert lexington.record_date == date(2001, 8, 2)
    assert lexington.commencement_date == date(2001, 8, 6)
    assert lexington.status == OfferStatus.OPEN
    assert lexington.new_security.maturity_date == date(2004, 12, 31)


def test_seed_terms_are_the_engine_terms_of_domain_md(lexington: ExchangeOffer) -> None:
    assert offer_terms(offer=offer_by_slug(slug="lexington-2001")) == LEXINGTON


def test_seed_has_three_other_conditions_unsatisfied(lexington: ExchangeOffer) -> None:
    conditions = list(lexington.conditions.all())
    assert len(conditions) == 3
    assert not any(c.is_satisfied for c in conditions)


def test_seed_minimum_leaves_274_000_untendered(lexington: ExchangeOffer) -> None:
    assert minimum_condition(offer_terms(offer=lexington)).maximum_untendered == Decimal("274000")


def test_projected_consummation_is_first_banking_day_after_expiration_day(
    lexington: ExchangeOffer,
) -> None:
    assert offer_consummation_date(offer=lexington) == (date(2001, 9, 5), True)


def test_consummated_offer_uses_its_own_date(lexington: ExchangeOffer) -> None:
    lexington.status = OfferStatus.CONSUMMATED
    lexington.consummation_date = date(2002, 5, 1)
    assert offer_consummation_date(offer=lexington) == (date(2002, 5, 1), False)


def test_loading_again_keeps_what_operations_changed(lexington: ExchangeOffer) -> None:
    lexington.exchange_agent = "Another Agent"
    lexington.save()
    offer_load_seed(slug="lexington-2001")
    assert ExchangeOffer.objects.get().exchange_agent == "Another Agent"
    assert lexington.fee_installments.count() == 3


def test_loading_again_fills_the_agents_event_id_left_blank_by_an_older_load(
    lexington: ExchangeOffer,
) -> None:
    ExchangeOffer.objects.update(agent_event_id="")
    offer_load_seed(slug="lexington-2001")
    assert ExchangeOffer.objects.get().agent_event_id == "NONREF"


def test_the_demo_offers_event_is_nonref_and_its_servicer_bic_is_fictional(
    lexington: ExchangeOffer,
) -> None:
    assert (lexington.agent_event_id, lexington.servicer_bic) == ("NONREF", "DEMDUS30")


def test_loading_again_fills_the_servicer_bic_left_blank_by_an_older_load(
    lexington: ExchangeOffer,
) -> None:
    ExchangeOffer.objects.update(servicer_bic="")
    offer_load_seed(slug="lexington-2001")
    assert ExchangeOffer.objects.get().servicer_bic == "DEMDUS30"


def test_loading_again_keeps_the_event_id_operations_entered(lexington: ExchangeOffer) -> None:
    ExchangeOffer.objects.update(agent_event_id="DTC123456")
    offer_load_seed(slug="lexington-2001")
    assert ExchangeOffer.objects.get().agent_event_id == "DTC123456"


def test_load_offer_command_names_the_offer() -> None:
    out = StringIO()
    call_command("load_offer", "lexington-2001", stdout=out)
    assert "Offer lexington-2001" in out.getvalue()


def test_warrant_rounding_choices_are_the_engine_rules() -> None:
    from notes.domain.terms import WarrantRounding as EngineRounding

    assert set(WarrantRounding.values) == {r.value for r in EngineRounding}


def test_an_offer_cannot_expire_before_it_commences(lexington: ExchangeOffer) -> None:
    lexington.expiration = datetime(2001, 8, 1, 17, 0, tzinfo=NEW_YORK)  # commenced Aug 6
    with pytest.raises(ValidationError, match="cannot expire before it commences"):
        lexington.full_clean()


def test_an_offers_new_notes_must_differ_from_its_old_notes(lexington: ExchangeOffer) -> None:
    lexington.new_security = lexington.old_security
    with pytest.raises(ValidationError, match="The New Notes must differ from the Old Notes"):
        lexington.full_clean()
