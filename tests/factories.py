"""factory-boy factories; `tests/conftest.py` exposes them as fixtures.

The defaults are the Lexington 2001 terms, so a test only states what it varies.
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from stdnum import cusip

from notes.models import (
    ExchangeOffer,
    FeeInstallment,
    Issuer,
    OfferCondition,
    RateStep,
    Security,
)
from tenders.accounts.command_line import command_line_user
from tenders.accounts.roles import operations_role_grant
from tenders.ledger.services import PositionMove, positions_post
from tenders.models import (
    AccountOwner,
    BrokerFirm,
    ClientAccount,
    Document,
    DocumentKind,
    Instruction,
    Position,
    Representative,
)


def _cusip(n: int) -> str:
    base = f"9{n:05d}AA"[:8]
    return base + cusip.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password("password")


class StaffUserFactory(UserFactory):
    is_staff = True


class OperationsUserFactory(UserFactory):
    """Operations staff, made as on any install (`grant_operations`): staff in the Operations
    group the migrations create; `reveal_tin=True` adds the right to reveal full TINs."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def reveal_tin(user, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            operations_role_grant(user=user, reveal_tin=bool(extracted))


class IssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issuer

    name = factory.Sequence(lambda n: f"Issuer {n} Corporation")
    state_of_incorporation = "Delaware"


NEW_NOTES_RATES = ((Decimal("0.14"), date(2001, 12, 31)), (Decimal("0.15"), None))
OLD_NOTES_RATES = ((Decimal("0.1275"), None),)


def _rate_steps(default: tuple[tuple[Decimal, date | None], ...]) -> factory.PostGeneration:
    """Rate steps after the security is saved; pass `rates=[(rate, through), ...]` to vary."""

    def create_steps(security: Security, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            for rate, through in extracted or default:
                RateStep.objects.create(security=security, rate=rate, applies_through=through)

    return factory.PostGeneration(create_steps)


class SecurityFactory(factory.django.DjangoModelFactory):
    """The New Notes by default: 14% through 2001, 15% after."""

    class Meta:
        model = Security
        skip_postgeneration_save = True

    issuer = factory.SubFactory(IssuerFactory)
    name = factory.Sequence(lambda n: f"Notes series {n}")
    short_name = "New Notes"
    cusip = factory.Sequence(_cusip)
    maturity_date = date(2004, 12, 31)
    interest_dates = "03-31, 06-30, 09-30, 12-31"
    rates = _rate_steps(NEW_NOTES_RATES)


class OldNotesFactory(SecurityFactory):
    short_name = "Old Notes"
    maturity_date = date(2000, 2, 1)
    interest_dates = "02-01, 08-01"
    rates = _rate_steps(OLD_NOTES_RATES)


class ExchangeOfferFactory(factory.django.DjangoModelFactory):
    """An offer with the Lexington 2001 terms."""

    class Meta:
        model = ExchangeOffer
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"offer-{n}")
    name = factory.Sequence(lambda n: f"Exchange offer {n}")
    issuer = factory.SubFactory(IssuerFactory)
    old_security = factory.SubFactory(OldNotesFactory, issuer=factory.SelfAttribute("..issuer"))
    new_security = factory.SubFactory(SecurityFactory, issuer=factory.SelfAttribute("..issuer"))
    exchange_agent = "Wilmington Trust Company"
    agent_event_id = "NONREF"
    servicer_bic = "DEMDUS30"  # fictional
    outstanding_principal = Decimal("27412000")
    record_date = date(2001, 8, 2)
    commencement_date = date(2001, 8, 6)
    expiration = datetime(2001, 9, 5, 4, 0, tzinfo=UTC)  # 12 midnight New York, end of Sep 4
    accrual_start = date(1999, 8, 1)
    accrual_rate = Decimal("0.1275")
    warrants_per_unit = Decimal("5.45")
    warrant_exercise_price = Decimal("2.273")
    warrant_expiry = date(2004, 12, 31)
    participation_fee_per_unit = Decimal("30")
    minimum_tender_percent = Decimal("99")

    @factory.post_generation
    def installments(self, create: bool, extracted: object) -> None:
        if not create:
            return
        for sequence, scheduled in enumerate(
            [None, date(2001, 9, 30), date(2001, 12, 31)], start=1
        ):
            FeeInstallment.objects.create(
                offer=self, sequence=sequence, scheduled_date=scheduled, amount_per_unit=10
            )

    @factory.post_generation
    def conditions(self, create: bool, extracted: object) -> None:
        if create:
            OfferCondition.objects.create(offer=self, description="Senior secured financing")


class BrokerFirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrokerFirm

    name = factory.Sequence(lambda n: f"Broker {n} Securities")
    dtc_participant_number = factory.Sequence(lambda n: f"{5000 + n}")
    bic = "DEMBUS30"  # fictional
    cutoff_banking_days_before = 1
    cutoff_time = time(17, 0)


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    user = factory.SubFactory(UserFactory)
    firm = factory.SubFactory(BrokerFirmFactory)


class ClientAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientAccount
        skip_postgeneration_save = True

    firm = factory.SubFactory(BrokerFirmFactory)
    account_number = factory.Sequence(lambda n: f"AC-{n:06d}")
    address_line1 = "1 Main Street"
    city = "New York"
    state = "NY"
    postal_code = "10004"
    country = "US"
    phone = "+12125550100"
    email = factory.Sequence(lambda n: f"client{n}@example.com")

    @factory.post_generation
    def owners(self, create: bool, extracted: list[str] | None) -> None:
        if not create:
            return
        for sequence, name in enumerate(extracted or ["Pat Client"], start=1):
            AccountOwner.objects.create(account=self, sequence=sequence, name=name)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    account = factory.SubFactory(ClientAccountFactory)
    security = factory.SubFactory(OldNotesFactory)
    principal = Decimal("125000")

    @classmethod
    def _create(cls, model_class: type[Position], *args: Any, **kwargs: Any) -> Position:
        """Through the books, as every position is written: the ledger keeps Position."""
        account, security = kwargs["account"], kwargs["security"]
        held = (
            Position.objects.filter(account=account, security=security)
            .values_list("principal", flat=True)
            .first()
        )
        positions_post(
            moves=[
                PositionMove(
                    account_id=account.pk,
                    firm_id=account.firm_id,
                    security=security,
                    principal=Decimal(kwargs["principal"]),
                    held=held,
                )
            ],
            by=command_line_user(),
            description=f"account {account.account_number} (test factory)",
        )
        return Position.objects.get(account=account, security=security)


RECEIVED = datetime(2001, 8, 20, 14, 0, tzinfo=UTC)


class InstructionFactory(factory.django.DjangoModelFactory):
    """Version 1 of a "tender all" instruction as a representative recorded it. The services
    write real ones; tests that need many rows, or a given status, make them here."""

    class Meta:
        model = Instruction

    account = factory.SubFactory(ClientAccountFactory)
    offer = factory.SubFactory(ExchangeOfferFactory)
    version = 1
    choice = "ALL"
    form_date = date(2001, 8, 20)
    signed_address = "1 Main Street\nNew York, NY 10004"
    signed_phone = "+12125550100"
    tin_type = "SSN"
    tin = "123-45-6789"
    tin_last4 = "6789"
    entered_by = factory.SubFactory(UserFactory)
    received_at = RECEIVED
    received_wall_at = RECEIVED


class DocumentFactory(factory.django.DjangoModelFactory):
    """A stored receipt whose bytes are a stand-in (test_pdf.py renders real ones)."""

    class Meta:
        model = Document

    instruction = factory.SubFactory(InstructionFactory)
    account = factory.SelfAttribute("instruction.account")
    offer = factory.SelfAttribute("instruction.offer")
    kind = DocumentKind.RECEIPT
    key = factory.LazyAttribute(lambda d: f"{d.kind}:i{d.instruction.pk}")
    number = factory.Sequence(lambda n: f"TEST-R{n:06d}-1")
    content = b"%PDF-1.7 receipt"
    sha256 = "0" * 64
    size = 16
    pages = 1
    generated_at = RECEIVED
    generated_wall_at = RECEIVED
