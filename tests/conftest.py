"""Shared fixtures: loopback fake vendors, a real Celery worker, API clients and factories."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.models import Membership, Organisation, Role
from tests.fakes.slack import FakeSlack
from tests.fakes.totango import FakeTotango

ROOT = Path(__file__).resolve().parent.parent
TOTANGO_TOKEN = "totango-token"
SLACK_TOKEN = "xoxb-test-token"
RUN_FINISHED = {"succeeded", "failed", "cancelled"}
# The worker gives up on a vendor call after this long and retries this many times: short and
# few, so the fault tests (a slow reply, a 500 every time) finish in seconds. The fakes' slow
# replies (slow_seconds) take longer than this timeout.
WORKER_HTTP_TIMEOUT_SECONDS = 1.0
WORKER_MAX_RETRIES = 2


# --- Loopback fakes --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def totango_server() -> Iterator[FakeTotango]:
    with FakeTotango(accounts=0) as server:
        yield server


@pytest.fixture(scope="session")
def slack_server() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def fake_totango(totango_server: FakeTotango) -> FakeTotango:
    # The server outlives a test; what a test may change is put back first.
    totango_server.reset()
    totango_server.seed_accounts(25)
    totango_server.tokens = set(FakeTotango.default_tokens)
    totango_server.slow_seconds = 3.0
    return totango_server


@pytest.fixture
def fake_slack(slack_server: FakeSlack) -> FakeSlack:
    slack_server.reset()
    slack_server.seed_channels(5)
    slack_server.tokens = set(FakeSlack.default_tokens)
    slack_server.slow_seconds = 3.0
    return slack_server


# --- A real Celery worker ------------------------------------------------------------------------


def database_url_of_test_database() -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("The worker tests run against PostgreSQL: set DATABASE_URL.")
    user, host, port = database.get("USER") or "postgres", database["HOST"], database["PORT"]
    return f"postgres://{user}@{host}:{port or 5432}/{database['NAME']}"


def worker_environment(**overrides: str) -> dict[str, str]:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_database(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CREDENTIAL_KEYS": settings.CREDENTIAL_KEYS,
        "SECRET_KEY": settings.SECRET_KEY,
        "CONNECTOR_HTTP_TIMEOUT": str(WORKER_HTTP_TIMEOUT_SECONDS),
        "CONNECTOR_MAX_RETRIES": str(WORKER_MAX_RETRIES),
        "PYTHONUNBUFFERED": "1",
        # Beat often, so a cancellation reaches a run within a fraction of a second.
        "RUN_HEARTBEAT_SECONDS": "0.2",
    }
    environment.update(overrides)
    return environment


# Test workers skip the broadcasts between workers, which only slow their start. The production
# commands (supervisord.conf, docker-compose.yml) keep them: pass options=() to run a worker like those.
QUIET_WORKER_OPTIONS = ("--without-gossip", "--without-mingle", "--without-heartbeat")


class WorkerProcess:
    """A `celery worker` subprocess on the test database and the test Redis."""

    def __init__(
        self,
        log_path: Path,
        *,
        queue: str = "celery",
        options: tuple[str, ...] = QUIET_WORKER_OPTIONS,
        **environment: str,
    ) -> None:
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                *options,
                f"--queues={queue}",
            ],
            cwd=ROOT,
            env=worker_environment(**environment),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited: {self.log_path.read_text()[-3000:]}")
            if " ready." in self.log_path.read_text():
                return
            time.sleep(0.1)
        raise RuntimeError(f"The Celery worker did not start: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[WorkerProcess]:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    worker = WorkerProcess(tmp_path_factory.mktemp("worker") / "worker.log")
    yield worker
    worker.stop()


# --- People and API clients ---


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # PBKDF2 costs ~0.3 s a password by design; tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(name="Acme Customer Success")


def create_member(organisation: Organisation, username: str, role: str = Role.MEMBER) -> Any:
    person = get_user_model().objects.create_user(
        username=username, password="correct horse battery"
    )
    Membership.objects.create(user=person, organisation=organisation, role=role)
    return person


@pytest.fixture
def user(organisation) -> Any:
    """Ada, the owner of the organisation the tests work in."""
    return create_member(organisation, "ada", Role.OWNER)


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Factories ---------------------------------------------------------------------------------------


def create_authentication(
    api: APIClient, connector: str, fields: dict[str, Any], **extra: Any
) -> str:
    response = api.post(
        "/api/authentications/",
        {
            "name": f"{connector} auth",
            "connector": connector,
            "scope": "personal",
            "fields": fields,
            **extra,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def totango_authentication(api: APIClient, server: FakeTotango, token: str = TOTANGO_TOKEN) -> str:
    return create_authentication(
        api, "totango", {"api_token": token, "data_center": "custom", "base_url": server.base_url}
    )


def slack_authentication(api: APIClient, server: FakeSlack, token: str = SLACK_TOKEN) -> str:
    return create_authentication(
        api, "slack", {"bot_token": token, "base_url": server.base_url + "/api/"}
    )


INTERPOLATED_TEXT = {
    "type": "string",
    "value": "New paying account: {$.steps.loop-1.value.display_name}",
}


def walkthrough_definition(
    *,
    totango_auth: str | None,
    slack_auth: str | None,
    query: str = '{"terms": [], "fields": [], "count": 1000}',
    channel: str = "#customer-success",
    fetch_all_pages: bool | None = None,
    text: dict[str, Any] = INTERPOLATED_TEXT,
) -> dict[str, Any]:
    """The workflow of the Totango connector guide: search accounts, loop, post each to Slack.

    `text` is the message's typed value; the guide's connector-snake makes it the jsonpath
    `$.steps.loop-1.value.display_name`. Without authentications (None) it can be saved, not run.
    """
    totango_properties: dict[str, Any] = {
        "data_type": {"type": "string", "value": "accounts"},
        "query": {"type": "string", "value": query},
    }
    if fetch_all_pages is not None:
        totango_properties["fetch_all_pages"] = {"type": "boolean", "value": fetch_all_pages}
    totango: dict[str, Any] = {
        "title": "Search accounts",
        "connector": "totango",
        "operation": "search_data_raw",
        "properties": totango_properties,
    }
    slack: dict[str, Any] = {
        "connector": "slack",
        "operation": "send_message",
        "properties": {"channel": {"type": "string", "value": channel}, "text": dict(text)},
    }
    if totango_auth is not None:
        totango["authentication"] = totango_auth
    if slack_auth is not None:
        slack["authentication"] = slack_auth
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "totango-1", "type": "normal"},
            {
                "name": "loop-1",
                "type": "loop",
                "content": {"_loop": [{"name": "slack-1", "type": "normal"}]},
            },
        ],
        "steps": {
            "totango-1": totango,
            "loop-1": {
                "connector": "loop",
                "operation": "loop_list",
                "properties": {"list": {"type": "jsonpath", "value": "$.steps.totango-1.hits"}},
            },
            "slack-1": slack,
        },
    }


def create_workflow(
    api: APIClient, definition: dict[str, Any], name: str = "Walkthrough"
) -> dict[str, Any]:
    response = api.post("/api/workflows/", {"name": name, "definition": definition}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def wait_for_run(api: APIClient, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = api.get(f"/api/runs/{run_id}/").json()
        if run["status"] in RUN_FINISHED:
            return run
        time.sleep(0.1)
    raise AssertionError(f"Run {run_id} did not finish within {timeout}s: {run}")


def all_step_runs(api: APIClient, run_id: str) -> list[dict[str, Any]]:
    steps, url = [], f"/api/runs/{run_id}/steps/?limit=1000"
    while url:
        page = api.get(url).json()
        steps.extend(page["results"])
        url = page["next"]
    return steps


def run_workflow(api: APIClient, definition: dict[str, Any], payload: Any = None) -> dict[str, Any]:
    """Saves the definition, runs it through the worker and returns the finished run."""
    workflow = create_workflow(api, definition)
    response = api.post(
        f"/api/workflows/{workflow['id']}/runs/", {"payload": payload or {}}, format="json"
    )
    assert response.status_code == 202, response.json()
    return wait_for_run(api, response.json()["id"])


def single_step_definition(
    connector: str, operation: str, properties: dict[str, Any], authentication: str | None = None
) -> dict[str, Any]:
    step: dict[str, Any] = {
        "connector": connector,
        "operation": operation,
        "properties": properties,
    }
    if authentication:
        step["authentication"] = authentication
    name = f"{connector}-1"
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": name, "type": "normal"}],
        "steps": {name: step},
    }
