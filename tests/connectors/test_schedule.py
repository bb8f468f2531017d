"""Scheduled trigger: its fire times (cron and intervals, across daylight-saving changes), its
checks at save, and its output. The scheduler that starts the runs: tests/test_schedules.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from builder.engine.definition import compile_definition
from builder.engine.errors import DefinitionError
from connectors.schedule.times import Schedule
from connectors.sdk import ClientSettings, OperationContext
from tests.connectors.harness import run_operation
from tests.helpers import typed


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local_times(schedule: Schedule, after: str, count: int) -> list[str]:
    return [schedule.local(t).isoformat() for t in schedule.next_times(utc(after), count)]


def definition_with(properties: dict[str, object]) -> dict[str, object]:
    return {
        "trigger": {
            "connector": "schedule",
            "operation": "schedule",
            "properties": {key: typed(value) for key, value in properties.items()},
        },
        "steps_structure": [],
        "steps": {},
    }


def save_errors(properties: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as refused:
        compile_definition(definition_with(properties))
    return [(error.path, error.message) for error in refused.value.errors]


# --- Output -----------------------------------------------------------------------------------


@pytest.mark.exercises("schedule", "schedule")
def test_a_scheduled_run_outputs_the_fire_time_its_scheduler_gave():
    payload = {
        "scheduled_for": "2026-03-29T03:00:00+02:00",
        "fired_at": "2026-03-29T03:00:04.250000+02:00",
    }

    assert run_operation("schedule", "schedule", {"payload": payload}) == payload


def test_a_run_workflow_test_run_fires_as_of_now():
    now = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
    context = OperationContext(step_name="trigger", settings=ClientSettings(), now=lambda: now)

    output = run_operation("schedule", "schedule", {"payload": {}}, context)

    assert output == {
        "scheduled_for": "2026-05-04T09:30:00+00:00",
        "fired_at": "2026-05-04T09:30:00+00:00",
    }


# --- Cron --------------------------------------------------------------------------------------


def test_every_5_minutes_in_berlin_goes_on_every_5_minutes_of_real_time_through_the_spring_change():
    # 2026-03-29 01:00 UTC: Berlin's clocks jump from 02:00 CET to 03:00 CEST
    schedule = Schedule.from_properties(
        {"mode": "cron", "cron": "*/5 * * * *", "timezone": "Europe/Berlin"}
    )

    times = schedule.next_times(utc("2026-03-29T00:50:00"), 4)

    assert times == [
        utc("2026-03-29T00:55:00"),
        utc("2026-03-29T01:00:00"),
        utc("2026-03-29T01:05:00"),
        utc("2026-03-29T01:10:00"),
    ]
    assert [schedule.local(t).isoformat() for t in times] == [
        "2026-03-29T01:55:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:05:00+02:00",
        "2026-03-29T03:10:00+02:00",
    ]


def test_every_5_minutes_in_berlin_fires_in_both_of_the_hours_the_autumn_change_repeats():
    # 2026-10-25 01:00 UTC: Berlin's clocks go back from 03:00 CEST to 02:00 CET
    schedule = Schedule.from_properties(
        {"mode": "cron", "cron": "*/5 * * * *", "timezone": "Europe/Berlin"}
    )

    assert local_times(schedule, "2026-10-25T00:50:00", 4) == [
        "2026-10-25T02:55:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T02:05:00+01:00",
        "2026-10-25T02:10:00+01:00",
    ]


def test_a_daily_time_the_spring_change_skips_fires_when_the_clock_jumps():
    schedule = Schedule.from_properties(
        {"mode": "cron", "cron": "30 2 * * *", "timezone": "Europe/Berlin"}
    )

    assert local_times(schedule, "2026-03-28T12:00:00", 3) == [
        "2026-03-29T03:00:00+02:00",
        "2026-03-30T02:30:00+02:00",
        "2026-03-31T02:30:00+02:00",
    ]


def test_the_latest_fire_time_counts_a_fire_time_at_the_moment_itself():
    schedule = Schedule.from_properties({"mode": "cron", "cron": "*/5 * * * *"})

    assert schedule.latest_at_or_before(utc("2026-01-01T10:05:00")) == utc("2026-01-01T10:05:00")
    assert schedule.latest_at_or_before(utc("2026-01-01T10:04:59.999999")) == utc(
        "2026-01-01T10:00:00"
    )
    assert schedule.latest_at_or_before(utc("2026-01-01T10:05:00.500000")) == utc(
        "2026-01-01T10:05:00"
    )


def test_the_latest_fire_time_in_the_repeated_hour_is_the_one_just_before():
    schedule = Schedule.from_properties(
        {"mode": "cron", "cron": "*/5 * * * *", "timezone": "Europe/Berlin"}
    )

    # 01:02 UTC is 02:02 CET, after 02:55 CEST and 02:00 CET
    assert schedule.latest_at_or_before(utc("2026-10-25T01:02:00")) == utc("2026-10-25T01:00:00")


# --- Intervals ---------------------------------------------------------------------------------


def test_every_n_minutes_is_counted_in_real_time_from_midnight_of_the_zone_each_day():
    schedule = Schedule.from_properties(
        {"every": 90, "unit": "minutes", "timezone": "Europe/Berlin"}
    )

    # 22:30 is the 16th of the day; the next day starts again at 00:00. On the day of the
    # spring change, 3 hours after 00:00 is 04:00 CEST.
    assert local_times(schedule, "2026-03-28T21:00:00", 5) == [
        "2026-03-28T22:30:00+01:00",
        "2026-03-29T00:00:00+01:00",
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T04:00:00+02:00",
        "2026-03-29T05:30:00+02:00",
    ]


def test_every_hour_fires_25_times_on_the_day_the_autumn_change_makes_25_hours_long():
    schedule = Schedule.from_properties({"every": 1, "unit": "hours", "timezone": "Europe/Berlin"})
    midnight = utc("2026-10-24T22:00:00")  # 00:00 CEST on the 25th

    times = schedule.next_times(midnight - timedelta(seconds=1), 26)

    assert times == [midnight + timedelta(hours=hour) for hour in range(26)]
    assert [schedule.local(t).isoformat() for t in times[2:4]] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00",
    ]
    assert schedule.local(times[25]).isoformat() == "2026-10-26T00:00:00+01:00"


def test_every_n_days_fires_at_midnight_of_the_zone_on_days_counted_from_1970():
    schedule = Schedule.from_properties(
        {"every": 3, "unit": "days", "timezone": "America/New_York"}
    )

    # 2026-03-08 is 20520 days after 1970-01-01, a multiple of 3; New York's clocks go
    # forward that night
    assert local_times(schedule, "2026-03-06T12:00:00", 3) == [
        "2026-03-08T00:00:00-05:00",
        "2026-03-11T00:00:00-04:00",
        "2026-03-14T00:00:00-04:00",
    ]
    assert schedule.latest_at_or_before(utc("2026-03-11T03:59:59")) == utc("2026-03-08T05:00:00")


def test_a_schedule_left_at_its_defaults_fires_every_hour_in_utc():
    schedule = Schedule.from_properties({})

    assert schedule.next_times(utc("2026-01-01T10:20:00"), 2) == [
        utc("2026-01-01T11:00:00"),
        utc("2026-01-01T12:00:00"),
    ]


# --- Checks at save ----------------------------------------------------------------------------


def test_a_valid_schedule_is_saved():
    plan = compile_definition(
        definition_with({"mode": "cron", "cron": "0 9 * * mon-fri", "timezone": "Europe/Berlin"})
    )

    assert plan.trigger.connector.key == "schedule"


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        ("61 * * * *", "out of range"),
        ("*/5 * * *", "it has 4 fields, not 5"),
        ("*/5 * * * * *", "it has 6 fields, not 5"),
        ("0 0 30 2 *", "it never fires"),
        ("R * * * *", "hashed (H) and random (R) fields are not supported"),
        ("H/5 * * * *", "hashed (H) and random (R) fields are not supported"),
        ("every day", "it has 2 fields, not 5"),
    ],
)
def test_a_bad_cron_expression_is_refused_at_save_naming_the_property(cron, problem):
    [(path, message)] = save_errors({"mode": "cron", "cron": cron})

    assert path == "trigger.properties.cron"
    assert message.startswith(f"{cron!r} is not a valid cron expression: {problem}")


def test_cron_mode_without_an_expression_is_refused_at_save():
    assert save_errors({"mode": "cron"}) == [
        (
            "trigger.properties.cron",
            "a cron expression of 5 fields (minute hour day-of-month month day-of-week) is "
            "required",
        )
    ]


@pytest.mark.parametrize("zone", ["Europe/Nowhere", "europe/berlin", "localtime", "../etc/passwd"])
def test_an_unknown_time_zone_is_refused_at_save_naming_the_property(zone):
    assert save_errors({"mode": "cron", "cron": "*/5 * * * *", "timezone": zone}) == [
        (
            "trigger.properties.timezone",
            f"{zone!r} is not an IANA time zone such as Europe/Berlin, America/New_York or UTC",
        )
    ]


def test_an_interval_longer_than_its_day_is_refused_at_save():
    assert save_errors({"every": 36, "unit": "hours"}) == [
        (
            "trigger.properties.every",
            "every 36 hours does not fit in a day: at most 24 hours; use days for longer intervals",
        )
    ]


def test_a_property_its_schema_refuses_is_reported_once_not_again_by_the_schedule_check():
    assert save_errors({"every": 0, "unit": "minutes"}) == [
        ("trigger.properties.every", "'every': 0 is less than the minimum of 1")
    ]
