"""Webhook: the secret check, the call as the trigger's output, and the answer a Webhook
response step sets, in-process (calls through the URL: tests/test_webhooks.py)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import pytest

from connectors.sdk import ClientSettings, OperationContext
from connectors.webhook.calls import answer_of, check_passes, redact_headers, trigger_output
from tests.connectors.harness import run_operation

SECRET = "a-long-shared-secret-0123456789"
BODY = b'{"account": {"id": 42}}'


class Headers(dict):
    """Headers looked up case-insensitively, as Django's request.headers are."""

    def get(self, name: str, default: Any = None) -> Any:
        return next((value for key, value in self.items() if key.lower() == name.lower()), default)


def signed(body: bytes = BODY, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class RecordingServices:
    def __init__(self) -> None:
        self.responses: list[Mapping[str, Any]] = []

    def respond(self, response: Mapping[str, Any]) -> None:
        self.responses.append(response)

    def call_workflow(self, **arguments: Any) -> dict[str, Any]:
        raise AssertionError("not called")


@pytest.mark.exercises("webhook", "webhook")
def test_the_trigger_outputs_the_call_it_was_given():
    call = trigger_output(
        method="post",
        path="/",
        headers={"Content-Type": "application/json"},
        query={"source": "crm"},
        body={"account": {"id": 42}},
    )

    output = run_operation("webhook", "webhook", {"payload": call})

    assert output == {
        "method": "POST",
        "path": "/",
        "headers": {"content-type": "application/json"},
        "query": {"source": "crm"},
        "body": {"account": {"id": 42}},
    }


@pytest.mark.parametrize(
    ("payload", "call"),
    [
        (None, {"body": None}),
        ({}, {"body": None}),
        ({"account": {"id": 1}}, {"body": {"account": {"id": 1}}}),
        ([1, 2], {"body": [1, 2]}),
        (
            {"method": "PUT", "query": {"a": "1"}, "body": "hi"},
            {"method": "PUT", "query": {"a": "1"}, "body": "hi"},
        ),
    ],
)
def test_run_workflows_payload_simulates_a_call(payload, call):
    output = run_operation("webhook", "webhook", {"payload": payload})

    assert output == {"method": "POST", "path": "/", "headers": {}, "query": {}, **call}


@pytest.mark.exercises("webhook", "webhook_response")
def test_the_response_step_sets_the_runs_answer():
    services = RecordingServices()
    context = OperationContext(
        step_name="reply-1", settings=ClientSettings(), services=services, step_path="reply-1"
    )

    output = run_operation(
        "webhook",
        "webhook_response",
        {"status": 202, "headers": {"X-Queue": "bulk"}, "body": "queued"},
        context,
    )

    assert output == {"status": 202, "headers": {"X-Queue": "bulk"}, "body": "queued"}
    assert services.responses == [output]


@pytest.mark.parametrize("status", [100, 199, 600])
def test_a_status_outside_200_to_599_is_refused(status):
    with pytest.raises(Exception, match="Invalid input 'status'"):
        run_operation("webhook", "webhook_response", {"status": status})


@pytest.mark.parametrize(
    ("header", "given", "passes"),
    [
        (None, {"X-Webhook-Secret": SECRET}, True),
        (None, {"x-webhook-secret": SECRET}, True),  # header names have no case
        (None, {"X-Webhook-Secret": f"  {SECRET} "}, True),
        (None, {"X-Webhook-Secret": SECRET + "x"}, False),
        (None, {"X-Webhook-Secret": ""}, False),
        (None, {"Authorization": SECRET}, False),  # another header than the check's
        ("X-Token", {"X-Token": SECRET}, True),
        ("X-Token", {"X-Webhook-Secret": SECRET}, False),
    ],
)
def test_the_header_check_compares_the_headers_value_with_the_secret(header, given, passes):
    assert (
        check_passes(
            check="header", header=header, headers=Headers(given), body=BODY, secret=SECRET
        )
        is passes
    )


@pytest.mark.parametrize(
    ("given", "body", "passes"),
    [
        (signed(), BODY, True),
        ("sha256=" + signed(), BODY, True),  # GitHub's form
        ("SHA256=" + signed().upper(), BODY, True),
        (signed(), BODY + b" ", False),  # the body changed
        (signed(secret="another-secret-0123456789"), BODY, False),
        (signed()[:-1], BODY, False),
        ("", BODY, False),
    ],
)
def test_the_hmac_check_compares_the_bodys_signature(given, body, passes):
    headers = Headers({"X-Signature-256": given})

    assert (
        check_passes(check="hmac_sha256", header=None, headers=headers, body=body, secret=SECRET)
        is passes
    )


def test_without_a_secret_or_with_an_unknown_check_every_call_is_refused():
    headers = Headers({"X-Webhook-Secret": SECRET})

    assert check_passes(check="header", header=None, headers=headers, body=BODY, secret=None) is (
        False
    )
    assert check_passes(check="magic", header=None, headers=headers, body=BODY, secret=SECRET) is (
        False
    )
    assert check_passes(check="none", header=None, headers={}, body=BODY, secret=None) is True


def test_credential_like_headers_and_the_checks_header_are_redacted():
    headers = {
        "Authorization": "Bearer a",
        "Proxy-Authorization": "Basic b",
        "Cookie": "sessionid=c",
        "X-Api-Key": "d",
        "X-Hub-Signature-256": "sha256=e",
        "X-Auth-Token": "f",
        "X-Client-Secret": "g",
        "X-Shared": "h",  # the check's header, named like nothing in particular
        "Content-Type": "application/json",
        "User-Agent": "curl/8",
    }

    assert redact_headers(headers, also="x-shared") == {
        "authorization": "[redacted]",
        "proxy-authorization": "[redacted]",
        "cookie": "[redacted]",
        "x-api-key": "[redacted]",
        "x-hub-signature-256": "[redacted]",
        "x-auth-token": "[redacted]",
        "x-client-secret": "[redacted]",
        "x-shared": "[redacted]",
        "content-type": "application/json",
        "user-agent": "curl/8",
    }


def test_an_answer_sends_text_as_text_and_other_json_as_json():
    text = answer_of({"status": 200, "headers": {}, "body": "hello"})
    data = answer_of({"status": 201, "headers": {"X-A": "1"}, "body": {"ok": True}})
    typed = answer_of(
        {"status": 200, "headers": {"content-type": "text/csv"}, "body": "a,b\n1,2\n"}
    )

    assert (text.status, text.headers, text.content) == (
        200,
        {"Content-Type": "text/plain; charset=utf-8"},
        b"hello",
    )
    assert (data.status, data.headers, data.content) == (
        201,
        {"X-A": "1", "Content-Type": "application/json"},
        b'{"ok": true}',
    )
    assert (typed.headers, typed.content) == ({"content-type": "text/csv"}, b"a,b\n1,2\n")


def test_an_answer_without_a_body_sends_none():
    assert answer_of({"status": 204, "headers": {}, "body": {"ignored": True}}).content == b""
    assert answer_of({"status": 200, "headers": {}, "body": None}).content == b""


def test_an_answer_stored_otherwise_is_still_sent_safely():
    # A Callable response's value, or anything else a run might hold, answers 200 without
    # the headers the server sets itself.
    stored = {"status": 101, "headers": {"Set-Cookie": "a=1", "X-Ok": "yes"}, "value": 3}

    answer = answer_of(stored)

    assert (answer.status, answer.headers, answer.content) == (200, {"X-Ok": "yes"}, b"")
