"""Executes a compiled workflow plan step by step, recording each step as it completes.

The executor is given everything from outside: a source of per-authentication clients, a
recorder that stores step records (and says when to stop), the clocks, and for a run that
resumes the checkpoint it resumes from.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NoReturn, Protocol

from builder.engine.definition import (
    DEFAULT_ERROR_HANDLING,
    TRIGGER_NAME,
    StepPlan,
    WorkflowPlan,
)
from builder.engine.properties import UnresolvedPath
from connectors.errors import (
    AuthenticationFailed,
    CallTimedOut,
    ConnectorError,
    InputError,
    ParkRequested,
    TerminalError,
    WaitingForRun,
)
from connectors.network import CallCancelled
from connectors.registry import validate_inputs, validate_output
from connectors.sdk import (
    AuthenticationSpec,
    ClientSettings,
    Operation,
    OperationContext,
    OperationKind,
    RunServices,
    utc_now,
)

logger = logging.getLogger(__name__)


class StepStatus:
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Failed, and the run went on: the step's error handling is continue or error_lane.
    CONTINUED = "continued"


@dataclass
class StepRecord:
    """What a step did: its resolved input, output or error, timing and log."""

    sequence: int
    path: str  # e.g. loop-1[3].slack-1
    step_name: str
    connector: str
    operation: str
    status: str
    started_at: datetime
    duration_ms: float
    input: Any = None
    output: Any = None
    error: str = ""
    log: list[str] = field(default_factory=list)
    reused: bool = False

    @property
    def retries(self) -> int:
        # The connector's own retries ("Retry …") and the step's error handling's ("Attempt …").
        return sum(1 for line in self.log if line.startswith(("Retry ", "Attempt ")))


class RunRecorder(Protocol):
    def record(self, step: StepRecord, *, durable: bool = False) -> None:
        """Keeps a step's record; `durable`: stored before this returns (the step had effects
        outside the run, which a resumed run must not repeat)."""
        ...

    def should_stop(self) -> bool:
        """True when the run was cancelled; asked between steps."""
        ...


@dataclass(frozen=True)
class ResolvedAuthentication:
    name: str
    connector: str
    credentials: Mapping[str, Any]


class AuthenticationUnavailable(Exception):
    """The step's authentication is gone or may not be used by the person running it."""


# Gives the stored authentication of an id, or raises AuthenticationUnavailable.
AuthenticationSource = Callable[[str], ResolvedAuthentication]


@dataclass
class RunOutcome:
    status: str  # succeeded | failed | cancelled | waiting
    failed_step: str = ""
    error: str = ""
    # A waiting (parked) run: when it resumes, why, and the step it resumes at or after.
    resume_at: datetime | None = None
    waiting_reason: str = ""
    waiting_step: str = ""
    # A run parked until another run ends (a Call workflow step waiting for the answer): that
    # run's id, so whoever parks it can wake it at once should that run have ended meanwhile.
    waiting_for_run: str = ""
    # Steps that failed and were continued (error handling continue or error_lane).
    continued_failures: int = 0


class StepFailed(Exception):
    def __init__(self, path: str, error: str) -> None:
        super().__init__(error)
        self.path = path
        self.error = error


class StepHandled(Exception):
    """A step failed and its error handling takes over (continue, error_lane): its record is
    kept as continued, and `output` ({"error": …}) is what later steps read."""

    def __init__(self, output: dict[str, Any]) -> None:
        super().__init__(output["error"]["message"])
        self.output = output


class RunTerminated(Exception):
    """A Terminate step ends the run now, with the status and message it was given."""

    def __init__(self, path: str, status: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.status = status
        self.message = message


class RunCancelled(Exception):
    pass


class RunTimedOut(Exception):
    """The run went over its time limit; raised between two steps."""


class RunParked(Exception):
    """The run must wait until `resume_at`: a long Retry-After, a Delay. Nothing is wrong."""

    def __init__(
        self, path: str, resume_at: datetime, reason: str, waiting_for_run: str = ""
    ) -> None:
        super().__init__(reason)
        self.path = path
        self.resume_at = resume_at
        self.reason = reason
        self.waiting_for_run = waiting_for_run  # see RunOutcome.waiting_for_run


class LoopBroken(Exception):
    """Raised by a Break loop step; caught by the loop it names."""

    def __init__(self, loop_name: str) -> None:
        super().__init__(loop_name)
        self.loop_name = loop_name


class LoopContinued(Exception):
    """Raised by a Continue loop step; the loop it names goes on with its next item."""

    def __init__(self, loop_name: str) -> None:
        super().__init__(loop_name)
        self.loop_name = loop_name


class PropertyUnresolved(Exception):
    """A property's jsonpath found nothing in the run's data and has no fallback."""


@dataclass(frozen=True)
class EarlierStep:
    """A step the run being retried completed: what ran, on what, with what result."""

    connector: str
    operation: str
    input: Any
    output: Any


@dataclass(frozen=True)
class CompletedStep:
    """A step this very run recorded in an earlier execution (before its worker was lost, or
    before it parked): the record stands, and its output is what later steps read."""

    sequence: int
    path: str
    status: str
    output: Any


class Checkpoint:
    """Where a resumed run starts from: the steps it recorded, in sequence order, consumed as
    the executor reaches them.

    Execution order is deterministic given the same outputs, so the next record is the one
    the next step would have written; the executor takes it instead of running the step.
    Records go by one at a time, so resuming a long loop holds only what the remaining steps
    read, never every iteration's output. A loop's own record is written when it ends, so an
    unfinished loop leaves a gap in the sequences, which it fills when it ends now.

    Should a record not be the step reached (nothing in the engine makes that happen, but a
    definition snapshot edited by hand could), matching stops there, and the steps from there
    run and take sequences after every recorded one.
    """

    def __init__(
        self,
        steps: Iterable[CompletedStep],
        *,
        last_sequence: int,
        parked: Mapping[str, int] | None = None,
    ) -> None:
        self._steps = iter(steps)
        self._next: CompletedStep | None = next(self._steps, None)
        self.last_sequence = last_sequence
        # How many times each step (by path) parked the run already: a step refused again
        # and again fails after the retry bound instead of parking for ever.
        self.parked = dict(parked or {})

    def take(self, path: str, sequence: int) -> CompletedStep | None:
        """The record of the step reached, which would take `sequence`, if there is one."""
        upcoming = self._next
        if upcoming is None or upcoming.sequence > sequence:
            return None  # past the checkpoint, or a gap: an unfinished loop's own record
        if upcoming.sequence == sequence and upcoming.path == path:
            self._next = next(self._steps, None)
            return upcoming
        self._next = None
        return None

    def sequence_for_new_step(self, sequence: int) -> int:
        """The sequence a step not in the checkpoint takes: `sequence`, unless it is taken."""
        if self._next is not None and sequence < self._next.sequence:
            return sequence
        if self._next is None and sequence > self.last_sequence:
            return sequence
        self._next = None  # the records no longer follow the execution: stop matching
        return self.last_sequence + 1


class RunProgress:
    """Where a run is, for the live canvas: the step running now and each loop's progress.

    Written by the engine, read by the heartbeat thread that stores it on the run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current_step = ""
        self._loops: dict[str, dict[str, int]] = {}

    def loop_advanced(self, step_name: str, done: int, count: int) -> None:
        with self._lock:
            self._loops[step_name] = {"done": done, "count": count}

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"current_step": self.current_step, "loops": dict(self._loops)}


class RunExecutor:
    """One run of a plan. Not thread-safe; build one per run."""

    def __init__(
        self,
        *,
        plan: WorkflowPlan,
        recorder: RunRecorder,
        authentications: AuthenticationSource,
        settings: ClientSettings,
        first_sequence: int = 0,
        reuse: Mapping[str, EarlierStep] | None = None,
        progress: RunProgress | None = None,
        time_limit: float = float("inf"),
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        checkpoint: Checkpoint | None = None,
        services: RunServices | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.plan = plan
        # Waits between the tries of a step with retries (tests pass their clock's).
        self.sleep = sleep or self.wait_to_retry
        self.continued_failures = 0
        # What steps may ask of the platform (respond, call a workflow); None in a test world
        # without them.
        self.services = services
        self.time_limit = time_limit
        # Seconds that only go forward: the time limit and each step's duration are read on it.
        self.clock = clock
        # The wall clock: when steps start, and when a parked run resumes.
        self.now = now
        self.deadline = clock() + time_limit
        # Retry from a failed step: outputs of the previous run's succeeded steps, by path.
        self.reuse = reuse or {}
        # Resuming this run: the steps it recorded before, taken in order as they are reached.
        self.checkpoint = checkpoint
        # A park a step asked for (a Delay), honoured once its record is kept.
        self.park_request: tuple[datetime, str] | None = None
        self.progress = progress or RunProgress()
        self.recorder = recorder
        self.authentications = authentications
        self.settings = settings
        self.sequence = first_sequence
        self.clients: dict[str, tuple[ResolvedAuthentication, Any]] = {}
        # The loops running now, outermost first: a Break loop step may only name one of them.
        self.running_loops: list[str] = []
        # What Data storage steps keep for the rest of the run.
        self.run_storage: dict[str, Any] = {}

    def execute(self, trigger_payload: Any) -> RunOutcome:
        outcome = self.execute_plan(trigger_payload)
        outcome.continued_failures = self.continued_failures
        return outcome

    def execute_plan(self, trigger_payload: Any) -> RunOutcome:
        scope: dict[str, Any] = {"steps": {}}
        try:
            trigger = self.run_step(
                self.plan.trigger, scope, prefix="", inputs={"payload": trigger_payload}
            )
            scope["steps"][TRIGGER_NAME] = trigger
            self.run_lane(self.plan.steps, scope, prefix="")
        except StepFailed as failure:
            return RunOutcome(status="failed", failed_step=failure.path, error=failure.error)
        except RunCancelled:
            return RunOutcome(status="cancelled")
        except RunTerminated as terminated:
            if terminated.status == "succeeded":
                return RunOutcome(status="succeeded")
            return RunOutcome(
                status="failed", failed_step=terminated.path, error=terminated.message
            )
        except RunParked as parked:
            return RunOutcome(
                status="waiting",
                resume_at=parked.resume_at,
                waiting_reason=parked.reason,
                waiting_step=parked.path,
                waiting_for_run=parked.waiting_for_run,
            )
        except RunTimedOut:
            return RunOutcome(
                status="failed",
                failed_step=self.progress.current_step,
                error=f"The run went over its time limit of {self.time_limit:g} seconds "
                "(RUN_TIME_LIMIT_SECONDS) and was stopped after this step.",
            )
        finally:
            self.close_clients()
        return RunOutcome(status="succeeded")

    def run_lane(self, lane: tuple[StepPlan, ...], scope: dict[str, Any], prefix: str) -> None:
        steps = scope["steps"]
        for step in lane:
            if self.recorder.should_stop():
                raise RunCancelled
            if self.clock() > self.deadline:
                raise RunTimedOut
            if step.is_loop:
                # After the loop, later steps read what it did: {count, iterations,
                # continued_failures}.
                steps[step.name] = self.run_loop(step, scope, prefix)
            elif step.is_branch:
                output = steps[step.name] = self.run_step(step, scope, prefix)
                # A lane's steps see the branch's scope; what they add stays in the lane.
                lane_scope = {"steps": dict(steps)}
                self.run_lane(step.lane(str(output["lane"])), lane_scope, prefix)
            elif step.operation.kind == OperationKind.BREAK:
                steps[step.name] = self.run_step(step, scope, prefix)
                raise LoopBroken(steps[step.name]["loop"])
            elif step.operation.kind == OperationKind.CONTINUE:
                steps[step.name] = self.run_step(step, scope, prefix)
                raise LoopContinued(steps[step.name]["loop"])
            elif step.operation.kind == OperationKind.TERMINATE:
                output = steps[step.name] = self.run_step(step, scope, prefix)
                raise RunTerminated(prefix + step.name, output["status"], output["message"])
            else:
                try:
                    steps[step.name] = self.run_step(step, scope, prefix)
                except StepHandled as handled:
                    self.continued_failures += 1
                    steps[step.name] = handled.output
                    if step.error_handling.mode == "error_lane":
                        # The failure lane reads the error; what it adds stays in it.
                        self.run_lane(step.error_lane, {"steps": dict(steps)}, prefix)

    def run_loop(self, step: StepPlan, scope: dict[str, Any], prefix: str) -> dict[str, Any]:
        """Runs the loop's iterations; returns what it did, as recorded: how many items, how
        many iterations ran, and how many of their steps failed and were continued."""
        record, started, completed = self.begin(step, prefix + step.name)
        continued_before = self.continued_failures
        # A loop is recorded once its iterations are over, with how many ran; one that ended
        # in an earlier execution of this run is recorded already. Its list is resolved again
        # (from what the steps before it output) to re-enter its iterations.
        recorded = completed is not None
        items = self.invoke(step, scope, record, started, record_failure=not recorded)
        parked = False
        entries = loop_entries(items)
        count = len(entries)
        iterations = 0
        outer_break: LoopBroken | LoopContinued | None = None
        self.running_loops.append(step.name)
        try:
            for index in range(count):
                current = iteration_context(items, entries, index)
                # Each iteration starts from a fresh scope: what ran in the previous one is gone.
                iteration = {"steps": {**scope["steps"], step.name: current}}
                iterations += 1
                try:
                    self.run_lane(step.body, iteration, f"{prefix}{step.name}[{index}].")
                    self.progress.loop_advanced(step.name, iterations, count)
                except LoopContinued as skipped:
                    self.progress.loop_advanced(step.name, iterations, count)
                    if skipped.loop_name != step.name:
                        # An outer loop's continue ends this loop, then goes on outwards.
                        outer_break = skipped
                        break
                except LoopBroken as broken:
                    # An outer loop's break ends this loop too, then goes on outwards.
                    outer_break = broken if broken.loop_name != step.name else None
                    break
        except StepFailed as failure:
            # The loop fails with its iteration, so the canvas marks both.
            record.status = StepStatus.FAILED
            record.error = (
                f"Iteration {iterations} of {count} failed at {failure.path}: {failure.error}"
            )
            raise
        except RunCancelled:
            record.status = StepStatus.CANCELLED
            record.error = f"Cancelled during iteration {iterations} of {count}."
            raise
        except RunTimedOut:
            record.status = StepStatus.FAILED
            # Only whole iterations count: the deadline is checked before each step.
            record.error = (
                f"Stopped after {iterations - 1} of {count} iterations: the run went over its "
                "time limit."
            )
            raise
        except RunParked:
            parked = True  # the loop goes on when the run resumes: it has not ended
            raise
        finally:
            self.running_loops.pop()
            summary = {
                "count": count,
                "iterations": iterations,
                "continued_failures": self.continued_failures - continued_before,
            }
            if not parked and not recorded:
                record.output = summary
                self.finish(record, started)
        if outer_break is not None:
            raise outer_break
        return summary

    def run_step(
        self,
        step: StepPlan,
        scope: dict[str, Any],
        prefix: str,
        inputs: dict[str, Any] | None = None,
    ) -> Any:
        """Runs a step that is not a loop and records it; returns its output."""
        record, started, completed = self.begin(step, prefix + step.name)
        if completed is not None:
            if completed.status == StepStatus.CONTINUED and isinstance(completed.output, dict):
                # It failed and the run went on: so it does again (its failure lane included).
                raise StepHandled(completed.output)
            if completed.status == StepStatus.SUCCEEDED and not step.operation.uses_run_storage:
                # Resuming this run: the step completed before its worker was lost or the run
                # parked. Its record stands; its effects (a message sent) are not repeated.
                return completed.output
            # A step that keeps run storage runs again so the state is rebuilt, as does one
            # whose record is only a note (the database refused its output): either way its
            # record is there already.
            output = self.invoke(step, scope, record, started, inputs=inputs, record_failure=False)
            self.park_request = None  # a Delay run again only to read its output waits no more
            return output
        earlier = self.reusable(step, record.path)
        if earlier is not None:
            # Retrying a failed run: this step succeeded before, so its effects (a message
            # sent) are not repeated; its output comes from that run.
            record.input, record.output = earlier
            record.log.append("Output reused from the run being retried.")
            record.reused = True
            self.recorder.record(record)
            return record.output
        record.output = self.invoke(step, scope, record, started, inputs=inputs)
        self.finish(record, started, durable=not is_repeatable(step.operation))
        if self.park_request is not None:
            resume_at, reason = self.park_request
            self.park_request = None
            raise RunParked(record.path, resume_at, reason)
        return record.output

    def run_step_alone(self, step: StepPlan, scope: dict[str, Any], path: str) -> StepRecord:
        """Runs one step on its own (Test step while building): resolved, validated, called
        and its output validated as in a run, through `invoke`, but tried once, with no error
        handling, and recorded nowhere; a Delay's wait or a vendor's long one is not waited.
        Returns its record: its input, and its output or error."""
        once = replace(step, error_handling=DEFAULT_ERROR_HANDLING, error_lane=())
        record, started, _ = self.begin(once, path)
        try:
            record.output = self.invoke(once, scope, record, started, record_failure=False)
        except (StepFailed, RunCancelled):
            pass  # invoke set the record's status and error
        except RunParked as parked:
            record.status = StepStatus.FAILED
            record.error = f"The step would wait until {parked.resume_at.isoformat()} " + (
                f"({parked.reason}); a test does not wait."
            )
        finally:
            self.close_clients()
        if self.park_request is not None:
            resume_at, reason = self.park_request
            self.park_request = None
            record.log.append(
                f"A run would wait here until {resume_at.isoformat()} ({reason}); "
                "a test does not wait."
            )
        record.duration_ms = (self.clock() - started) * 1000
        return record

    def begin(self, step: StepPlan, path: str) -> tuple[StepRecord, float, CompletedStep | None]:
        """The record of a step starting now (succeeded until it fails), when it started, and
        its record from an earlier execution of this run if it completed then."""
        self.progress.current_step = path
        completed = None
        if self.checkpoint is None:
            self.sequence += 1
        else:
            completed = self.checkpoint.take(path, self.sequence + 1)
            self.sequence = (
                completed.sequence
                if completed is not None
                else self.checkpoint.sequence_for_new_step(self.sequence + 1)
            )
        record = StepRecord(
            sequence=self.sequence,
            path=path,
            step_name=step.name,
            connector=step.connector.key,
            operation=step.operation.key,
            status=StepStatus.SUCCEEDED,
            started_at=self.now(),
            duration_ms=0.0,
        )
        return record, self.clock(), completed

    def finish(self, record: StepRecord, started: float, *, durable: bool = False) -> None:
        record.duration_ms = (self.clock() - started) * 1000
        self.recorder.record(record, durable=durable)

    def invoke(
        self,
        step: StepPlan,
        scope: dict[str, Any],
        record: StepRecord,
        started: float,
        *,
        inputs: dict[str, Any] | None = None,
        record_failure: bool = True,
    ) -> Any:
        """Resolves, validates and runs one step, noting its input; returns its output.

        A failure is recorded here (unless the step's record exists already) and ends the run:
        StepFailed, or RunCancelled when the run was cancelled while the step waited on its
        vendor. A wait too long to sleep through (ParkRequested) parks the run: RunParked,
        nothing recorded, so the step runs again when the run resumes; a vendor's wait at most
        CONNECTOR_MAX_RETRIES times, a wait for another run (WaitingForRun) until it ends.
        """
        authentication: ResolvedAuthentication | None = None
        try:
            if inputs is None:
                inputs = self.resolve_inputs(step, scope)
            record.input = inputs
            validate_inputs(step.operation, inputs)
            context = OperationContext(
                step_name=step.name,
                settings=self.settings,
                log=record.log,
                run_storage=self.run_storage,
                now=self.now,
                step_path=record.path,
                services=self.services,
            )
            spec = step.connector.authentication
            if spec is not None and (step.authentication or not spec.optional):
                authentication, context.client = self.client_for(step, spec)
                context.credentials = authentication.credentials
            output = self.attempt(step, context, inputs, record, authentication)
        except CallCancelled as cancelled:
            # The run was cancelled while this step waited on its vendor (settings.cancelled).
            record.status = StepStatus.CANCELLED
            record.error = str(cancelled)
            if record_failure:
                self.finish(record, started)
            raise RunCancelled from None
        except WaitingForRun as wait:
            # Waiting for another run is no retry: it parks as often as it takes, until that
            # run ends (the step then runs again and finds its answer).
            raise RunParked(
                record.path,
                self.now() + timedelta(seconds=wait.seconds),
                wait.reason,
                waiting_for_run=wait.run_id,
            ) from None
        except ParkRequested as wait:
            parked_before = self.checkpoint.parked.get(record.path, 0) if self.checkpoint else 0
            if parked_before < self.settings.max_retries:
                raise RunParked(
                    record.path, self.now() + timedelta(seconds=wait.seconds), wait.reason
                ) from None
            message = (
                f"{wait.message}; gave up after waiting {parked_before} times "
                "(CONNECTOR_MAX_RETRIES)"
            )
            self.fail(step, record, started, message, "rate_limited", None, record_failure)
        except Exception as error:  # every failure of a step is recorded, then stops the run
            message = self.describe_failure(step, error, authentication)
            status_code = error.status_code if isinstance(error, ConnectorError) else None
            self.fail(
                step, record, started, message, error_type(error), status_code, record_failure
            )
        self.park_request = context.park_request
        return output

    def attempt(
        self,
        step: StepPlan,
        context: OperationContext,
        inputs: dict[str, Any],
        record: StepRecord,
        authentication: ResolvedAuthentication | None,
    ) -> Any:
        """Runs the operation, trying again as the step's error handling allows: each retry
        is noted in the step's log, after a wait on the executor's sleep."""
        attempts = step.error_handling.attempts
        tries = 1
        while True:
            try:
                output = step.operation.run(context, inputs)
                if not step.is_loop:
                    validate_output(step.operation, output)
                if step.operation.kind in (OperationKind.BREAK, OperationKind.CONTINUE):
                    self.check_break_target(output["loop"])
                return output
            except (CallCancelled, ParkRequested):
                raise
            except Exception as error:
                if tries >= attempts or not worth_retrying(error):
                    raise
                tries += 1
                delay = step.error_handling.delay_before(tries)
                why = self.describe_failure(step, error, authentication)
                record.log.append(f"Attempt {tries} of {attempts} after {delay:g} s: {why}")
                self.sleep(delay)

    def wait_to_retry(self, seconds: float) -> None:
        """The wait before a step's next try; a cancelled run stops waiting at once."""
        cancelled = self.settings.cancelled
        if cancelled is None:
            time.sleep(seconds)
        elif cancelled.wait(seconds):
            raise CallCancelled("Cancelled while waiting to try the step again.")

    def fail(
        self,
        step: StepPlan,
        record: StepRecord,
        started: float,
        message: str,
        kind: str,
        status_code: int | None,
        record_failure: bool,
    ) -> NoReturn:
        """Records a step's failure; then the run stops (StepFailed), or the step's error
        handling takes over (StepHandled) and the failure is the step's output."""
        record.error = message
        handled = step.error_handling.mode in ("continue", "error_lane")
        if handled:
            record.status = StepStatus.CONTINUED
            record.output = {
                "error": {"message": message, "type": kind, "status_code": status_code}
            }
        else:
            record.status = StepStatus.FAILED
        if record_failure:
            self.finish(record, started)
        if handled:
            raise StepHandled(record.output) from None
        raise StepFailed(record.path, record.error) from None

    def reusable(self, step: StepPlan, path: str) -> tuple[Any, Any] | None:
        """The earlier run's (input, output) of this step, if it may stand for running it now.

        A step that succeeded is not run again even if the fixed workflow now gives it another
        input: its effect (a message sent) happened, and repeating it is what a retry avoids.
        It must still be the same operation, or its output would not fit (a branch's lane).
        """
        earlier = self.reuse.get(path)
        if earlier is None or step.operation.uses_run_storage:
            return None
        if (earlier.connector, earlier.operation) != (step.connector.key, step.operation.key):
            return None
        return earlier.input, earlier.output

    def check_break_target(self, loop_name: str) -> None:
        # The compiler checks a literal name; one read from a jsonpath is only known now.
        if loop_name not in self.running_loops:
            inside = (
                f" (it is inside {', '.join(self.running_loops)})" if self.running_loops else ""
            )
            raise TerminalError(f"{loop_name!r} is not a loop this step is inside{inside}.")

    def resolve_inputs(self, step: StepPlan, scope: dict[str, Any]) -> dict[str, Any]:
        inputs = {}
        for key, value in step.properties:
            try:
                inputs[key] = value.resolve(scope)
            except UnresolvedPath as missing:
                raise PropertyUnresolved(
                    f"{missing.expression} in property {key!r} did not resolve"
                ) from None
        return inputs

    def client_for(
        self, step: StepPlan, spec: AuthenticationSpec
    ) -> tuple[ResolvedAuthentication, Any]:
        if not step.authentication:
            raise AuthenticationUnavailable(
                f"Step {step.name} has no authentication: choose one in its Authenticate tab."
            )
        cached = self.clients.get(step.authentication)
        if cached is None:
            authentication = self.authentications(step.authentication)
            if authentication.connector != step.connector.key:
                raise AuthenticationUnavailable(
                    f"Authentication {authentication.name!r} is for {authentication.connector}, "
                    f"not {step.connector.title}."
                )
            client = spec.client_factory(authentication.credentials, self.settings)
            cached = self.clients[step.authentication] = (authentication, client)
        return cached

    def describe_failure(
        self, step: StepPlan, error: Exception, authentication: ResolvedAuthentication | None
    ) -> str:
        if isinstance(error, AuthenticationFailed) and authentication is not None:
            return f"{error.message} Authentication {authentication.name!r} needs a new token."
        if isinstance(error, ConnectorError):
            return error.message
        if isinstance(error, (PropertyUnresolved, AuthenticationUnavailable)):
            return str(error)
        logger.exception(
            "Step %s (%s.%s) crashed", step.name, step.connector.key, step.operation.key
        )
        return f"Internal error in {step.connector.title} {step.operation.title}: {type(error).__name__}"

    def close_clients(self) -> None:
        for _, client in self.clients.values():
            close = getattr(client, "close", None)
            if close is not None:
                close()
        self.clients.clear()


def loop_entries(items: Any) -> list[tuple[Any, Any]]:
    """A loop operation returns a list, or an object whose pairs are iterated with their key."""
    return list(items.items()) if isinstance(items, dict) else list(enumerate(items))


def iteration_context(items: Any, entries: list[tuple[Any, Any]], index: int) -> dict[str, Any]:
    """What the steps of a loop's iteration read of their loop: `$.steps.<loop>.value` …"""
    key, item = entries[index]
    count = len(entries)
    current = {
        "value": item,
        "index": index,
        "count": count,
        "is_first": index == 0,
        "is_last": index == count - 1,
    }
    return {"key": key, **current} if isinstance(items, dict) else current


def error_type(error: Exception) -> str:
    """The kind of a step's failure, for its error output: what a failure lane may test."""
    if isinstance(error, (InputError, PropertyUnresolved)):
        return "input_error"
    if isinstance(error, (AuthenticationFailed, AuthenticationUnavailable)):
        return "authentication_error"
    if isinstance(error, CallTimedOut):
        return "timeout"
    if isinstance(error, ConnectorError):
        return "vendor_error"
    return "internal"


def worth_retrying(error: Exception) -> bool:
    """Whether trying the step again may help: not when its inputs or authentication are
    wrong, which another try would find again."""
    return not isinstance(error, (InputError, PropertyUnresolved, AuthenticationUnavailable))


def is_repeatable(operation: Operation) -> bool:
    """Whether running the operation twice does no harm (see Operation.repeatable)."""
    return operation.repeatable or operation.kind != OperationKind.ACTION
