"""Executing a run: claim it, prepare what it needs, walk its plan, finish or park it."""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, DateTimeField, F, Max, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from auth_store.crypto import CredentialDecryptionError
from auth_store.models import Authentication
from auth_store.redaction import Redactor
from auth_store.services import authentication_missing_fields, client_settings
from builder.engine.definition import WorkflowPlan, compile_definition
from builder.engine.errors import DefinitionError
from builder.engine.executor import (
    AuthenticationUnavailable,
    Checkpoint,
    CompletedStep,
    EarlierStep,
    ResolvedAuthentication,
    RunExecutor,
    RunOutcome,
    RunProgress,
)
from builder.heartbeat import RunHeartbeat
from builder.models import (
    FINISHED_STATUSES,
    Run,
    RunEvent,
    RunEventKind,
    RunStatus,
    StepRun,
    column_length,
)
from builder.recorder import DatabaseRunRecorder
from builder.services.alerts import run_alert_safely
from builder.services.recovery import run_redelivered
from builder.services.run_services import PlatformRunServices
from builder.services.runs import run_enqueue, run_wake_caller
from builder.services.workflows import authentications_by_id, definition_limits
from connectors.sdk import ClientSettings

logger = logging.getLogger(__name__)

# Step records read at a time when a run resumes: few round trips, and little held at once.
CHECKPOINT_CHUNK = 500


@dataclass(frozen=True)
class PreparedRun:
    """What executing a run needs, gathered before its first step."""

    run_id: uuid.UUID
    trigger_payload: Any
    plan: WorkflowPlan
    authentications: Callable[[str], ResolvedAuthentication]
    redactor: Redactor
    settings: ClientSettings
    # A retry's earlier steps by path, reused where the step is still the same.
    reuse: dict[str, EarlierStep] | None
    # This execution of the run: its writes are guarded on it (see Run.attempt).
    attempt: int = 1
    # A run that resumes (after a lost worker, or parked): the steps it recorded before.
    checkpoint: Checkpoint | None = None


def run_claim(*, run_id: str) -> bool:
    """Moves a queued run, or a waiting one that is due, to running; False if another
    delivery already took it (or it is not due)."""
    now = timezone.now()
    claimable = Q(status=RunStatus.QUEUED) | Q(status=RunStatus.WAITING, resume_at__lte=now)
    return bool(
        Run.objects.filter(claimable, id=run_id).update(
            status=RunStatus.RUNNING,
            # A resumed run keeps the start of its first execution.
            started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
            heartbeat_at=now,
            resume_at=None,
            waiting_reason="",
        )
    )


class RunNotPreparable(Exception):
    """What a run needs cannot be had, and trying again would not help: the run fails."""


def values_to_redact(authentications: Iterable[Authentication]) -> list[str]:
    """The run's secrets, decrypted before its first step: one the keys cannot decrypt fails
    the run at once, naming it (no step could use it, and its secrets could not be redacted)."""
    values: list[str] = []
    for authentication in authentications:
        try:
            values += authentication.values_to_redact
        except CredentialDecryptionError as error:
            raise RunNotPreparable(
                f"Authentication {authentication.name!r} cannot be decrypted: {error}. Restore "
                "that key, or enter the authentication's fields again in the Authentications "
                "page."
            ) from None
    return values


def run_execute(*, run_id: str) -> float | None:
    """Executes a run; safe to call twice for the same run (a redelivered task).

    Returns the seconds after which to look again when the run could not be claimed and may
    need it (another delivery holds it and still looks alive, or it is due soon); else None.
    """
    if not run_claim(run_id=run_id):
        return run_redelivered(run_id=run_id)
    try:
        prepared = run_prepare(run_id=run_id)
    except DefinitionError as error:
        run_finish(
            run_id=run_id, status=RunStatus.FAILED, error=f"The workflow is invalid: {error}"
        )
        return None
    except RunNotPreparable as error:
        run_finish(run_id=run_id, status=RunStatus.FAILED, error=str(error))
        return None
    run_execute_prepared(prepared=prepared)
    return None


def run_prepare(*, run_id: str) -> PreparedRun:
    """Compiles the run's definition and loads its authentications, in one query.

    DefinitionError if the definition no longer compiles: one saved before a limit was lowered.
    """
    run = Run.objects.select_related("workflow_version", "started_by", "workflow__created_by").get(
        id=run_id
    )
    plan = compile_definition(run.workflow_version.definition, definition_limits())
    # A run no person started (a webhook, a schedule, a call) uses what the workflow's
    # creator may use.
    acting = run.started_by or run.workflow.created_by
    authentications = authentications_by_id(user=acting, ids=plan.authentication_ids)
    return PreparedRun(
        run_id=run.id,
        trigger_payload=run.trigger_payload,
        plan=plan,
        authentications=authentication_resolver(authentications=authentications, started_by=acting),
        redactor=Redactor(values_to_redact(authentications.values())),
        # A run can park, so a long wait does not hold its worker.
        settings=replace(client_settings(), park_after=settings.RUN_PARK_AFTER_SECONDS),
        reuse=reusable_outputs(run_id=run.retry_of_id) if run.retry_of_id else None,
        attempt=run.attempt,
        checkpoint=run_checkpoint(run_id=run.id) if is_resuming(run) else None,
    )


def is_resuming(run: Run) -> bool:
    """A run executed before: after a lost worker (a later attempt), or parked."""
    return run.attempt > 1 or run.events.filter(kind=RunEventKind.WAITING).exists()


def run_checkpoint(*, run_id: uuid.UUID) -> Checkpoint:
    """Where a resuming run starts from: its step records, read in order as the executor
    reaches them, and how often each step parked it."""
    last = StepRun.objects.filter(run_id=run_id).aggregate(last=Max("sequence"))["last"]
    parked = (
        RunEvent.objects.filter(run_id=run_id, kind=RunEventKind.WAITING)
        .values("step")
        .annotate(times=Count("id"))
        .values_list("step", "times")
    )
    return Checkpoint(completed_steps(run_id=run_id), last_sequence=last or 0, parked=dict(parked))


def completed_steps(*, run_id: uuid.UUID) -> Iterator[CompletedStep]:
    """The run's step records in sequence order, CHECKPOINT_CHUNK at a time, each let go of
    once handed out: a resumed 100,000-item loop never holds its iterations' outputs at once.
    """
    after = 0
    while True:
        chunk = deque(
            StepRun.objects.filter(run_id=run_id, sequence__gt=after)
            .order_by("sequence")
            .values_list("sequence", "path", "status", "output")[:CHECKPOINT_CHUNK]
        )
        full = len(chunk) == CHECKPOINT_CHUNK
        while chunk:
            sequence, path, status, output = chunk.popleft()
            after = sequence
            yield CompletedStep(sequence=sequence, path=path, status=status, output=output)
        if not full:
            return


def authentication_resolver(
    *, authentications: dict[str, Authentication], started_by: User
) -> Callable[[str], ResolvedAuthentication]:
    """What the executor calls for a step's authentication: only those the starter may use."""

    def resolve(authentication_id: str) -> ResolvedAuthentication:
        authentication = authentications.get(authentication_id)
        if authentication is None:
            raise AuthenticationUnavailable(
                f"Authentication {authentication_id} no longer exists or may not be used by "
                f"{started_by.get_username()}: choose another in the step's Authenticate tab."
            )
        # One stored before organisational authentications had to say where their
        # credential may go is not sent anywhere until it says so.
        lacking = authentication_missing_fields(authentication)
        if lacking:
            raise AuthenticationUnavailable(
                f"Authentication {authentication.name!r} is organisational but has no "
                f"{', '.join(lacking)}, so every member could send it anywhere: set it in "
                "the Authentications page."
            )
        return ResolvedAuthentication(
            name=authentication.name,
            connector=authentication.connector,
            credentials=authentication.credentials,
        )

    return resolve


def run_execute_prepared(*, prepared: PreparedRun) -> None:
    """Walks the plan with a heartbeat beside it, records every step, and finishes the run."""
    run_id, redactor, attempt = prepared.run_id, prepared.redactor, prepared.attempt
    progress = RunProgress()
    with RunHeartbeat(
        run_id=run_id, attempt=attempt, interval=settings.RUN_HEARTBEAT_SECONDS, progress=progress
    ) as heartbeat:
        recorder = DatabaseRunRecorder(
            run_id=run_id,
            redactor=redactor,
            cancel_requested=heartbeat.cancel_requested,
            superseded=heartbeat.superseded,
        )
        heartbeat.flush = recorder.flush
        executor = RunExecutor(
            plan=prepared.plan,
            recorder=recorder,
            authentications=prepared.authentications,
            # A cancellation seen by the heartbeat also stops a vendor call in flight.
            settings=replace(prepared.settings, cancelled=heartbeat.cancel_requested),
            reuse=prepared.reuse,
            progress=progress,
            time_limit=settings.RUN_TIME_LIMIT_SECONDS,
            checkpoint=prepared.checkpoint,
            services=PlatformRunServices(run_id=run_id, attempt=attempt, redactor=redactor),
        )
        try:
            outcome = executor.execute(prepared.trigger_payload)
            recorder.flush()
        except Exception as error:
            # A failure outside any step (the database refusing a batch, say): the run must
            # still end, saying so, rather than wait to be swept up as abandoned.
            logger.exception("Run %s failed outside its steps", run_id)
            run_finish(
                run_id=run_id,
                attempt=attempt,
                status=RunStatus.FAILED,
                failed_step=progress.current_step,
                error=redactor.text(
                    f"Internal error while running the workflow: {type(error).__name__}"
                ),
                progress=progress.snapshot(),
            )
            raise
    if outcome.status == RunStatus.WAITING:
        run_park(run_id=run_id, attempt=attempt, outcome=outcome, progress=progress.snapshot())
        return
    progress.current_step = ""
    run_finish(
        run_id=run_id,
        attempt=attempt,
        status=outcome.status,
        failed_step=outcome.failed_step,
        error=redactor.text(outcome.error),
        progress=progress.snapshot(),
        continued_failures=outcome.continued_failures,
    )


def run_park(
    *, run_id: uuid.UUID, attempt: int, outcome: RunOutcome, progress: dict[str, Any]
) -> None:
    """Parks a running run until outcome.resume_at: `waiting`, no worker holding it, and its
    resume message sent with that eta (or by the sweep, if it is due too far ahead)."""
    assert outcome.resume_at is not None
    now = timezone.now()
    resume_at = outcome.resume_at
    send_now = resume_at <= now + timedelta(seconds=settings.RUN_RESUME_MESSAGE_AHEAD_SECONDS)
    reason = storable_text(outcome.waiting_reason, column_length(RunEvent, "reason"))
    with transaction.atomic():
        parked = Run.objects.filter(
            id=run_id, status=RunStatus.RUNNING, attempt=attempt, cancel_requested=False
        ).update(
            status=RunStatus.WAITING,
            resume_at=resume_at,
            waiting_reason=reason,
            progress=progress,
            # Stamped when the message is sent; a run without one is sent by the sweep.
            enqueued_at=None,
        )
        if not parked:
            # Cancelled meanwhile (or given up by the sweep): it waits for nothing.
            run_finish(run_id=run_id, attempt=attempt, status=RunStatus.CANCELLED)
            return
        if (
            outcome.waiting_for_run
            and Run.objects.filter(
                id=outcome.waiting_for_run, status__in=FINISHED_STATUSES
            ).exists()
        ):
            # The run waited for ended while this one was parking, too early to wake it
            # (run_wake_caller found it running): it resumes at once instead. Read after this
            # run's row was locked as waiting, so one of the two always sees the other.
            resume_at, send_now = now, True
            Run.objects.filter(id=run_id).update(resume_at=resume_at)
        RunEvent.objects.create(
            run_id=run_id,
            at=now,
            kind=RunEventKind.WAITING,
            step=storable_text(outcome.waiting_step, column_length(RunEvent, "step")),
            reason=reason,
            attempt=attempt,
            resume_at=resume_at,
            message=f"Waiting until {resume_at.isoformat()} ({reason}) at {outcome.waiting_step}.",
        )
        if send_now:
            transaction.on_commit(lambda: run_enqueue(run_id=run_id, eta=resume_at))


def run_finish(
    *,
    run_id: uuid.UUID | str,
    status: str,
    failed_step: str = "",
    error: str = "",
    progress: dict[str, Any] | None = None,
    attempt: int | None = None,
    continued_failures: int | None = None,
) -> None:
    """Ends a running run (of that `attempt`, if given: an execution given up on as lost
    changes nothing). Also the fallback when something outside the steps failed, so it must
    not fail itself: what goes into a column is made to fit it."""
    changes: dict[str, Any] = {"progress": progress} if progress is not None else {}
    if continued_failures is not None:
        changes["continued_failures"] = continued_failures
    guard: dict[str, Any] = {"attempt": attempt} if attempt is not None else {}
    with transaction.atomic():
        ended = Run.objects.filter(id=run_id, status=RunStatus.RUNNING, **guard).update(
            status=status,
            failed_step=storable_text(failed_step, column_length(Run, "failed_step")),
            error=storable_text(error),
            finished_at=timezone.now(),
            **changes,
        )
        if ended and status == RunStatus.FAILED:
            # Only the write that made it failed gets here (a run finished twice alerts
            # once), and its alert run is committed with it.
            run_alert_safely(run_id=run_id)
    if ended:
        try:
            run_wake_caller(run_id=run_id)
        except Exception:  # the caller still looks again at its fallback time
            logger.exception("Could not wake the run that called run %s", run_id)


def storable_text(text: str, max_length: int | None = None) -> str:
    """Text PostgreSQL can store: no NUL character, and cut to the column's length."""
    text = text.replace("\x00", "\ufffd")
    if max_length is not None and len(text) > max_length:
        return text[: max_length - 1] + "…"
    return text


def reusable_outputs(*, run_id: uuid.UUID) -> dict[str, EarlierStep]:
    """Every step the run completed, by path, for a retry to reuse where nothing changed."""
    succeeded = StepRun.objects.filter(run_id=run_id, status="succeeded").values_list(
        "path", "connector", "operation", "input", "output"
    )
    return {
        path: EarlierStep(connector=connector, operation=operation, input=step_input, output=output)
        for path, connector, operation, step_input, output in succeeded.iterator()
    }
