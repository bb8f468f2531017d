"""Durable runs through the real stack: a run survives its worker, parks through long waits,
and rides out a broker restart, each message sent once (the one in flight at most twice).

Each test has a Redis of its own (so only its own workers take its runs, and the sweep's
messages reach them), gunicorn and Celery workers as subprocesses, and the loopback fakes.
Workers are killed with SIGKILL to their process group; nothing waits a fixed time: every
wait polls for the state it needs.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from rest_framework.authtoken.models import Token

from builder.models import Run, RunEvent, StepRun
from tests.fakes.server import Response, json_response
from tests.fakes.slack import FakeSlack
from tests.helpers import (
    RUN_FINISHED,
    SLACK_TOKEN,
    TOTANGO_TOKEN,
    jsonpath,
    string,
    typed,
    walkthrough_definition,
)
from tests.servers import QUIET_WORKER_OPTIONS, AppServer, RedisServer, WorkerProcess, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Workers that resume a lost run within seconds: a heartbeat every 0.2 s (worker_environment),
# stale after 3 s, a sweep every half second; vendor calls given 30 s, so a busy machine never
# makes a call time out and send again.
DURABLE = {
    "RUN_STALE_AFTER_SECONDS": "3",
    "RUN_RECOVER_INTERVAL_SECONDS": "0.5",
    "RUN_REQUEUE_AFTER_SECONDS": "3",
    "CONNECTOR_HTTP_TIMEOUT": "30",
}
TRIGGER = {"connector": "manual", "operation": "manual", "properties": {}}


class Stack:
    """A Redis, gunicorn on it, and the workers started on it; an API client signed in."""

    def __init__(self, tmp_path: Path, user: Any) -> None:
        self.tmp_path = tmp_path
        self.workers: list[WorkerProcess] = []
        self.broker = RedisServer(tmp_path / "redis.log")
        self.web = AppServer(tmp_path / "web.log", CELERY_BROKER_URL=self.broker.url)
        token = Token.objects.create(user=user).key
        self.api = httpx.Client(
            base_url=self.web.base_url, headers={"Authorization": f"Token {token}"}, timeout=30
        )

    def start_worker(self, name: str, **environment: str) -> WorkerProcess:
        """A worker with Celery beat (whose sweep resumes lost runs) on this stack's Redis."""
        schedule = self.tmp_path / f"{name}-beat-schedule"
        worker = WorkerProcess(
            self.tmp_path / f"{name}.log",
            options=(*QUIET_WORKER_OPTIONS, "--beat", f"--schedule={schedule}"),
            CELERY_BROKER_URL=self.broker.url,
            **{**DURABLE, **environment},
        )
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        self.api.close()
        for server in (self.web, *self.workers, self.broker):
            server.stop()

    def authentication(self, connector: str, fields: dict[str, Any]) -> str:
        response = self.api.post(
            "/api/authentications/",
            json={"name": connector, "connector": connector, "scope": "personal", "fields": fields},
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def slack(self, server: FakeSlack) -> str:
        return self.authentication(
            "slack", {"bot_token": SLACK_TOKEN, "base_url": server.base_url + "/api/"}
        )

    def workflow(self, definition: dict[str, Any]) -> str:
        response = self.api.post(
            "/api/workflows/", json={"name": "Durable", "definition": definition}
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def start_run(self, workflow_id: str, payload: Any = None) -> str:
        response = self.api.post(
            f"/api/workflows/{workflow_id}/runs/", json={"payload": payload or {}}
        )
        assert response.status_code == 202, response.text
        return response.json()["id"]

    def run(self, run_id: str) -> dict[str, Any]:
        response = self.api.get(f"/api/runs/{run_id}/")
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for_status(
        self, run_ids: list[str], statuses: set[str], timeout: float
    ) -> dict[str, dict[str, Any]]:
        runs: dict[str, dict[str, Any]] = {}

        def reached() -> bool:
            runs.update({run_id: self.run(run_id) for run_id in run_ids})
            return all(run["status"] in statuses for run in runs.values())

        wait_until(
            reached,
            timeout=timeout,
            message=lambda: f"{[(r['id'], r['status']) for r in runs.values()]}\n{self.logs()}",
        )
        return runs

    def wait_finished(self, run_id: str, timeout: float = 120) -> dict[str, Any]:
        return self.wait_for_status([run_id], RUN_FINISHED, timeout)[run_id]

    def logs(self) -> str:
        return "\n".join(
            f"--- {worker.log_path.name}\n{worker.log_path.read_text()[-3000:]}"
            for worker in self.workers
        )


@pytest.fixture
def stack(tmp_path, user) -> Iterator[Stack]:
    started = Stack(tmp_path, user)
    try:
        yield started
    finally:
        started.stop()


def kill(worker: WorkerProcess) -> None:
    """SIGKILL to the worker's whole process group: no chance to clean up or acknowledge."""
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()


def slack_message(authentication: str, text: dict[str, Any]) -> dict[str, Any]:
    return {
        "connector": "slack",
        "operation": "send_message",
        "authentication": authentication,
        "properties": {"channel": string("#general"), "text": text},
    }


def one_message_workflow(authentication: str, text: dict[str, Any]) -> dict[str, Any]:
    return {
        "trigger": TRIGGER,
        "steps_structure": [{"name": "slack-1", "type": "normal"}],
        "steps": {"slack-1": slack_message(authentication, text)},
    }


def slack_paths(run_id: str) -> list[tuple[str, str]]:
    return list(
        StepRun.objects.filter(run_id=run_id, step_name="slack-1")
        .order_by("sequence")
        .values_list("path", "status")
    )


def events(run: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    return [(e["kind"], e["step"], e["reason"], e["attempt"]) for e in run["events"]]


# --- 1. A worker killed mid-run: the run resumes from its checkpoint ---------------------------


def test_a_run_whose_worker_is_killed_resumes_and_sends_each_message_once(
    stack, fake_totango, fake_slack
):
    # Given the walkthrough over 1,000 accounts, running on a worker
    fake_totango.seed_accounts(1000)
    definition = walkthrough_definition(
        totango_auth=stack.authentication(
            "totango",
            {
                "api_token": TOTANGO_TOKEN,
                "data_center": "custom",
                "base_url": fake_totango.base_url,
            },
        ),
        slack_auth=stack.slack(fake_slack),
    )
    doomed = stack.start_worker("doomed")
    run_id = stack.start_run(stack.workflow(definition))

    # When the worker is killed outright in the middle of the loop, and a new one starts
    wait_until(
        lambda: len(fake_slack.messages) >= 300,
        timeout=120,
        message=lambda: f"Slack got {len(fake_slack.messages)} messages\n{stack.logs()}",
    )
    kill(doomed)
    sent_by_the_first = len(fake_slack.messages)
    stack.start_worker("successor")

    # Then the same run ends succeeded by itself, as its second attempt
    run = stack.wait_finished(run_id)
    assert run["status"] == "succeeded", run
    assert run["attempt"] == 2
    assert sent_by_the_first < 1000
    # Slack received every message, each once, but for at most the one in flight at the kill
    expected = {f"New paying account: Account {number:04d}" for number in range(1, 1001)}
    received = Counter(message["text"] for message in fake_slack.messages)
    assert set(received) == expected
    assert sum(received.values()) - len(expected) <= 1
    # Every iteration is recorded once, as completed
    assert slack_paths(run_id) == [
        (f"loop-1[{index}].slack-1", "succeeded") for index in range(1000)
    ]
    assert StepRun.objects.filter(run_id=run_id).count() == 1003
    # And its log says it resumed, why, and at which step
    [(kind, step, reason, attempt)] = events(run)
    assert (kind, reason, attempt) == ("worker_lost", "worker lost", 2)
    assert step.startswith("loop-1[") or step in {"trigger", "totango-1", "loop-1"}
    assert run["events"][0]["message"] == (
        f"The worker running attempt 1 was lost while step {step} was running; the run "
        "resumes after its last recorded step, as attempt 2."
    )


def pool_children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def test_a_killed_pool_process_gets_its_run_resumed_by_the_redelivery(stack, fake_slack):
    # Given a run of five messages whose pool process dies (out of memory, say) while Slack
    # holds its third message; the worker itself lives on and is given the message again
    authentication = stack.slack(fake_slack)
    definition = {
        "trigger": TRIGGER,
        "steps_structure": [
            {
                "name": "loop-1",
                "type": "loop",
                "content": {"_loop": [{"name": "slack-1", "type": "normal"}]},
            }
        ],
        "steps": {
            "loop-1": {
                "connector": "loop",
                "operation": "loop_list",
                "properties": {"list": typed(["one", "two", "three", "four", "five"])},
            },
            "slack-1": slack_message(authentication, jsonpath("$.steps.loop-1.value")),
        },
    }
    worker = stack.start_worker("worker", RUN_RECOVER_INTERVAL_SECONDS="3600")
    fake_slack.hold()
    fake_slack.let_through(2)
    run_id = stack.start_run(stack.workflow(definition))
    fake_slack.wait_until_held(1)
    # (the heartbeat stores which step is in flight, and the recovery names it)
    wait_until(
        lambda: Run.objects.filter(id=run_id, progress__current_step="loop-1[2].slack-1").exists(),
        timeout=30,
        message=stack.logs,
    )
    for child in pool_children(worker.process.pid):
        os.kill(child, signal.SIGKILL)

    # When the redelivered task finds the run's heartbeat stale, and Slack answers again
    wait_until(lambda: fake_slack.held >= 2, timeout=60, message=stack.logs)
    fake_slack.release()
    run = stack.wait_finished(run_id)

    # Then the run resumed at its third message: only that one, in flight, was sent twice
    assert run["status"] == "succeeded", run
    assert run["attempt"] == 2
    assert events(run) == [("worker_lost", "loop-1[2].slack-1", "worker lost", 2)]
    assert sorted(m["text"] for m in fake_slack.messages) == sorted(
        ["one", "two", "three", "three", "four", "five"]
    )
    assert slack_paths(run_id) == [(f"loop-1[{index}].slack-1", "succeeded") for index in range(5)]


# --- 2. A run that keeps killing its worker -----------------------------------------------------


def test_a_run_killed_three_times_on_the_same_step_fails_naming_it_with_its_attempts(
    stack, fake_slack
):
    # Given a one-message run whose message Slack holds every time
    run_id = stack.start_run(
        stack.workflow(one_message_workflow(stack.slack(fake_slack), string("Hello")))
    )
    fake_slack.hold()

    # When its worker is killed three times while that step is in flight, a new one
    # starting after each
    for attempt in (1, 2, 3):
        worker = stack.start_worker(f"worker-{attempt}", CONNECTOR_HTTP_TIMEOUT="300")
        fake_slack.wait_until_held(attempt, timeout=60)
        wait_until(
            lambda attempt=attempt: Run.objects.filter(
                id=run_id, attempt=attempt, progress__current_step="slack-1"
            ).exists(),
            timeout=30,
            message=stack.logs,
        )
        kill(worker)
    stack.start_worker("worker-4")

    # Then the run fails naming that step, with the attempts in its log
    run = stack.wait_finished(run_id)
    assert run["status"] == "failed"
    assert run["failed_step"] == "slack-1"
    assert run["error"] == (
        "The worker running this workflow was lost 3 times while step slack-1 was running "
        "(attempts 1, 2 and 3), so the run is not tried again (RUN_MAX_WORKER_LOSSES_PER_STEP): "
        "that step may be what stops the worker (running out of memory, say). The steps it "
        "completed are recorded."
    )
    assert events(run) == [
        ("worker_lost", "slack-1", "worker lost", 2),
        ("worker_lost", "slack-1", "worker lost", 3),
        ("worker_lost", "slack-1", "worker lost", 3),
    ]
    assert run["events"][-1]["message"] == run["error"]
    assert fake_slack.messages == []
    assert list(StepRun.objects.filter(run_id=run_id).values_list("path", flat=True)) == ["trigger"]


# --- 3. Rate limited for a minute: the runs park and free their workers -------------------------


class RateLimitingSlack(FakeSlack):
    """Slack answering its first `refusals` chat.postMessage calls 429, Retry-After: 60."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals
        self.refusals_lock = threading.Lock()

    def handle_api(self, request, token, fault) -> Response:
        if request.path.endswith("/chat.postMessage"):
            with self.refusals_lock:
                refuse, self.refusals = self.refusals > 0, max(0, self.refusals - 1)
            if refuse:
                return json_response(
                    {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": "60"}
                )
        return super().handle_api(request, token, fault)


def test_runs_rate_limited_for_a_minute_wait_without_a_worker_then_resume_by_themselves(stack):
    with RateLimitingSlack(refusals=10) as slack:
        # Given ten runs on a worker of concurrency 2, each refused by Slack for 60 s
        workflow = stack.workflow(
            one_message_workflow(stack.slack(slack), string("Run {$.steps.trigger.n}"))
        )
        stack.start_worker("worker")
        limited = [stack.start_run(workflow, {"n": number}) for number in range(10)]

        # Then all ten wait, saying until when and why
        waiting = stack.wait_for_status(limited, {"waiting"}, timeout=60)
        for run in waiting.values():
            [event] = run["events"]
            assert (event["kind"], event["step"], event["reason"]) == (
                "waiting",
                "slack-1",
                "rate limited by Slack",
            )
            assert run["waiting_reason"] == "rate limited by Slack"
            assert run["resume_at"] == event["resume_at"]
            assert event["message"] == (
                f"Waiting until {Run.objects.get(id=run['id']).resume_at.isoformat()} "
                "(rate limited by Slack) at slack-1."
            )
        assert StepRun.objects.filter(run_id__in=limited, step_name="slack-1").count() == 0

        # And a run started after them is not held up: it finishes while they all still wait
        quick = stack.start_run(
            stack.workflow(one_message_workflow(stack.slack(slack), string("Quick")))
        )
        assert stack.wait_finished(quick, timeout=60)["status"] == "succeeded"
        assert {stack.run(run_id)["status"] for run_id in limited} == {"waiting"}

        # And once the minute is over, the ten resume and succeed with no one doing anything
        finished = stack.wait_for_status(limited, RUN_FINISHED, timeout=180)
        assert {run["status"] for run in finished.values()} == {"succeeded"}
        for run in finished.values():
            parked = Run.objects.get(id=run["id"]).events.get()
            # (resumed when due: its message was sent for then)
            assert StepRun.objects.get(run_id=run["id"], path="slack-1").started_at >= (
                parked.resume_at - timedelta(seconds=1)
            )
        assert sorted(message["text"] for message in slack.messages) == sorted(
            ["Quick", *(f"Run {number}" for number in range(10))]
        )


# --- 4. A Delay parks the run; a waiting run can be cancelled ------------------------------------


def delayed_workflow(authentication: str, wait: dict[str, Any]) -> dict[str, Any]:
    return {
        "trigger": TRIGGER,
        "steps_structure": [
            {"name": "slack-1", "type": "normal"},
            {"name": "delay-1", "type": "normal"},
            {"name": "slack-2", "type": "normal"},
        ],
        "steps": {
            "slack-1": slack_message(authentication, string("Before the delay")),
            "delay-1": {"connector": "delay", "operation": "delay", "properties": wait},
            "slack-2": slack_message(authentication, string("After the delay")),
        },
    }


def test_a_30_second_delay_parks_the_run_with_no_worker_busy_then_it_resumes(stack, fake_slack):
    # Given a run with a Delay of 30 seconds between two messages, on a worker of concurrency 2
    authentication = stack.slack(fake_slack)
    stack.start_worker("worker")
    run_id = stack.start_run(
        stack.workflow(delayed_workflow(authentication, {"wait_for": typed(30)}))
    )

    # When it reaches the Delay, it parks until the Delay ends
    run = stack.wait_for_status([run_id], {"waiting"}, timeout=60)[run_id]
    delay = StepRun.objects.get(run_id=run_id, path="delay-1")
    assert run["waiting_reason"] == "delayed by delay-1"
    assert run["resume_at"] == delay.output["waited_until"].replace("+00:00", "Z")
    assert delay.output["waited_seconds"] == 30
    assert [m["text"] for m in fake_slack.messages] == ["Before the delay"]

    # Then both worker processes are free meanwhile: two other runs are in flight together
    fake_slack.hold()
    others = [
        stack.start_run(stack.workflow(one_message_workflow(authentication, string(text))))
        for text in ("Meanwhile 1", "Meanwhile 2")
    ]
    fake_slack.wait_until_held(2, timeout=60)
    assert stack.run(run_id)["status"] == "waiting"
    fake_slack.release()
    assert {run["status"] for run in stack.wait_for_status(others, RUN_FINISHED, 60).values()} == {
        "succeeded"
    }

    # And after the wait the run resumes after the Delay, which is not run again
    run = stack.wait_finished(run_id, timeout=120)
    assert run["status"] == "succeeded", run
    assert sorted(m["text"] for m in fake_slack.messages) == [
        "After the delay",
        "Before the delay",
        "Meanwhile 1",
        "Meanwhile 2",
    ]
    assert list(
        StepRun.objects.filter(run_id=run_id).order_by("sequence").values_list("path", "status")
    ) == [
        ("trigger", "succeeded"),
        ("slack-1", "succeeded"),
        ("delay-1", "succeeded"),
        ("slack-2", "succeeded"),
    ]
    assert StepRun.objects.get(
        run_id=run_id, path="slack-2"
    ).started_at >= delay.started_at + timedelta(seconds=30)
    assert events(run) == [("waiting", "delay-1", "delayed by delay-1", 1)]
    assert run["resume_at"] is None


def test_cancelling_a_waiting_run_cancels_it_at_once(stack, fake_slack):
    # Given a run waiting on a Delay of an hour
    stack.start_worker("worker")
    run_id = stack.start_run(
        stack.workflow(
            delayed_workflow(
                stack.slack(fake_slack), {"wait_for": typed(1), "unit": string("hours")}
            )
        )
    )
    stack.wait_for_status([run_id], {"waiting"}, timeout=60)

    # When it is cancelled
    response = stack.api.post(f"/api/runs/{run_id}/cancel/")

    # Then it is cancelled at once, and nothing after the Delay runs
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_requested"]) == ("cancelled", True)
    assert Run.objects.get(id=run_id).finished_at is not None
    assert [m["text"] for m in fake_slack.messages] == ["Before the delay"]
    assert stack.api.post(f"/api/runs/{run_id}/cancel/").status_code == 409


# --- 5. Redis restarted under 300 runs -------------------------------------------------------------


def test_300_runs_survive_a_redis_restart_each_sending_its_message_once(stack, fake_slack):
    # Given a worker and 300 runs posted, each sending its own message
    workflow = stack.workflow(
        one_message_workflow(stack.slack(fake_slack), string("Run {$.steps.trigger.n}"))
    )
    stack.start_worker("worker", RUN_STALE_AFTER_SECONDS="10", RUN_REQUEUE_AFTER_SECONDS="2")
    # (Slack holds its 21st reply, so that runs are still queued, whatever the worker's speed)
    fake_slack.hold()
    fake_slack.let_through(20)
    run_ids = [stack.start_run(workflow, {"n": number}) for number in range(300)]

    # When Redis is killed (losing every message it held) while they are queued or running,
    # and started again
    fake_slack.wait_until_held(1, timeout=60)
    stack.broker.kill()
    queued_when_killed = Run.objects.filter(id__in=run_ids, status="queued").count()
    stack.broker.start()
    fake_slack.release()

    # Then every run succeeds, and Slack received each run's message exactly once
    runs = Run.objects.filter(id__in=run_ids)
    wait_until(
        lambda: runs.filter(status__in=RUN_FINISHED).count() == 300,
        timeout=300,
        message=lambda: f"{Counter(runs.values_list('status', flat=True))}\n{stack.logs()}",
    )
    # (the runs queued when Redis died lost their messages: the sweep sent them again)
    assert queued_when_killed > 0
    assert "Sending run" in stack.workers[0].log_path.read_text()
    assert Counter(runs.values_list("status", flat=True)) == {"succeeded": 300}
    assert Counter(message["text"] for message in fake_slack.messages) == {
        f"Run {number}": 1 for number in range(300)
    }
    assert RunEvent.objects.filter(run_id__in=run_ids).count() == 0
