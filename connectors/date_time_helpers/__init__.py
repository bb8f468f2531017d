"""Date & time helpers: now, format, parse, add, subtract, difference, start and end of a day,
week or month, in an IANA time zone, without code.

Every date given is an ISO 8601 text (`2026-03-29T14:30:00+02:00`, `2026-03-29T12:30:00Z`,
`2026-03-29`); one without an offset is a wall-clock time in the step's time zone. Every date
returned is an ISO 8601 text with its offset, in the step's time zone.

The arithmetic follows the calendar of the time zone: days, weeks, months and years move the
wall clock (1 day after 12:00 is 12:00 the next day, 23 or 25 hours later across a daylight-
saving change; 1 month after 31 January is 28 or 29 February), seconds, minutes and hours are
elapsed time (24 hours after 12:00 is 13:00 on the day the clocks go forward). A wall-clock
time the spring change skips reads as the clock shows it after the change (02:30 is 03:30),
one the autumn change repeats as its first occurrence (the earlier offset).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.errors import InputError
from connectors.schedule.times import zone_names
from connectors.schema import choice, input_object, integer, output_object, string
from connectors.sdk import Connector, Operation, OperationContext

UNITS = {
    "seconds": "Seconds",
    "minutes": "Minutes",
    "hours": "Hours",
    "days": "Days",
    "weeks": "Weeks",
    "months": "Months",
    "years": "Years",
}
ELAPSED_UNITS = {
    "seconds": timedelta(seconds=1),
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
}
PERIODS = {"day": "Day", "week": "Week (from Monday)", "month": "Month"}
DEFAULT_TIMEZONE = "UTC"
ISO_EXAMPLE = "2026-03-29T14:30:00+02:00, 2026-03-29T12:30:00Z or 2026-03-29"


def zone_named(name: Any) -> ZoneInfo:
    """The IANA time zone of this name, looked up among the names the tz database lists (so no
    user input reaches a file path); InputError naming the field if there is none."""
    if not isinstance(name, str) or name not in zone_names():
        raise InputError(timezone_problem(name))
    return ZoneInfo(name)


def timezone_problem(name: Any) -> str:
    return f"'timezone': {name!r} is not an IANA time zone such as Europe/Berlin, America/New_York or UTC."


def check_timezone(properties: Mapping[str, Any]) -> list[tuple[str, str]]:
    """At save: a time zone typed into the step exists."""
    name = properties.get("timezone")
    if name is None or (isinstance(name, str) and name in zone_names()):
        return []
    return [("timezone", timezone_problem(name).split(": ", 1)[1].rstrip("."))]


def localize(wall_clock: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time of the zone as an instant: a skipped time moves past the change, a
    repeated one is its first occurrence (fold 0, the offset before the change)."""
    return wall_clock.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def read_date(text: str, zone: ZoneInfo, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"'{field}': {text!r} is not an ISO 8601 date such as {ISO_EXAMPLE}."
        ) from None
    if parsed.tzinfo is None:
        return localize(parsed, zone)
    return parsed.astimezone(zone)


def written(moment: datetime) -> str:
    return moment.isoformat()


def out_of_range(field: str) -> InputError:
    return InputError(f"'{field}': the result would be outside the years 1 to 9999.")


def moved(moment: datetime, amount: int, unit: str, zone: ZoneInfo) -> datetime:
    """`moment` moved by `amount` units: elapsed time for seconds to hours, the zone's calendar
    for days and longer (the wall-clock time kept, the day of month clamped to the month's last)."""
    try:
        if unit in ELAPSED_UNITS:
            return (moment.astimezone(UTC) + amount * ELAPSED_UNITS[unit]).astimezone(zone)
        local = moment.astimezone(zone).replace(tzinfo=None)
        if unit in ("days", "weeks"):
            return localize(local + timedelta(days=amount * (7 if unit == "weeks" else 1)), zone)
        months = local.year * 12 + local.month - 1 + amount * (12 if unit == "years" else 1)
        year, month = divmod(months, 12)
        day = min(local.day, calendar.monthrange(year, month + 1)[1])
        return localize(local.replace(year=year, month=month + 1, day=day), zone)
    except (OverflowError, ValueError, calendar.IllegalMonthError):
        raise out_of_range("amount") from None


def whole_units_between(start: datetime, end: datetime, unit: str, zone: ZoneInfo) -> int:
    """How many whole units fit from start to end, negative when end is earlier."""
    if unit in ELAPSED_UNITS:
        elapsed = end.astimezone(UTC) - start.astimezone(UTC)
        sign = -1 if elapsed < timedelta(0) else 1
        return sign * (abs(elapsed) // ELAPSED_UNITS[unit])
    if end.astimezone(UTC) < start.astimezone(UTC):
        # Counted from the earlier date, so that swapping the dates only changes the sign.
        return -whole_units_between(end, start, unit, zone)
    first, last = start.astimezone(zone), end.astimezone(zone)
    calendar_unit = "days" if unit in ("days", "weeks") else "months"
    if calendar_unit == "days":
        count = (last.date() - first.date()).days
    else:
        count = (last.year - first.year) * 12 + last.month - first.month
    # The calendar count overshoots by one when the end's time of day (or day of month) comes
    # before the start's.
    if count > 0 and moved(start, count, calendar_unit, zone) > end:
        count -= 1
    if unit == "weeks":
        return count // 7
    if unit == "years":
        return count // 12
    return count


def period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def next_period_start(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return (start + timedelta(days=31)).replace(day=1)
    return start + timedelta(days=1)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return localize(datetime.combine(day, time()), zone)


def run_now(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    zone = zone_named(inputs.get("timezone", DEFAULT_TIMEZONE))
    return {"result": written(context.now().astimezone(zone))}


def run_format_date(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    zone = zone_named(inputs.get("timezone", DEFAULT_TIMEZONE))
    moment = read_date(inputs["date"], zone, "date")
    return {"result": moment.strftime(inputs["format"])}


def run_parse_date(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    zone = zone_named(inputs.get("timezone", DEFAULT_TIMEZONE))
    text, form = inputs["text"], inputs.get("format", "")
    if not form:
        return {"result": written(read_date(text, zone, "text"))}
    try:
        parsed = datetime.strptime(text, form)
    except ValueError as error:
        detail = "" if str(error).startswith("time data") else f": {error}"
        raise InputError(f"'text': {text!r} does not match the format {form!r}{detail}.") from None
    moment = localize(parsed, zone) if parsed.tzinfo is None else parsed.astimezone(zone)
    return {"result": written(moment)}


def run_add(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    zone = zone_named(inputs.get("timezone", DEFAULT_TIMEZONE))
    moment = read_date(inputs["date"], zone, "date")
    return {"result": written(moved(moment, int(inputs["amount"]), inputs["unit"], zone))}


def run_subtract(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    zone = zone_named(inputs.get("timezone", DEFAULT_TIMEZONE))
    moment = read_date(inputs["date"], zone, "date")
    return {"result": written(moved(moment, -int(inputs["amount"]), inputs["unit"], zone))}


def run_difference(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    zone = zone_named(inputs.get("timezone", DEFAULT_TIMEZONE))
    start = read_date(inputs["start"], zone, "start")
    end = read_date(inputs["end"], zone, "end")
    return {"result": whole_units_between(start, end, inputs["unit"], zone)}


def run_start_of(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    zone = zone_named(inputs.get("timezone", DEFAULT_TIMEZONE))
    day = read_date(inputs["date"], zone, "date").date()
    try:
        return {"result": written(midnight(period_start(day, inputs["period"]), zone))}
    except (OverflowError, ValueError):
        raise out_of_range("date") from None


def run_end_of(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    zone = zone_named(inputs.get("timezone", DEFAULT_TIMEZONE))
    day = read_date(inputs["date"], zone, "date").date()
    period = inputs["period"]
    try:
        following = midnight(next_period_start(period_start(day, period), period), zone)
    except (OverflowError, ValueError):
        raise out_of_range("date") from None
    # The last microsecond before the next period starts, whatever length the day had.
    return {
        "result": written((following.astimezone(UTC) - timedelta(microseconds=1)).astimezone(zone))
    }


def date_input(title: str = "Date", description: str | None = None) -> dict[str, Any]:
    return string(
        title,
        description or f"ISO 8601, e.g. {ISO_EXAMPLE}; without an offset it is in the time zone.",
        min_length=1,
        max_length=100,
    )


TIMEZONE = string(
    "Time zone",
    "The IANA time zone the dates are counted and written in, e.g. Europe/Berlin.",
    min_length=1,
    max_length=64,
    default=DEFAULT_TIMEZONE,
)
DATE_RESULT = output_object(
    {
        "result": string(
            "Result", "ISO 8601 with the time zone's offset, e.g. 2026-03-29T14:30:00+02:00."
        )
    }
)
FORMAT_DESCRIPTION = (
    "Python strftime codes: %Y year, %m month 01-12, %d day 01-31, %H hour 00-23, %I hour "
    "01-12, %p AM/PM, %M minute, %S second, %f microsecond, %A weekday (Monday), %a (Mon), "
    "%B month name (March), %b (Mar), %j day of the year, %V ISO week, %z offset (+0200), "
    "%Z zone abbreviation (CEST), %% a percent sign. Names are in English."
)


def operation(
    key: str,
    title: str,
    description: str,
    properties: dict[str, Any],
    required: list[str],
    run: Any,
    output_schema: dict[str, Any] = DATE_RESULT,
) -> Operation:
    return Operation(
        key=key,
        title=title,
        description=description,
        input_schema=input_object(properties | {"timezone": TIMEZONE}, required=required),
        output_schema=output_schema,
        run=run,
        # Computes from its inputs (and the clock) only: safe to run again.
        repeatable=True,
        check_properties=check_timezone,
    )


AMOUNT_PROPERTIES = {
    "date": date_input(),
    "amount": integer("Amount", "A whole number of units; negative goes the other way."),
    "unit": choice(
        "Unit",
        UNITS,
        "Seconds to hours are elapsed time; days and longer follow the calendar, keeping the "
        "time of day (31 January + 1 month is 28 or 29 February).",
        default="days",
    ),
}
PERIOD_PROPERTIES = {
    "date": date_input(),
    "period": choice("Period", PERIODS, "Weeks start on Monday (ISO 8601).", default="day"),
}

CONNECTOR = Connector(
    key="date_time_helpers",
    title="Date & time helpers",
    description="Work with dates between steps: now, format, parse, add, compare, start and "
    "end of a period, in any time zone.",
    icon="icon.svg",
    version="1.0",
    operations=(
        operation("now", "Now", "The current date and time in a time zone.", {}, [], run_now),
        operation(
            "format_date",
            "Format date",
            "Write a date as text in the format you give, e.g. %d/%m/%Y %H:%M.",
            {
                "date": date_input(),
                "format": string("Format", FORMAT_DESCRIPTION, min_length=1, max_length=200),
            },
            ["date", "format"],
            run_format_date,
            output_schema=output_object({"result": string("Result", "The date as text.")}),
        ),
        operation(
            "parse_date",
            "Parse date",
            "Read a date from text, in ISO 8601 or in the format you give.",
            {
                "text": string("Text", "The date as text, e.g. 29/03/2026 14:30.", min_length=1),
                "format": string(
                    "Format",
                    f"Empty: ISO 8601. Otherwise {FORMAT_DESCRIPTION}",
                    max_length=200,
                ),
            },
            ["text"],
            run_parse_date,
        ),
        operation(
            "add",
            "Add to date",
            "A date some seconds, minutes, hours, days, weeks, months or years later.",
            AMOUNT_PROPERTIES,
            ["date", "amount", "unit"],
            run_add,
        ),
        operation(
            "subtract",
            "Subtract from date",
            "A date some seconds, minutes, hours, days, weeks, months or years earlier.",
            AMOUNT_PROPERTIES,
            ["date", "amount", "unit"],
            run_subtract,
        ),
        operation(
            "difference",
            "Difference between dates",
            "How many whole units from a start date to an end date; negative when the end "
            "comes first.",
            {
                "start": date_input("Start"),
                "end": date_input("End"),
                "unit": choice(
                    "Unit",
                    UNITS,
                    "Whole units, rounded toward zero. Days and longer follow the calendar: "
                    "12:00 to 12:00 the next day is 1 day, even when it is 23 hours.",
                    default="days",
                ),
            },
            ["start", "end", "unit"],
            run_difference,
            output_schema=output_object(
                {"result": integer("Result", "Whole units; negative when the end comes first.")}
            ),
        ),
        operation(
            "start_of",
            "Start of period",
            "The first moment of the day, week or month a date is in.",
            PERIOD_PROPERTIES,
            ["date", "period"],
            run_start_of,
        ),
        operation(
            "end_of",
            "End of period",
            "The last moment (its last microsecond) of the day, week or month a date is in.",
            PERIOD_PROPERTIES,
            ["date", "period"],
            run_end_of,
        ),
    ),
)
