"""The economic terms of an exchange offer, as plain data.

Everything domain.md marks as a convention lives here as data, so operations staff can set it
for another offer. ``__post_init__`` refuses terms that no calculation could use.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import pairwise

from notes.domain.calendar import UnknownCalendar, banking_calendar
from notes.domain.money import CENT


class InvalidTerms(ValueError):
    """The terms cannot be used for calculations."""


class WarrantRounding(StrEnum):
    """How an instruction's fractional warrant entitlement becomes whole warrants."""

    UP = "up"
    DOWN = "down"
    HALF_UP = "half_up"

    def apply(self, exact: Decimal) -> int:
        rounding = {
            WarrantRounding.UP: ROUND_CEILING,
            WarrantRounding.DOWN: ROUND_FLOOR,
            WarrantRounding.HALF_UP: ROUND_HALF_UP,
        }[self]
        return int(exact.to_integral_value(rounding=rounding))


def _require_decimal(value: object, name: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidTerms(f"{name} must be a finite Decimal, not {value!r}")
    return value


def _require_date(value: object, name: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidTerms(f"{name} must be a date, not {value!r}")
    return value


def _require_rate(value: object, name: str) -> None:
    rate = _require_decimal(value, name)
    if not Decimal(0) <= rate < Decimal(1):
        raise InvalidTerms(f"{name} must be a fraction such as 0.1275, not {rate}")


def _require_cents(value: object, name: str) -> None:
    amount = _require_decimal(value, name)
    if amount < 0:
        raise InvalidTerms(f"{name} must not be negative")
    if amount != amount.quantize(CENT):
        raise InvalidTerms(f"{name} must be a whole number of cents, not {amount}")


@dataclass(frozen=True, slots=True)
class RateStep:
    """A New Notes rate for periods ending on or before ``applies_through`` (None: open ended)."""

    rate: Decimal
    applies_through: date | None

    def __post_init__(self) -> None:
        _require_rate(self.rate, "a New Notes rate")
        if self.applies_through is not None:
            _require_date(self.applies_through, "a rate step's last date")


@dataclass(frozen=True, slots=True)
class FeeInstallmentTerm:
    """One installment of the participation fee (``scheduled_date`` None: on consummation)."""

    sequence: int
    scheduled_date: date | None
    amount_per_unit: Decimal

    def __post_init__(self) -> None:
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int):
            raise InvalidTerms("an installment's sequence must be a whole number")
        if self.sequence < 1:
            raise InvalidTerms("installment sequences start at 1")
        if self.scheduled_date is not None:
            _require_date(self.scheduled_date, f"installment {self.sequence}'s date")
        _require_cents(self.amount_per_unit, f"installment {self.sequence}'s amount per unit")


@dataclass(frozen=True, slots=True)
class NewNotesTerms:
    """Rate steps, quarterly (month, day) interest dates and maturity of the New Notes."""

    rate_steps: tuple[RateStep, ...]
    interest_dates: tuple[tuple[int, int], ...]
    maturity: date

    def __post_init__(self) -> None:
        _require_date(self.maturity, "the New Notes maturity")
        self._check_rate_steps()
        self._check_interest_dates()

    def _check_rate_steps(self) -> None:
        steps = tuple(self.rate_steps)
        if not steps:
            raise InvalidTerms("the New Notes need at least one rate step")
        if not all(isinstance(step, RateStep) for step in steps):
            raise InvalidTerms("rate steps must be RateStep values")
        dated = [step.applies_through for step in steps if step.applies_through is not None]
        open_ended = len(steps) - len(dated)
        if open_ended > 1:
            raise InvalidTerms("at most one rate step may be open ended")
        if open_ended and steps[-1].applies_through is not None:
            raise InvalidTerms("the open-ended rate step must come last")
        if any(a >= b for a, b in pairwise(dated)):
            raise InvalidTerms("rate steps must be in date order, each date once")
        if not open_ended and dated[-1] < self.maturity:
            # Without this a period near maturity would have no rate.
            raise InvalidTerms("the rate steps must cover every period up to maturity")
        object.__setattr__(self, "rate_steps", steps)

    def _check_interest_dates(self) -> None:
        pairs = tuple(tuple(pair) for pair in self.interest_dates)
        if not pairs:
            raise InvalidTerms("the New Notes need at least one interest date")
        for pair in pairs:
            try:
                month, day = pair
                # A non-leap year: Feb 29 would vanish three years in four.
                date(2001, month, day)
            except (TypeError, ValueError):
                raise InvalidTerms(f"{pair!r} is not a (month, day) interest date") from None
        if list(pairs) != sorted(set(pairs)):
            raise InvalidTerms("interest dates must be in calendar order, each once")
        object.__setattr__(self, "interest_dates", pairs)

    def rate_for_period_ending(self, period_end: date) -> Decimal:
        """The first step lasting through ``period_end``, else the open-ended step."""
        for step in self.rate_steps:
            if step.applies_through is None or period_end <= step.applies_through:
                return step.rate
        # Unreachable for periods ending by maturity: __post_init__ checked the coverage.
        raise InvalidTerms(f"no New Notes rate applies to a period ending {period_end}")

    def interest_dates_between(self, after: date, through: date) -> tuple[date, ...]:
        """Interest dates strictly after ``after`` and on or before ``through``."""
        return tuple(
            d
            for year in range(after.year, through.year + 1)
            for month, day in self.interest_dates
            if after < (d := date(year, month, day)) <= through
        )


@dataclass(frozen=True, slots=True)
class OfferTerms:
    """Everything the entitlement calculation needs to know about one exchange offer."""

    unit_principal: Decimal
    outstanding_principal: Decimal
    accrual_start: date
    accrual_rate: Decimal
    warrants_per_unit: Decimal
    warrant_rounding: WarrantRounding
    participation_fee_per_unit: Decimal
    fee_installments: tuple[FeeInstallmentTerm, ...]
    minimum_tender_percent: Decimal
    new_notes: NewNotesTerms
    calendar_code: str = "XFED"

    def __post_init__(self) -> None:
        unit = _require_decimal(self.unit_principal, "the unit principal")
        if unit <= 0:
            raise InvalidTerms("the unit principal must be positive")
        outstanding = _require_decimal(self.outstanding_principal, "the outstanding principal")
        if outstanding <= 0 or outstanding % unit != 0:
            raise InvalidTerms(
                "the outstanding principal must be a positive whole multiple of the unit"
            )
        _require_date(self.accrual_start, "the accrual start")
        _require_rate(self.accrual_rate, "the Old Notes rate")
        if _require_decimal(self.warrants_per_unit, "warrants per unit") < 0:
            raise InvalidTerms("warrants per unit must not be negative")
        try:
            # Accept the stored string value ("up") as well as the enum member.
            object.__setattr__(self, "warrant_rounding", WarrantRounding(self.warrant_rounding))
        except ValueError:
            raise InvalidTerms(f"unknown warrant rounding {self.warrant_rounding!r}") from None
        self._check_fee()
        percent = _require_decimal(self.minimum_tender_percent, "the minimum tender percent")
        if not Decimal(0) < percent <= Decimal(100):
            raise InvalidTerms("the minimum tender percent must be above 0 and at most 100")
        if not isinstance(self.new_notes, NewNotesTerms):
            raise InvalidTerms("the New Notes terms are missing")
        if self.new_notes.maturity <= self.accrual_start:
            raise InvalidTerms("the New Notes must mature after the accrual start")
        try:
            banking_calendar(self.calendar_code)
        except UnknownCalendar as exc:
            raise InvalidTerms(str(exc)) from None

    def _check_fee(self) -> None:
        _require_cents(self.participation_fee_per_unit, "the participation fee per unit")
        installments = tuple(self.fee_installments)
        if not all(isinstance(i, FeeInstallmentTerm) for i in installments):
            raise InvalidTerms("fee installments must be FeeInstallmentTerm values")
        sequences = [i.sequence for i in installments]
        if sequences != sorted(set(sequences)):
            raise InvalidTerms("fee installments must be in sequence order, each sequence once")
        total = sum((i.amount_per_unit for i in installments), Decimal(0))
        if total != self.participation_fee_per_unit:
            raise InvalidTerms(
                f"the fee installments add up to {total} per unit, "
                f"not the participation fee of {self.participation_fee_per_unit}"
            )
        object.__setattr__(self, "fee_installments", installments)
