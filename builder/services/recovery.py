"""Recovery: resume the runs whose worker was lost, send again the runs whose message was lost."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import ChannelError

from builder.models import Run, RunEvent, RunEventKind, RunStatus
from builder.services.alerts import run_alert_safely
from builder.services.runs import run_enqueue, run_wake_caller

logger = logging.getLogger(__name__)

WORKER_LOST_REASON = "worker lost"


def run_redelivered(*, run_id: str) -> float | None:
    """What a delivery that could not claim its run does (another delivery holds it, or it is
    not due): None when nothing is left to do, else the seconds after which to look again.

    A run whose worker is gone (its heartbeat stale) is resumed, so it is not left running.
    """
    run = Run.objects.filter(id=run_id).values("status", "heartbeat_at", "resume_at").first()
    if run is None:
        return None
    now = timezone.now()
    if run["status"] == RunStatus.RUNNING:
        beat = run["heartbeat_at"] or now  # (set by the claim: never None while running)
        if beat < now - timedelta(seconds=settings.RUN_STALE_AFTER_SECONDS):
            runs_resume_lost(ids=[run_id])
            return None
        # Its worker may be alive: look again once its heartbeat would be stale.
        return settings.RUN_STALE_AFTER_SECONDS
    if run["status"] == RunStatus.WAITING and run["resume_at"] is not None:
        # Sent early (a sweep, clocks apart): come back when it is due, if that is soon.
        wait = (run["resume_at"] - now).total_seconds()
        if 0 < wait <= settings.RUN_RESUME_MESSAGE_AHEAD_SECONDS:
            return wait
    return None


def runs_resume_lost(*, ids: list[Any] | None = None) -> int:
    """Resumes the running runs whose heartbeat is stale (their worker crashed, was killed or
    restarted): each goes back to queued as its next attempt and is sent again, to continue
    from its last recorded step. One whose worker was lost RUN_MAX_WORKER_LOSSES_PER_STEP times
    with the same step in flight fails naming that step instead. Returns how many it handled.
    """
    stale_before = timezone.now() - timedelta(seconds=settings.RUN_STALE_AFTER_SECONDS)
    stale = Run.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=stale_before)
    if ids is not None:
        stale = stale.filter(id__in=ids)
    handled = 0
    for run_id, attempt, progress in stale.values_list("id", "attempt", "progress"):
        step = (progress or {}).get("current_step", "") if isinstance(progress, dict) else ""
        handled += run_resume_lost(
            run_id=run_id, attempt=attempt, step=step, stale_before=stale_before
        )
    return handled


def run_resume_lost(*, run_id: uuid.UUID, attempt: int, step: str, stale_before: datetime) -> bool:
    """One run of a lost worker, `step` in flight when it was lost (from its stored progress).

    Guarded on the attempt and the stale heartbeat: of a sweep and a redelivery meeting the
    same run, one acts. False if the other did, or the run beat again meanwhile.
    """
    now = timezone.now()
    # The step in flight as its last heartbeat stored it (at most RUN_HEARTBEAT_SECONDS old).
    where = f"step {step}" if step else "a step its heartbeat had not yet named"
    with transaction.atomic():
        earlier = list(
            RunEvent.objects.filter(
                run_id=run_id, kind=RunEventKind.WORKER_LOST, step=step
            ).values_list("attempt", flat=True)
        )
        # The attempts that were lost on this step: each event names the one after the loss.
        lost = [resumed - 1 for resumed in earlier] + [attempt]
        lost_run = Run.objects.filter(
            id=run_id, status=RunStatus.RUNNING, attempt=attempt, heartbeat_at__lt=stale_before
        )
        if len(lost) >= settings.RUN_MAX_WORKER_LOSSES_PER_STEP:
            message = (
                f"The worker running this workflow was lost {len(lost)} times while {where} "
                f"was running (attempts {listed(lost)}), so the run is not tried again "
                "(RUN_MAX_WORKER_LOSSES_PER_STEP): that step may be what stops the worker "
                "(running out of memory, say). The steps it completed are recorded."
            )
            if not lost_run.update(
                status=RunStatus.FAILED, failed_step=step, error=message, finished_at=now
            ):
                return False
            next_attempt = attempt
            # Its alert workflow (if it names one) starts, committed with the failure; a run
            # that called this one and waits for its answer learns of the failure now.
            run_alert_safely(run_id=run_id)
            transaction.on_commit(lambda: run_wake_caller(run_id=run_id))
        else:
            next_attempt = attempt + 1
            message = (
                f"The worker running attempt {attempt} was lost while {where} was running; the "
                f"run resumes after its last recorded step, as attempt {next_attempt}."
            )
            if not lost_run.update(status=RunStatus.QUEUED, attempt=next_attempt):
                return False
            transaction.on_commit(lambda: run_enqueue(run_id=run_id))
        RunEvent.objects.create(
            run_id=run_id,
            at=now,
            kind=RunEventKind.WORKER_LOST,
            step=step,
            reason=WORKER_LOST_REASON,
            attempt=next_attempt,
            message=message,
        )
    logger.warning("Run %s: %s", run_id, message)
    return True


def listed(numbers: list[int]) -> str:
    words = [str(number) for number in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def runs_recover() -> tuple[int, int]:
    """The periodic sweep: resumes runs whose worker stopped sending heartbeats (crashed,
    killed, restarted), sends again runs whose message was lost, and sends the resume message
    of waiting runs that come due. Returns (runs of lost workers, runs sent)."""
    lost_workers = runs_resume_lost()
    return lost_workers, runs_send_lost() + runs_send_due_soon()


def runs_send_lost() -> int:
    """Sends again the runs still queued RUN_REQUEUE_AFTER_SECONDS after they were sent, and
    the waiting runs that long past due: their message was lost (the broker restarted empty,
    or the worker holding it for its eta died).

    Not while the broker's queue holds as many messages as there are such runs: they are then
    a backlog, being worked through, and sending each again would only lengthen it.
    """
    now = timezone.now()
    lost_before = now - timedelta(seconds=settings.RUN_REQUEUE_AFTER_SECONDS)
    lost = list(
        Run.objects.filter(cancel_requested=False, enqueued_at__lt=lost_before)
        .filter(Q(status=RunStatus.QUEUED) | Q(status=RunStatus.WAITING, resume_at__lt=lost_before))
        .values_list("id", flat=True)
    )
    if not lost:
        return 0
    waiting_in_broker = broker_queue_length()
    if waiting_in_broker is None or waiting_in_broker >= len(lost):
        logger.info(
            "%d run(s) were sent before %s and have not started; the broker's queue holds %s "
            "messages, so they are not sent again yet",
            len(lost),
            lost_before,
            "unknown" if waiting_in_broker is None else waiting_in_broker,
        )
        return 0
    for run_id in lost:
        logger.warning("Sending run %s again: it was sent before %s", run_id, lost_before)
        run_enqueue(run_id=run_id)
    return len(lost)


def runs_send_due_soon() -> int:
    """Sends, with an eta, the resume message of waiting runs parked too far ahead to be sent
    when they parked (RUN_RESUME_MESSAGE_AHEAD_SECONDS) that are now due within that."""
    ahead = timezone.now() + timedelta(seconds=settings.RUN_RESUME_MESSAGE_AHEAD_SECONDS)
    due_soon = list(
        Run.objects.filter(
            status=RunStatus.WAITING, enqueued_at__isnull=True, resume_at__lte=ahead
        ).values_list("id", "resume_at")
    )
    for run_id, resume_at in due_soon:
        run_enqueue(run_id=run_id, eta=resume_at)
    return len(due_soon)


def broker_queue_length() -> int | None:
    """Messages waiting in the queue runs are sent to; None when the broker cannot say now."""
    queue = current_app.conf.task_default_queue
    try:
        with current_app.connection_for_read() as connection:
            # Once, not the worker's retry-for-ever: the sweep comes back soon anyway.
            connection.ensure_connection(max_retries=1)
            channel = connection.channel()
            try:
                return channel.queue_declare(queue=queue, passive=True).message_count
            except ChannelError:
                return 0  # no such queue yet: nothing is in it
            finally:
                channel.close()
    except Exception:  # kombu raises many kinds; the next sweep asks again
        logger.warning("Could not ask the broker how many messages queue %s holds", queue)
        return None
