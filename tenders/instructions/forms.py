"""Form fields every form that takes an instruction shares: the representative's form
(`tenders.intake.forms`), the client's page (`tenders.online.forms`) and the positions feed
read the principal amount the same way."""

import re
from decimal import Decimal
from typing import Any

from django import forms

# A principal amount as people write it on the form: ASCII digits, with thousands separators
# only where they belong, an optional "$" before and ".00" after. Nothing else: "1,0,0,0",
# "1e3", "1_000", "+1000" and digits of other scripts are refused, not reinterpreted.
AMOUNT_AS_WRITTEN = re.compile(r"\$?(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.00)?", re.ASCII)


class PrincipalAmountField(forms.DecimalField):
    """Accepts "125000", "125,000", "$125,000" and "125,000.00"."""

    default_error_messages = {
        "invalid": "Enter the amount in whole dollars, e.g. 125,000 or $125,000.00.",
    }

    # A Decimal where IntegerField, DecimalField's base, gives an int: django-stubs ignores the
    # same override on DecimalField itself.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # as the stubs do
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not AMOUNT_AS_WRITTEN.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return Decimal(text.lstrip("$").replace(",", ""))
