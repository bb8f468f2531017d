"""Executes a compiled workflow plan step by step, recording each step as it completes.

The executor is given everything from outside: a source of per-authentication clients, a
recorder that stores step records (and says when to stop), and a redactor for secrets.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from builder.engine.definition import TRIGGER_NAME, StepPlan, WorkflowPlan
from builder.engine.properties import UnresolvedPath
from connectors.errors import AuthenticationFailed, ConnectorError, TerminalError
from connectors.network import CallCancelled
from connectors.registry import validate_inputs, validate_output
from connectors.sdk import ClientSettings, OperationContext, OperationKind

logger = logging.getLogger(__name__)


class StepStatus:
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


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
        return sum(1 for line in self.log if line.startswith("Retry "))


class RunRecorder(Protocol):
    def record(self, step: StepRecord) -> None: ...

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
    status: str  # succeeded | failed | cancelled
    failed_step: str = ""
    error: str = ""


class StepFailed(Exception):
    def __init__(self, path: str, error: str) -> None:
        super().__init__(error)
        self.path = path
        self.error = error


class RunCancelled(Exception):
    pass


class RunTimedOut(Exception):
    """The run went over its time limit; raised between two steps."""


class LoopBroken(Exception):
    """Raised by a Break loop step; caught by the loop it names."""

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
    ) -> None:
        self.plan = plan
        self.time_limit = time_limit
        self.deadline = time.monotonic() + time_limit
        # Retry from a failed step: outputs of the previous run's succeeded steps, by path.
        self.reuse = reuse or {}
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
            if time.monotonic() > self.deadline:
                raise RunTimedOut
            if step.is_loop:
                self.run_loop(step, scope, prefix)
            elif step.is_branch:
                output = steps[step.name] = self.run_step(step, scope, prefix)
                # A lane's steps see the branch's scope; what they add stays in the lane.
                lane_scope = {"steps": dict(steps)}
                self.run_lane(step.lane(str(output["lane"])), lane_scope, prefix)
            elif step.operation.kind == OperationKind.BREAK:
                steps[step.name] = self.run_step(step, scope, prefix)
                raise LoopBroken(steps[step.name]["loop"])
            else:
                steps[step.name] = self.run_step(step, scope, prefix)

    def run_loop(self, step: StepPlan, scope: dict[str, Any], prefix: str) -> None:
        sequence = self.next_sequence()
        started, clock = datetime.now(UTC), time.perf_counter()
        inputs, items = self.call(
            step, scope, prefix + step.name, sequence, started, clock, record_success=False
        )
        # A loop operation returns a list, or an object whose pairs are iterated with their key.
        entries = list(items.items()) if isinstance(items, dict) else list(enumerate(items))
        count = len(entries)
        iterations = 0
        outer_break: LoopBroken | None = None
        status, error = StepStatus.SUCCEEDED, ""
        self.running_loops.append(step.name)
        try:
            for index, (key, item) in enumerate(entries):
                current = {
                    "value": item,
                    "index": index,
                    "count": count,
                    "is_first": index == 0,
                    "is_last": index == count - 1,
                }
                if isinstance(items, dict):
                    current = {"key": key, **current}
                # Each iteration starts from a fresh scope: what ran in the previous one is gone.
                iteration = {"steps": {**scope["steps"], step.name: current}}
                iterations += 1
                try:
                    self.run_lane(step.body, iteration, f"{prefix}{step.name}[{index}].")
                    self.progress.loop_advanced(step.name, iterations, count)
                except LoopBroken as broken:
                    # An outer loop's break ends this loop too, then goes on outwards.
                    outer_break = broken if broken.loop_name != step.name else None
                    break
        except StepFailed as failure:
            # The loop fails with its iteration, so the canvas marks both.
            status, error = (
                StepStatus.FAILED,
                f"Iteration {iterations} of {count} failed at {failure.path}: {failure.error}",
            )
            raise
        except RunCancelled:
            status, error = (
                StepStatus.CANCELLED,
                f"Cancelled during iteration {iterations} of {count}.",
            )
            raise
        except RunTimedOut:
            status, error = (
                StepStatus.FAILED,
                # Only whole iterations count: the deadline is checked before each step.
                f"Stopped after {iterations - 1} of {count} iterations: the run went over its "
                "time limit.",
            )
            raise
        finally:
            self.running_loops.pop()
            self.recorder.record(
                StepRecord(
                    sequence=sequence,
                    path=prefix + step.name,
                    step_name=step.name,
                    connector=step.connector.key,
                    operation=step.operation.key,
                    status=status,
                    started_at=started,
                    duration_ms=(time.perf_counter() - clock) * 1000,
                    input=inputs,
                    output={"count": count, "iterations": iterations},
                    error=error,
                )
            )
        if outer_break is not None:
            raise outer_break

    def run_step(
        self,
        step: StepPlan,
        scope: dict[str, Any],
        prefix: str,
        inputs: dict[str, Any] | None = None,
    ) -> Any:
        sequence = self.next_sequence()
        started, clock = datetime.now(UTC), time.perf_counter()
        _, output = self.call(
            step, scope, prefix + step.name, sequence, started, clock, inputs=inputs
        )
        return output

    def call(
        self,
        step: StepPlan,
        scope: dict[str, Any],
        path: str,
        sequence: int,
        started: datetime,
        clock: float,
        *,
        inputs: dict[str, Any] | None = None,
        record_success: bool = True,
    ) -> tuple[dict[str, Any], Any]:
        """Resolves, validates and runs one step; returns its inputs and output."""
        record = StepRecord(
            sequence=sequence,
            path=path,
            step_name=step.name,
            connector=step.connector.key,
            operation=step.operation.key,
            status=StepStatus.SUCCEEDED,
            started_at=started,
            duration_ms=0.0,
        )
        authentication: ResolvedAuthentication | None = None
        self.progress.current_step = path
        reused = self.reusable(step, path) if record_success else None
        if reused is not None:
            # Retrying a failed run: this step succeeded before, so its effects (a message
            # sent) are not repeated; its output comes from that run.
            record.input, record.output = reused
            record.log.append("Output reused from the run being retried.")
            record.reused = True
            self.recorder.record(record)
            return record.input, record.output
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
            )
            spec = step.connector.authentication
            if spec is not None and (step.authentication or not spec.optional):
                authentication, context.client = self.client_for(step)
                context.credentials = authentication.credentials
            output = step.operation.run(context, inputs)
            if not step.is_loop:
                validate_output(step.operation, output)
            if step.operation.kind == OperationKind.BREAK:
                self.check_break_target(output["loop"])
        except CallCancelled as cancelled:
            # The run was cancelled while this step waited on its vendor (settings.cancelled).
            record.status = StepStatus.CANCELLED
            record.error = str(cancelled)
            record.duration_ms = (time.perf_counter() - clock) * 1000
            self.recorder.record(record)
            raise RunCancelled from None
        except Exception as error:  # every failure of a step is recorded, then stops the run
            record.status = StepStatus.FAILED
            record.error = self.describe_failure(step, error, authentication)
            record.duration_ms = (time.perf_counter() - clock) * 1000
            self.recorder.record(record)
            raise StepFailed(path, record.error) from None
        if record_success:
            record.output = output
            record.duration_ms = (time.perf_counter() - clock) * 1000
            self.recorder.record(record)
        return inputs, output

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

    def client_for(self, step: StepPlan) -> tuple[ResolvedAuthentication, Any]:
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
            spec = step.connector.authentication
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

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def close_clients(self) -> None:
        for _, client in self.clients.values():
            close = getattr(client, "close", None)
            if close is not None:
                close()
        self.clients.clear()
