"""Worker start-up: fail runs left running by a worker that is gone, and schedule the sweep."""

from __future__ import annotations

from celery.signals import beat_init, worker_ready
from django.conf import settings


@worker_ready.connect
def fail_runs_of_lost_workers(**_: object) -> None:
    from builder.tasks import runs_fail_stale_task

    runs_fail_stale_task.delay()


@beat_init.connect
def noop(**_: object) -> None:
    # beat_schedule lives in settings (CELERY_BEAT_SCHEDULE); nothing to do at start.
    return None


__all__ = ["fail_runs_of_lost_workers", "settings"]
