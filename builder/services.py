"""Business actions on workflows and runs: save, validate, start, execute, cancel, recover."""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from auth_store.models import Authentication
from auth_store.redaction import Redactor
from auth_store.services import (
    authentication_missing_fields,
    authentications_usable_by,
    client_settings,
)
from builder.engine.definition import (
    DefinitionLimits,
    StepPlan,
    WorkflowPlan,
    compile_definition,
)
from builder.engine.errors import DefinitionError, FieldError
from builder.engine.executor import (
    AuthenticationUnavailable,
    EarlierStep,
    ResolvedAuthentication,
    RunExecutor,
    RunProgress,
)
from builder.heartbeat import RunHeartbeat
from builder.models import FINISHED_STATUSES, Run, RunStatus, StepRun, Workflow, WorkflowVersion
from builder.recorder import DatabaseRunRecorder

logger = logging.getLogger(__name__)

EMPTY_DEFINITION: dict[str, Any] = {
    "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
    "steps_structure": [],
    "steps": {},
}


class StaleVersion(Exception):
    """The workflow changed since the editor loaded it; saving would lose someone's edit."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"the workflow is at version {current_version}")
        self.current_version = current_version


class RunNotCancellable(Exception):
    pass


# --- Workflows -------------------------------------------------------------------------------


def workflow_validate(
    *, user: AbstractBaseUser, definition: Any, previous: Any = None
) -> WorkflowPlan:
    """Compiles the definition and checks each step's authentication may be used by the user.

    A step left as it was in the `previous` definition (title aside) is not checked again: a
    colleague editing another step must not be stopped by someone's personal authentication
    (a run checks again who may use it). A step whose operation or properties change must
    use an authentication the editor may use, or it could be turned against its owner.
    """
    plan = compile_definition(definition, definition_limits())
    kept = unchanged_step_authentications(previous, definition)
    errors = []
    usable = authentications_by_id(user=user, ids=plan.authentication_ids)
    for path, step in plan_steps_with_paths(plan):
        if not step.authentication or step.name in kept:
            continue
        authentication = usable.get(step.authentication)
        if authentication is None:
            errors.append(
                FieldError(f"{path}.authentication", f"no authentication {step.authentication!r}")
            )
        elif authentication.connector != step.connector.key:
            errors.append(
                FieldError(
                    f"{path}.authentication",
                    f"authentication {authentication.name!r} is for {authentication.connector}, "
                    f"not {step.connector.title}",
                )
            )
    if errors:
        raise DefinitionError(errors)
    return plan


def definition_limits() -> DefinitionLimits:
    """The settings' bounds, and the longest step path the database columns can hold."""
    return DefinitionLimits(
        max_nesting=settings.DEFINITION_MAX_NESTING,
        max_path_length=min(column_length(StepRun, "path"), column_length(Run, "failed_step")),
    )


def column_length(model: type[Run] | type[StepRun], field: str) -> int:
    return model._meta.get_field(field).max_length


def plan_steps_with_paths(plan: WorkflowPlan) -> Iterator[tuple[str, StepPlan]]:
    pending = deque(plan.steps)
    while pending:
        step = pending.popleft()
        yield f"steps.{step.name}", step
        pending.extend(step.children)


def unchanged_step_authentications(previous: Any, definition: Any) -> set[str]:
    """Names of the steps that use an authentication and are as in `previous`, title aside."""
    if not isinstance(previous, dict):
        return set()

    def essentials(step: Any) -> tuple[Any, ...] | None:
        if not isinstance(step, dict) or not isinstance(step.get("authentication"), str):
            return None
        return tuple(
            step.get(key) for key in ("authentication", "connector", "operation", "properties")
        )

    before = previous.get("steps", {})
    return {
        name
        for name, step in definition.get("steps", {}).items()
        if isinstance(before, dict)
        and essentials(step) is not None
        and essentials(step) == essentials(before.get(name))
    }


def step_authentications(definition: Any) -> dict[str, str]:
    """Each step's authentication id in a stored definition, by step name."""
    steps = definition.get("steps", {}) if isinstance(definition, dict) else {}
    return {
        name: step["authentication"]
        for name, step in steps.items()
        if isinstance(step, dict) and isinstance(step.get("authentication"), str)
    }


def authentications_by_id(
    *, user: AbstractBaseUser, ids: frozenset[str]
) -> dict[str, Authentication]:
    valid_ids = []
    for value in ids:
        try:
            valid_ids.append(uuid.UUID(value))
        except ValueError:
            continue
    found = authentications_usable_by(user).filter(id__in=valid_ids)
    return {str(authentication.id): authentication for authentication in found}


@transaction.atomic
def workflow_create(
    *, user: AbstractBaseUser, name: str, definition: Any | None = None
) -> Workflow:
    definition = EMPTY_DEFINITION if definition is None else definition
    workflow_validate(user=user, definition=definition)
    workflow = Workflow.objects.create(
        organisation=user.membership.organisation, name=name, definition=definition, created_by=user
    )
    WorkflowVersion.objects.create(
        workflow=workflow, version=workflow.version, definition=definition
    )
    return workflow


@transaction.atomic
def workflow_update(
    *,
    workflow: Workflow,
    user: AbstractBaseUser,
    version: int,
    name: str | None = None,
    definition: Any | None = None,
) -> Workflow:
    """Saves an edit made on `version`; StaleVersion if someone saved in between."""
    locked = Workflow.objects.select_for_update().get(id=workflow.id)
    if locked.version != version:
        raise StaleVersion(locked.version)
    if definition is not None:
        workflow_validate(user=user, definition=definition, previous=locked.definition)
        locked.definition = definition
    if name is not None:
        locked.name = name
    locked.version += 1
    locked.save()
    WorkflowVersion.objects.create(
        workflow=locked, version=locked.version, definition=locked.definition
    )
    return locked


def workflow_names_using(authentication: Authentication) -> list[str]:
    """Names of the organisation's workflows whose current definition uses the authentication."""
    wanted = str(authentication.id)
    names = []
    workflows = Workflow.objects.filter(organisation_id=authentication.organisation_id)
    for name, definition in workflows.values_list("name", "definition"):
        if wanted in step_authentications(definition).values():
            names.append(name)
    return sorted(names)


# --- Runs ------------------------------------------------------------------------------------


def run_start(
    *, workflow: Workflow, user: AbstractBaseUser, payload: Any = None, retry_of: Run | None = None
) -> Run:
    """Stores a queued run on the workflow's current version and enqueues it after commit."""
    with transaction.atomic():
        snapshot = WorkflowVersion.objects.get(workflow=workflow, version=workflow.version)
        run = Run.objects.create(
            workflow=workflow,
            workflow_version=snapshot,
            trigger_payload=payload if payload is not None else {},
            started_by=user,
            retry_of=retry_of,
            # Stamped now too, so a run whose sending never happened is found by the sweep.
            enqueued_at=timezone.now(),
        )
        transaction.on_commit(lambda: run_enqueue(run_id=run.id))
    return run


def run_enqueue(*, run_id: uuid.UUID) -> None:
    """Sends a queued run to the workers. If the broker cannot take it now, the run stays
    queued and `runs_recover` sends it again: a run is never lost for a broker outage."""
    from builder.tasks import run_execute_task

    Run.objects.filter(id=run_id).update(enqueued_at=timezone.now())
    try:
        run_execute_task.delay(str(run_id))
    except Exception:  # kombu raises many kinds; each leaves the run queued for the sweep
        logger.exception("Could not enqueue run %s; it will be sent again", run_id)


def run_cancel(*, run: Run) -> Run:
    """Stops a queued run at once; a running one stops at its next step, or sooner if that
    step is waiting on a vendor (the call in flight is interrupted)."""
    if run.status in FINISHED_STATUSES:
        raise RunNotCancellable(f"the run has already {run.status}")
    Run.objects.filter(id=run.id, status=RunStatus.QUEUED).update(
        status=RunStatus.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    )
    Run.objects.filter(id=run.id, status=RunStatus.RUNNING).update(cancel_requested=True)
    run.refresh_from_db()
    return run


def run_claim(run_id: str) -> bool:
    """Moves a queued run to running; False if another delivery already took it."""
    now = timezone.now()
    return bool(
        Run.objects.filter(id=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING, started_at=now, heartbeat_at=now
        )
    )


def run_execute(*, run_id: str) -> bool:
    """Executes a run; safe to call twice for the same run (a redelivered task).

    Returns False when another delivery holds the run and it still looks alive: the caller
    should check again later, so a run whose worker died is failed rather than left running.
    """
    if not run_claim(run_id):
        return run_recover_if_lost(run_id=run_id)
    run = Run.objects.select_related("workflow_version", "started_by").get(id=run_id)
    try:
        # Checked again: a definition saved before a limit was lowered fails here, clearly.
        plan = compile_definition(run.workflow_version.definition, definition_limits())
    except DefinitionError as error:
        run_finish(
            run_id=run.id, status=RunStatus.FAILED, error=f"The workflow is invalid: {error}"
        )
        return True
    authentications = authentications_by_id(user=run.started_by, ids=plan.authentication_ids)
    redactor = Redactor(
        value
        for authentication in authentications.values()
        for value in authentication.values_to_redact
    )

    def resolve_authentication(authentication_id: str) -> ResolvedAuthentication:
        authentication = authentications.get(authentication_id)
        if authentication is None:
            raise AuthenticationUnavailable(
                f"Authentication {authentication_id} no longer exists or may not be used by "
                f"{run.started_by.get_username()}: choose another in the step's Authenticate tab."
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

    progress = RunProgress()
    with RunHeartbeat(
        run_id=run.id, interval=settings.RUN_HEARTBEAT_SECONDS, progress=progress
    ) as heartbeat:
        recorder = DatabaseRunRecorder(
            run_id=run.id, redactor=redactor, cancel_requested=heartbeat.cancel_requested
        )
        heartbeat.flush = recorder.flush
        executor = RunExecutor(
            plan=plan,
            recorder=recorder,
            authentications=resolve_authentication,
            # A cancellation seen by the heartbeat also stops a vendor call in flight.
            settings=replace(client_settings(), cancelled=heartbeat.cancel_requested),
            reuse=reusable_outputs(run.retry_of_id) if run.retry_of_id else None,
            progress=progress,
            time_limit=settings.RUN_TIME_LIMIT_SECONDS,
        )
        try:
            outcome = executor.execute(run.trigger_payload)
            recorder.flush()
        except Exception as error:
            # A failure outside any step (the database refusing a batch, say): the run must
            # still end, saying so, rather than wait to be swept up as abandoned.
            logger.exception("Run %s failed outside its steps", run.id)
            run_finish(
                run_id=run.id,
                status=RunStatus.FAILED,
                failed_step=progress.current_step,
                error=redactor.text(
                    f"Internal error while running the workflow: {type(error).__name__}"
                ),
                progress=progress.snapshot(),
            )
            raise
    progress.current_step = ""
    run_finish(
        run_id=run.id,
        status=outcome.status,
        failed_step=outcome.failed_step,
        error=redactor.text(outcome.error),
        progress=progress.snapshot(),
    )
    return True


def run_finish(
    *,
    run_id: uuid.UUID,
    status: str,
    failed_step: str = "",
    error: str = "",
    progress: dict[str, Any] | None = None,
) -> None:
    """Ends a running run. Also the fallback when something outside the steps failed, so it
    must not fail itself: what goes into a column is made to fit it."""
    changes: dict[str, Any] = {"progress": progress} if progress is not None else {}
    Run.objects.filter(id=run_id, status=RunStatus.RUNNING).update(
        status=status,
        failed_step=storable_text(failed_step, column_length(Run, "failed_step")),
        error=storable_text(error),
        finished_at=timezone.now(),
        **changes,
    )


def storable_text(text: str, max_length: int | None = None) -> str:
    """Text PostgreSQL can store: no NUL character, and cut to the column's length."""
    text = text.replace("\x00", "\ufffd")
    if max_length is not None and len(text) > max_length:
        return text[: max_length - 1] + "…"
    return text


def reusable_outputs(run_id: uuid.UUID) -> dict[str, EarlierStep]:
    """Every step the run completed, by path, for a retry to reuse where nothing changed."""
    succeeded = StepRun.objects.filter(run_id=run_id, status="succeeded").values_list(
        "path", "connector", "operation", "input", "output"
    )
    return {
        path: EarlierStep(connector=connector, operation=operation, input=step_input, output=output)
        for path, connector, operation, step_input, output in succeeded.iterator()
    }


def run_replay(*, run: Run, user: AbstractBaseUser) -> Run:
    """Runs the workflow again, as it is now, with the same trigger payload."""
    return run_start(workflow=run.workflow, user=user, payload=run.trigger_payload)


class RunNotRetryable(Exception):
    pass


def run_retry(*, run: Run, user: AbstractBaseUser) -> Run:
    """Re-runs a failed run from its failed step on the workflow as it is now (fixed, say).

    Every step that succeeded before is not executed again: its recorded output is reused,
    so a loop that failed at its third item sends only the items from the third on.
    """
    if run.status != RunStatus.FAILED:
        raise RunNotRetryable(
            f"only a failed run can be retried from its failed step; this one {run.status}"
        )
    return run_start(workflow=run.workflow, user=user, payload=run.trigger_payload, retry_of=run)


WORKER_LOST_ERROR = (
    "The worker running this workflow stopped before it finished (it crashed or was "
    "restarted). The steps it completed are recorded; run the workflow again."
)


def run_recover_if_lost(*, run_id: str) -> bool:
    """A second delivery of a run: if its worker is gone, fail it so it is not left running.

    Returns False while the run is running with a fresh heartbeat (its worker may be alive).
    """
    stale_before = timezone.now() - timedelta(seconds=settings.RUN_STALE_AFTER_SECONDS)
    Run.objects.filter(id=run_id, status=RunStatus.RUNNING, heartbeat_at__lt=stale_before).update(
        status=RunStatus.FAILED, error=WORKER_LOST_ERROR, finished_at=timezone.now()
    )
    return not Run.objects.filter(id=run_id, status=RunStatus.RUNNING).exists()


def runs_recover() -> tuple[int, int]:
    """The periodic sweep: fails runs whose worker stopped sending heartbeats (crashed,
    killed, restarted) and sends again runs left queued too long (their message was lost).
    Returns (failed, sent again)."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.RUN_STALE_AFTER_SECONDS)
    failed = Run.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=stale_before).update(
        status=RunStatus.FAILED, error=WORKER_LOST_ERROR, finished_at=now
    )
    if failed:
        logger.warning("Failed %d run(s) whose worker was lost", failed)
    # Executing is idempotent (run_claim), so a run sent twice still runs once.
    lost_before = now - timedelta(seconds=settings.RUN_REQUEUE_AFTER_SECONDS)
    lost = list(
        Run.objects.filter(
            status=RunStatus.QUEUED, cancel_requested=False, enqueued_at__lt=lost_before
        ).values_list("id", flat=True)
    )
    for run_id in lost:
        logger.warning("Sending run %s again: it was queued before %s", run_id, lost_before)
        run_enqueue(run_id=run_id)
    return failed, len(lost)
