"""Taxpayer identification numbers: validation (python-stdnum) and masking.

An SSN or ITIN identifies a person (NNN-NN-NNNN), an EIN an entity (NN-NNNNNNN); the form says
which. Everywhere but an explicit, recorded reveal, only the last four digits are shown.
"""

from enum import StrEnum

from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.us import ein, itin, ssn


class TinType(StrEnum):
    SSN = "SSN"
    ITIN = "ITIN"
    EIN = "EIN"


class InvalidTIN(ValueError):
    """The number is not a valid TIN of the stated type."""


_NAMES = {
    TinType.SSN: "social security number",
    TinType.ITIN: "individual taxpayer identification number",
    TinType.EIN: "employer identification number",
}
_MODULES = {TinType.SSN: ssn, TinType.ITIN: itin, TinType.EIN: ein}
_FORMATS = {TinType.SSN: "NNN-NN-NNNN", TinType.ITIN: "9NN-NN-NNNN", TinType.EIN: "NN-NNNNNNN"}


def normalize_tin(tin_type: TinType | str, value: str) -> str:
    """The TIN in its standard format (123-45-6789, 12-3456789), or InvalidTIN saying why."""
    kind = TinType(tin_type)
    module = _MODULES[kind]
    typed = "".join(value.split())  # people type "123 45 6789" too
    try:
        return module.format(module.validate(typed))
    except StdnumValidationError as exc:
        raise InvalidTIN(
            f"This is not a valid {_NAMES[kind]} ({_FORMATS[kind]}): {str(exc).lower()}"
        ) from None


def last_four(normalized: str) -> str:
    return normalized.replace("-", "")[-4:]


def mask_tin(tin_type: TinType | str, last4: str) -> str:
    """***-**-6789 for a person, **-***6789 for an entity; the digits kept are the last four."""
    if not last4:
        return ""
    if TinType(tin_type) == TinType.EIN:
        return f"**-***{last4}"
    return f"***-**-{last4}"
