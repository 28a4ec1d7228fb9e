import pytest

from notes.models import ExchangeOffer
from notes.services import offer_load_seed


@pytest.fixture
def lexington(db: None) -> ExchangeOffer:
    """The Lexington 2001 offer as `load_offer lexington-2001` loads it."""
    return offer_load_seed(slug="lexington-2001")
