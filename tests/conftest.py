"""Shared fixtures only: loopback fakes, Celery workers, API clients (helpers: tests/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import Organisation, Role
from config.celery import app as celery_app
from tests.fakes.slack import FakeSlack
from tests.fakes.totango import FakeTotango
from tests.helpers import create_member
from tests.servers import WorkerProcess

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


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[WorkerProcess]:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    worker = WorkerProcess(tmp_path_factory.mktemp("worker") / "worker.log")
    yield worker
    worker.stop()


# A worker whose vendor calls wait as long as a test holds a fake's reply (FakeServer.hold),
# on a queue of its own: the worker above gives up on a call after 1 s.
PATIENT_QUEUE = "patient"


@pytest.fixture(scope="session")
def patient_worker_process(celery_worker, tmp_path_factory) -> Iterator[WorkerProcess]:
    # Started after celery_worker, whose start empties the broker's database.
    worker = WorkerProcess(
        tmp_path_factory.mktemp("patient") / "worker.log",
        queue=PATIENT_QUEUE,
        CONNECTOR_HTTP_TIMEOUT="300",
    )
    yield worker
    worker.stop()


@pytest.fixture
def patient_worker(patient_worker_process) -> Iterator[WorkerProcess]:
    """Sends the runs started during the test (through the API too) to the patient worker."""
    conf = celery_app.conf
    default_queue = conf.task_default_queue
    conf.task_default_queue = PATIENT_QUEUE
    try:
        yield patient_worker_process
    finally:
        conf.task_default_queue = default_queue


# --- People and API clients ---


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # PBKDF2 costs ~0.3 s a password by design; tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(name="Acme Customer Success")


@pytest.fixture
def user(organisation) -> Any:
    """Ada, the owner of the organisation the tests work in."""
    return create_member(organisation, "ada", Role.OWNER)


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
