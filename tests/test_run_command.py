"""The README's run command brings the app up on SQLite and the embedded broker, and it works."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers import ROOT, walkthrough_definition

pytestmark = pytest.mark.slow


# What a user's fresh shell has: no variable the test runner sets for itself (DATABASE_URL,
# CELERY_BROKER_URL, PORT, HOST, VAR_DIR, FRONTEND_DIST_DIR, DJANGO_*, make's MAKEFLAGS…).
FRESH_SHELL_VARIABLES = {
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LANGUAGE",
    "TERM",
    "TZ",
}
FRESH_SHELL_PREFIXES = ("LC_",)
# Proxies a machine may need to reach package registries: part of the user's shell too.
PROXY_VARIABLES = {"http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"}


def fresh_shell_environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if key in FRESH_SHELL_VARIABLES
        or key in PROXY_VARIABLES
        or key.startswith(FRESH_SHELL_PREFIXES)
    }


def readme_run_command() -> tuple[str, str]:
    """The run command exactly as README.md's "The two commands" block gives it, and the
    address its comment says it serves, e.g. ("make run", "http://127.0.0.1:8000")."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "README.md's 'The two commands' has no ```sh block"
    line = next(line for line in block.group(1).splitlines() if line.startswith("make run"))
    command, _, comment = line.partition("#")
    address = re.search(r"https?://[^\s,;]+", comment)
    assert address is not None, f"README.md's run command names no address: {line!r}"
    return command.strip(), address.group(0).rstrip(".")


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens there (bound as gunicorn binds, SO_REUSEADDR)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(client: httpx.Client, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited early:\n{log.read_text()[-4000:]}")
        try:
            if client.get("/api/health/").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"The app did not come up:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def app_from_run_command(tmp_path_factory):
    """`make run` as a user types it, with only a fresh var/ folder and a free port of our own."""
    tmp_path = tmp_path_factory.mktemp("run")
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "SECRET_KEY",
            "CREDENTIAL_KEYS",
            "MAKEFLAGS",
            "MAKELEVEL",
        }
    }
    environment.update({"VAR_DIR": str(tmp_path / "var"), "PORT": str(port)})
    log = tmp_path / "run.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "run"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    try:
        wait_until_serving(client, process, log)
        yield client, tmp_path / "var", log
    finally:
        client.close()
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_run_command_serves_the_app_and_runs_the_walkthrough(
    app_from_run_command, fake_totango, fake_slack
):
    client, var_dir, log = app_from_run_command

    # The embedded defaults: SQLite and a file queue under var/, secrets generated there.
    assert (var_dir / "db.sqlite3").exists()
    assert (var_dir / "broker" / "queue").is_dir()
    assert (var_dir / "credential_keys").exists()
    home = client.get("/")
    assert home.status_code == 200
    assert '<div id="root">' in home.text

    # First-run setup gives the owner a token; a second setup is refused.
    setup = client.post(
        "/api/setup/", json={"username": "owner", "password": "a long enough passphrase"}
    )
    assert setup.status_code == 201, setup.text
    assert (
        client.post(
            "/api/setup/", json={"username": "x", "password": "another passphrase!"}
        ).status_code
        == 409
    )
    token = client.post(
        "/api/token/", json={"username": "owner", "password": "a long enough passphrase"}
    )
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Token {token.json()['token']}"

    totango = client.post(
        "/api/authentications/",
        json={
            "name": "Totango",
            "connector": "totango",
            "scope": "personal",
            "fields": {
                "api_token": "totango-token",
                "data_center": "custom",
                "base_url": fake_totango.base_url,
            },
        },
    )
    slack = client.post(
        "/api/authentications/",
        json={
            "name": "Slack",
            "connector": "slack",
            "scope": "organisational",
            "fields": {"bot_token": "xoxb-test-token", "base_url": fake_slack.base_url + "/api/"},
        },
    )
    assert (totango.status_code, slack.status_code) == (201, 201)
    definition = walkthrough_definition(
        totango_auth=totango.json()["id"], slack_auth=slack.json()["id"]
    )
    workflow = client.post(
        "/api/workflows/", json={"name": "Walkthrough", "definition": definition}
    )
    assert workflow.status_code == 201, workflow.text

    run = client.post(f"/api/workflows/{workflow.json()['id']}/runs/", json={}).json()
    deadline = time.monotonic() + 60
    while run["status"] in {"queued", "running"} and time.monotonic() < deadline:
        time.sleep(0.3)
        run = client.get(f"/api/runs/{run['id']}/").json()

    assert run["status"] == "succeeded", (run, log.read_text()[-3000:])
    assert [message["text"] for message in fake_slack.messages] == [
        f"New paying account: Account {number:04d}" for number in range(1, 26)
    ]
    steps = client.get(f"/api/runs/{run['id']}/steps/?limit=1000").json()
    assert steps["count"] == 3 + 25
    assert "totango-token" not in log.read_text()


def spawned_workers(log: Path) -> list[int]:
    """Process ids of the workers supervisord started, in order, from its log on stdout."""
    return [int(pid) for pid in re.findall(r"spawned: 'worker' with pid (\d+)", log.read_text())]


def test_run_command_starts_a_worker_again_when_it_dies(app_from_run_command):
    client, _, log = app_from_run_command
    first = spawned_workers(log)
    assert len(first) == 1
    setup = client.post(
        "/api/setup/", json={"username": "restarts", "password": "a long enough passphrase"}
    )
    if setup.status_code == 409:  # the walkthrough test set the app up already
        setup = client.post(
            "/api/token/", json={"username": "owner", "password": "a long enough passphrase"}
        )
    client.headers["Authorization"] = f"Token {setup.json()['token']}"

    # When the worker is killed, with its pool processes (supervisord gives it its own group)
    os.killpg(first[0], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while len(spawned_workers(log)) < 2:
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.3)

    # Then supervisord starts another, which runs the next run
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [],
        "steps": {},
    }
    workflow = client.post("/api/workflows/", json={"name": "After", "definition": definition})
    assert workflow.status_code == 201, workflow.text
    run = client.post(f"/api/workflows/{workflow.json()['id']}/runs/", json={}).json()
    deadline = time.monotonic() + 60
    while run["status"] in {"queued", "running"} and time.monotonic() < deadline:
        time.sleep(0.3)
        run = client.get(f"/api/runs/{run['id']}/").json()

    assert run["status"] == "succeeded", (run, log.read_text()[-3000:])
    assert "exited: worker (terminated by SIGKILL" in log.read_text()
    assert spawned_workers(log)[1] != first[0]


def test_the_readme_run_command_serves_the_address_the_readme_names(tmp_path):
    """`make run` typed as the README gives it, in a fresh shell, in the checkout (its own var/),
    answers at the README's address, with its worker running."""
    command, address = readme_run_command()
    url = urlsplit(address)
    host, port = url.hostname or "", url.port or 80
    if port_taken(host, port):
        pytest.fail(
            f"{address} (the README's address) is taken: something else listens on port {port}. "
            f"Stop it (`ss -ltnp 'sport = :{port}'` tells what it is) and run this test again: it "
            f"runs `{command}` as the README gives it, which serves there."
        )
    log = tmp_path / "run.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["/bin/sh", "-c", command],
            cwd=ROOT,
            env=fresh_shell_environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    client = httpx.Client(base_url=address, timeout=10)
    try:
        wait_until_serving(client, process, log)

        home = client.get("/")
        assert home.status_code == 200
        assert '<div id="root">' in home.text
        assert set(client.get("/api/setup/").json()) == {"needs_setup"}
        # "with a worker": supervisord started both and both stayed up
        deadline = time.monotonic() + 60
        while "success: worker entered RUNNING state" not in log.read_text():
            assert process.poll() is None, log.read_text()[-4000:]
            assert time.monotonic() < deadline, log.read_text()[-4000:]
            time.sleep(0.5)
        assert "success: web entered RUNNING state" in log.read_text()
        assert f"Listening at: {address}" in log.read_text()
    finally:
        client.close()
        stop_process_group(process)
    # Ctrl-C stops everything: the README's port is free again
    assert not port_taken(host, port), f"{command} left something listening on port {port}"


def stop_process_group(process: subprocess.Popen, grace: float = 90) -> None:
    """Ctrl-C for the command's process group, then waits for all of it to end: make exits at
    once, supervisord only once gunicorn and the worker (each in a group of its own) stopped."""
    with contextlib.suppress(ProcessLookupError):  # it may have ended by itself
        os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        process.poll()  # reaps our own child, which would otherwise linger in the group
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
