"""Tagged JSON: values that come back exactly from a JSON column.

`Decimal`, `date` and `datetime` would not survive plain JSON (floats, strings), so they are
stored as tagged values that come back exactly: `{"$decimal": "158380.00"}`,
`{"$date": "2001-09-05"}`, `{"$datetime": "2001-08-20T10:00:00-04:00"}`. Engine results
(dataclasses) are flattened to plain dicts and lists, which the templates read the same way.
"""

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

_DECIMAL, _DATE, _DATETIME = "$decimal", "$date", "$datetime"


def encode(value: Any) -> Any:
    """`value` as JSON-ready data, with Decimal, date and datetime tagged. Refuses a float
    (money is never a float), a naive datetime and a key that looks like a tag."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return str(value)  # a TextChoices member as its plain value
    if isinstance(value, Decimal):
        return {_DECIMAL: str(value)}
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"a snapshot keeps aware instants only, not {value!r}")
        return {_DATETIME: value.isoformat()}
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        encoded = {}
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$"):
                raise ValueError(f"a snapshot's keys are plain strings, not {key!r}")
            encoded[key] = encode(item)
        return encoded
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    raise TypeError(f"a snapshot cannot keep {type(value).__name__}: {value!r}")


def decode(data: Any) -> Any:
    """What `encode` took in, with dataclasses as dicts and tuples as lists."""
    if isinstance(data, dict):
        if len(data) == 1:
            ((tag, text),) = data.items()
            if tag == _DECIMAL:
                return Decimal(text)
            if tag == _DATETIME:
                return datetime.fromisoformat(text)
            if tag == _DATE:
                return date.fromisoformat(text)
        return {key: decode(item) for key, item in data.items()}
    if isinstance(data, list):
        return [decode(item) for item in data]
    return data
