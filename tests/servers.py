"""Real servers a test starts for itself: Celery workers, a Redis of its own, gunicorn, nginx."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings

from tests.helpers import ROOT

# The worker gives up on a vendor call after this long and retries this many times: short and
# few, so the fault tests (a slow reply, a 500 every time) finish in seconds. The fakes' slow
# replies (slow_seconds) take longer than this timeout.
WORKER_HTTP_TIMEOUT_SECONDS = 1.0
WORKER_MAX_RETRIES = 2


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


class CeleryProcess:
    """A `celery -A config <command>` subprocess on the test database and the test Redis, in a
    process group of its own (so stop() reaches a worker's pool processes too)."""

    def __init__(self, log_path: Path, command: list[str], **environment: str) -> None:
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *command],
            cwd=ROOT,
            env=worker_environment(**environment),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


class WorkerProcess(CeleryProcess):
    """A `celery worker` subprocess on the test database and the test Redis."""

    def __init__(
        self,
        log_path: Path,
        *,
        queue: str = "celery",
        options: tuple[str, ...] = QUIET_WORKER_OPTIONS,
        **environment: str,
    ) -> None:
        super().__init__(
            log_path,
            ["worker", "--loglevel=INFO", "--concurrency=2", *options, f"--queues={queue}"],
            **environment,
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


class BeatProcess(CeleryProcess):
    """`celery beat`, as the beat service runs it, keeping its schedule in `schedule_path`."""

    def __init__(self, log_path: Path, schedule_path: Path, **environment: str) -> None:
        super().__init__(
            log_path, ["beat", "--loglevel=INFO", f"--schedule={schedule_path}"], **environment
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, message: str) -> None:
    """Polls `condition` until it is true; fails with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(0.1)


def stop_process(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM to the process group a server was started in, SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence: killing it loses
    everything it held, as a crashed broker without AOF would."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.answers, timeout=20, message="redis-server did not start")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


class AppServer:
    """gunicorn serving the app on the test database, as `make run` and compose start it."""

    def __init__(
        self, log_path: Path, *, workers: int = 2, threads: int = 4, **environment: str
    ) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            # The web server keeps its database connections, as in production.
            env=worker_environment(DATABASE_CONN_MAX_AGE="60", **environment),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(
            self.serves, timeout=60, message=lambda: f"gunicorn did not start: {self.tail()}"
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serves(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {self.tail()}")
        try:
            return httpx.get(self.base_url + "/api/health/", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def tail(self) -> str:
        return self.log_path.read_text()[-3000:]

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()
