"""When a Scheduled trigger fires: its properties read into a Schedule, and its fire times.

Every instant here is an aware datetime. The arithmetic is done in UTC: two datetimes of the
same ZoneInfo compare and subtract by their wall clocks, fold ignored, which is wrong in the
hour an autumn change repeats. A fire time is shown in the schedule's zone (`local`).

- Every N minutes or hours: N apart in real time, counted from 00:00 of the zone each day
  (every 90 minutes: 00:00, 01:30, ... 22:30; the day's last may be nearer the next 00:00).
- Every N days: at 00:00 of the zone, on the days a multiple of N after 1970-01-01.
- Cron (5 fields): as croniter computes it in the zone; across a daylight-saving change a
  time the spring change skips fires when the clock jumps (02:30 at 03:00), and one the
  autumn change repeats fires in both of its hours (`*/5 * * * *` goes on every 5 minutes of
  real time through both changes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

MODES = {"interval": "Every N minutes, hours or days", "cron": "Cron expression"}
UNITS = {"minutes": "Minutes", "hours": "Hours", "days": "Days"}
# What a property left out means.
DEFAULT_MODE = "interval"
DEFAULT_EVERY = 1
DEFAULT_UNIT = "hours"
DEFAULT_TIMEZONE = "UTC"
# The largest interval of each unit that fits the day it is counted in (longer: use days).
MAX_EVERY = {"minutes": 24 * 60, "hours": 24}
UNIT_STEPS = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1)}
# Every N days counts the days from this one.
DAYS_EPOCH = date(1970, 1, 1)
CRON_FIELDS = "minute hour day-of-month month day-of-week"
# croniter's hashed (H) and random (R) fields: a schedule must fire at the same times in every
# process that computes it.
UNSTABLE_CRON_FIELD = re.compile(r"(?<![a-z])[hr](?![a-z])", re.IGNORECASE)


class ScheduleError(ValueError):
    """A schedule that cannot fire: `field` names the property at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@cache
def zone_names() -> frozenset[str]:
    # The host's own zone file is not an IANA name: its meaning would change with the host.
    return frozenset(available_timezones() - {"localtime", "posixrules"})


def zone_named(name: Any) -> ZoneInfo:
    """The IANA time zone of this name (Europe/Berlin, UTC); ScheduleError if there is none.

    Looked up among the names the tz database lists, so no user input reaches a file path."""
    if not isinstance(name, str) or name not in zone_names():
        raise ScheduleError(
            "timezone",
            f"{name!r} is not an IANA time zone such as Europe/Berlin, America/New_York or UTC",
        )
    return ZoneInfo(name)


def cron_checked(expression: Any) -> str:
    """The cron expression, checked: 5 fields croniter accepts, firing at stable times."""
    if not isinstance(expression, str) or not expression.strip():
        raise ScheduleError("cron", f"a cron expression of 5 fields ({CRON_FIELDS}) is required")
    fields = expression.split()
    text = " ".join(fields)
    problem = None
    if len(fields) != 5:
        problem = f"it has {len(fields)} fields, not 5 ({CRON_FIELDS})"
    elif UNSTABLE_CRON_FIELD.search(text):
        problem = "hashed (H) and random (R) fields are not supported"
    else:
        try:
            croniter(text, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
            # strict: a day the month never has (30 February) is refused, not run never.
            if not croniter.is_valid(text, strict=True):
                problem = "it never fires"
        except CroniterBadDateError:
            problem = "it never fires"
        except (CroniterBadCronError, ValueError, TypeError) as error:
            detail = str(error).rpartition(" is not acceptable")[2].lstrip(", ")
            problem = detail or "it is not in cron syntax"
    if problem is not None:
        raise ScheduleError(
            "cron", f"{text!r} is not a valid cron expression: {problem}, e.g. */5 * * * *"
        )
    return text


@dataclass(frozen=True)
class Schedule:
    mode: str
    zone: ZoneInfo
    every: int = DEFAULT_EVERY
    unit: str = DEFAULT_UNIT
    cron: str = ""

    @classmethod
    def from_properties(cls, properties: Mapping[str, Any]) -> Schedule:
        """The schedule of a trigger's property values; ScheduleError names a bad one."""
        mode = properties.get("mode", DEFAULT_MODE)
        if mode not in MODES:
            raise ScheduleError("mode", f"{mode!r} is not one of {', '.join(MODES)}")
        zone = zone_named(properties.get("timezone", DEFAULT_TIMEZONE))
        if mode == "cron":
            return cls(mode=mode, zone=zone, cron=cron_checked(properties.get("cron")))
        unit = properties.get("unit", DEFAULT_UNIT)
        if unit not in UNITS:
            raise ScheduleError("unit", f"{unit!r} is not one of {', '.join(UNITS)}")
        every = properties.get("every", DEFAULT_EVERY)
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise ScheduleError("every", f"{every!r} is not a whole number of 1 or more")
        if unit in MAX_EVERY and every > MAX_EVERY[unit]:
            raise ScheduleError(
                "every",
                f"every {every} {unit} does not fit in a day: at most {MAX_EVERY[unit]} "
                f"{unit}; use days for longer intervals",
            )
        return cls(mode=mode, zone=zone, every=every, unit=unit)

    def local(self, moment: datetime) -> datetime:
        """The instant in the schedule's zone, as a fire time is shown."""
        return moment.astimezone(self.zone)

    def next_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after `moment` (UTC)."""
        moment = moment.astimezone(UTC)
        if self.mode == "cron":
            return self.cron_step(moment, forward=True)
        if self.unit == "days":
            for day in self.firing_days_around(moment):
                if self.day_start(day) > moment:
                    return self.day_start(day)
            raise AssertionError("a firing day after the moment was not found")  # unreachable
        day = moment.astimezone(self.zone).date() - timedelta(days=1)
        while True:
            start, end = self.day_start(day), self.day_start(day + timedelta(days=1))
            if end > moment:
                steps = 0 if moment < start else (moment - start) // self.step + 1
                candidate = start + steps * self.step
                if candidate < end:
                    return candidate
            day += timedelta(days=1)

    def latest_at_or_before(self, moment: datetime) -> datetime:
        """The last fire time at or before `moment` (UTC)."""
        moment = moment.astimezone(UTC)
        if self.mode == "cron":
            # croniter steps back strictly before its start: start a second later, and step
            # back once more if that found a time after the moment (one within that second).
            found = self.cron_step(moment + timedelta(seconds=1), forward=False)
            return found if found <= moment else self.cron_step(found, forward=False)
        if self.unit == "days":
            for day in reversed(self.firing_days_around(moment)):
                if self.day_start(day) <= moment:
                    return self.day_start(day)
            raise AssertionError("a firing day before the moment was not found")  # unreachable
        day = moment.astimezone(self.zone).date() + timedelta(days=1)
        while True:
            start, end = self.day_start(day), self.day_start(day + timedelta(days=1))
            if start <= moment:
                last_of_day = (end - start - timedelta(microseconds=1)) // self.step
                return start + min((moment - start) // self.step, last_of_day) * self.step
            day -= timedelta(days=1)

    def next_times(self, after: datetime, count: int) -> list[datetime]:
        """The `count` fire times after `after`, in UTC."""
        times: list[datetime] = []
        moment = after
        for _ in range(count):
            moment = self.next_after(moment)
            times.append(moment)
        return times

    @property
    def step(self) -> timedelta:
        return self.every * UNIT_STEPS[self.unit]

    def day_start(self, day: date) -> datetime:
        """The first instant of a day in the zone (UTC): its 00:00, or the end of a change that
        skips 00:00."""
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    def firing_days_around(self, moment: datetime) -> list[date]:
        """Every-N-days mode: the firing days before, of and after the moment's local day."""
        today = moment.astimezone(self.zone).date()
        latest = today - timedelta(days=(today - DAYS_EPOCH).days % self.every)
        step = timedelta(days=self.every)
        return [latest - step, latest, latest + step]

    def cron_step(self, moment: datetime, *, forward: bool) -> datetime:
        iterator = croniter(self.cron, moment.astimezone(self.zone))
        found = iterator.get_next(datetime) if forward else iterator.get_prev(datetime)
        if not isinstance(found, datetime):
            raise TypeError(f"croniter answered {found!r}, not a datetime")
        return found.astimezone(UTC)
