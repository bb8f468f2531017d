"""deploy/nginx.conf in front of gunicorn: slow clients no longer take the app down."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.core.cache import cache

from tests.helpers import ROOT
from tests.servers import AppServer, free_port, stop_process, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SLOW_CLIENTS = 30


class Nginx:
    """nginx running the repository's site configuration, its upstream and port templated."""

    def __init__(self, folder: Path, upstream_port: int) -> None:
        binary = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin")
        if binary is None:
            pytest.fail("nginx is needed: apt-get install nginx-light (.ci/run installs it)")
        self.port = free_port()
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        assert site.count("server web:8000;") == 1
        assert site.count("listen 80;") == 1
        site = site.replace("server web:8000;", f"server 127.0.0.1:{upstream_port};")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        (folder / "site.conf").write_text(site)
        temporary = "\n".join(
            f"    {kind}_temp_path {folder / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # The official image's nginx.conf, reduced: its http block includes the site.
        (folder / "nginx.conf").write_text(
            f"""
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} info;
events {{ worker_connections 1024; }}
http {{
    access_log {folder / "access.log"};
{temporary}
    include {folder / "site.conf"};
}}
"""
        )
        self.folder = folder
        self.process = subprocess.Popen(
            [
                binary,
                "-p",
                str(folder),
                "-e",
                str(folder / "error.log"),
                "-c",
                str(folder / "nginx.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self.listening, timeout=20, message=self.failure)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def listening(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(self.failure())
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def failure(self) -> str:
        return f"nginx did not start: {(self.folder / 'error.log').read_text()[-2000:]}"

    def stop(self) -> None:
        stop_process(self.process)


class SlowClients:
    """Sockets sending a request's headers, then its body a byte now and then, never finishing."""

    def __init__(self, port: int, count: int) -> None:
        self.sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        for connection in self.sockets:
            connection.sendall(
                b"POST /api/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
            )
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)
        self.thread.start()

    def trickle(self) -> None:
        while not self.stopped.wait(0.5):
            for connection in self.sockets:
                # A socket the server dropped is what nginx's timeouts are for.
                with contextlib.suppress(OSError):
                    connection.sendall(b"a")

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        for connection in self.sockets:
            connection.close()


@pytest.fixture
def app(tmp_path) -> Iterator[AppServer]:
    # Sign-in failures are kept in the cache table, which the flush between tests leaves be:
    # none of another test may count here, nor any of these lock a later test out.
    cache.clear()
    web = AppServer(tmp_path / "web.log", TRUSTED_PROXY_COUNT="1")
    yield web
    web.stop()
    cache.clear()


@pytest.fixture
def proxy(app, tmp_path) -> Iterator[Nginx]:
    folder = tmp_path / "nginx"
    folder.mkdir()
    server = Nginx(folder, app.port)
    yield server
    server.stop()


def test_slow_clients_hold_gunicorn_itself(tmp_path):
    # The attack, against gunicorn alone: each of its threads waits for a slow body's end, and
    # the next request waits for a thread. One process, so no request can reach another one
    # that the slow clients happened to leave a thread free in.
    web = AppServer(tmp_path / "web.log", workers=1, threads=4)
    slow = SlowClients(web.port, SLOW_CLIENTS)
    try:
        with pytest.raises(httpx.TimeoutException):
            httpx.get(web.base_url + "/api/health/", timeout=5)
    finally:
        slow.close()
        web.stop()


def test_through_nginx_slow_clients_do_not_block_a_normal_request(app, proxy):
    # Given thirty clients sending a request a byte at a time through nginx
    slow = SlowClients(proxy.port, SLOW_CLIENTS)
    try:
        # When someone else makes ordinary requests
        health = httpx.get(proxy.base_url + "/api/health/", timeout=5)
        sign_in = httpx.post(
            proxy.base_url + "/api/token/",
            json={"username": "nobody", "password": "wrong password"},
            timeout=5,
        )
    finally:
        slow.close()

    # Then they are answered as usual
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert sign_in.status_code == 400


def test_nginx_refuses_a_body_over_the_apps_limit_with_json(proxy):
    # A declared length over 10 MB is refused before a byte of the body is read.
    with socket.create_connection(("127.0.0.1", proxy.port)) as connection:
        connection.sendall(
            b"POST /api/workflows/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 10485761\r\n\r\n"
        )
        answer = connection.recv(65536).decode()

    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 413")
    assert json.loads(body) == {
        "detail": "The request body is larger than the limit of 10485760 bytes "
        "(API_MAX_REQUEST_BYTES)."
    }


def test_the_app_sees_the_clients_address_through_nginx(settings, app, proxy):
    # The sign-in lockout counts by address: behind nginx it must be the client's, not nginx's.
    answers = [
        httpx.post(
            proxy.base_url + "/api/token/",
            json={"username": f"nobody{number}", "password": "wrong password"},
            headers={"X-Forwarded-For": f"10.9.8.{number}"},  # forged, a new one each time
            timeout=5,
        ).status_code
        for number in range(21)
    ]

    # After 20 failures from 127.0.0.1 that address is locked (SIGN_IN_MAX_FAILURES_PER_ADDRESS):
    # the app read the address nginx appended, not the forged ones before it.
    assert answers == [400] * 20 + [429]
