"""Hostile input gets a JSON 400 or 413 naming the field or the limit: never a 500, an HTML page
or a run that cannot be recorded."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rest_framework.authtoken.models import Token

from builder.models import Run, WorkflowVersion
from builder.services.execution import run_claim, run_finish
from tests.helpers import (
    ROOT,
    all_step_runs,
    create_workflow,
    run_workflow,
    wait_for_run,
    walkthrough_definition,
)
from tests.servers import worker_environment

MANUAL = {"connector": "manual", "operation": "manual", "properties": {}}
NUL_MESSAGE = "contains the NUL character (\\u0000), which cannot be stored"
NOT_FINITE_MESSAGE = "is not a finite number, which cannot be stored"
INVALID = "The request is invalid."
TOO_DEEP = "The request body nests arrays and objects deeper than 64 levels (API_MAX_JSON_DEPTH)."
TOO_LARGE = "The request body is larger than the limit of 10485760 bytes (API_MAX_REQUEST_BYTES)."


def post_json(api, url: str, body: str):
    """Posts a JSON text as is: bodies too deep for json.dumps are written by hand."""
    return api.generic("POST", url, body.encode(), content_type="application/json")


def nested_loops(names: list[str], inner: str = "text-1") -> dict[str, Any]:
    """Each loop inside the one before, all over the trigger's one-item list, then one step."""
    lane: list[dict[str, Any]] = [{"name": inner, "type": "normal"}]
    for name in reversed(names):
        lane = [{"name": name, "type": "loop", "content": {"_loop": lane}}]
    steps: dict[str, Any] = {
        name: {
            "connector": "loop",
            "operation": "loop_list",
            "properties": {"list": {"type": "jsonpath", "value": "$.steps.trigger.items"}},
        }
        for name in names
    }
    steps[inner] = {
        "connector": "text_helpers",
        "operation": "concatenate",
        "properties": {"values": {"type": "array", "value": [{"type": "string", "value": "x"}]}},
    }
    return {"trigger": MANUAL, "steps_structure": lane, "steps": steps}


def structure_path(levels: int) -> str:
    """The path of the node `levels` loops deep in steps_structure."""
    return "steps_structure.0" + ".content._loop.0" * levels


def long_names(count: int, length: int = 100) -> list[str]:
    return [f"loop-{index}-".ljust(length, "x") for index in range(count)]


# --- 5. Paths longer than the columns ------------------------------------------------------------


@pytest.mark.django_db
def test_ten_nested_loops_with_100_character_names_are_refused_at_save(api):
    response = api.post(
        "/api/workflows/",
        {"name": "Deep", "definition": nested_loops(long_names(10))},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The workflow definition is invalid.",
        "errors": [
            {
                "path": f"{structure_path(8)}.name",
                "message": f"step {long_names(10)[8]!r} inside 8 loops runs at paths of up to "
                "1004 characters (each loop adds its name and an iteration number of up to 10 "
                "digits), more than the 1000 a step run's path can hold: shorten the names of "
                "the step and its loops, or nest fewer loops",
            }
        ],
    }


@pytest.mark.django_db
def test_steps_nested_deeper_than_the_limit_are_refused_naming_the_setting(api):
    definition = nested_loops([f"loop-{index}" for index in range(10)])

    response = api.post(
        "/api/workflows/", {"name": "Deep", "definition": definition}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "path": structure_path(9),
            "message": "this step is inside 9 loops and branches; at most 8 may be nested "
            "(DEFINITION_MAX_NESTING)",
        }
    ]


@pytest.mark.django_db
def test_nesting_limit_follows_the_setting(api, settings):
    settings.DEFINITION_MAX_NESTING = 2
    definition = nested_loops(["loop-1", "loop-2", "loop-3"])

    response = api.post(
        "/api/workflows/", {"name": "Deep", "definition": definition}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "path": structure_path(3),
            "message": "this step is inside 3 loops and branches; at most 2 may be nested "
            "(DEFINITION_MAX_NESTING)",
        }
    ]


@pytest.mark.django_db
def test_longest_step_path_that_fits_the_column_is_saved_and_one_more_character_is_not(api):
    # 8 loops of 100 characters take 8 * (100 + "[" + 10 digits + "].") = 904 characters.
    fits = nested_loops(long_names(8), inner="s".ljust(96, "x"))
    too_long = nested_loops(long_names(8), inner="s".ljust(97, "x"))

    saved = api.post("/api/workflows/", {"name": "Fits", "definition": fits}, format="json")
    refused = api.post("/api/workflows/", {"name": "Long", "definition": too_long}, format="json")

    assert saved.status_code == 201, saved.json()
    assert refused.status_code == 400
    assert [error["path"] for error in refused.json()["errors"]] == [f"{structure_path(8)}.name"]
    assert "paths of up to 1001 characters" in refused.json()["errors"][0]["message"]


@pytest.mark.django_db(transaction=True)
def test_deepest_nesting_allowed_runs_and_records_each_path(api, celery_worker):
    names = [f"loop-{index}" for index in range(1, 9)]

    run = run_workflow(api, nested_loops(names), payload={"items": ["only"]})

    assert run["status"] == "succeeded", run
    steps = all_step_runs(api, run["id"])
    assert len(steps) == 10  # the trigger, 8 loops, the step inside them
    assert steps[-1]["path"] == "".join(f"{name}[0]." for name in names) + "text-1"


@pytest.mark.django_db(transaction=True)
def test_run_of_a_definition_saved_before_the_limits_fails_naming_the_limit(api, celery_worker):
    # Given a workflow whose stored definition nests too deep (saved by an older version)
    workflow = create_workflow(api, nested_loops(["loop-1"]))
    WorkflowVersion.objects.filter(workflow_id=workflow["id"]).update(
        definition=nested_loops(long_names(10))
    )

    # When it runs, with an item for each loop to go into the next
    response = api.post(
        f"/api/workflows/{workflow['id']}/runs/", {"payload": {"items": ["only"]}}, format="json"
    )
    run = wait_for_run(api, response.json()["id"])

    # Then it fails at once, saying why, rather than being left running
    assert run["status"] == "failed"
    assert run["error"].startswith(
        f"The workflow is invalid: {structure_path(8)}.name: step 'loop-8-"
    )
    assert "more than the 1000 a step run's path can hold" in run["error"]
    assert run["failed_step"] == ""
    assert all_step_runs(api, run["id"]) == []


@pytest.mark.django_db
def test_finishing_a_run_cuts_what_its_columns_cannot_hold(api):
    # Given a running run (queued: the test transaction never commits, so it is never sent)
    workflow = create_workflow(api, nested_loops(["loop-1"]))
    run_id = api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json").json()["id"]
    assert run_claim(run_id=run_id)

    # When the fallback finish records a failed step longer than its column, and a NUL
    run_finish(run_id=run_id, status="failed", failed_step="loop-1[0]." * 500, error="bad\x00byte")

    # Then both are stored, made to fit
    run = Run.objects.get(id=run_id)
    assert run.status == "failed"
    assert run.failed_step == ("loop-1[0]." * 500)[:999] + "…"
    assert len(run.failed_step) == 1000
    assert run.error == "bad\ufffdbyte"


# --- 7. NUL characters --------------------------------------------------------------------------


def walkthrough() -> dict[str, Any]:
    return walkthrough_definition(totango_auth=None, slack_auth=None)


def runnable() -> dict[str, Any]:
    """A workflow Run workflow may start (the walkthrough above lacks its authentications)."""
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [],
        "steps": {},
    }


@pytest.mark.django_db
def test_nul_in_a_step_title_is_refused_naming_the_field(api):
    definition = walkthrough()
    definition["steps"]["slack-1"]["title"] = "Post\x00it"

    response = api.post("/api/workflows/", {"name": "NUL", "definition": definition}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": INVALID,
        "errors": [{"path": "definition.steps.slack-1.title", "message": NUL_MESSAGE}],
    }


@pytest.mark.django_db
def test_nul_in_a_property_value_is_refused_naming_the_field(api):
    definition = walkthrough()
    definition["steps"]["slack-1"]["properties"]["channel"]["value"] = "#general\x00"

    response = api.post("/api/workflows/", {"name": "NUL", "definition": definition}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "definition.steps.slack-1.properties.channel.value", "message": NUL_MESSAGE}
    ]


@pytest.mark.django_db
def test_nul_in_a_run_payload_value_and_key_is_refused_naming_each(api):
    workflow = create_workflow(api, walkthrough())

    response = api.post(
        f"/api/workflows/{workflow['id']}/runs/",
        {"payload": {"name": "Ada\x00", "items": [{"b\x00d": 1}]}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "payload.name", "message": NUL_MESSAGE},
        {"path": "payload.items.0", "message": f"the key 'b\\x00d' {NUL_MESSAGE}"},
    ]
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_a_number_too_large_to_be_finite_is_refused_naming_the_field(api):
    # Python reads 1e400 as infinity, which no JSON column can store
    workflow = create_workflow(api, walkthrough())

    response = api.post(
        f"/api/workflows/{workflow['id']}/runs/",
        data=b'{"payload": {"amount": 1e400, "items": [-1e400, 2.5]}}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "payload.amount", "message": NOT_FINITE_MESSAGE},
        {"path": "payload.items.0", "message": NOT_FINITE_MESSAGE},
    ]
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_nul_in_a_form_field_is_refused_naming_the_field(api):
    workflow = create_workflow(api, walkthrough())

    # A JSON field sent in a form is parsed by the field: its NUL arrives escaped.
    response = api.post(f"/api/workflows/{workflow['id']}/runs/", {"payload": '"a\\u0000"'})

    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "payload", "message": NUL_MESSAGE}]


@pytest.mark.django_db
def test_nul_in_authentication_fields_is_refused_secret_or_not_without_echoing_them(api):
    secret = "totango-secret-\x00-token"

    response = api.post(
        "/api/authentications/",
        {
            "name": "Totango",
            "connector": "totango",
            "fields": {
                "api_token": secret,
                "data_center": "custom",
                "base_url": "http://127.0.0.1\x00.example.com",
            },
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "fields.api_token", "message": NUL_MESSAGE},
        {"path": "fields.base_url", "message": NUL_MESSAGE},
    ]
    assert "totango-secret" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/runs/?status=%00", "status"),
        ("/api/runs/?workflow=%00", "workflow"),
        ("/api/runs/{run}/steps/?status=%00", "status"),
        ("/api/runs/{run}/steps/?step=%00", "step"),
        ("/api/runs/{run}/steps/?search=a%00b", "search"),
        ("/api/authentications/?connector=%00", "connector"),
        ("/api/workflows/?limit=1&offset=%00", "offset"),
        ("/admin/login/?next=%00", "next"),
    ],
)
def test_nul_in_a_query_parameter_is_refused_naming_it(api, url, parameter):
    workflow = create_workflow(api, runnable())
    run = api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json").json()

    response = api.get(url.format(run=run["id"]))

    assert response.status_code == 400
    assert response.json() == {
        "detail": INVALID,
        "errors": [
            {
                "path": parameter,
                "message": "the query parameter contains the NUL character (\\u0000), which "
                "no stored value contains",
            }
        ],
    }


# --- 8. Deep nesting ----------------------------------------------------------------------------


def deep_list(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.django_db
def test_definition_10000_levels_deep_is_refused_naming_the_setting(api):
    response = post_json(
        api, "/api/workflows/", '{"name": "Deep", "definition": ' + deep_list(10_000) + "}"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP, "errors": [{"path": "", "message": TOO_DEEP}]}


@pytest.mark.django_db
def test_typed_object_property_3000_levels_deep_is_refused_naming_the_setting(api):
    definition = walkthrough()
    definition["steps"]["slack-1"]["properties"]["text"] = "DEEP"
    deep = '{"type": "object", "value": {"a": ' * 3000 + '{"type": "null"}' + "}}" * 3000

    response = post_json(
        api,
        "/api/workflows/",
        json.dumps({"name": "Deep", "definition": definition}).replace('"DEEP"', deep),
    )

    assert response.status_code == 400
    assert response.json()["detail"] == TOO_DEEP


@pytest.mark.django_db
def test_payload_10000_levels_deep_is_refused_naming_the_setting(api):
    workflow = create_workflow(api, walkthrough())

    response = post_json(
        api, f"/api/workflows/{workflow['id']}/runs/", '{"payload": ' + deep_list(10_000) + "}"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == TOO_DEEP
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_payload_10000_levels_deep_in_a_form_field_is_refused(api):
    workflow = create_workflow(api, walkthrough())

    response = api.post(f"/api/workflows/{workflow['id']}/runs/", {"payload": deep_list(10_000)})

    assert response.status_code == 400
    assert response.json()["detail"] == TOO_DEEP


@pytest.mark.django_db
def test_payload_at_the_depth_limit_is_accepted(api):
    workflow = create_workflow(api, runnable())
    # The body's object and the payload key take one level: 63 more fit.
    body = '{"payload": ' + deep_list(63) + "}"

    response = post_json(api, f"/api/workflows/{workflow['id']}/runs/", body)
    too_deep = post_json(
        api, f"/api/workflows/{workflow['id']}/runs/", '{"payload": ' + deep_list(64) + "}"
    )

    assert response.status_code == 202, response.json()
    assert too_deep.status_code == 400


@pytest.mark.django_db
def test_brackets_inside_strings_do_not_count_as_depth(api):
    definition = walkthrough()
    definition["steps"]["slack-1"]["properties"]["text"]["value"] = "[{" * 1000 + '\\"'

    response = api.post(
        "/api/workflows/", {"name": "Text", "definition": definition}, format="json"
    )

    assert response.status_code == 201, response.json()


# --- 16. Bodies over the limit, through gunicorn ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(django_db_setup, tmp_path_factory) -> Iterator[str]:
    """The app as production serves it, on the test database; its base URL. The tests using it
    are marked django_db: pytest-django sets up the test database only for such a session."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            # No control socket: its default path is shared by every gunicorn on the machine.
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi"),
                *("--bind", f"127.0.0.1:{port}", "--no-control-socket"),
            ],
            cwd=ROOT,
            env=worker_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start: {log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/api/health/").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base_url
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def whole_answer(answer: bytes) -> bool:
    head, separator, content = answer.partition(b"\r\n\r\n")
    lengths = [
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    ]
    return bool(separator and lengths and len(content) >= lengths[0])


def raw_request(base_url: str, head: str, body: bytes = b"") -> tuple[int, dict[str, Any]]:
    """Sends a request as written (a Content-Length that lies, say) and reads the answer.

    The body is sent only while no answer is waiting: a server that answers without reading
    it all must still be heard.
    """
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        connection.setblocking(False)
        answer, sent = b"", 0
        deadline = time.monotonic() + 30
        while not whole_answer(answer):
            if time.monotonic() > deadline:
                raise AssertionError(f"No whole answer in 30 s: {answer[:500]!r}")
            sending = [connection] if sent < len(body) else []
            readable, writable, _ = select.select([connection], sending, [], 1.0)
            if readable:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
            elif writable:
                try:
                    sent += connection.send(body[sent : sent + 65536])
                except (BrokenPipeError, ConnectionResetError):
                    sent = len(body)  # the server stopped reading: hear its answer
    status_line, _, rest = answer.partition(b"\r\n")
    _, _, content = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), json.loads(content)


@pytest.mark.django_db(transaction=True)
def test_50_mb_json_body_is_answered_413_in_json_naming_the_setting(gunicorn, user):
    token = Token.objects.create(user=user)
    body = b'{"name": "' + b"x" * (50 * 1024 * 1024) + b'"}'

    status, answer = raw_request(
        gunicorn,
        "POST /api/workflows/ HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n"
        f"Authorization: Token {token.key}\nContent-Length: {len(body)}\n",
        body,
    )

    assert (status, answer) == (413, {"detail": TOO_LARGE})


@pytest.mark.django_db(transaction=True)
def test_50_mb_form_body_to_a_page_outside_the_api_is_answered_413_in_json(gunicorn):
    body = b"username=ada&password=" + b"x" * (50 * 1024 * 1024)

    status, answer = raw_request(
        gunicorn,
        "POST /admin/login/ HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: application/x-www-form-urlencoded\n"
        f"Content-Length: {len(body)}\n",
        body,
    )

    assert (status, answer) == (413, {"detail": TOO_LARGE})


@pytest.mark.django_db(transaction=True)
def test_content_length_claiming_more_than_the_limit_is_answered_413_without_a_body(gunicorn):
    status, answer = raw_request(
        gunicorn,
        "POST /api/auth/sign-in/ HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n"
        "Content-Length: 52428800\n",
    )

    assert (status, answer) == (413, {"detail": TOO_LARGE})


@pytest.mark.django_db(transaction=True)
def test_content_length_claiming_less_than_the_body_reads_only_what_it_claims(gunicorn, user):
    # A 50 MB body whose Content-Length claims 20 bytes: the server reads 20 and answers.
    token = Token.objects.create(user=user)
    body = b'{"name": "Lie", "definition": "' + b"x" * (50 * 1024 * 1024) + b'"}'

    status, answer = raw_request(
        gunicorn,
        "POST /api/workflows/ HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n"
        f"Authorization: Token {token.key}\nContent-Length: 20\n",
        body,
    )

    assert status == 400
    assert answer["detail"].startswith("JSON parse error")


@pytest.mark.django_db(transaction=True)
def test_body_under_the_limit_is_still_read(gunicorn, user):
    token = Token.objects.create(user=user)

    response = httpx.post(
        f"{gunicorn}/api/workflows/",
        json={"name": "x" * (9 * 1024 * 1024)},
        headers={"Authorization": f"Token {token.key}"},
        timeout=30,
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "name", "message": "Ensure this field has no more than 200 characters."}
    ]
