"""Dates, instants and money are written one way everywhere (exchange_office.formatting), and
nothing else in the project formats them."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from exchange_office import formatting

ROOT = Path(__file__).resolve().parent.parent
NY = ZoneInfo("America/New_York")
SEP_5 = date(2001, 9, 5)


def test_a_date_in_full_has_no_leading_zero() -> None:
    assert formatting.long_date(SEP_5) == "September 5, 2001"


def test_a_short_date_abbreviates_the_month() -> None:
    assert formatting.short_date(SEP_5) == "Sep 5, 2001"


def test_a_date_with_its_weekday() -> None:
    assert formatting.weekday_date(SEP_5) == "Wednesday, September 5, 2001"
    assert formatting.short_weekday_date(date(2001, 10, 1)) == "Mon, Oct 1, 2001"


def test_a_deadline_reads_as_the_offer_documents_say_it() -> None:
    cutoff = datetime(2001, 8, 31, 17, 0, tzinfo=NY)
    assert formatting.describe_instant(cutoff) == "5:00 p.m. EDT on Friday, August 31, 2001"


def test_midnight_is_the_end_of_the_day_before() -> None:
    expiration = datetime(2001, 9, 5, 0, 0, tzinfo=NY)
    assert (
        formatting.describe_instant(expiration)
        == "12 midnight EDT at the end of Tuesday, September 4, 2001"
    )


def test_an_instant_in_another_zone_is_shown_in_new_york_time() -> None:
    noon_utc = datetime(2001, 12, 3, 17, 0, tzinfo=UTC)  # 12:00 p.m. EST
    assert formatting.describe_instant(noon_utc) == "12:00 p.m. EST on Monday, December 3, 2001"
    assert formatting.timestamp(noon_utc) == "Dec 3, 2001, 12:00:00 p.m. EST"


def test_timestamps_to_the_second() -> None:
    instant = datetime(2001, 8, 20, 10, 0, 5, tzinfo=NY)
    assert formatting.timestamp(instant) == "Aug 20, 2001, 10:00:05 a.m. EDT"
    assert formatting.long_timestamp(instant) == "August 20, 2001, 10:00:05 a.m. EDT"
    assert formatting.weekday_timestamp(instant) == "Mon, Aug 20, 2001, 10:00:05 a.m. EDT"
    assert formatting.clock_time(instant) == "10:00:05 a.m. EDT"


def test_a_timestamp_in_digits_is_new_york_time() -> None:
    assert formatting.digits_timestamp(datetime(2001, 8, 20, 14, 0, 5, tzinfo=UTC)) == (
        "20010820100005"
    )


def test_an_iso_timestamp_is_new_york_time_to_the_second_with_its_offset() -> None:
    noon_utc = datetime(2001, 8, 20, 14, 0, 5, 123456, tzinfo=UTC)
    assert formatting.iso_timestamp(noon_utc) == "2001-08-20T10:00:05-04:00"
    assert formatting.iso_timestamp(datetime(2001, 12, 3, 17, 0, tzinfo=UTC)) == (
        "2001-12-03T12:00:00-05:00"
    )


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        formatting.timestamp(datetime(2001, 8, 20, 10, 0))


@pytest.mark.parametrize(
    ("value", "money", "dollars"),
    [
        (Decimal("1267.04"), "$1,267.04", "$1,267.04"),
        (Decimal("27412000"), "$27,412,000.00", "$27,412,000"),
        (Decimal("27412000.00"), "$27,412,000.00", "$27,412,000"),
        (Decimal("-5"), "-$5.00", "-$5"),
        (0, "$0.00", "$0"),
    ],
)
def test_money_and_whole_dollars(value: Decimal, money: str, dollars: str) -> None:
    assert formatting.money(value) == money
    assert formatting.dollars(value) == dollars


def test_rates_and_exact_counts() -> None:
    assert formatting.percent(Decimal("0.127500")) == "12.75%"
    assert formatting.percent(Decimal("0.10")) == "10%"
    assert formatting.exact(Decimal("149395.40")) == "149,395.4"
    assert formatting.exact(Decimal("682")) == "682"


def test_time_left_until_a_deadline() -> None:
    now = datetime(2001, 8, 28, 9, 30, tzinfo=NY)
    assert formatting.time_left(datetime(2001, 8, 31, 17, 0, tzinfo=NY), now) == "3 days, 7 hours"
    assert formatting.time_left(datetime(2001, 8, 28, 9, 45, tzinfo=NY), now) == "15 minutes"
    assert formatting.time_left(now, now) == "passed"


def test_template_filters_write_the_same_and_leave_blanks_blank() -> None:
    template = Template(
        "{% load office %}{{ day|long_date }}|{{ amount|money }}|{{ missing|long_date }}|"
        "{{ cutoff|deadline }}"
    )
    context = Context(
        {
            "day": SEP_5,
            "amount": Decimal("158380"),
            "missing": None,
            "cutoff": datetime(2001, 8, 31, 17, 0, tzinfo=NY),
        }
    )
    assert template.render(context) == (
        "September 5, 2001|$158,380.00||5:00 p.m. EDT on Friday, August 31, 2001"
    )


# Nothing else formats dates: no `|date:` in templates, no strftime-style codes in app code.

DATE_CODES = re.compile(r"\{[^{}]*:[^{}]*%[aAbBdHIMpYZ][^{}]*\}|strftime\(")


def _app_files() -> list[Path]:
    return sorted(
        p
        for package in ("exchange_office", "notes", "tenders")
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts and p.name != "formatting.py"
    )


@pytest.mark.parametrize("path", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: p.name)
def test_templates_format_dates_with_the_office_filters(path: Path) -> None:
    assert "|date:" not in path.read_text()


@pytest.mark.parametrize("path", _app_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_app_code_formats_dates_through_the_formatting_module(path: Path) -> None:
    assert not DATE_CODES.findall(path.read_text())


def test_django_writes_dates_in_the_admin_as_the_office_does() -> None:
    from django.utils import formats

    instant = datetime(2001, 9, 5, 0, 0, tzinfo=NY)
    assert formats.date_format(SEP_5) == formatting.short_date(SEP_5)
    assert formats.date_format(instant, "DATETIME_FORMAT") == formatting.timestamp(instant)
