"""Celery tasks of the builder: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from builder import services


@shared_task(
    name="builder.run_execute_task",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)
def run_execute_task(self, run_id: str) -> None:
    """Executes a run. Idempotent: a redelivered message finds the run claimed and stops."""
    if not services.run_execute(run_id=run_id):
        # Another delivery holds the run: come back once its heartbeat would be stale.
        raise self.retry(countdown=settings.RUN_STALE_AFTER_SECONDS)


@shared_task(name="builder.runs_recover_task", ignore_result=True)
def runs_recover_task() -> None:
    """Fails runs whose worker was lost; sends again runs whose message was lost."""
    services.runs_recover()
