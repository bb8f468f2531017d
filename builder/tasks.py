"""Celery tasks of the builder: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from builder.services.execution import run_execute
from builder.services.recovery import runs_recover
from builder.services.runs import RUN_EXECUTE_TASK
from builder.services.schedules import schedules_fire


@shared_task(
    name=RUN_EXECUTE_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)
def run_execute_task(self: Task, run_id: str) -> None:
    """Executes a run, or resumes it. Idempotent: a redelivered message finds the run claimed
    and stops, or resumes it if its worker is gone."""
    look_again_in = run_execute(run_id=run_id)
    if look_again_in is not None:
        # Another delivery holds the run (come back once its heartbeat would be stale), or it
        # is not due yet.
        raise self.retry(countdown=look_again_in)


@shared_task(name="builder.runs_recover_task", ignore_result=True)
def runs_recover_task() -> None:
    """Resumes runs whose worker was lost; sends again runs whose message was lost."""
    runs_recover()


@shared_task(name="builder.schedules_fire_task", ignore_result=True)
def schedules_fire_task() -> None:
    """Starts the runs of the schedules due now: one per fire time, whoever else looks."""
    schedules_fire(timezone.now())
