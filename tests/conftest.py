"""Shared fixtures: the factories, users of each kind, and a pinned business clock."""

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from django.test import override_settings

from tenders.models import Representative
from tests import factories


@pytest.fixture
def user_factory() -> type[factories.UserFactory]:
    return factories.UserFactory


@pytest.fixture
def offer_factory() -> type[factories.ExchangeOfferFactory]:
    return factories.ExchangeOfferFactory


@pytest.fixture
def firm_factory() -> type[factories.BrokerFirmFactory]:
    return factories.BrokerFirmFactory


@pytest.fixture
def account_factory() -> type[factories.ClientAccountFactory]:
    return factories.ClientAccountFactory


@pytest.fixture
def position_factory() -> type[factories.PositionFactory]:
    return factories.PositionFactory


@pytest.fixture
def representative_factory() -> type[factories.RepresentativeFactory]:
    return factories.RepresentativeFactory


@pytest.fixture
def ops_user(db: None) -> object:
    return factories.StaffUserFactory(username="ops-test")


@pytest.fixture
def representative(db: None) -> Representative:
    return factories.RepresentativeFactory(user__username="rep-test")


@pytest.fixture
def pin_clock() -> Iterator[Callable[[str | datetime | None], None]]:
    """Pin the business clock: `pin_clock("2001-09-04T23:59:59-04:00")`."""
    overrides: list[override_settings] = []

    def pin(instant: str | datetime | None) -> None:
        override = override_settings(EXCHANGE_OFFICE_NOW=instant)
        override.enable()
        overrides.append(override)

    yield pin
    for override in reversed(overrides):
        override.disable()
