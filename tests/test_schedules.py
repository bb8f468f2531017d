"""The scheduler: one run per fire time of each enabled scheduled workflow, driven by the `now`
each test gives `schedules_fire` (no waiting for the clock). Across daylight-saving changes,
with two schedulers at once, after downtime; and through Celery beat and a real worker.

The fire times themselves, cron and intervals: tests/connectors/test_schedule.py.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from builder.models import Run, Workflow
from builder.services.schedules import schedule_of, schedule_run_start, schedules_fire
from tests.helpers import (
    all_step_runs,
    create_workflow,
    run_workflow,
    typed,
    wait_for_run,
)
from tests.servers import BeatProcess


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def schedule_definition(**properties: Any) -> dict[str, Any]:
    return {
        "trigger": {
            "connector": "schedule",
            "operation": "schedule",
            "properties": {key: typed(value) for key, value in properties.items()},
        },
        "steps_structure": [],
        "steps": {},
    }


def scheduled_workflow(
    api, *, enabled_at: datetime | None, enabled: bool = True, **properties: Any
) -> Workflow:
    """A workflow with a Scheduled trigger, saved through the API, enabled at `enabled_at`."""
    created = create_workflow(api, schedule_definition(**properties), name="Scheduled")
    Workflow.objects.filter(id=created["id"]).update(enabled=enabled, enabled_at=enabled_at)
    return Workflow.objects.get(id=created["id"])


def fire_times(workflow: Workflow) -> list[datetime]:
    return list(
        Run.objects.filter(workflow=workflow)
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
    )


def drive(start: datetime, end: datetime, step: timedelta) -> None:
    """Calls the scheduler at each `step` from `start` to `end`, as beat would."""
    now = start
    while now <= end:
        schedules_fire(now)
        now += step


# --- Fire times across daylight-saving changes -------------------------------------------------


@pytest.mark.django_db
def test_every_5_minutes_in_berlin_fires_at_the_expected_instants_across_the_spring_change(api):
    # Given */5 in Europe/Berlin, enabled at 00:40 UTC on 2026-03-29: at 01:00 UTC the
    # clocks jump from 02:00 CET to 03:00 CEST
    workflow = scheduled_workflow(
        api,
        enabled_at=utc("2026-03-29T00:40:00"),
        mode="cron",
        cron="*/5 * * * *",
        timezone="Europe/Berlin",
    )

    # When the scheduler looks every 20 seconds until 01:16 UTC
    drive(utc("2026-03-29T00:40:10"), utc("2026-03-29T01:16:00"), timedelta(seconds=20))

    # Then one run is started per 5 minutes of real time, through the jump
    assert fire_times(workflow) == [
        utc("2026-03-29T00:45:00"),
        utc("2026-03-29T00:50:00"),
        utc("2026-03-29T00:55:00"),
        utc("2026-03-29T01:00:00"),
        utc("2026-03-29T01:05:00"),
        utc("2026-03-29T01:10:00"),
        utc("2026-03-29T01:15:00"),
    ]
    # And each run's trigger payload says the time it is for in Berlin's time
    payloads = Run.objects.filter(workflow=workflow).order_by("scheduled_for")
    assert [run.trigger_payload["scheduled_for"] for run in payloads] == [
        "2026-03-29T01:45:00+01:00",
        "2026-03-29T01:50:00+01:00",
        "2026-03-29T01:55:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:05:00+02:00",
        "2026-03-29T03:10:00+02:00",
        "2026-03-29T03:15:00+02:00",
    ]
    assert {run.trigger_kind for run in payloads} == {"schedule"}
    assert {run.started_by for run in payloads} == {None}


@pytest.mark.django_db
def test_every_5_minutes_in_berlin_fires_at_the_expected_instants_across_the_autumn_change(api):
    # Given */5 in Europe/Berlin: at 01:00 UTC on 2026-10-25 the clocks go back from
    # 03:00 CEST to 02:00 CET, so 02:00-02:59 happens twice
    workflow = scheduled_workflow(
        api,
        enabled_at=utc("2026-10-25T00:40:00"),
        mode="cron",
        cron="*/5 * * * *",
        timezone="Europe/Berlin",
    )

    drive(utc("2026-10-25T00:40:10"), utc("2026-10-25T01:16:00"), timedelta(seconds=20))

    # Then it fires in both of the repeated hours, 5 minutes of real time apart
    assert fire_times(workflow) == [
        utc("2026-10-25T00:45:00"),
        utc("2026-10-25T00:50:00"),
        utc("2026-10-25T00:55:00"),
        utc("2026-10-25T01:00:00"),
        utc("2026-10-25T01:05:00"),
        utc("2026-10-25T01:10:00"),
        utc("2026-10-25T01:15:00"),
    ]
    payloads = Run.objects.filter(workflow=workflow).order_by("scheduled_for")
    assert [run.trigger_payload["scheduled_for"] for run in payloads] == [
        "2026-10-25T02:45:00+02:00",
        "2026-10-25T02:50:00+02:00",
        "2026-10-25T02:55:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T02:05:00+01:00",
        "2026-10-25T02:10:00+01:00",
        "2026-10-25T02:15:00+01:00",
    ]


# --- Interval modes ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_15_minutes_fires_on_the_quarter_hours_of_the_zone(api):
    workflow = scheduled_workflow(
        api,
        enabled_at=utc("2026-06-01T07:50:00"),
        mode="interval",
        every=15,
        unit="minutes",
        timezone="Asia/Kolkata",  # +05:30: its quarter hours are UTC's too
    )

    drive(utc("2026-06-01T07:51:00"), utc("2026-06-01T08:50:00"), timedelta(minutes=1))

    assert fire_times(workflow) == [
        utc("2026-06-01T08:00:00"),
        utc("2026-06-01T08:15:00"),
        utc("2026-06-01T08:30:00"),
        utc("2026-06-01T08:45:00"),
    ]


@pytest.mark.django_db
def test_every_hour_fires_25_times_on_berlins_25_hour_autumn_day(api):
    workflow = scheduled_workflow(
        api,
        enabled_at=utc("2026-10-24T21:55:00"),
        mode="interval",
        every=1,
        unit="hours",
        timezone="Europe/Berlin",
    )

    # From 00:00 CEST on the 25th (22:00 UTC the day before) to 00:00 CET on the 26th
    drive(utc("2026-10-24T21:58:00"), utc("2026-10-25T23:02:00"), timedelta(minutes=4))

    midnight = utc("2026-10-24T22:00:00")
    assert fire_times(workflow) == [midnight + timedelta(hours=hour) for hour in range(26)]


@pytest.mark.django_db
def test_every_3_days_fires_at_midnight_in_new_york_across_its_spring_change(api):
    workflow = scheduled_workflow(
        api,
        enabled_at=utc("2026-03-06T12:00:00"),
        mode="interval",
        every=3,
        unit="days",
        timezone="America/New_York",
    )

    drive(utc("2026-03-06T12:30:00"), utc("2026-03-15T12:00:00"), timedelta(hours=1))

    # 00:00 EST is 05:00 UTC; after the change, 00:00 EDT is 04:00 UTC
    assert fire_times(workflow) == [
        utc("2026-03-08T05:00:00"),
        utc("2026-03-11T04:00:00"),
        utc("2026-03-14T04:00:00"),
    ]


# --- Which times fire ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_downtime_over_three_fire_times_starts_one_catch_up_run_for_the_latest(api):
    workflow = scheduled_workflow(
        api, enabled_at=utc("2026-05-04T09:58:00"), mode="cron", cron="*/5 * * * *"
    )
    schedules_fire(utc("2026-05-04T10:00:03"))

    # When the scheduler is down over 10:05, 10:10 and 10:15, and looks again at 10:17
    started = schedules_fire(utc("2026-05-04T10:17:42"))

    # Then one run catches up, for 10:15 only; and the schedule goes on from there
    assert [run.scheduled_for for run in started] == [utc("2026-05-04T10:15:00")]
    assert started[0].trigger_payload == {
        "scheduled_for": "2026-05-04T10:15:00+00:00",
        "fired_at": "2026-05-04T10:17:42+00:00",
    }
    assert schedules_fire(utc("2026-05-04T10:19:00")) == []
    schedules_fire(utc("2026-05-04T10:20:01"))
    assert fire_times(workflow) == [
        utc("2026-05-04T10:00:00"),
        utc("2026-05-04T10:15:00"),
        utc("2026-05-04T10:20:00"),
    ]


@pytest.mark.django_db
def test_a_disabled_workflow_never_fires(api):
    workflow = scheduled_workflow(
        api,
        enabled=False,
        enabled_at=utc("2026-05-04T09:00:00"),
        mode="cron",
        cron="* * * * *",
    )

    drive(utc("2026-05-04T09:00:30"), utc("2026-05-04T10:00:30"), timedelta(minutes=1))

    assert fire_times(workflow) == []


@pytest.mark.django_db
def test_a_workflow_enabled_at_10_02_does_not_fire_for_10_00(api):
    workflow = scheduled_workflow(
        api, enabled_at=utc("2026-05-04T10:02:00"), mode="cron", cron="*/5 * * * *"
    )

    assert schedules_fire(utc("2026-05-04T10:04:59")) == []
    schedules_fire(utc("2026-05-04T10:05:00"))

    assert fire_times(workflow) == [utc("2026-05-04T10:05:00")]


@pytest.mark.django_db
def test_a_workflow_with_another_trigger_is_not_scheduled(api):
    definition = schedule_definition()
    definition["trigger"] = {"connector": "manual", "operation": "manual", "properties": {}}
    created = create_workflow(api, definition)
    Workflow.objects.filter(id=created["id"]).update(
        enabled=True, enabled_at=utc("2026-05-04T09:00:00")
    )

    assert schedules_fire(utc("2026-05-04T12:00:00")) == []


# --- Two schedulers ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_scheduler_that_comes_second_for_a_fire_time_is_refused_by_the_database(api):
    # Given the run for 10:05, started by one scheduler
    workflow = scheduled_workflow(
        api, enabled_at=utc("2026-05-04T10:02:00"), mode="cron", cron="*/5 * * * *"
    )
    other = scheduled_workflow(
        api, enabled_at=utc("2026-05-04T10:02:00"), mode="cron", cron="*/5 * * * *"
    )
    schedule = schedule_of(workflow.definition)
    assert schedule is not None
    first = schedule_run_start(
        workflow, schedule, utc("2026-05-04T10:05:00"), utc("2026-05-04T10:05:01")
    )

    # When a second scheduler, which read the runs before that one was stored, starts it too
    second = schedule_run_start(
        workflow, schedule, utc("2026-05-04T10:05:00"), utc("2026-05-04T10:05:02")
    )

    # Then the uniqueness rule refuses it, and the transaction goes on (the next workflow fires)
    assert first is not None
    assert second is None
    assert [run.workflow_id for run in schedules_fire(utc("2026-05-04T10:05:03"))] == [other.id]
    assert fire_times(workflow) == [utc("2026-05-04T10:05:00")]


def schedulers_at_once(now: datetime, count: int = 2) -> list[int]:
    """Runs `count` schedulers (threads, each with its own database connection) released
    together; returns how many runs each started."""
    ready = threading.Barrier(count)
    started: list[int] = []
    failures: list[BaseException] = []

    def scheduler() -> None:
        try:
            ready.wait(timeout=30)
            started.append(len(schedules_fire(now)))
        except BaseException as error:  # reported by the caller
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    return sorted(started)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_start_one_run_per_fire_time(api):
    # Given a workflow firing every minute
    start = utc("2026-05-04T10:00:30")
    workflow = scheduled_workflow(api, enabled_at=start, mode="cron", cron="* * * * *")

    for minute in range(1, 11):
        # When two schedulers look at the same moment
        started = schedulers_at_once(start + timedelta(minutes=minute))

        # Then one of them started the minute's run, the other nothing
        assert started == [0, 1], f"minute {minute}"

    assert fire_times(workflow) == [
        utc("2026-05-04T10:00:00") + timedelta(minutes=minute) for minute in range(1, 11)
    ]


# --- Saving and showing a schedule ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_cron_expression_is_a_problem_at_save_with_the_property_path(api):
    response = api.post(
        "/api/workflows/",
        {"name": "Bad", "definition": schedule_definition(mode="cron", cron="*/5 * * *")},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["problems"] == [
        {
            "path": "trigger.properties.cron",
            "message": "'*/5 * * *' is not a valid cron expression: it has 4 fields, not 5 "
            "(minute hour day-of-month month day-of-week), e.g. */5 * * * *",
        }
    ]


@pytest.mark.django_db
def test_an_unknown_time_zone_is_a_problem_at_save_with_the_property_path(api):
    workflow = create_workflow(api, schedule_definition(mode="cron", cron="*/5 * * * *"))

    response = api.put(
        f"/api/workflows/{workflow['id']}/",
        {
            "name": "Scheduled",
            "version": workflow["version"],
            "definition": schedule_definition(
                mode="cron", cron="*/5 * * * *", timezone="Europe/Atlantis"
            ),
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["problems"] == [
        {
            "path": "trigger.properties.timezone",
            "message": "'Europe/Atlantis' is not an IANA time zone such as Europe/Berlin, "
            "America/New_York or UTC",
        }
    ]


@pytest.mark.django_db
def test_the_workflow_shows_its_next_five_fire_times_in_its_time_zone(api):
    created = create_workflow(
        api, schedule_definition(mode="cron", cron="0 9 * * *", timezone="Asia/Tokyo")
    )
    manual = create_workflow(
        api, {"trigger": {"connector": "manual", "operation": "manual"}, **EMPTY_STEPS}
    )

    shown = api.get(f"/api/workflows/{created['id']}/").json()["next_fire_times"]

    assert len(shown) == 5
    times = [datetime.fromisoformat(text) for text in shown]
    assert all(text.endswith("T09:00:00+09:00") for text in shown)
    assert times[0] > timezone.now()
    assert [later - earlier for earlier, later in pairwise(times)] == [timedelta(days=1)] * 4
    listed = {
        item["id"]: item["next_fire_times"] for item in api.get("/api/workflows/").json()["results"]
    }
    assert len(listed[created["id"]]) == 5
    assert all(text.endswith("T09:00:00+09:00") for text in listed[created["id"]])
    assert listed[manual["id"]] is None
    assert api.get(f"/api/workflows/{manual['id']}/").json()["next_fire_times"] is None


EMPTY_STEPS: dict[str, Any] = {"steps_structure": [], "steps": {}}


# --- Through Celery beat and a worker ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_beat_fires_a_due_schedule_and_the_worker_runs_it(api, celery_worker, tmp_path):
    # Given a workflow due every minute, enabled two minutes ago
    workflow = scheduled_workflow(
        api,
        enabled_at=timezone.now() - timedelta(minutes=2),
        mode="cron",
        cron="* * * * *",
        timezone="Europe/Berlin",
    )

    # When Celery beat runs, looking every half second
    beat = BeatProcess(
        tmp_path / "beat.log", tmp_path / "beat-schedule", SCHEDULE_TICK_SECONDS="0.5"
    )
    try:
        deadline = time.monotonic() + 60
        while not Run.objects.filter(workflow=workflow).exists():
            assert time.monotonic() < deadline, beat.log_path.read_text()[-3000:]
            time.sleep(0.1)
    finally:
        beat.stop()

    # Then a run was started for the latest minute, and the worker ran it
    run = Run.objects.filter(workflow=workflow).earliest("scheduled_for")
    assert run.trigger_kind == "schedule"
    assert run.scheduled_for is not None
    assert run.scheduled_for.second == 0
    assert run.scheduled_for > workflow.enabled_at
    finished = wait_for_run(api, str(run.id))
    assert finished["status"] == "succeeded", finished
    assert finished["started_by"] is None
    [trigger] = all_step_runs(api, str(run.id))
    berlin = ZoneInfo("Europe/Berlin")
    assert trigger["output"]["scheduled_for"] == run.scheduled_for.astimezone(berlin).isoformat()
    assert "schedules_fire_task" in beat.log_path.read_text()


@pytest.mark.django_db(transaction=True)
def test_run_workflow_on_a_scheduled_workflow_is_a_test_run_as_of_now(api, celery_worker):
    # Given a scheduled workflow, not enabled: Run workflow works all the same
    before = timezone.now()

    finished = run_workflow(api, schedule_definition(mode="cron", cron="0 9 * * *"))

    assert finished["status"] == "succeeded", finished
    assert finished["trigger_kind"] == "manual"
    assert finished["scheduled_for"] is None
    [trigger] = all_step_runs(api, finished["id"])
    fired = datetime.fromisoformat(trigger["output"]["scheduled_for"])
    assert trigger["output"]["fired_at"] == trigger["output"]["scheduled_for"]
    assert before <= fired <= timezone.now()
