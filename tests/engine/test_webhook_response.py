"""The Webhook trigger and the Webhook response step in the engine: the trigger's output is the
call, and the response step hands the run's answer to the platform (RunServices.respond)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from builder.engine.definition import compile_definition
from builder.engine.executor import ResolvedAuthentication, RunExecutor, RunOutcome
from connectors.sdk import ClientSettings
from connectors.webhook import CONNECTOR as WEBHOOK
from tests.engine.doubles import CONNECTORS, WORLD, node, resolve_authentication, step
from tests.helpers import jsonpath, string, typed

CALL = {
    "method": "POST",
    "path": "/",
    "headers": {"content-type": "application/json"},
    "query": {},
    "body": {"account": {"id": 42}, "name": "ada"},
}


class FakeRunServices:
    """Records what the steps asked of the platform."""

    def __init__(self) -> None:
        self.responses: list[Mapping[str, Any]] = []

    def respond(self, response: Mapping[str, Any]) -> None:
        self.responses.append(response)

    def call_workflow(
        self, *, step_path: str, workflow_id: str, payload: Any, wait: bool
    ) -> dict[str, Any]:
        raise AssertionError("no step here calls a workflow")


def respond_step(**properties: Any) -> dict[str, Any]:
    return {"connector": "webhook", "operation": "webhook_response", "properties": properties}


def webhook_workflow(
    steps: dict[str, dict[str, Any]], *, authentication: str | None = None
) -> dict[str, Any]:
    trigger: dict[str, Any] = {
        "connector": "webhook",
        "operation": "webhook",
        "properties": {"reply": string("with_response")},
    }
    if authentication is not None:
        trigger["authentication"] = authentication
    return {
        "trigger": trigger,
        "steps_structure": [node(name) for name in steps],
        "steps": steps,
    }


def execute(
    workflow: dict[str, Any],
    services: FakeRunServices | None,
    authentications: Any = resolve_authentication,
) -> RunOutcome:
    executor = RunExecutor(
        plan=compile_definition(workflow, connectors={**CONNECTORS, "webhook": WEBHOOK}),
        recorder=WORLD.recorder,
        authentications=authentications,
        settings=ClientSettings(),
        clock=WORLD.clock,
        now=WORLD.clock.wall,
        services=services,
    )
    return executor.execute(CALL)


def test_the_trigger_outputs_the_call_and_the_response_step_answers_through_the_services():
    services = FakeRunServices()
    workflow = webhook_workflow(
        {
            "echo-1": step("steps", "echo", value=jsonpath("$.steps.trigger.body.account.id")),
            "reply-1": respond_step(
                status=typed(201),
                headers=typed({"X-Account": "yes"}),
                body={
                    "type": "object",
                    "value": {
                        "id": jsonpath("$.steps.echo-1.value"),
                        "greeting": string("Hello {$.steps.trigger.body.name}"),
                    },
                },
            ),
        }
    )

    outcome = execute(workflow, services)

    assert outcome.status == "succeeded", outcome
    answer = {
        "status": 201,
        "headers": {"X-Account": "yes"},
        "body": {"id": 42, "greeting": "Hello ada"},
    }
    assert services.responses == [answer]
    records = WORLD.recorder.by_path()
    assert records["trigger"].output == CALL
    assert records["reply-1"].output == answer
    assert records["reply-1"].log == ["Set the run's answer: HTTP 201."]


def test_a_response_step_with_nothing_set_answers_200_without_a_body():
    services = FakeRunServices()

    outcome = execute(webhook_workflow({"reply-1": respond_step()}), services)

    assert outcome.status == "succeeded"
    assert services.responses == [{"status": 200, "headers": {}, "body": None}]


def test_a_later_response_step_answers_again():
    services = FakeRunServices()
    workflow = webhook_workflow(
        {"reply-1": respond_step(body=string("first")), "reply-2": respond_step(body=typed(2))}
    )

    execute(workflow, services)

    assert [response["body"] for response in services.responses] == ["first", 2]


def test_a_header_the_server_sets_fails_the_step_and_answers_nothing():
    services = FakeRunServices()
    workflow = webhook_workflow(
        {"reply-1": respond_step(headers=typed({"Set-Cookie": "sessionid=stolen"}))}
    )

    outcome = execute(workflow, services)

    assert outcome.status == "failed"
    assert outcome.failed_step == "reply-1"
    assert outcome.error == (
        "The header Set-Cookie is set by the server, not by a Webhook response step."
    )
    assert services.responses == []


def test_a_header_value_on_two_lines_fails_the_step():
    services = FakeRunServices()
    workflow = webhook_workflow(
        {"reply-1": respond_step(headers=typed({"X-Note": "a\r\nSet-Cookie: x=1"}))}
    )

    outcome = execute(workflow, services)

    assert outcome.error == "The header X-Note must be text on one line."
    assert services.responses == []


def test_without_the_platforms_services_the_response_step_fails_clearly():
    outcome = execute(webhook_workflow({"reply-1": respond_step()}), services=None)

    assert outcome.status == "failed"
    assert outcome.error == "Webhook response answers a call of a run; there is no run here."


def test_the_triggers_shared_secret_is_an_authentication_of_the_run():
    # The trigger's authentication is resolved as the steps' are (its secret is then
    # redacted from what the run records); the trigger only compares it.
    resolved: list[str] = []

    def authentications(authentication_id: str) -> ResolvedAuthentication:
        resolved.append(authentication_id)
        return ResolvedAuthentication(
            name="Hook secret", connector="webhook", credentials={"secret": "s3cret-hook"}
        )

    workflow = webhook_workflow({"reply-1": respond_step()}, authentication="auth-hook")
    plan = compile_definition(workflow, connectors={**CONNECTORS, "webhook": WEBHOOK})

    outcome = execute(workflow, FakeRunServices(), authentications)

    assert plan.authentication_ids == frozenset({"auth-hook"})
    assert outcome.status == "succeeded", outcome
    assert resolved == ["auth-hook"]
