"""Worker start-up: resume runs left running by a worker that is gone."""

from __future__ import annotations

from celery.signals import worker_ready
from django.db import connection


@worker_ready.connect
def resume_runs_of_lost_workers(**_: object) -> None:
    # Run here rather than enqueued: a worker started after a crash may consume only its own
    # queue, and the runs it would pick up next must not wait behind a stale one.
    from builder.services.recovery import runs_recover

    try:
        runs_recover()
    finally:
        connection.close()  # pool processes forked later must not share this connection
