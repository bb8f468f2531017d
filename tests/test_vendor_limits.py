"""Vendors that misbehave cannot hurt a run or its worker: bodies, time and networks are bounded."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from builder.models import Run, Workflow
from builder.tasks import run_execute_task
from tests.fakes.misbehaving import MisbehavingVendor
from tests.helpers import (
    all_step_runs,
    create_authentication,
    create_workflow,
    run_workflow,
    wait_for_run,
)
from tests.servers import WORKER_MAX_RETRIES, WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)

# The cap of the worker of the size tests: small, so a body far larger streams in a moment.
SMALL_MAX_RESPONSE_BYTES = 1024 * 1024
HUGE_BODY_BYTES = 64 * 1024 * 1024


@pytest.fixture(scope="session")
def misbehaving_server() -> Iterator[MisbehavingVendor]:
    with MisbehavingVendor() as server:
        yield server


@pytest.fixture
def vendor(misbehaving_server: MisbehavingVendor) -> Iterator[MisbehavingVendor]:
    misbehaving_server.reset()
    yield misbehaving_server
    misbehaving_server.release()  # a held answer must not outlive its test


def wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)


def get(url: str, **properties: Any) -> dict[str, Any]:
    return {
        "connector": "http",
        "operation": "http_request",
        "properties": {
            "method": {"type": "string", "value": "GET"},
            "url": {"type": "string", "value": url},
            **{name: {"type": "number", "value": value} for name, value in properties.items()},
        },
    }


def steps_definition(*steps: dict[str, Any]) -> dict[str, Any]:
    names = [f"{step['connector']}-{number}" for number, step in enumerate(steps, start=1)]
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": name, "type": "normal"} for name in names],
        "steps": dict(zip(names, steps, strict=True)),
    }


def statuses(api, run_id: str) -> list[tuple[str, str]]:
    return [(step["path"], step["status"]) for step in all_step_runs(api, run_id)]


def run_on_queue(api, queue: str, definition: dict[str, Any]) -> dict[str, Any]:
    """Runs a workflow through the worker listening on `queue` (one started with its own settings)."""
    workflow = Workflow.objects.get(id=create_workflow(api, definition)["id"])
    run = Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(version=workflow.version),
        started_by=workflow.created_by,
    )
    run_execute_task.apply_async(args=[str(run.id)], queue=queue)
    return wait_for_run(api, str(run.id), timeout=60)


# --- Finding 3: bodies are read up to CONNECTOR_MAX_RESPONSE_BYTES, no further -----------------


@pytest.fixture(scope="module")
def small_cap_worker(django_db_setup, tmp_path_factory) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(
        tmp_path_factory.mktemp("small-cap") / "worker.log",
        queue="small-cap",
        CONNECTOR_MAX_RESPONSE_BYTES=str(SMALL_MAX_RESPONSE_BYTES),
    )
    yield worker
    worker.stop()


def huge_body_step(api, connector: str, url: str) -> dict[str, Any]:
    """A step of `connector` whose call is answered by `url`'s huge body."""
    if connector == "http":
        return get(url)
    if connector == "slack":
        authentication = create_authentication(
            api, "slack", {"bot_token": "xoxb-test-token", "base_url": url + "/"}
        )
        properties = {"channel": "#general", "text": "Hello"}
        operation = "send_message"
    else:
        authentication = create_authentication(
            api,
            "totango",
            {"api_token": "totango-token", "data_center": "custom", "base_url": url},
        )
        properties = {"data_type": "accounts", "query": '{"terms": [], "count": 5}'}
        operation = "search_data_raw"
    return {
        "connector": connector,
        "operation": operation,
        "authentication": authentication,
        "properties": {
            name: {"type": "string", "value": value} for name, value in properties.items()
        },
    }


@pytest.mark.parametrize(
    ("connector", "declared", "name"),
    [
        ("http", False, ""),
        ("http", True, ""),
        ("slack", False, "Slack at "),
        ("totango", False, "Totango at "),
    ],
    ids=["http-chunked", "http-content-length", "slack", "totango"],
)
def test_a_body_over_the_cap_fails_the_step_having_read_little_and_the_worker_goes_on(
    api, vendor, small_cap_worker, connector, declared, name
):
    # Given a vendor answering 64 MiB to a worker allowed 1 MiB
    url = f"{vendor.base_url}/huge/{HUGE_BODY_BYTES}" + ("/declared" if declared else "")

    run = run_on_queue(api, "small-cap", steps_definition(huge_body_step(api, connector, url)))

    # Then the step fails naming the setting, and the vendor saw the client stop reading early
    assert run["status"] == "failed"
    assert run["failed_step"] == f"{connector}-1"
    assert run["error"] == (
        f"The response of {name}{vendor.host}:{vendor.port} is larger than "
        f"CONNECTOR_MAX_RESPONSE_BYTES ({SMALL_MAX_RESPONSE_BYTES} bytes)"
    )
    assert statuses(api, run["id"]) == [("trigger", "succeeded"), (f"{connector}-1", "failed")]
    wait_until(lambda: vendor.deliveries[0].client_left)
    [delivery] = vendor.deliveries
    assert delivery.finished is False
    # What went out is the cap plus what the sockets' buffers hold, far from the body's size.
    assert delivery.bytes_sent < HUGE_BODY_BYTES // 4

    # And the same worker runs the next run
    following = run_on_queue(api, "small-cap", steps_definition(get(f"{vendor.base_url}/ok")))
    assert following["status"] == "succeeded", following
    assert small_cap_worker.process.poll() is None


# --- Finding 4: CONNECTOR_HTTP_TIMEOUT bounds the whole call; Cancel stops a call in flight -----


def test_a_trickling_body_fails_within_the_timeout_naming_it(api, celery_worker, vendor):
    # Given a vendor sending its 100-byte body one byte every 0.2 s (20 s), to a worker whose
    # CONNECTOR_HTTP_TIMEOUT is 1 s: no single read ever waits that long
    run = run_workflow(api, steps_definition(get(f"{vendor.base_url}/trickle?bytes=100&every=0.2")))

    assert run["status"] == "failed"
    assert run["error"] == (
        f"{vendor.host}:{vendor.port} did not answer within 1s (CONNECTOR_HTTP_TIMEOUT); "
        f"gave up after {WORKER_MAX_RETRIES} retries"
    )
    # Every attempt was given up on before the vendor had sent its body
    wait_until(lambda: all(delivery.client_left for delivery in vendor.deliveries))
    deliveries = vendor.deliveries
    assert len(deliveries) == 1 + WORKER_MAX_RETRIES
    assert [delivery.finished for delivery in deliveries] == [False] * (1 + WORKER_MAX_RETRIES)
    assert all(delivery.bytes_sent < 100 for delivery in deliveries)


def test_cancel_interrupts_a_step_waiting_for_its_vendor(api, celery_worker, vendor):
    # Given a run whose step waits on a vendor that holds its answer, with a 300 s timeout
    workflow = create_workflow(
        api,
        steps_definition(get(f"{vendor.base_url}/ok"), get(f"{vendor.base_url}/hold", timeout=300)),
    )
    run_id = api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json").json()["id"]
    wait_until(lambda: [delivery.path for delivery in vendor.deliveries] == ["/ok", "/hold"])

    # When it is cancelled
    assert api.post(f"/api/runs/{run_id}/cancel/").status_code == 200
    run = wait_for_run(api, run_id, timeout=20)

    # Then the run ends cancelled while the vendor still holds, having seen the client hang up
    assert run["status"] == "cancelled"
    assert not vendor.released.is_set()
    wait_until(lambda: vendor.deliveries[1].client_left)
    assert vendor.deliveries[1].finished is False
    steps = all_step_runs(api, run_id)
    assert [(step["path"], step["status"]) for step in steps] == [
        ("trigger", "succeeded"),
        ("http-1", "succeeded"),
        ("http-2", "cancelled"),
    ]
    assert steps[2]["error"] == "Cancelled while waiting for the vendor's answer."


# --- Finding 6: NaN and Infinity are refused at the connector; a refused record loses nothing -----


@pytest.mark.parametrize(
    ("path", "token"),
    [("/nan", "NaN"), ("/negative-infinity", "-Infinity"), ("/overflow", "1e400")],
)
def test_a_json_number_postgresql_refuses_fails_the_step_and_keeps_every_record(
    api, celery_worker, vendor, path, token
):
    run = run_workflow(
        api, steps_definition(get(f"{vendor.base_url}/ok"), get(f"{vendor.base_url}{path}"))
    )

    assert run["status"] == "failed"
    assert run["failed_step"] == "http-2"
    assert run["error"] == (
        f"{vendor.host}:{vendor.port} answered invalid JSON: {token} is not a JSON number."
    )
    steps = all_step_runs(api, run["id"])
    assert [(step["path"], step["status"]) for step in steps] == [
        ("trigger", "succeeded"),
        ("http-1", "succeeded"),
        ("http-2", "failed"),
    ]
    assert steps[1]["output"]["body"] == {"ok": True}
    assert steps[2]["error"] == run["error"]


def test_a_record_the_database_refuses_is_kept_as_a_note_and_the_others_are_stored(
    api, celery_worker, vendor
):
    # Given a vendor answering half a surrogate pair (an emoji cut in two): Python reads it,
    # PostgreSQL's jsonb refuses it
    run = run_workflow(
        api,
        steps_definition(
            get(f"{vendor.base_url}/ok"),
            get(f"{vendor.base_url}/lone-surrogate"),
            get(f"{vendor.base_url}/ok"),
        ),
    )

    # Then the run goes on; the refused record is replaced by a note, every other one is stored
    assert run["status"] == "succeeded", run
    steps = all_step_runs(api, run["id"])
    assert [(step["path"], step["status"]) for step in steps] == [
        ("trigger", "succeeded"),
        ("http-1", "succeeded"),
        ("http-2", "failed"),
        ("http-3", "succeeded"),
    ]
    assert (steps[2]["input"], steps[2]["output"]) == (None, None)
    assert steps[2]["error"] == (
        "The database refused this step's record (DataError: invalid input syntax for type "
        "json), so only this note of it is kept; the step itself succeeded."
    )


# --- Finding 13: CONNECTOR_BLOCK_PRIVATE_NETWORKS ---------------------------------------------------


@pytest.fixture(scope="module")
def blocking_worker(django_db_setup, tmp_path_factory) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(
        tmp_path_factory.mktemp("blocking") / "worker.log",
        queue="blocking",
        CONNECTOR_BLOCK_PRIVATE_NETWORKS="true",
    )
    yield worker
    worker.stop()


def resolved(host: str, port: int) -> str:
    addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    return ", ".join(sorted(addresses))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_call_to_a_loopback_host_is_refused_when_private_networks_are_blocked(
    api, vendor, blocking_worker, host
):
    url = f"http://{host}:{vendor.port}/ok"

    run = run_on_queue(api, "blocking", steps_definition(get(url)))

    assert run["status"] == "failed"
    assert run["error"] == (
        f"Refused to call {host}:{vendor.port}: it resolves to {resolved(host, vendor.port)}, a "
        "loopback address, and CONNECTOR_BLOCK_PRIVATE_NETWORKS forbids calls to private "
        "networks."
    )
    assert vendor.deliveries == []


def test_a_service_connector_with_a_private_base_url_is_refused_too(
    api, vendor, fake_totango, blocking_worker
):
    authentication = create_authentication(
        api,
        "totango",
        {"api_token": "totango-token", "data_center": "custom", "base_url": fake_totango.base_url},
    )
    definition = steps_definition(
        {
            "connector": "totango",
            "operation": "raw_http_request",
            "authentication": authentication,
            "properties": {
                "method": {"type": "string", "value": "GET"},
                "endpoint": {"type": "string", "value": "/api/v3/activity-types/"},
            },
        }
    )

    run = run_on_queue(api, "blocking", definition)

    assert run["status"] == "failed"
    assert run["error"] == (
        f"Refused to call {fake_totango.host}:{fake_totango.port}: it resolves to "
        f"{fake_totango.host}, a loopback address, and CONNECTOR_BLOCK_PRIVATE_NETWORKS forbids "
        "calls to private networks."
    )
    assert fake_totango.requests == []


def test_a_connection_test_to_a_private_base_url_is_refused(api, vendor, settings):
    settings.CONNECTOR_BLOCK_PRIVATE_NETWORKS = True
    authentication = create_authentication(
        api, "http", {"auth_type": "bearer", "token": "s3cret-token", "base_url": vendor.base_url}
    )

    response = api.post(f"/api/authentications/{authentication}/test/")

    assert response.status_code == 200
    assert response.json() == {
        "ok": False,
        "message": (
            f"Refused to call {vendor.host}:{vendor.port}: it resolves to {vendor.host}, a "
            "loopback address, and CONNECTOR_BLOCK_PRIVATE_NETWORKS forbids calls to private "
            "networks."
        ),
    }
    assert vendor.deliveries == []


def test_private_networks_are_reachable_when_not_blocked(api, celery_worker, vendor):
    run = run_workflow(api, steps_definition(get(f"http://localhost:{vendor.port}/ok")))

    assert run["status"] == "succeeded", run
    assert [delivery.path for delivery in vendor.deliveries] == ["/ok"]
