"""The account fields' rules (`tenders.domain.account_fields`) as Django validators: on the
model fields, so that the admin's forms show a refusal next to its field (keeping what was
typed) and a service's `full_clean()` refuses the same; and `validate_account_fields` for the
writers that create accounts without a model instance to clean (the demo, load_scale's bulk
insert). No database constraint: rows stored before stay readable."""

from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError

from tenders.domain.account_fields import (
    ACCOUNT_NUMBER_LENGTH,
    ADDRESS_LINE_LENGTH,
    CITY_LENGTH,
    OWNER_NAME_LENGTH,
    account_number_problem,
    control_problem,
    length_problem,
    name_problem,
)


def validate_account_number(value: str) -> None:
    if problem := account_number_problem(value):
        raise ValidationError(f"The account number {problem}.", code="account_number")


def validate_owner_name(value: str) -> None:
    if problem := name_problem(value):
        raise ValidationError(f"The name {problem}.", code="name")


def validate_one_line(value: str) -> None:
    """A line of an address, or a city."""
    if problem := control_problem(value):
        raise ValidationError(f"The text {problem}.", code="control_character")


def validate_account_fields(
    *,
    account_number: str,
    owners: Sequence[str],
    address_line1: str,
    address_line2: str,
    city: str,
) -> None:
    """What the model fields refuse (their validators and lengths), for values about to be
    written without `full_clean()`: a ValidationError naming every field refused, owners
    under "owners". Cheap enough for a bulk insert (a model's full_clean is ten times it)."""
    checks: list[tuple[str, str, Callable[[str], None], int, bool]] = [
        ("account_number", account_number, validate_account_number, ACCOUNT_NUMBER_LENGTH, True),
        ("address_line1", address_line1, validate_one_line, ADDRESS_LINE_LENGTH, True),
        ("address_line2", address_line2, validate_one_line, ADDRESS_LINE_LENGTH, False),
        ("city", city, validate_one_line, CITY_LENGTH, True),
    ]
    checks += [("owners", name, validate_owner_name, OWNER_NAME_LENGTH, True) for name in owners]
    if not owners:
        checks.append(("owners", "", validate_owner_name, OWNER_NAME_LENGTH, True))
    errors: dict[str, list[str]] = {}
    for field, value, validate, limit, required in checks:
        try:
            if required and not value.strip():
                raise ValidationError("This field cannot be blank.", code="blank")
            if problem := length_problem(value, limit=limit):
                raise ValidationError(f"The text {problem}.", code="max_length")
            validate(value)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
