"""The connector SDK: how a connector, its authentication and its operations are declared."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from jsonschema import Draft202012Validator

from connectors.http import ServiceClient


class OperationKind(StrEnum):
    ACTION = "action"  # a function of its inputs returning JSON
    TRIGGER = "trigger"  # starts a run; its output is the trigger payload
    LOOP = "loop"  # returns the items the engine runs the step's body over
    BRANCH = "branch"  # returns {"lane": <name>, ...}: the engine runs that lane's steps
    BREAK = "break"  # stops the enclosing loop it names, after its output is recorded
    CONTINUE = "continue"  # skips to the next item of the enclosing loop it names
    TERMINATE = "terminate"  # ends the run now, succeeded or failed, with its message


@dataclass(frozen=True)
class ScriptLimits:
    """What one Script step may use (the SCRIPT_* settings): its defaults are theirs."""

    timeout_seconds: float = 5.0
    memory_limit_mb: int = 128
    max_source_bytes: int = 100_000
    max_log_lines: int = 100
    max_log_line_chars: int = 1_000


@dataclass(frozen=True)
class ClientSettings:
    """How outbound calls behave; comes from Django settings, passed in so connectors need none."""

    timeout: float = 30.0  # the whole of one call: connecting, waiting and reading the body
    max_retries: int = 3
    max_retry_after: float = 60.0
    max_response_bytes: int = 10 * 1024 * 1024
    # Refuse loopback, private, link-local and other non-public addresses (after DNS).
    block_private_networks: bool = False
    # Set when the run is cancelled (by its heartbeat thread): a call in flight stops at once.
    cancelled: threading.Event | None = field(default=None, compare=False)
    # A wait longer than this many seconds (a Retry-After, a Delay) is not slept in the worker:
    # the run is parked and resumed when it is due (ParkRequested). None where a run cannot
    # park (a connection test answering a web request): the wait is slept.
    park_after: float | None = None
    # What a Script step may use (SCRIPT_* settings): time, heap, source and console lines.
    script: ScriptLimits = field(default_factory=ScriptLimits)


def utc_now() -> datetime:
    return datetime.now(UTC)


class RunServices(Protocol):
    """What a step may ask of the platform itself rather than of a vendor; given to the
    engine by whoever executes the run (builder/services/run_services.py for a real run)."""

    def respond(self, response: Mapping[str, Any]) -> None:
        """Sets the run's answer: what a webhook caller waiting for it receives (Webhook
        response: status, headers, body), or what the calling workflow gets (Callable
        response). Stored at once; a later response replaces it."""
        ...

    def call_workflow(
        self, *, step_path: str, workflow_id: str, payload: Any, wait: bool
    ) -> dict[str, Any]:
        """Starts a run of a workflow with the Callable trigger, as a child of this run, once
        per `step_path` (asked again, it answers about the same child). Fire and forget
        (`wait` false): returns `{"run_id"}`. Waiting: the child's response once it has
        finished, else raises ParkRequested so the run parks until the child ends."""
        ...


@dataclass
class OperationContext:
    """What an operation receives beside its inputs; built by the engine for each step."""

    step_name: str
    settings: ClientSettings
    # The client of the step's authentication, built once per run and reused (keep-alive).
    client: Any = None
    credentials: Mapping[str, Any] | None = None
    # Retries and other notes, shown in the step's log.
    log: list[str] = field(default_factory=list)
    # Values kept for the rest of the run, shared by all its steps (the Data storage
    # connector): the one state a step may leave for a later loop iteration to read.
    run_storage: dict[str, Any] = field(default_factory=dict)
    # The wall clock (the engine's, which tests set); and what park_until asked for.
    now: Callable[[], datetime] = utc_now
    park_request: tuple[datetime, str] | None = None
    # The step's path in the run (`loop-1[3].call-1`) and the platform's services; None where
    # no run exists (a connection test, a connector's own tests).
    step_path: str = ""
    services: RunServices | None = None

    def park_until(self, when: datetime, reason: str) -> None:
        """Asks the engine to park the run once this step is recorded, until `when` (a Delay):
        the step's output stands, and the run resumes after it."""
        self.park_request = (when, reason)

    @property
    def http(self) -> ServiceClient:
        """The step's HTTP client, writing its retries to this step's log."""
        client = getattr(self.client, "service_client", self.client)
        if not isinstance(client, ServiceClient):
            raise TypeError(
                f"Step {self.step_name} has no HTTP client: does it need authentication?"
            )
        return client.for_log(self.log)


OperationFunction = Callable[[OperationContext, dict[str, Any]], Any]


@dataclass(frozen=True)
class Operation:
    """One thing a connector does: its inputs and output as JSON Schema, and a function.

    `run(context, inputs)` gets inputs already validated against `input_schema`; what it
    returns is validated against `output_schema` (loops excepted: they return their items).
    """

    key: str
    title: str
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    run: OperationFunction
    kind: OperationKind = OperationKind.ACTION
    # For a BRANCH operation: the lanes it always has (e.g. true and false); others may be
    # added per step (a Branch's cases).
    fixed_lanes: tuple[str, ...] = ()
    dynamic_lanes: bool = False
    # Reads or writes context.run_storage. Such a step is run again, never reused, when a
    # failed run is retried from its failed step, so the state it builds is rebuilt.
    uses_run_storage: bool = False
    # Running it twice does no harm: it reads, or computes from its inputs. An action that is
    # not (it sends, creates, changes something) has its record stored before the next step
    # starts, so a run resumed after its worker was lost cannot do it again unless it was the
    # step in flight. Triggers, loops, branches and breaks are the engine's own, always safe.
    repeatable: bool = False
    # Checks at save what JSON Schema cannot say (a cron expression parses, a time zone
    # exists): given the step's literal property values, once each passed its own schema,
    # returns the problems as (property, message). A value read from a step is seen at run.
    check_properties: Callable[[Mapping[str, Any]], list[tuple[str, str]]] | None = None


def no_derived_secrets(fields: Mapping[str, Any]) -> list[str]:
    return []


@dataclass(frozen=True)
class AuthenticationSpec:
    """A connector's credential: its fields (JSON Schema, secret ones `writeOnly`) and their use."""

    fields_schema: dict[str, Any]
    # Builds the per-run client from the decrypted fields (base URL, headers, retry policy).
    client_factory: Callable[[Mapping[str, Any], ClientSettings], Any]
    # Checks the credential against the vendor; returns a short description of what it reached.
    connection_test: Callable[[OperationContext], str]
    # True when a step may run without one (the HTTP client calling a public URL).
    optional: bool = False
    # What the client sends made from the secrets, given all the fields (a Basic header, the
    # base64 of user:password): an endpoint that echoes requests shows these rather than
    # the secrets, so they are redacted like the secrets. The redactor adds the URL-encoded
    # and base64 forms of every value itself; list here what only this connector makes.
    derived_secrets: Callable[[Mapping[str, Any]], list[str]] = no_derived_secrets
    # Fields an organisational authentication must set: one every member may use must say
    # where its credential may go (the HTTP client's base URL).
    organisational_requires: tuple[str, ...] = ()

    @property
    def secret_fields(self) -> frozenset[str]:
        return frozenset(
            name
            for name, schema in self.fields_schema.get("properties", {}).items()
            if schema.get("writeOnly")
        )

    def secret_fields_for(self, fields: Mapping[str, Any]) -> frozenset[str]:
        """The secret fields that apply to these fields.

        A secret required only by an `if`/`then` of the schema (the HTTP client's password,
        for auth_type basic) applies only while its condition holds, as the form shows it.
        """
        conditional: set[str] = set()
        chosen: set[str] = set()
        for part in (self.fields_schema, *self.fields_schema.get("allOf", ())):
            if "if" not in part:
                continue
            names = set(part.get("then", {}).get("required", ())) & self.secret_fields
            conditional |= names
            if Draft202012Validator(part["if"]).is_valid(dict(fields)):
                chosen |= names
        return frozenset((self.secret_fields - conditional) | chosen)


@dataclass(frozen=True)
class Connector:
    key: str
    title: str
    description: str
    icon: str  # an SVG file in the connector's package
    version: str
    operations: tuple[Operation, ...]
    authentication: AuthenticationSpec | None = None

    def operation(self, key: str) -> Operation | None:
        for operation in self.operations:
            if operation.key == key:
                return operation
        return None

    @property
    def is_trigger(self) -> bool:
        return any(operation.kind == OperationKind.TRIGGER for operation in self.operations)
