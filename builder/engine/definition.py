"""Workflow definitions: validated at save, with the path of each bad field, and compiled into plans.

The canonical definition (also the export format) is a control-flow tree plus a map of steps:
`{"trigger": {...}, "steps_structure": [{"name", "type", "content"?}], "steps": {name: {...}}}`.

Errors are of two kinds. Structural ones (not an object, an unknown node type, a node without
its step's settings, a limit passed: what the editor could not even show) refuse the
definition outright. Value problems (a required input missing, a bad jsonpath, an unknown
operation: a step half configured) let it be saved as a draft that lists them, and keep it
from running: `check_definition` tells them apart, `compile_definition` refuses on either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from builder.engine.errors import DefinitionError, FieldError
from builder.engine.properties import (
    CompiledValue,
    JsonPathExpression,
    LiteralValue,
    PropertyShapeError,
    compile_value,
    join_path,
)
from connectors.registry import all_connectors, describe_validation_error, schema_validator
from connectors.sdk import Connector, Operation, OperationKind

TRIGGER_NAME = "trigger"
STEP_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}$")
# A step inside loops runs at a path such as loop-1[3].loop-2[12].slack-1. The room kept for
# each iteration number: no list held in memory has 10^10 items.
LOOP_INDEX_DIGITS = 10
# The structure type of a step follows its operation's kind.
STRUCTURE_TYPES = {
    OperationKind.ACTION: "normal",
    OperationKind.BREAK: "normal",
    OperationKind.CONTINUE: "normal",
    OperationKind.TERMINATE: "normal",
    OperationKind.LOOP: "loop",
    OperationKind.BRANCH: "branch",
}
LOOP_LANE = "_loop"
ERROR_LANE = "_error"
STEP_KEYS = {"title", "connector", "operation", "authentication", "properties", "error_handling"}
# Steps of the engine's own flow: they cannot fail as a vendor call does, so take no error
# handling (a loop's or branch's failure is its input's: fix the definition).
FLOW_KINDS = {
    OperationKind.LOOP,
    OperationKind.BRANCH,
    OperationKind.BREAK,
    OperationKind.CONTINUE,
    OperationKind.TERMINATE,
}
ERROR_MODES = ("stop", "continue", "error_lane")
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class ErrorHandling:
    """What a step's failure means: `stop` the run (the default), `continue` it with the
    error as the step's output, or take the step's `error_lane`; after `attempts` tries in
    all, waiting `delay_seconds` between them (doubled each time if `exponential`, at most
    `max_delay_seconds`)."""

    mode: str = "stop"
    attempts: int = 1
    backoff: str = "fixed"
    delay_seconds: float = 1.0
    max_delay_seconds: float = 60.0

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before try number `attempt` (2 for the first retry)."""
        delay = self.delay_seconds
        if self.backoff == "exponential":
            delay = self.delay_seconds * 2.0 ** (attempt - 2)
        return min(delay, self.max_delay_seconds)


DEFAULT_ERROR_HANDLING = ErrorHandling()


@dataclass(frozen=True)
class DefinitionLimits:
    """Bounds a definition must keep so that every run of it can be recorded; the defaults are
    those of the settings, which the services pass in."""

    max_nesting: int = 8  # loops and branches one step may be inside (DEFINITION_MAX_NESTING)
    max_path_length: int = 1000  # characters of a step run's path (its database column)


@dataclass(frozen=True)
class StepPlan:
    """One step, compiled: what to call, with which authentication, on which properties."""

    name: str
    title: str
    connector: Connector
    operation: Operation
    authentication: str | None
    properties: tuple[tuple[str, CompiledValue], ...]
    body: tuple[StepPlan, ...] = ()  # the steps inside a loop
    lanes: tuple[tuple[str, tuple[StepPlan, ...]], ...] = ()  # the lanes of a branch
    error_handling: ErrorHandling = DEFAULT_ERROR_HANDLING
    error_lane: tuple[StepPlan, ...] = ()  # the steps run when the step fails (error_lane)

    @property
    def is_loop(self) -> bool:
        return self.operation.kind == OperationKind.LOOP

    @property
    def is_branch(self) -> bool:
        return self.operation.kind == OperationKind.BRANCH

    def lane(self, name: str) -> tuple[StepPlan, ...]:
        for lane_name, steps in self.lanes:
            if lane_name == name:
                return steps
        return ()

    @property
    def children(self) -> tuple[StepPlan, ...]:
        return self.body + tuple(step for _, lane in self.lanes for step in lane) + self.error_lane


@dataclass(frozen=True)
class DefinitionCheck:
    """A draft's value problems, and its plan when it has none (only then may it run)."""

    plan: WorkflowPlan | None
    problems: list[FieldError]


@dataclass(frozen=True)
class WorkflowPlan:
    trigger: StepPlan
    steps: tuple[StepPlan, ...]

    @property
    def authentication_ids(self) -> frozenset[str]:
        """Every authentication the run may use: its steps', and its trigger's (a Webhook
        trigger's shared secret, redacted from what the run records)."""
        found: set[str] = {self.trigger.authentication} if self.trigger.authentication else set()
        pending = list(self.steps)
        while pending:
            step = pending.pop()
            if step.authentication:
                found.add(step.authentication)
            pending.extend(step.children)
        return frozenset(found)


# What steps after a loop read of it: how many items, how many iterations ran, and how many of
# their steps failed and were continued (error handling). Marked in a lane's visible names by
# ENDED_LOOP + name (NUL never appears in a step name).
LOOP_SUMMARY_KEYS = ("count", "iterations", "continued_failures")
ENDED_LOOP = "\0ended:"


class DefinitionCompiler:
    """Walks a definition once in execution order, collecting every error with its path, and
    which of them are structural (`structural_error`) rather than value problems (`error`)."""

    def __init__(
        self, definition: Any, limits: DefinitionLimits, connectors: Mapping[str, Connector]
    ) -> None:
        self.definition = definition
        self.limits = limits
        self.connectors = connectors
        self.errors: list[FieldError] = []
        self.structural: list[FieldError] = []
        self.placed: set[str] = set()
        # Set when a refused step's content was not walked: its steps are then not "unplaced".
        self.skipped_content = False

    def error(self, path: str, message: str) -> None:
        """A value problem: the definition may be kept as a draft, but not run."""
        self.errors.append(FieldError(path=path, message=message))

    def structural_error(self, path: str, message: str) -> None:
        """The definition cannot even be kept: the editor could not show it."""
        self.error(path, message)
        self.structural.append(self.errors[-1])

    def connector(self, key: Any) -> Connector | None:
        # A definition is user input: its connector may be any JSON value.
        return self.connectors.get(key) if isinstance(key, str) else None

    def compile(self) -> WorkflowPlan:
        """The plan; DefinitionError with every error, of either kind."""
        plan = self.check()
        if self.errors or plan is None:
            raise DefinitionError(self.errors)
        return plan

    def check(self) -> WorkflowPlan | None:
        """The plan, or None when the definition has errors (in `errors`; the structural ones
        in `structural` too)."""
        definition = self.definition
        if not isinstance(definition, dict):
            raise DefinitionError([FieldError("", "the definition must be a JSON object")])
        for key in sorted(set(definition) - {"trigger", "steps_structure", "steps"}):
            self.structural_error(key, f"unknown key {key!r}")
        steps = definition.get("steps", {})
        structure = definition.get("steps_structure", [])
        if not isinstance(steps, dict):
            self.structural_error("steps", "must be an object of steps by name")
            steps = {}
        if not isinstance(structure, list):
            self.structural_error("steps_structure", "must be a list")
            structure = []

        trigger = self.compile_trigger(definition.get("trigger"))
        compiled = self.compile_lane(
            structure, "steps_structure", steps, visible={TRIGGER_NAME}, loops=(), depth=0
        )
        for name in steps if not self.skipped_content else ():
            if name not in self.placed:
                self.structural_error(
                    f"steps.{name}", f"step {name!r} is not placed in steps_structure"
                )
        if self.errors or trigger is None:
            return None
        return WorkflowPlan(trigger=trigger, steps=compiled)

    def compile_trigger(self, trigger: Any) -> StepPlan | None:
        if not isinstance(trigger, dict):
            self.structural_error(
                "trigger", 'is required, e.g. {"connector": "manual", "operation": "manual"}'
            )
            return None
        connector = self.connector(trigger.get("connector"))
        if connector is None or not connector.is_trigger:
            self.error("trigger.connector", f"{trigger.get('connector')!r} is not a trigger")
            return None
        plan = self.compile_step(TRIGGER_NAME, trigger, "trigger", connector, visible=set())
        if "error_handling" in trigger:
            self.error(
                "trigger.error_handling",
                "a trigger has no error handling: a run starts only once its trigger succeeded",
            )
        if plan is not None and plan.operation.kind != OperationKind.TRIGGER:
            # A trigger's connector may also have steps (Webhook response): not a trigger.
            self.error("trigger.operation", f"{plan.operation.title} is a step, not a trigger")
            return None
        return plan

    def compile_lane(
        self,
        lane: Any,
        path: str,
        steps: dict[str, Any],
        visible: set[str],
        loops: tuple[str, ...],
        depth: int,
    ) -> tuple[StepPlan, ...]:
        """Compiles a list of steps; what they make visible stays in this lane (a loop body or
        a branch lane may not run, so the steps after it cannot read from inside it).
        `depth` counts the loops and branches the lane is inside."""
        if not isinstance(lane, list):
            self.structural_error(path, "must be a list of steps")
            return ()
        compiled = []
        visible = set(visible)
        for index, node in enumerate(lane):
            node_path = f"{path}.{index}"
            plan = self.compile_node(node, node_path, steps, visible, loops, depth)
            if plan is not None:
                compiled.append(plan)
                # Later steps read a step's output; a loop's (value, index) exists only inside
                # it, and after it the loop's summary (LOOP_SUMMARY_KEYS).
                visible.add(plan.name)
                if plan.is_loop:
                    visible.add(ENDED_LOOP + plan.name)
        return tuple(compiled)

    def compile_node(
        self,
        node: Any,
        path: str,
        steps: dict[str, Any],
        visible: set[str],
        loops: tuple[str, ...],
        depth: int,
    ) -> StepPlan | None:
        if not isinstance(node, dict):
            self.structural_error(
                path, 'must be an object such as {"name": "slack-1", "type": "normal"}'
            )
            return None
        if depth > self.limits.max_nesting:
            # Not walked further: a definition may nest far deeper than is worth reporting.
            self.skipped_content = True
            self.structural_error(
                path,
                f"this step is inside {depth} loops and branches; at most "
                f"{self.limits.max_nesting} may be nested (DEFINITION_MAX_NESTING)",
            )
            return None
        name, kind = node.get("name"), node.get("type", "normal")
        if not isinstance(name, str) or not STEP_NAME.match(name) or name == TRIGGER_NAME:
            self.structural_error(
                f"{path}.name",
                f"{name!r} is not a valid step name (up to 100 letters, digits, _ and -, e.g. slack-1)",
            )
            return None
        longest_path = longest_step_path(loops, name)
        if longest_path > self.limits.max_path_length:
            self.skipped_content = True
            self.structural_error(
                f"{path}.name",
                f"step {name!r} inside {len(loops)} loops runs at paths of up to {longest_path} "
                f"characters (each loop adds its name and an iteration number of up to "
                f"{LOOP_INDEX_DIGITS} digits), more than the {self.limits.max_path_length} a "
                "step run's path can hold: shorten the names of the step and its loops, or nest "
                "fewer loops",
            )
            return None
        if name in self.placed:
            self.structural_error(f"{path}.name", f"duplicate step name {name!r}")
            return None
        self.placed.add(name)
        if kind not in STRUCTURE_TYPES.values():
            self.structural_error(f"{path}.type", f"{kind!r} is not one of normal, loop, branch")
            return None
        if name not in steps:
            self.structural_error(f"{path}.name", f"there is no step {name!r} in steps")
            return None
        step = steps[name]
        step_path = f"steps.{name}"
        if not isinstance(step, dict):
            self.structural_error(
                step_path, "must be an object with connector, operation and properties"
            )
            return None
        content = node.get("content")
        content_path = f"{path}.content"
        plan = self.compile_node_step(name, kind, step, path, step_path, visible, loops)
        handling = None
        if plan is not None:
            handling = self.compile_error_handling(step.get("error_handling"), plan, step_path)
        lanes = self.content_lanes(kind, content, content_path)
        if lanes is None:
            # Its steps cannot be found: not reported as unplaced.
            self.skipped_content = content is not None
            return None
        if plan is None:
            # The step's own settings are wrong, but its lanes are checked all the same, as
            # if it ran: their structure, and their steps' values.
            inner_loops = (*loops, name) if kind == "loop" else loops
            for lane_path, lane in lanes:
                self.compile_lane(lane, lane_path, steps, visible | {name}, inner_loops, depth + 1)
            return None
        if handling is not None:
            plan = replace(plan, error_handling=handling)
        elif kind == "normal" and "error_handling" in step:
            # Refused (reported): whether it may have a failure lane cannot be told, but the
            # lane's own steps are checked all the same.
            if isinstance(content, dict) and set(content) == {ERROR_LANE}:
                lane = self.compile_lane(
                    content[ERROR_LANE],
                    f"{content_path}.{ERROR_LANE}",
                    steps,
                    visible | {name},
                    loops,
                    depth + 1,
                )
                return replace(plan, error_lane=lane)
            return plan
        if kind == "normal" and (handling is not None or isinstance(content, dict)):
            return self.compile_error_lane(
                plan, content, content_path, step_path, steps, visible, loops, depth
            )
        if kind == "loop":
            ((body_path, body_lane),) = lanes  # content_lanes checked its shape
            body = self.compile_lane(
                body_lane,
                body_path,
                steps,
                visible | {name},
                (*loops, name),
                depth + 1,
            )
            return replace(plan, body=body)
        if kind == "branch":
            return self.compile_branch(
                plan, content, content_path, steps, visible | {name}, loops, depth + 1
            )
        return plan

    def content_lanes(self, kind: str, content: Any, path: str) -> list[tuple[str, Any]] | None:
        """The lanes (path, steps) of a node's content as its type wants it, or None (a
        structural error) when the content does not have that type's shape."""
        if kind == "loop":
            if not isinstance(content, dict) or LOOP_LANE not in content:
                self.structural_error(path, f'a loop needs content {{"{LOOP_LANE}": [...]}}')
                return None
            return [(f"{path}.{LOOP_LANE}", content[LOOP_LANE])]
        if kind == "branch":
            if not isinstance(content, dict):
                self.structural_error(
                    path, 'a branch needs content such as {"true": [...], "false": [...]}'
                )
                return None
            return [(f"{path}.{lane_name}", lane) for lane_name, lane in content.items()]
        if content is None:
            return []
        if not isinstance(content, dict) or set(content) != {ERROR_LANE}:
            self.structural_error(path, "only loop and branch steps have content")
            return None
        return [(f"{path}.{ERROR_LANE}", content[ERROR_LANE])]

    def compile_node_step(
        self,
        name: str,
        kind: str,
        step: dict[str, Any],
        path: str,
        step_path: str,
        visible: set[str],
        loops: tuple[str, ...],
    ) -> StepPlan | None:
        """A placed step's settings, or None (value problems) when it cannot be compiled."""
        connector = self.connector(step.get("connector"))
        if connector is None:
            self.error(f"{step_path}.connector", f"unknown connector {step.get('connector')!r}")
            return None
        plan = self.compile_step(name, step, step_path, connector, visible)
        if plan is None:
            return None
        if plan.operation.kind == OperationKind.TRIGGER:
            # A trigger's connector may have steps too (Webhook response), never its trigger.
            self.error(f"{step_path}.operation", f"{plan.operation.title} is a trigger, not a step")
            return None
        expected = STRUCTURE_TYPES[plan.operation.kind]
        if kind != expected:
            self.error(
                f"{path}.type", f"{plan.operation.title} is a {expected!r} step, not {kind!r}"
            )
            return None
        if plan.operation.kind in (OperationKind.BREAK, OperationKind.CONTINUE):
            self.check_break_target(step, step_path, loops)
        return plan

    def compile_error_handling(
        self, handling: Any, plan: StepPlan, path: str
    ) -> ErrorHandling | None:
        """The step's error handling, or None when it has none or it is invalid (reported)."""
        if handling is None:
            return None
        path = f"{path}.error_handling"
        if plan.operation.kind in FLOW_KINDS:
            self.error(
                path,
                f"{plan.operation.title} is a step of the workflow's own flow: it takes no error "
                "handling",
            )
            return None
        if not isinstance(handling, dict):
            self.error(path, 'must be an object such as {"mode": "continue"}')
            return None
        errors_before = len(self.errors)
        for key in sorted(set(handling) - {"mode", "retry"}):
            self.error(f"{path}.{key}", f"unknown key {key!r}")
        mode = handling.get("mode", "stop")
        if mode not in ERROR_MODES:
            self.error(f"{path}.mode", f"{mode!r} is not one of {', '.join(ERROR_MODES)}")
        found = ErrorHandling(mode=mode if isinstance(mode, str) else "stop")
        retry = handling.get("retry")
        if retry is not None:
            found = self.compile_retry(retry, f"{path}.retry", found)
        return found if len(self.errors) == errors_before else None

    def compile_retry(self, retry: Any, path: str, found: ErrorHandling) -> ErrorHandling:
        if not isinstance(retry, dict):
            self.error(path, 'must be an object such as {"attempts": 3, "backoff": "fixed"}')
            return found
        for key in sorted(
            set(retry) - {"attempts", "backoff", "delay_seconds", "max_delay_seconds"}
        ):
            self.error(f"{path}.{key}", f"unknown key {key!r}")
        attempts = retry.get("attempts", 1)
        if not is_integer(attempts) or not 1 <= attempts <= MAX_ATTEMPTS:
            self.error(
                f"{path}.attempts",
                f"must be a whole number from 1 to {MAX_ATTEMPTS} (tries in all, the first "
                f"included; 1 means no retry), not {attempts!r}",
            )
            attempts = 1
        backoff = retry.get("backoff", "fixed")
        if backoff not in ("fixed", "exponential"):
            self.error(f"{path}.backoff", f"{backoff!r} is not one of fixed, exponential")
            backoff = "fixed"
        delays = {}
        for key, default in (("delay_seconds", 1.0), ("max_delay_seconds", 60.0)):
            value = retry.get(key, default)
            if not is_number(value) or value < 0:
                self.error(
                    f"{path}.{key}", f"must be a number of seconds, 0 or more, not {value!r}"
                )
                value = default
            delays[key] = float(value)
        return replace(
            found,
            attempts=attempts,
            backoff=backoff,
            delay_seconds=delays["delay_seconds"],
            max_delay_seconds=delays["max_delay_seconds"],
        )

    def compile_error_lane(
        self,
        plan: StepPlan,
        content: Any,
        content_path: str,
        step_path: str,
        steps: dict[str, Any],
        visible: set[str],
        loops: tuple[str, ...],
        depth: int,
    ) -> StepPlan:
        """A normal step's content: its failure lane, which it has if and only if its error
        handling's mode is error_lane."""
        has_lane = isinstance(content, dict) and ERROR_LANE in content
        if plan.error_handling.mode == "error_lane" and not has_lane:
            self.error(
                f"{step_path}.error_handling.mode",
                f'error_lane needs a failure lane: content {{"{ERROR_LANE}": [...]}} on the '
                "step's node in steps_structure",
            )
            return plan
        if content is None:  # else content_lanes checked it is {ERROR_LANE: ...}
            return plan
        if plan.error_handling.mode != "error_lane":
            self.error(
                f"{content_path}.{ERROR_LANE}",
                f"step {plan.name!r} has a failure lane, but its error handling's mode is "
                f"{plan.error_handling.mode!r}, not error_lane: its steps would never run",
            )
            # Walked all the same, so a draft's lane is checked as fully as any other.
            self.compile_lane(
                content[ERROR_LANE],
                f"{content_path}.{ERROR_LANE}",
                steps,
                visible | {plan.name},
                loops,
                depth + 1,
            )
            return plan
        # The failure lane reads the step's error ($.steps.<name>.error); what it adds stays in it.
        lane = self.compile_lane(
            content[ERROR_LANE],
            f"{content_path}.{ERROR_LANE}",
            steps,
            visible | {plan.name},
            loops,
            depth + 1,
        )
        return replace(plan, error_lane=lane)

    def compile_branch(
        self,
        plan: StepPlan,
        content: Any,
        path: str,
        steps: dict[str, Any],
        visible: set[str],
        loops: tuple[str, ...],
        depth: int,
    ) -> StepPlan:
        if not isinstance(content, dict):
            self.error(path, 'a branch needs content such as {"true": [...], "false": [...]}')
            return plan
        lanes_known = known_lanes(plan)
        if lanes_known is not None:
            for lane_name in content:
                if lane_name not in lanes_known:
                    self.error(
                        f"{path}.{lane_name}",
                        f"{plan.operation.title} has the lanes {', '.join(lanes_known)}, "
                        f"not {lane_name!r}: its steps would never run",
                    )
        lanes = tuple(
            (
                str(lane_name),
                self.compile_lane(lane, f"{path}.{lane_name}", steps, visible, loops, depth),
            )
            for lane_name, lane in content.items()
        )
        return replace(plan, lanes=lanes)

    def check_break_target(self, step: dict[str, Any], path: str, loops: tuple[str, ...]) -> None:
        target = (step.get("properties") or {}).get("loop")
        if (
            isinstance(target, dict)
            and target.get("type") == "string"
            and target.get("value") not in loops
        ):
            self.error(
                f"{path}.properties.loop",
                f"{target.get('value')!r} is not a loop this step is inside"
                + (f" (it is inside {', '.join(loops)})" if loops else ""),
            )

    def compile_step(
        self, name: str, step: dict[str, Any], path: str, connector: Connector, visible: set[str]
    ) -> StepPlan | None:
        for key in sorted(set(step) - STEP_KEYS):
            self.error(f"{path}.{key}", f"unknown key {key!r}")
        operation = connector.operation(step.get("operation", ""))
        if operation is None:
            self.error(
                f"{path}.operation",
                f"{connector.title} has no operation {step.get('operation')!r}",
            )
            return None
        authentication = step.get("authentication")
        if authentication is not None and not isinstance(authentication, str):
            self.error(f"{path}.authentication", "must be an authentication id")
            authentication = None
        if authentication and connector.authentication is None:
            self.error(f"{path}.authentication", f"{connector.title} takes no authentication")
        title = step.get("title", operation.title)
        if not isinstance(title, str):
            self.error(f"{path}.title", "must be a string")
        properties = self.compile_properties(step.get("properties", {}), path, operation, visible)
        return StepPlan(
            name=name,
            title=title if isinstance(title, str) else operation.title,
            connector=connector,
            operation=operation,
            authentication=authentication or None,
            properties=properties,
        )

    def compile_properties(
        self, properties: Any, path: str, operation: Operation, visible: set[str]
    ) -> tuple[tuple[str, CompiledValue], ...]:
        path = f"{path}.properties"
        if not isinstance(properties, dict):
            self.error(path, "must be an object of typed values")
            return ()
        schema = operation.input_schema
        accepted = schema.get("properties", {})
        errors_before = len(self.errors)
        compiled = []
        for key, typed in properties.items():
            property_path = f"{path}.{key}"
            if key not in accepted:
                self.error(property_path, f"{operation.title} does not take a property {key!r}")
                continue
            try:
                value = compile_value(typed)
            except PropertyShapeError as error:
                self.error(join_path(property_path, error.path), str(error))
                continue
            if isinstance(value, LiteralValue):
                problem = next(iter(schema_validator(accepted[key]).iter_errors(value.value)), None)
                if problem is not None:
                    bad_path, message = describe_validation_error(problem, property_path)
                    self.error(bad_path, message.replace("'':", "").strip())
                    continue
            for reference in value.references:
                self.check_reference(
                    reference.text, reference.step_name, property_path, key, visible
                )
                if reference.step_name and ENDED_LOOP + reference.step_name in visible:
                    self.check_loop_summary_reference(reference, property_path, key)
            compiled.append((key, value))
        for required in schema.get("required", []):
            if required not in properties:
                title = accepted.get(required, {}).get("title", required)
                self.error(f"{path}.{required}", f"{title} is required")
        if operation.check_properties is not None and len(self.errors) == errors_before:
            literals = {
                key: value.value for key, value in compiled if isinstance(value, LiteralValue)
            }
            for key, message in operation.check_properties(literals):
                self.error(f"{path}.{key}", message)
        return tuple(compiled)

    def check_loop_summary_reference(
        self, reference: JsonPathExpression, path: str, key: str
    ) -> None:
        """After a loop, only its summary can be read, not an iteration's value or index."""
        keys = reference.keys or ()
        field = keys[2] if len(keys) > 2 else None
        if field is not None and field not in LOOP_SUMMARY_KEYS:
            self.error(
                path,
                f"{reference.text} in property {key!r} reads {field!r} of loop "
                f"{reference.step_name!r} after it ended: there only "
                f"{', '.join(LOOP_SUMMARY_KEYS)} can be read",
            )

    def check_reference(
        self, text: str, step_name: str | None, path: str, key: str, visible: set[str]
    ) -> None:
        if step_name is None:
            self.error(path, f"{text} must read from a step, as in $.steps.<step name>.…")
        elif step_name not in visible:
            self.error(
                path,
                f"{text} in property {key!r} refers to step {step_name!r}, "
                "which does not run before this step",
            )


def is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def longest_step_path(loops: tuple[str, ...], name: str) -> int:
    """Characters of the longest path a step runs at: loop-1[<index>].…name (branches add none)."""
    return sum(len(loop) + len("[].") + LOOP_INDEX_DIGITS for loop in loops) + len(name)


def known_lanes(plan: StepPlan) -> tuple[str, ...] | None:
    """The lanes a branch step can take, or None when only a run can tell (cases mapped)."""
    operation = plan.operation
    if not operation.dynamic_lanes:
        return operation.fixed_lanes
    cases = dict(plan.properties).get("cases")
    if not isinstance(cases, LiteralValue) or not isinstance(cases.value, list):
        return None
    named = [case.get("lane") for case in cases.value if isinstance(case, dict)]
    lanes = [lane for lane in named if isinstance(lane, str)]
    if len(lanes) != len(named):
        return None
    return tuple(dict.fromkeys([*lanes, *operation.fixed_lanes]))


def check_definition(
    definition: Any,
    limits: DefinitionLimits = DefinitionLimits(),
    connectors: Mapping[str, Connector] | None = None,
) -> DefinitionCheck:
    """A draft's value problems (and its plan when it has none); DefinitionError lists the
    structural errors, for which it cannot be kept at all."""
    compiler = DefinitionCompiler(
        definition, limits, all_connectors() if connectors is None else connectors
    )
    plan = compiler.check()
    if compiler.structural:
        raise DefinitionError(compiler.structural)
    return DefinitionCheck(plan=plan, problems=compiler.errors)


def compile_definition(
    definition: Any,
    limits: DefinitionLimits = DefinitionLimits(),
    connectors: Mapping[str, Connector] | None = None,
) -> WorkflowPlan:
    """The plan of a definition; DefinitionError lists every bad field with its path.

    `connectors` are those a step may use, by key: the registry's unless given (a test's own).
    """
    return DefinitionCompiler(
        definition, limits, all_connectors() if connectors is None else connectors
    ).compile()
