"""A broker outage: the worker rides it out, the run in flight finishes, runs posted meanwhile run."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from rest_framework.authtoken.models import Token

from tests.helpers import single_step_definition
from tests.servers import QUIET_WORKER_OPTIONS, AppServer, RedisServer, WorkerProcess, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RUN_FINISHED = {"succeeded", "failed", "cancelled"}


def slack_message_step(client: httpx.Client, fake_slack, token: str) -> dict[str, Any]:
    authentication = client.post(
        "/api/authentications/",
        json={
            "name": f"Slack {token}",
            "connector": "slack",
            "scope": "personal",
            "fields": {"bot_token": token, "base_url": fake_slack.base_url + "/api/"},
        },
    )
    assert authentication.status_code == 201, authentication.text
    return single_step_definition(
        "slack",
        "send_message",
        {
            "channel": {"type": "string", "value": "#general"},
            "text": {"type": "string", "value": f"Sent with {token}"},
        },
        authentication=authentication.json()["id"],
    )


def post_run(client: httpx.Client, definition: dict[str, Any]) -> str:
    workflow = client.post("/api/workflows/", json={"name": "Outage", "definition": definition})
    assert workflow.status_code == 201, workflow.text
    run = client.post(f"/api/workflows/{workflow.json()['id']}/runs/", json={})
    assert run.status_code == 202, run.text
    return run.json()["id"]


def wait_for_runs(
    client: httpx.Client, run_ids: list[str], worker: WorkerProcess
) -> dict[str, str]:
    statuses: dict[str, str] = {}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        # A dead worker will never finish them: say so at once, with what it logged.
        assert worker.process.poll() is None, worker.log_path.read_text()[-4000:]
        statuses = {
            run_id: client.get(f"/api/runs/{run_id}/").json()["status"] for run_id in run_ids
        }
        if set(statuses.values()) <= RUN_FINISHED:
            return statuses
        time.sleep(0.2)
    raise AssertionError(
        f"The runs did not finish: {statuses}\n{worker.log_path.read_text()[-4000:]}"
    )


@pytest.mark.parametrize(
    "worker_options",
    [QUIET_WORKER_OPTIONS, ()],
    ids=["test-worker-options", "production-worker-options"],
)
def test_worker_rides_out_a_broker_outage_and_runs_posted_meanwhile_succeed(
    user, fake_slack, tmp_path, worker_options
):
    # Given a Redis broker of our own, a worker (with beat, whose sweep re-sends lost runs) and
    # the web server on it
    broker = RedisServer(tmp_path / "redis.log")
    worker = web = None
    try:
        worker = WorkerProcess(
            tmp_path / "worker.log",
            options=(*worker_options, "--beat", f"--schedule={tmp_path / 'beat-schedule'}"),
            CELERY_BROKER_URL=broker.url,
            # The held Slack reply below must not time out: only the broker fails here.
            CONNECTOR_HTTP_TIMEOUT="300",
            RUN_REQUEUE_AFTER_SECONDS="2",
            RUN_RECOVER_INTERVAL_SECONDS="1",
        )
        web = AppServer(tmp_path / "web.log", CELERY_BROKER_URL=broker.url)
        token = Token.objects.create(user=user).key
        client = httpx.Client(
            base_url=web.base_url, headers={"Authorization": f"Token {token}"}, timeout=30
        )
        slow = slack_message_step(client, fake_slack, "xoxb-test-token-slow")
        fast = slack_message_step(client, fake_slack, "xoxb-test-token")

        # And a run in flight: Slack holds its call until the broker is back
        fake_slack.hold()
        in_flight = post_run(client, slow)
        fake_slack.wait_until_held(1, timeout=30)

        # When the broker dies, a run is posted during the outage, and the broker comes back
        broker.kill()
        wait_until(
            lambda: "Connection to broker lost" in worker.log_path.read_text(),
            timeout=30,
            message="the worker did not notice the outage",
        )
        posted_during_outage = post_run(client, fast)
        broker.start()
        fake_slack.release()

        # Then the worker is still there, and both runs succeed
        statuses = wait_for_runs(client, [in_flight, posted_during_outage], worker)
        assert statuses == {in_flight: "succeeded", posted_during_outage: "succeeded"}
        assert worker.process.poll() is None
        assert "Unrecoverable error" not in worker.log_path.read_text()
        assert sorted(message["text"] for message in fake_slack.messages) == [
            "Sent with xoxb-test-token",
            "Sent with xoxb-test-token-slow",
        ]
    finally:
        for server in (web, worker, broker):
            if server is not None:
                server.stop()
