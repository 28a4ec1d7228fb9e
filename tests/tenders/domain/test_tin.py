import pytest

from tenders.domain.tin import InvalidTIN, TinType, last_four, mask_tin, normalize_tin


@pytest.mark.parametrize(
    ("tin_type", "typed", "normalized"),
    [
        (TinType.SSN, "123456789", "123-45-6789"),
        (TinType.SSN, "123-45-6789", "123-45-6789"),
        (TinType.ITIN, "912-70-1234", "912-70-1234"),
        (TinType.EIN, "12-3456789", "12-3456789"),
        (TinType.EIN, "123456789", "12-3456789"),
    ],
)
def test_valid_tin_is_stored_in_its_standard_format(
    tin_type: TinType, typed: str, normalized: str
) -> None:
    assert normalize_tin(tin_type, typed) == normalized


@pytest.mark.parametrize(
    ("tin_type", "typed"),
    [
        (TinType.SSN, "123-45-678"),  # too short
        (TinType.SSN, "000-12-3456"),  # area 000 is never issued
        (TinType.SSN, "666-12-3456"),
        (TinType.SSN, "219-09-9999"),  # a well-known invalid (advertised) number
        (TinType.SSN, "abc-de-fghi"),
        (TinType.ITIN, "123-45-6789"),  # an ITIN starts with 9
        (TinType.EIN, "00-1234567"),  # no such EIN prefix
    ],
)
def test_invalid_tin_is_refused_with_the_reason(tin_type: TinType, typed: str) -> None:
    with pytest.raises(InvalidTIN, match="This is not a valid"):
        normalize_tin(tin_type, typed)


def test_person_tin_is_masked_to_the_last_four_digits() -> None:
    assert mask_tin(TinType.SSN, last_four("123-45-6789")) == "***-**-6789"


def test_entity_tin_is_masked_to_the_last_four_digits() -> None:
    assert mask_tin(TinType.EIN, last_four("12-3456789")) == "**-***6789"


def test_no_tin_masks_to_nothing() -> None:
    assert mask_tin(TinType.SSN, "") == ""
