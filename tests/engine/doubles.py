"""The engine's outside world for its tests: a recorder, a clock, authentications, connectors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from builder.engine.definition import compile_definition
from builder.engine.executor import (
    AuthenticationUnavailable,
    Checkpoint,
    EarlierStep,
    ResolvedAuthentication,
    RunExecutor,
    RunOutcome,
    RunProgress,
    StepRecord,
)
from connectors.errors import (
    AuthenticationFailed,
    CallTimedOut,
    ParkRequested,
    RetryableError,
    TerminalError,
)
from connectors.network import CallCancelled
from connectors.sdk import (
    AuthenticationSpec,
    ClientSettings,
    Connector,
    Operation,
    OperationContext,
    OperationKind,
)


class MemoryRecorder:
    """Keeps every step record in order; `cancel()` makes the next check between steps stop."""

    def __init__(self) -> None:
        self.records: list[StepRecord] = []
        # Paths of the records asked to be stored before the next step starts.
        self.durable: list[str] = []
        self.cancelled = False

    def record(self, step: StepRecord, *, durable: bool = False) -> None:
        self.records.append(step)
        if durable:
            self.durable.append(step.path)

    def should_stop(self) -> bool:
        return self.cancelled

    def cancel(self) -> None:
        self.cancelled = True

    def by_path(self) -> dict[str, StepRecord]:
        return {record.path: record for record in self.records}

    def summary(self) -> list[tuple[int, str, str]]:
        """(sequence, path, status) of each record, in the order they were recorded."""
        return [(record.sequence, record.path, record.status) for record in self.records]


class ManualClock:
    """Monotonic seconds that move only when a test (or a step) says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def wall(self) -> datetime:
        """The wall clock, moving with the monotonic one: 09:00 UTC on 1 June 2025 at start."""
        return WALL_CLOCK_START + timedelta(seconds=self.now - 1000.0)


WALL_CLOCK_START = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


@dataclass
class World:
    """What the test connectors act on during a run: the clock, the recorder, what they did."""

    clock: ManualClock = field(default_factory=ManualClock)
    recorder: MemoryRecorder = field(default_factory=MemoryRecorder)
    calls: list[tuple[str, Any]] = field(default_factory=list)  # (step name, inputs)
    clients_built: list[Mapping[str, Any]] = field(default_factory=list)
    clients_closed: int = 0
    # How many more calls the rate-limited vendor refuses (steps.rate_limited).
    refusals: int = 1
    # How many more calls the flaky vendor fails (steps.flaky).
    failures: int = 2
    # The waits the executor asked for between a step's tries, in seconds.
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


# The world the connectors below act on, made new for each test (`world` in conftest.py).
WORLD = World()

OBJECT = {"type": "object"}
ANY_INPUT: dict[str, Any] = {"type": "object", "properties": {"value": {"title": "Value"}}}


def schema(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": list(required),
    }


def operation(
    key: str,
    run: Any,
    input_schema: dict[str, Any],
    output_schema: dict[str, Any] = OBJECT,
    **options: Any,
) -> Operation:
    return Operation(
        key=key,
        title=key.replace("_", " ").capitalize(),
        description=f"The test operation {key}.",
        input_schema=input_schema,
        output_schema=output_schema,
        run=run,
        **options,
    )


def connector(key: str, *operations: Operation, **options: Any) -> Connector:
    return Connector(
        key=key,
        title=key.capitalize(),
        description=f"The test connector {key}.",
        icon="icon.svg",
        version="1.0",
        operations=operations,
        **options,
    )


def noted(context: OperationContext, inputs: dict[str, Any]) -> None:
    WORLD.calls.append((context.step_name, inputs))


# --- start: the trigger ---


def run_start(context: OperationContext, inputs: dict[str, Any]) -> Any:
    return inputs.get("payload") or {}


START = connector(
    "start",
    operation(
        "start",
        run_start,
        schema({"payload": {"type": "object"}}),
        kind=OperationKind.TRIGGER,
    ),
)


# --- steps: actions of every outcome ---


def run_echo(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    return {"value": inputs.get("value")}


def run_fail(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    raise TerminalError(f"Refused: {inputs['reason']}")


def run_crash(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    raise KeyError("a bug in the connector")


def run_wait(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """Takes `seconds` of the test's clock, as a slow vendor call would."""
    noted(context, inputs)
    WORLD.clock.advance(inputs["seconds"])
    return {"value": inputs["seconds"]}


def run_cancel(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """Someone cancels the run while this step runs; it still completes."""
    noted(context, inputs)
    WORLD.recorder.cancel()
    return {"value": "cancelled meanwhile"}


def run_cancelled_in_flight(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """Waits 1.5 s on its vendor, then the run is cancelled and the call stopped."""
    noted(context, inputs)
    WORLD.clock.advance(1.5)
    raise CallCancelled("The run was cancelled while POST https://vendor.test/ was waiting.")


def run_bad_output(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    return {"count": "three"}


def run_count(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """Counts its runs in the run's storage: state a later iteration reads."""
    noted(context, inputs)
    context.run_storage["count"] = context.run_storage.get("count", 0) + 1
    return {"count": context.run_storage["count"]}


def run_rate_limited(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """The vendor answers 429 with a Retry-After too long to sleep through (WORLD.refusals
    times), then takes the call."""
    noted(context, inputs)
    if WORLD.refusals > 0:
        WORLD.refusals -= 1
        raise ParkRequested(
            seconds=inputs["seconds"],
            reason="rate limited by Vendor",
            message="Vendor rate limit reached (HTTP 429)",
        )
    return {"value": "sent"}


def run_pause(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """Completes, then asks for the run to wait `seconds` after it, as a Delay does."""
    noted(context, inputs)
    until = context.now() + timedelta(seconds=inputs["seconds"])
    context.park_until(until, f"delayed by {context.step_name}")
    return {"value": until.isoformat()}


def run_noisy(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """Writes to its log as the HTTP client does when it retries."""
    noted(context, inputs)
    context.log.extend(
        [
            "Retry 1 of 2 in 1s: the vendor answered 503.",
            "Retry 2 of 2 in 2s: the vendor answered 503.",
            "Fetched page 2.",
        ]
    )
    return {"value": "done"}


def run_flaky(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """The vendor answers 503 (WORLD.failures times), then takes the call."""
    noted(context, inputs)
    if WORLD.failures > 0:
        WORLD.failures -= 1
        raise RetryableError("Vendor answered HTTP 503", status_code=503)
    return {"value": "sent"}


def run_slow(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    raise CallTimedOut("vendor.test did not answer within 30s (CONNECTOR_HTTP_TIMEOUT)")


COUNT_OUTPUT = schema({"count": {"type": "integer"}}, required=("count",))

STEPS = connector(
    "steps",
    operation("echo", run_echo, ANY_INPUT),
    operation(
        "fail", run_fail, schema({"reason": {"type": "string", "title": "Reason"}}, ("reason",))
    ),
    operation("crash", run_crash, schema({})),
    operation("wait", run_wait, schema({"seconds": {"type": "number"}}, ("seconds",))),
    operation("cancel", run_cancel, schema({})),
    operation("cancelled_in_flight", run_cancelled_in_flight, schema({})),
    operation("bad_output", run_bad_output, schema({}), COUNT_OUTPUT),
    operation("count", run_count, schema({}), COUNT_OUTPUT, uses_run_storage=True),
    operation("noisy", run_noisy, schema({})),
    operation("flaky", run_flaky, schema({})),
    operation("slow", run_slow, schema({})),
    operation("rate_limited", run_rate_limited, schema({"seconds": {"type": "number"}})),
    operation("pause", run_pause, schema({"seconds": {"type": "number"}}), repeatable=True),
    # Reads only: safe to run twice, so its record need not be stored before the next step.
    operation("read", run_echo, ANY_INPUT, repeatable=True),
    operation(
        "typed",
        run_echo,
        schema(
            {
                "value": {"type": "integer", "title": "Value", "minimum": 1},
                "mode": {"type": "string", "title": "Mode", "enum": ["fast", "slow"]},
            },
            ("value",),
        ),
    ),
)


# --- flow: loops, branches and breaks ---


def run_each(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    return inputs["items"]


def run_if(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    return {"lane": "yes" if inputs["condition"] else "no"}


def run_switch(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """The lane of the first case whose value is the value, else `other`."""
    noted(context, inputs)
    lanes = [case.get("lane") for case in inputs["cases"] if case["value"] == inputs["value"]]
    return {"lane": (lanes[0] or "none") if lanes else "other"}


def run_break(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    return {"loop": inputs["loop"]}


def run_terminate(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    return {"status": inputs.get("status", "failed"), "message": inputs["message"]}


LANE_OUTPUT = schema({"lane": {"type": "string"}}, required=("lane",))

FLOW = connector(
    "flow",
    operation(
        "each",
        run_each,
        schema({"items": {"type": ["array", "object"], "title": "Items"}}, ("items",)),
        kind=OperationKind.LOOP,
    ),
    operation(
        "if",
        run_if,
        schema({"condition": {"type": "boolean", "title": "Condition"}}, ("condition",)),
        LANE_OUTPUT,
        kind=OperationKind.BRANCH,
        fixed_lanes=("yes", "no"),
    ),
    operation(
        "switch",
        run_switch,
        schema(
            {
                "value": {"type": "string", "title": "Value"},
                "cases": {
                    "type": "array",
                    "title": "Cases",
                    "items": schema(
                        # A case without a lane goes nowhere: the run takes no lane.
                        {"lane": {"type": "string"}, "value": {"type": "string"}},
                        ("value",),
                    ),
                },
            },
            ("value", "cases"),
        ),
        LANE_OUTPUT,
        kind=OperationKind.BRANCH,
        fixed_lanes=("other",),
        dynamic_lanes=True,
    ),
    operation(
        "break",
        run_break,
        schema({"loop": {"type": "string", "title": "Loop"}}, ("loop",)),
        schema({"loop": {"type": "string"}}, required=("loop",)),
        kind=OperationKind.BREAK,
    ),
    operation(
        "continue",
        run_break,
        schema({"loop": {"type": "string", "title": "Loop"}}, ("loop",)),
        schema({"loop": {"type": "string"}}, required=("loop",)),
        kind=OperationKind.CONTINUE,
    ),
    operation(
        "terminate",
        run_terminate,
        schema(
            {"status": {"type": "string", "enum": ["succeeded", "failed"]}, "message": {}},
            ("message",),
        ),
        kind=OperationKind.TERMINATE,
    ),
)


# --- vault: a connector with an authentication ---


class VaultClient:
    def __init__(self, credentials: Mapping[str, Any]) -> None:
        self.user = credentials["user"]
        WORLD.clients_built.append(dict(credentials))

    def close(self) -> None:
        WORLD.clients_closed += 1


class PublicVaultClient:
    """A client that holds nothing to close."""

    def __init__(self, credentials: Mapping[str, Any]) -> None:
        self.user = credentials["user"]
        WORLD.clients_built.append(dict(credentials))


def build_vault_client(credentials: Mapping[str, Any], settings: ClientSettings) -> VaultClient:
    return VaultClient(credentials)


def build_public_vault_client(
    credentials: Mapping[str, Any], settings: ClientSettings
) -> PublicVaultClient:
    return PublicVaultClient(credentials)


def run_whoami(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    if context.client is None:  # a step of an optional authentication that has none
        return {"user": None, "token": None}
    assert context.credentials is not None
    return {"user": context.client.user, "token": context.credentials["token"]}


def run_revoked(context: OperationContext, inputs: dict[str, Any]) -> Any:
    noted(context, inputs)
    raise AuthenticationFailed("The vault refused the token (401).")


def vault_connector(key: str, *, optional: bool, client_factory: Any) -> Connector:
    return connector(
        key,
        operation("whoami", run_whoami, schema({})),
        operation("revoked", run_revoked, schema({})),
        authentication=AuthenticationSpec(
            fields_schema=schema(
                {"user": {"type": "string"}, "token": {"type": "string", "writeOnly": True}}
            ),
            client_factory=client_factory,
            connection_test=lambda context: "reached the vault",
            optional=optional,
        ),
    )


VAULT = vault_connector("vault", optional=False, client_factory=build_vault_client)
# A step of this one may run without an authentication (a public endpoint).
PUBLIC_VAULT = vault_connector(
    "public_vault", optional=True, client_factory=build_public_vault_client
)

CONNECTORS = {item.key: item for item in (START, STEPS, FLOW, VAULT, PUBLIC_VAULT)}

AUTHENTICATIONS = {
    "auth-ada": ResolvedAuthentication(
        name="Ada's vault", connector="vault", credentials={"user": "ada", "token": "s3cret-ada"}
    ),
    "auth-public": ResolvedAuthentication(
        name="Public vault key",
        connector="public_vault",
        credentials={"user": "bob", "token": "s3cret-bob"},
    ),
    "auth-slack": ResolvedAuthentication(
        name="Team Slack", connector="slack", credentials={"token": "xoxb-1"}
    ),
}


def resolve_authentication(authentication_id: str) -> ResolvedAuthentication:
    """The authentication source the services would give: unknown ids are refused."""
    try:
        return AUTHENTICATIONS[authentication_id]
    except KeyError:
        raise AuthenticationUnavailable(
            f"Authentication {authentication_id} no longer exists or may not be used by ada."
        ) from None


# --- Definitions and runs ---


def step(connector_key: str, operation_key: str, **properties: Any) -> dict[str, Any]:
    return {"connector": connector_key, "operation": operation_key, "properties": properties}


def node(name: str, kind: str = "normal", content: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "type": kind}
    if content is not None:
        found["content"] = content
    return found


def loop_node(name: str, *body: dict[str, Any]) -> dict[str, Any]:
    return node(name, "loop", {"_loop": list(body)})


def branch_node(name: str, **lanes: list[dict[str, Any]]) -> dict[str, Any]:
    return node(name, "branch", lanes)


def definition(structure: list[dict[str, Any]], steps: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "trigger": {"connector": "start", "operation": "start", "properties": {}},
        "steps_structure": structure,
        "steps": steps,
    }


def run(
    workflow: dict[str, Any],
    payload: Any = None,
    *,
    reuse: Mapping[str, EarlierStep] | None = None,
    progress: RunProgress | None = None,
    time_limit: float = float("inf"),
    first_sequence: int = 0,
    checkpoint: Checkpoint | None = None,
    settings: ClientSettings | None = None,
) -> RunOutcome:
    """Compiles and executes a workflow with the test connectors, on WORLD's clock and recorder."""
    executor = RunExecutor(
        plan=compile_definition(workflow, connectors=CONNECTORS),
        recorder=WORLD.recorder,
        authentications=resolve_authentication,
        settings=settings or ClientSettings(),
        first_sequence=first_sequence,
        reuse=reuse,
        progress=progress,
        time_limit=time_limit,
        clock=WORLD.clock,
        now=WORLD.clock.wall,
        checkpoint=checkpoint,
        sleep=WORLD.sleep,
    )
    # A run started without a payload gets {}, as the API gives it.
    return executor.execute({} if payload is None else payload)
