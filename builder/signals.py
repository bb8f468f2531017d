"""Worker start-up: fail runs left running by a worker that is gone."""

from __future__ import annotations

from celery.signals import worker_ready


@worker_ready.connect
def fail_runs_of_lost_workers(**_: object) -> None:
    from builder.tasks import runs_fail_stale_task

    runs_fail_stale_task.delay()
