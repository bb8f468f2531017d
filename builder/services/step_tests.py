"""Test step: runs one step of a saved workflow on its own, as a run would, recording nothing."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef

from accounts.errors import Conflict, DomainError, FieldError
from auth_store.redaction import Redactor
from auth_store.services import client_settings
from builder.engine.definition import TRIGGER_NAME, StepPlan, WorkflowPlan, compile_definition
from builder.engine.executor import (
    RunExecutor,
    StepRecord,
    StepStatus,
    is_repeatable,
    iteration_context,
    loop_entries,
)
from builder.models import Run, StepRun, Workflow
from builder.services.execution import (
    RunNotPreparable,
    authentication_resolver,
    values_to_redact,
)
from builder.services.workflows import authentications_by_id, definition_limits
from connectors.errors import TerminalError
from connectors.sdk import OperationKind

# What a test may run: an action, or a branch (which says the lane it would take). A loop, a
# trigger and the steps that steer the run (Break, Continue, Terminate) mean nothing alone.
TESTABLE_KINDS = frozenset({OperationKind.ACTION, OperationKind.BRANCH})
# Actions a test must not run, and why.
UNTESTABLE_OPERATIONS = {
    ("call_workflow", "call_workflow"): "it starts a run of another workflow",
}


class StepNotFound(DomainError):
    status = 404


class StepNotTestable(DomainError):
    def body(self) -> dict[str, Any]:
        return {**super().body(), "code": "step_not_testable"}


class ConfirmationRequired(Conflict):
    """The step changes things in a vendor: the caller must say `confirm: true`."""

    def __init__(self, detail: str, *, connector: str, operation: str) -> None:
        super().__init__(detail, errors=[FieldError("confirm", "must be true to run this step")])
        self.connector = connector
        self.operation = operation

    def body(self) -> dict[str, Any]:
        return {
            **super().body(),
            "code": "confirmation_required",
            "connector": self.connector,
            "operation": self.operation,
        }


@dataclass(frozen=True)
class LocatedStep:
    step: StepPlan
    loops: tuple[StepPlan, ...]  # the loops it is inside, outermost first


@dataclass(frozen=True)
class StepTestResult:
    input: Any
    output: Any
    error: str
    status: str
    log: list[str]
    duration_ms: float
    run_id: uuid.UUID | None
    sample: bool
    # The iteration of each loop the step is inside that the test used, by loop name.
    iterations: dict[str, int]


class TestRunServices:
    """connectors.sdk.RunServices for a test: a response is shown, not stored or sent."""

    def respond(self, response: Mapping[str, Any]) -> None:
        pass

    def call_workflow(
        self, *, step_path: str, workflow_id: str, payload: Any, wait: bool
    ) -> dict[str, Any]:
        raise TerminalError("A test does not call workflows.")


def locate_step(plan: WorkflowPlan, name: str) -> LocatedStep | None:
    def walk(lane: tuple[StepPlan, ...], loops: tuple[StepPlan, ...]) -> LocatedStep | None:
        for step in lane:
            if step.name == name:
                return LocatedStep(step=step, loops=loops)
            inner = (
                walk(step.body, (*loops, step)),
                *(walk(steps, loops) for _, steps in step.lanes),
                walk(step.error_lane, loops),
            )
            for found in inner:
                if found is not None:
                    return found
        return None

    return walk(plan.steps, ())


def step_test_check(*, workflow: Workflow, step_name: str) -> tuple[WorkflowPlan, LocatedStep]:
    """The saved workflow's plan and the step to test in it, or why it cannot be tested."""
    plan = compile_definition(workflow.definition, definition_limits())
    located = locate_step(plan, step_name)
    if located is None:
        if step_name == TRIGGER_NAME:
            raise StepNotTestable("The trigger cannot be tested: run the workflow instead.")
        raise StepNotFound(f"The saved workflow has no step {step_name!r}: save it first?")
    step = located.step
    untestable = UNTESTABLE_OPERATIONS.get((step.connector.key, step.operation.key))
    if step.operation.kind not in TESTABLE_KINDS or untestable:
        why = untestable or f"a {step.operation.kind} step does nothing on its own"
        raise StepNotTestable(
            f"Step {step.name} ({step.connector.title}: {step.operation.title}) cannot be "
            f"tested: {why}."
        )
    return plan, located


def confirmation_question(step: StepPlan) -> str | None:
    """What to ask before testing a step that changes things in a vendor; None if it does not."""
    if is_repeatable(step.operation):
        return None
    return (
        f"Testing {step.name} runs {step.connector.title}: {step.operation.title} for real, "
        f"which changes things in {step.connector.title}. Test anyway?"
    )


def referenced_steps(located: LocatedStep) -> set[str]:
    """The steps whose outputs the step (and the loops around it) read."""
    loop_names = {loop.name for loop in located.loops}
    names = set()
    for step in (*located.loops, located.step):
        for _, value in step.properties:
            for reference in value.references:
                if reference.step_name is not None:
                    names.add(reference.step_name)
    return names - loop_names


def latest_run_with_outputs(*, workflow: Workflow, step_names: set[str]) -> Run | None:
    """The workflow's latest run that has an output for every step named: newest first, each
    run checked by one index lookup per name, stopping at the first that has them all."""
    runs = Run.objects.filter(workflow=workflow).order_by("-created_at")
    for name in sorted(step_names):
        runs = runs.filter(
            Exists(
                StepRun.objects.filter(
                    run=OuterRef("pk"),
                    step_name=name,
                    status__in=(StepStatus.SUCCEEDED, StepStatus.CONTINUED),
                )
            )
        )
    return runs.first()


def recorded_outputs(*, run: Run, prefix: str) -> dict[str, Any]:
    """The outputs the run recorded for the steps at one level: the top (`prefix` ""), or one
    iteration of a loop (`loop-1[3].`), by step name."""
    rows = (
        StepRun.objects.filter(
            run=run,
            status__in=(StepStatus.SUCCEEDED, StepStatus.CONTINUED),
            path__regex=rf"^{re.escape(prefix)}[A-Za-z0-9_-]+$",
        )
        .order_by("sequence")
        .values_list("step_name", "output")
    )
    return dict(rows)


@dataclass(frozen=True)
class StepTestSample:
    sample: dict[str, Any]
    run: Run | None
    confirmation: str | None


def step_test_sample(*, workflow: Workflow, step_name: str) -> StepTestSample:
    """What Test step reads by default: the outputs of the latest run with those the step
    reads, at the top level (a loop's own iteration is chosen when testing); and what to ask
    before testing it."""
    _, located = step_test_check(workflow=workflow, step_name=step_name)
    run = latest_run_with_outputs(workflow=workflow, step_names=referenced_steps(located))
    return StepTestSample(
        sample=recorded_outputs(run=run, prefix="") if run is not None else {},
        run=run,
        confirmation=confirmation_question(located.step),
    )


def step_test(
    *,
    workflow: Workflow,
    user: User,
    step_name: str,
    sample: dict[str, Any] | None = None,
    run_id: uuid.UUID | None = None,
    iteration: int = 0,
    confirm: bool = False,
) -> StepTestResult:
    """Runs the saved workflow's step `step_name` alone, through the engine as a run would,
    on the outputs of a run of the workflow (`run_id`, else the latest with the outputs the
    step reads, unless `sample` is given), overlaid with `sample` (outputs by step name).
    Inside a loop, on its `iteration` (the innermost loop's; outer loops' first)."""
    plan, located = step_test_check(workflow=workflow, step_name=step_name)
    step = located.step
    question = confirmation_question(step)
    if question is not None and not confirm:
        raise ConfirmationRequired(
            question, connector=step.connector.key, operation=step.operation.key
        )
    run: Run | None = None
    if run_id is not None:
        run = Run.objects.filter(workflow=workflow, id=run_id).first()
        if run is None:
            raise DomainError(
                "No such run of this workflow.",
                errors=[FieldError("run", f"{run_id} is not a run of this workflow")],
            )
    elif sample is None:
        run = latest_run_with_outputs(workflow=workflow, step_names=referenced_steps(located))

    steps_used = [*located.loops, step]
    authentications = authentications_by_id(
        user=user, ids=frozenset(s.authentication for s in steps_used if s.authentication)
    )
    try:
        redactor = Redactor(values_to_redact(authentications.values()))
    except RunNotPreparable as error:
        raise DomainError(str(error)) from None
    # The step's wall-clock limit: setting the event stops a vendor call in flight, or a wait
    # between retries, at once (as cancelling a run does).
    stop = threading.Event()
    timer = threading.Timer(settings.STEP_TEST_TIMEOUT_SECONDS, stop.set)
    executor = RunExecutor(
        plan=plan,
        recorder=NothingRecorded(),
        authentications=authentication_resolver(authentications=authentications, started_by=user),
        settings=replace(client_settings(), cancelled=stop),
        services=TestRunServices(),
    )
    timer.start()
    try:
        record, iterations = run_located_step(
            executor=executor, located=located, run=run, sample=sample, iteration=iteration
        )
    finally:
        timer.cancel()
    if record.status == StepStatus.CANCELLED and stop.is_set():
        record.error = (
            f"The test went over its time limit of {settings.STEP_TEST_TIMEOUT_SECONDS:g} "
            "seconds (STEP_TEST_TIMEOUT_SECONDS) and was stopped."
        )
    failed = record.status != StepStatus.SUCCEEDED
    return StepTestResult(
        input=redactor.value(record.input),
        output=None if failed else redactor.value(record.output),
        error=redactor.text(record.error) if failed else "",
        status=StepStatus.FAILED if failed else StepStatus.SUCCEEDED,
        log=[redactor.text(line) for line in record.log],
        duration_ms=round(record.duration_ms, 3),
        run_id=run.id if run is not None else None,
        sample=sample is not None,
        iterations=iterations,
    )


class NothingRecorded:
    """The recorder of a test: a test records nothing (run_step_alone does not call it)."""

    def record(self, step: StepRecord, *, durable: bool = False) -> None:
        pass

    def should_stop(self) -> bool:
        return False


def run_located_step(
    *,
    executor: RunExecutor,
    located: LocatedStep,
    run: Run | None,
    sample: dict[str, Any] | None,
    iteration: int,
) -> tuple[StepRecord, dict[str, int]]:
    """Builds the scope a run would give the step, then runs it: the run's outputs at each
    level, the sample over them, each loop's iteration as the loop itself would make it."""
    given = sample or {}
    steps: dict[str, Any] = recorded_outputs(run=run, prefix="") if run is not None else {}
    steps.update(given)
    iterations: dict[str, int] = {}
    prefix = ""
    for depth, loop in enumerate(located.loops):
        index = iteration if depth == len(located.loops) - 1 else 0
        if loop.name in given:
            # The sample says what the loop gives this iteration ({"value": …, "index": …}).
            known = given[loop.name]
            index = known.get("index", index) if isinstance(known, dict) else index
        else:
            items = executor.run_step_alone(loop, {"steps": steps}, prefix + loop.name)
            if items.status != StepStatus.SUCCEEDED:
                items.error = f"Loop {loop.name}: {items.error}"
                return items, iterations
            entries = loop_entries(items.output)
            if not 0 <= index < len(entries):
                raise DomainError(
                    f"Loop {loop.name} has {len(entries)} items here.",
                    errors=[
                        FieldError(
                            "iteration",
                            f"must be from 0 to {len(entries) - 1}"
                            if entries
                            else f"{loop.name} has no items, so the steps inside it do not run",
                        )
                    ],
                )
            steps[loop.name] = iteration_context(items.output, entries, index)
        iterations[loop.name] = index
        prefix = f"{prefix}{loop.name}[{index}]."
        if run is not None:
            steps.update(
                {
                    name: output
                    for name, output in recorded_outputs(run=run, prefix=prefix).items()
                    if name not in given
                }
            )
    record = executor.run_step_alone(located.step, {"steps": steps}, prefix + located.step.name)
    return record, iterations
