"""Date & time helpers: exact results, in time zones and across daylight-saving changes.

Europe/Berlin goes from +01:00 to +02:00 at 02:00 on 2026-03-29 (02:00-03:00 does not exist)
and back at 03:00 on 2026-10-25 (02:00-03:00 happens twice); America/New_York changes on
2026-03-08 and 2026-11-01.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import InputError
from connectors.sdk import ClientSettings, OperationContext
from tests.connectors.harness import run_operation
from tests.helpers import create_workflow, jsonpath, single_step_definition, string

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def result(operation: str, **inputs: Any) -> Any:
    return run_operation("date_time_helpers", operation, inputs)["result"]


def error(operation: str, **inputs: Any) -> str:
    with pytest.raises(InputError) as raised:
        run_operation("date_time_helpers", operation, inputs)
    return raised.value.message


@pytest.mark.exercises("date_time_helpers", "now")
def test_now_is_the_engine_clock_in_the_time_zone():
    context = OperationContext(
        step_name="date-1",
        settings=ClientSettings(),
        now=lambda: datetime(2026, 3, 29, 1, 30, 15, tzinfo=UTC),
    )

    def now(**inputs: Any) -> str:
        return run_operation("date_time_helpers", "now", inputs, context)["result"]

    assert now() == "2026-03-29T01:30:15+00:00"
    assert now(timezone=BERLIN) == "2026-03-29T03:30:15+02:00"  # an hour after the change
    assert now(timezone=NEW_YORK) == "2026-03-28T21:30:15-04:00"
    assert now(timezone="Asia/Kolkata") == "2026-03-29T07:00:15+05:30"


def test_a_time_zone_that_does_not_exist_is_refused_naming_the_field():
    assert error("now", timezone="Europe/Atlantis") == (
        "'timezone': 'Europe/Atlantis' is not an IANA time zone such as Europe/Berlin, "
        "America/New_York or UTC."
    )
    # The host's own zone is not an IANA name, nor is a path.
    assert error("now", timezone="localtime").startswith("'timezone': 'localtime' is not")
    assert error("now", timezone="../../etc/passwd").startswith("'timezone': '../../etc/")


@pytest.mark.django_db
def test_a_typed_time_zone_that_does_not_exist_is_a_problem_of_the_saved_draft(api):
    workflow = create_workflow(
        api,
        single_step_definition("date_time_helpers", "now", {"timezone": string("Europe/Atlantis")}),
    )

    assert workflow["problems"] == [
        {
            "path": "steps.date_time_helpers-1.properties.timezone",
            "message": "'Europe/Atlantis' is not an IANA time zone such as Europe/Berlin, "
            "America/New_York or UTC",
        }
    ]
    # A time zone read from a step is checked when the step runs.
    read = create_workflow(
        api,
        single_step_definition(
            "date_time_helpers", "now", {"timezone": jsonpath("$.steps.trigger.zone")}
        ),
    )
    assert read["problems"] == []


@pytest.mark.exercises("date_time_helpers", "format_date")
def test_format_date_writes_the_date_in_the_time_zone():
    date = "2026-03-29T12:00:00Z"

    assert result("format_date", date=date, format="%d/%m/%Y %H:%M") == "29/03/2026 12:00"
    assert (
        result("format_date", date=date, format="%A %d %B %Y, %I:%M %p %Z (%z)", timezone=BERLIN)
        == "Sunday 29 March 2026, 02:00 PM CEST (+0200)"
    )
    assert result("format_date", date=date, format="%a %b %j %V", timezone=NEW_YORK) == (
        "Sun Mar 088 13"
    )
    # Without an offset, the date is a wall-clock time of the time zone.
    assert (
        result("format_date", date="2026-10-25T02:30", format="%H:%M %Z", timezone=BERLIN)
        == "02:30 CEST"
    )
    assert result("format_date", date="2026-03-29", format="%Y-%m-%d %H:%M:%S.%f %%") == (
        "2026-03-29 00:00:00.000000 %"
    )


def test_a_date_that_is_not_iso_8601_is_refused_naming_the_field():
    assert error("format_date", date="yesterday", format="%Y") == (
        "'date': 'yesterday' is not an ISO 8601 date such as 2026-03-29T14:30:00+02:00, "
        "2026-03-29T12:30:00Z or 2026-03-29."
    )
    assert error("format_date", date="2026-02-30", format="%Y").startswith(
        "'date': '2026-02-30' is not an ISO 8601 date"
    )


@pytest.mark.exercises("date_time_helpers", "parse_date")
def test_parse_date_reads_iso_8601_and_formats_in_the_time_zone():
    assert result("parse_date", text="2026-03-29T12:30:00Z") == "2026-03-29T12:30:00+00:00"
    assert result("parse_date", text="2026-03-29T12:30:00Z", timezone=BERLIN) == (
        "2026-03-29T14:30:00+02:00"
    )
    assert result("parse_date", text="2026-01-15 09:00", timezone=NEW_YORK) == (
        "2026-01-15T09:00:00-05:00"
    )
    assert result(
        "parse_date", text="29/03/2026 14:30", format="%d/%m/%Y %H:%M", timezone=NEW_YORK
    ) == ("2026-03-29T14:30:00-04:00")
    # An offset in the text wins over the time zone, which only writes the result.
    assert result(
        "parse_date", text="03/29/2026 08:15 +0000", format="%m/%d/%Y %H:%M %z", timezone=BERLIN
    ) == ("2026-03-29T10:15:00+02:00")


def test_parse_date_of_times_a_daylight_saving_change_skips_or_repeats():
    # 02:30 does not exist in Berlin on 29 March: the clock shows 03:30 then.
    assert result("parse_date", text="2026-03-29 02:30", timezone=BERLIN) == (
        "2026-03-29T03:30:00+02:00"
    )
    # 02:30 happens twice on 25 October: the first, still in summer time, is taken.
    assert result("parse_date", text="2026-10-25 02:30", timezone=BERLIN) == (
        "2026-10-25T02:30:00+02:00"
    )
    # The second is reached by giving its offset.
    assert result("parse_date", text="2026-10-25T02:30+01:00", timezone=BERLIN) == (
        "2026-10-25T02:30:00+01:00"
    )


def test_parse_date_that_does_not_match_its_format_says_why():
    assert error("parse_date", text="31/02/2026", format="%d/%m/%Y") == (
        "'text': '31/02/2026' does not match the format '%d/%m/%Y': day is out of range for month."
    )
    assert error("parse_date", text="2026-03-29", format="%d/%m/%Y") == (
        "'text': '2026-03-29' does not match the format '%d/%m/%Y'."
    )


@pytest.mark.exercises("date_time_helpers", "add")
@pytest.mark.parametrize(
    ("date", "amount", "unit", "timezone", "expected"),
    [
        # A day across the spring change keeps the wall-clock time: 23 hours later.
        ("2026-03-28T12:00:00", 1, "days", BERLIN, "2026-03-29T12:00:00+02:00"),
        # 24 hours across it does not.
        ("2026-03-28T12:00:00", 24, "hours", BERLIN, "2026-03-29T13:00:00+02:00"),
        # The same across the autumn change: 25 hours for a day, 11:00 after 24 hours.
        ("2026-10-24T12:00:00", 1, "days", BERLIN, "2026-10-25T12:00:00+01:00"),
        ("2026-10-24T12:00:00", 24, "hours", BERLIN, "2026-10-25T11:00:00+01:00"),
        ("2026-03-07T09:30:00", 1, "weeks", NEW_YORK, "2026-03-14T09:30:00-04:00"),
        ("2026-03-08T01:59:00", 1, "minutes", NEW_YORK, "2026-03-08T03:00:00-04:00"),
        ("2026-03-08T01:59:00", 90, "seconds", NEW_YORK, "2026-03-08T03:00:30-04:00"),
        # A day landing on a skipped wall-clock time moves past the change.
        ("2026-03-28T02:30:00", 1, "days", BERLIN, "2026-03-29T03:30:00+02:00"),
        # Months and years keep the day, or take the month's last when it has none.
        ("2026-01-31", 1, "months", "UTC", "2026-02-28T00:00:00+00:00"),
        ("2024-01-31", 1, "months", "UTC", "2024-02-29T00:00:00+00:00"),
        ("2024-02-29", 1, "years", "UTC", "2025-02-28T00:00:00+00:00"),
        ("2026-01-31T10:00:00+01:00", 2, "months", BERLIN, "2026-03-31T10:00:00+02:00"),
        ("2026-11-30", 3, "months", "UTC", "2027-02-28T00:00:00+00:00"),
        ("2026-03-31", -1, "months", "UTC", "2026-02-28T00:00:00+00:00"),
        # A date with an offset is written in the time zone.
        ("2026-06-01T12:00:00Z", 0, "days", NEW_YORK, "2026-06-01T08:00:00-04:00"),
    ],
)
def test_add(date, amount, unit, timezone, expected):
    assert result("add", date=date, amount=amount, unit=unit, timezone=timezone) == expected


@pytest.mark.exercises("date_time_helpers", "subtract")
def test_subtract_goes_back_by_the_calendar_or_by_elapsed_time():
    def subtract(date: str, amount: int, unit: str) -> str:
        return result("subtract", date=date, amount=amount, unit=unit, timezone=BERLIN)

    assert subtract("2026-10-26T12:00:00", 1, "days") == "2026-10-25T12:00:00+01:00"
    assert subtract("2026-10-26T12:00:00", 48, "hours") == "2026-10-24T13:00:00+02:00"
    assert subtract("2026-03-31T08:00:00", 1, "months") == "2026-02-28T08:00:00+01:00"
    assert subtract("2028-02-29", 4, "years") == "2024-02-29T00:00:00+01:00"
    assert subtract("2026-03-29T03:00:00", 1, "seconds") == "2026-03-29T01:59:59+01:00"


def test_a_result_outside_the_calendar_is_refused_naming_the_field():
    assert error("add", date="9999-12-31", amount=1, unit="days") == (
        "'amount': the result would be outside the years 1 to 9999."
    )
    assert error("subtract", date="2026-01-01", amount=10**12, unit="years") == (
        "'amount': the result would be outside the years 1 to 9999."
    )
    assert error("add", date="2026-01-01", amount=1, unit="fortnights").startswith(
        "Invalid input 'unit': 'fortnights' is not one of"
    )


@pytest.mark.exercises("date_time_helpers", "difference")
@pytest.mark.parametrize(
    ("start", "end", "unit", "expected"),
    [
        # 23 hours, yet a calendar day in Berlin.
        ("2026-03-28T12:00:00", "2026-03-29T12:00:00", "days", 1),
        ("2026-03-28T12:00:00", "2026-03-29T12:00:00", "hours", 23),
        ("2026-03-28T12:00:00", "2026-03-29T11:59:59", "days", 0),
        ("2026-10-24T12:00:00", "2026-10-25T12:00:00", "hours", 25),
        ("2026-10-24T12:00:00", "2026-10-25T12:00:00", "minutes", 1500),
        ("2026-10-24T12:00:00", "2026-10-25T12:00:00", "seconds", 90000),
        # Whole units, toward zero, negative when the end comes first.
        ("2026-03-29T12:00:00", "2026-03-28T12:00:00", "days", -1),
        ("2026-01-01T00:00:00", "2026-01-01T02:59:59", "hours", 2),
        ("2026-01-01T02:59:59", "2026-01-01T00:00:00", "hours", -2),
        ("2026-01-01", "2026-01-21", "weeks", 2),
        ("2026-01-21", "2026-01-01", "weeks", -2),
        ("2026-01-31", "2026-02-28", "months", 1),
        ("2026-02-28", "2026-01-31", "months", -1),
        ("2026-01-31T10:00:00", "2026-03-31T09:00:00", "months", 1),
        ("2024-02-29", "2026-02-28", "years", 2),
        ("2024-02-29", "2026-02-27", "years", 1),
        # The same instant written with two offsets.
        ("2026-06-01T12:00:00Z", "2026-06-01T14:00:00+02:00", "seconds", 0),
    ],
)
def test_difference(start, end, unit, expected):
    assert result("difference", start=start, end=end, unit=unit, timezone=BERLIN) == expected


@pytest.mark.exercises("date_time_helpers", "start_of")
@pytest.mark.exercises("date_time_helpers", "end_of")
@pytest.mark.parametrize(
    ("date", "period", "timezone", "start", "end"),
    [
        # The day the clocks go forward is 23 hours long; the one they go back, 25.
        (
            "2026-03-29T15:00:00",
            "day",
            BERLIN,
            "2026-03-29T00:00:00+01:00",
            "2026-03-29T23:59:59.999999+02:00",
        ),
        (
            "2026-10-25T15:00:00",
            "day",
            BERLIN,
            "2026-10-25T00:00:00+02:00",
            "2026-10-25T23:59:59.999999+01:00",
        ),
        # Weeks start on Monday; this one spans the autumn change.
        (
            "2026-10-25T15:00:00",
            "week",
            BERLIN,
            "2026-10-19T00:00:00+02:00",
            "2026-10-25T23:59:59.999999+01:00",
        ),
        (
            "2026-10-19T00:00:00",
            "week",
            BERLIN,
            "2026-10-19T00:00:00+02:00",
            "2026-10-25T23:59:59.999999+01:00",
        ),
        (
            "2026-03-10T08:00:00",
            "month",
            NEW_YORK,
            "2026-03-01T00:00:00-05:00",
            "2026-03-31T23:59:59.999999-04:00",
        ),
        (
            "2024-02-10",
            "month",
            "UTC",
            "2024-02-01T00:00:00+00:00",
            "2024-02-29T23:59:59.999999+00:00",
        ),
        (
            "2026-12-31T23:00:00",
            "month",
            NEW_YORK,
            "2026-12-01T00:00:00-05:00",
            "2026-12-31T23:59:59.999999-05:00",
        ),
        # 23:30 UTC is already the next day in Berlin: the period is the time zone's.
        (
            "2026-06-30T23:30:00Z",
            "month",
            BERLIN,
            "2026-07-01T00:00:00+02:00",
            "2026-07-31T23:59:59.999999+02:00",
        ),
    ],
)
def test_start_and_end_of_a_period(date, period, timezone, start, end):
    assert result("start_of", date=date, period=period, timezone=timezone) == start
    assert result("end_of", date=date, period=period, timezone=timezone) == end


def test_start_of_a_day_whose_midnight_is_skipped():
    # Santiago moves its clocks forward at 00:00 on 2026-09-06: the day starts at 01:00.
    assert result(
        "start_of", date="2026-09-06T12:00:00", period="day", timezone="America/Santiago"
    ) == ("2026-09-06T01:00:00-03:00")
