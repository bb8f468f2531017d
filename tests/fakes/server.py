"""Base loopback HTTP server for the fake vendors: request log, checks, faults, holds, admin API."""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, parse_qsl, urlsplit

ADMIN_PREFIX = "/_fake/"
DEFAULT_SLOW_SECONDS = 3.0
# serve_forever() only notices shutdown() between polls, so this bounds how long stop() blocks.
_POLL_INTERVAL_SECONDS = 0.05


class Fault(StrEnum):
    """A fault a client asks for by ending its token in ``-<value>`` (e.g. ``tok-error503``)."""

    BAD = "bad"
    RATELIMITED_ONCE = "ratelimited-once"
    RATELIMITED = "ratelimited"
    ERROR500 = "error500"
    ERROR503 = "error503"
    SLOW = "slow"
    DROP = "drop"
    # Slack only: answered by FakeSlack in the body of an HTTP 200, as Slack does.
    FATAL = "fatal"
    REVOKED = "revoked"
    INACTIVE = "inactive"
    MISSING_SCOPE = "missing-scope"


# Faults the base server plays before the vendor logic runs; the rest are auth outcomes.
TRANSPORT_FAULTS = frozenset(
    {
        Fault.RATELIMITED_ONCE,
        Fault.RATELIMITED,
        Fault.ERROR500,
        Fault.ERROR503,
        Fault.SLOW,
        Fault.DROP,
    }
)


@dataclass(frozen=True)
class RecordedRequest:
    """One API request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] | None
    json: Any

    @classmethod
    def parse(
        cls, method: str, target: str, header_items: list[tuple[str, str]], body: bytes
    ) -> Self:
        """Build a record from the raw request line, headers and body."""
        url = urlsplit(target)
        headers: dict[str, str] = {}
        for name, value in header_items:
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        media_type = _media_type(headers.get("content-type", ""))
        form: dict[str, str] | None = None
        parsed_json: Any = None
        if media_type == "application/x-www-form-urlencoded":
            form = {}
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                # Repeated keys keep their first value; vendors that take lists re-read the body.
                form.setdefault(key, value)
        elif media_type == "application/json" and body.strip():
            try:
                parsed_json = json.loads(body)
            except ValueError:
                parsed_json = None
        return cls(
            method=method,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers=headers,
            body=body,
            form=form,
            json=parsed_json,
        )

    @property
    def content_type(self) -> str:
        """The media type of the body, lower-cased, without parameters."""
        return _media_type(self.headers.get("content-type", ""))

    @property
    def json_is_malformed(self) -> bool:
        """True when the body claims to be JSON but does not parse."""
        if self.content_type != "application/json" or not self.body.strip():
            return False
        try:
            json.loads(self.body)
        except ValueError:
            return True
        return False

    def to_json(self) -> dict[str, Any]:
        """A JSON-friendly form, used by ``GET /_fake/requests``."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body.decode("utf-8", "replace"),
            "form": self.form,
            "json": self.json,
        }


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


@dataclass
class Response:
    """What a fake answers; ``None`` in its place means: drop the connection."""

    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON reply."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status=status, body=body, headers=dict(headers or {}))


_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def html_response(status: int) -> Response:
    """An HTML error page like the ones load balancers send, which JSON clients must survive."""
    title = f"{status} {_REASONS.get(status, 'Error')}"
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n"
    return Response(status=status, body=page.encode(), content_type="text/html; charset=utf-8")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeServer) -> None:
        self.fake = fake
        self.connections_opened = 0
        self._open_connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _FakeRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that can stall
        # for seconds on machines without working DNS; loopback needs no name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._open_connections.add(connection)
            self.connections_opened += 1

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._open_connections.discard(connection)

    def open_connection_count(self) -> int:
        with self._connections_lock:
            return len(self._open_connections)

    def close_open_connections(self) -> None:
        # Idle keep-alive connections would otherwise keep handler threads blocked in recv.
        with self._connections_lock:
            connections = list(self._open_connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-reply is routine here (timeouts on -slow), not a fake bug.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _FakeRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without this every keep-alive reply stalls ~40 ms (Nagle + delayed ACK).
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._write(json_response({"error": "unreadable request body"}, 400))
            return
        request = RecordedRequest.parse(self.command, self.path, list(self.headers.items()), body)
        try:
            response = self.server.fake.respond(request)
        except Exception:
            traceback.print_exc()
            response = json_response({"error": "the fake server crashed; see stderr"}, 500)
        if response is None:
            self.close_connection = True
            return
        self._write(response)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked_body()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length) if length else b""

    def _read_chunked_body(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline(65537).split(b";", 1)[0].strip(), 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # skip trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


class FakeServer:
    """A loopback HTTP server that records requests and plays faults chosen by token suffix.

    Every API request is checked as the vendor would (``check_request``: path, method,
    credential, content type) before any fault is played, so a fault test cannot pass with a
    request the vendor would have refused. ``hold()`` makes requests that pass the checks wait
    until the test lets them through, so a test can catch a run in the middle of a call.

    ``reset()`` clears the request log, "once" bookkeeping, configured faults, holds and vendor
    state (messages, touchpoints); seeded data, ``tokens`` and ``slow_seconds`` are kept.
    """

    default_tokens: frozenset[str] = frozenset()
    supported_faults: frozenset[Fault] = TRANSPORT_FAULTS | {Fault.BAD}

    def __init__(self, port: int = 0, *, host: str = "127.0.0.1") -> None:
        self.tokens: set[str] = set(self.default_tokens)
        self.slow_seconds: float = DEFAULT_SLOW_SECONDS
        # A fault applied to every API request that passes the checks, whatever its token
        # (set via configure()).
        self.forced_fault: Fault | None = None
        self._lock = threading.RLock()
        self._requests: list[RecordedRequest] = []
        self._once_tripped: set[str] = set()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # The hold gate: while holding, each request waits for a pass from let_through().
        self._gate = threading.Condition()
        self._holding = False
        self._passes = 0
        self._held = 0
        # Bumped by reset(): a request held across it is dropped, not answered into new state.
        self._hold_generation = 0
        self._reset_state()
        self._httpd = _HTTPServer((host, port), self)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def connections_opened(self) -> int:
        """TCP connections accepted so far; lets tests prove keep-alive reuse."""
        return self._httpd.connections_opened

    @property
    def open_connections(self) -> int:
        """Connections still being served: 0 once every client hung up and every request it
        sent was answered, so what the clients sent is all in the request log."""
        return self._httpd.open_connection_count()

    def start(self) -> Self:
        """Serve in a daemon thread; the socket is already bound, so base_url is final."""
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL_SECONDS},
            name=f"{type(self).__name__}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake any -slow sleeper and close open connections; idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        with self._gate:
            self._gate.notify_all()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.close_open_connections()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self if self._thread is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- request log and configuration --------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the API requests received since the last reset, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        """The recorded requests for one path (query string excluded), optionally one method."""
        return [
            request
            for request in self.requests
            if request.path == path and (method is None or request.method == method.upper())
        ]

    def reset(self) -> None:
        """Forget requests, faults, holds and vendor state; keep seeded data, tokens and
        slow_seconds. Requests held at the time are dropped (the connection closes unanswered)."""
        with self._gate:
            self._holding = False
            self._passes = 0
            self._hold_generation += 1
            self._gate.notify_all()
        with self._lock:
            self._requests.clear()
            self._once_tripped.clear()
            self.forced_fault = None
            self._reset_state()

    # -- holding replies ----------------------------------------------------------------------

    def hold(self) -> None:
        """From now on, requests that pass the checks wait, unanswered, for ``let_through``."""
        with self._gate:
            self._holding = True

    def let_through(self, count: int = 1) -> None:
        """Lets ``count`` held (or future) requests go on to be answered, oldest first."""
        with self._gate:
            self._passes += count
            self._gate.notify_all()

    def release(self) -> None:
        """Stops holding: every waiting request, and every later one, is answered."""
        with self._gate:
            self._holding = False
            self._passes = 0
            self._gate.notify_all()

    @property
    def held(self) -> int:
        """Requests waiting at the hold now."""
        with self._gate:
            return self._held

    def wait_until_held(self, count: int = 1, timeout: float = 30.0) -> None:
        """Blocks until at least ``count`` requests wait at the hold; fails after ``timeout``."""
        with self._gate:
            if not self._gate.wait_for(lambda: self._held >= count, timeout):
                raise AssertionError(
                    f"{count} request(s) were not held within {timeout:g}s; {self._held} were"
                )

    def wait_until_idle(self, timeout: float = 30.0) -> None:
        """Blocks until no connection is open (every client hung up and was answered)."""
        deadline = time.monotonic() + timeout
        while self.open_connections:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.open_connections} connection(s) still open")
            self._stopping.wait(0.02)

    def _pass_hold(self) -> bool:
        """Waits while held; False when the request must be dropped (reset or stop meanwhile)."""
        with self._gate:
            if not self._holding:
                return True
            if self._passes:
                self._passes -= 1
                return True
            generation = self._hold_generation
            self._held += 1
            self._gate.notify_all()
            try:
                while (
                    self._holding
                    and not self._passes
                    and generation == self._hold_generation
                    and not self._stopping.is_set()
                ):
                    self._gate.wait()
                if generation != self._hold_generation or self._stopping.is_set():
                    return False
                if self._holding:
                    self._passes -= 1
                return True
            finally:
                self._held -= 1
                self._gate.notify_all()

    def configure(self, **knobs: Any) -> dict[str, Any]:
        """Set fault knobs (what ``POST /_fake/config`` does); raises ValueError on bad input.

        Common knobs: ``slow_seconds`` (number), ``fault`` (a Fault value or null; a forced
        ``ratelimited-once`` fires on the next request only), ``tokens`` (list of strings).
        """
        unknown = sorted(set(knobs) - set(self.config()))
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)}")
        with self._lock:
            for name, value in knobs.items():
                self._set_knob(name, value)
        return self.config()

    def config(self) -> dict[str, Any]:
        """Current values of every knob ``configure()`` accepts."""
        with self._lock:
            return {
                "slow_seconds": self.slow_seconds,
                "fault": None if self.forced_fault is None else str(self.forced_fault),
                "tokens": sorted(self.tokens),
                **self._vendor_config(),
            }

    def state(self) -> dict[str, Any]:
        """Vendor state worth inspecting from another process (``GET /_fake/state``)."""
        return {}

    # -- tokens and faults --------------------------------------------------------------------

    def split_token(self, token: str | None) -> tuple[str | None, Fault | None]:
        """Split ``base-<fault>`` into base and fault; tokens without a known suffix pass."""
        if token is None:
            return None, None
        for fault in sorted(self.supported_faults, key=len, reverse=True):
            suffix = f"-{fault}"
            if token.endswith(suffix) and len(token) > len(suffix):
                return token[: -len(suffix)], fault
        return token, None

    def is_valid_token(self, token: str | None) -> bool:
        """Known tokens, and known tokens with a fault suffix, are valid; ``-bad`` never is."""
        if not token:
            return False
        base, fault = self.split_token(token)
        if fault is Fault.BAD:
            return False
        return token in self.tokens or base in self.tokens

    def respond(self, request: RecordedRequest) -> Response | None:
        """Answer one request (``None`` = drop the connection); called from handler threads.

        The request is checked first (a refusal plays no fault and uses up no "once"), then
        held if the test holds requests, then its fault is played, then the vendor answers.
        """
        if request.path.startswith(ADMIN_PREFIX):
            return self._handle_admin(request)
        with self._lock:
            self._requests.append(request)
        refusal = self.check_request(request)
        if refusal is not None:
            return refusal
        if not self._pass_hold():
            return None
        token = self.extract_token(request)
        fault = self._take_fault(token)
        if fault is Fault.DROP:
            return None
        if fault is Fault.SLOW:
            # An Event wait, not time.sleep, so stop() does not hang on a slow request.
            self._stopping.wait(self.slow_seconds)
            fault = None
        elif fault in (Fault.RATELIMITED, Fault.RATELIMITED_ONCE):
            return self.rate_limited_response()
        elif fault is Fault.ERROR500:
            return html_response(500)
        elif fault is Fault.ERROR503:
            return html_response(503)
        return self.handle_api(request, token, fault)

    def _take_fault(self, token: str | None) -> Fault | None:
        with self._lock:
            forced = self.forced_fault
            if forced is Fault.RATELIMITED_ONCE:
                self.forced_fault = None
            if forced is not None:
                return forced
            _, fault = self.split_token(token)
            if fault is Fault.RATELIMITED_ONCE:
                # "Once" is per token string, so parallel tests with distinct tokens don't interact.
                if token in self._once_tripped:
                    return None
                self._once_tripped.add(str(token))
            return fault

    # -- admin endpoints ----------------------------------------------------------------------

    def _handle_admin(self, request: RecordedRequest) -> Response:
        route = (request.method, request.path.rstrip("/"))
        if route == ("POST", "/_fake/reset"):
            self.reset()
            return json_response({"ok": True})
        if route == ("GET", "/_fake/requests"):
            return json_response([recorded.to_json() for recorded in self.requests])
        if route == ("GET", "/_fake/config"):
            return json_response(self.config())
        if route == ("POST", "/_fake/config"):
            if not isinstance(request.json, dict):
                return json_response({"error": "POST a JSON object of knobs"}, 400)
            try:
                return json_response(self.configure(**request.json))
            except ValueError as exc:
                return json_response({"error": str(exc)}, 400)
        if route == ("GET", "/_fake/state"):
            with self._lock:
                return json_response(self.state())
        return json_response({"error": f"no admin endpoint {request.method} {request.path}"}, 404)

    def _set_knob(self, name: str, value: Any) -> None:
        if name == "slow_seconds":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError("slow_seconds must be a non-negative number")
            self.slow_seconds = float(value)
        elif name == "fault":
            if value is None:
                self.forced_fault = None
            elif isinstance(value, str) and value in {str(f) for f in self.supported_faults}:
                self.forced_fault = Fault(value)
            else:
                choices = ", ".join(sorted(self.supported_faults))
                raise ValueError(f"fault must be null or one of: {choices}")
        elif name == "tokens":
            if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
                raise ValueError("tokens must be a list of strings")
            self.tokens = set(value)
        else:
            self._set_vendor_knob(name, value)

    # -- hooks for vendor subclasses ----------------------------------------------------------

    def extract_token(self, request: RecordedRequest) -> str | None:
        """The credential the request carries, or None."""
        raise NotImplementedError

    def check_request(self, request: RecordedRequest) -> Response | None:
        """The vendor's refusal of a request it would not act on (unknown path, wrong method,
        missing or invalid credential, wrong content type), or None to go on."""
        raise NotImplementedError

    def handle_api(
        self, request: RecordedRequest, token: str | None, fault: Fault | None
    ) -> Response:
        """Vendor logic for a checked request; ``fault`` is an auth-level fault (Slack's
        ``token_revoked``, say) left for the vendor to express."""
        raise NotImplementedError

    def rate_limited_response(self) -> Response:
        """The vendor's 429; ``Retry-After: 0`` keeps client retries instant in tests."""
        return json_response({"error": "rate limited"}, 429, {"Retry-After": "0"})

    def _reset_state(self) -> None:
        """Clear per-test vendor state (not seeded data); called with the lock held."""

    def _vendor_config(self) -> dict[str, Any]:
        return {}

    def _set_vendor_knob(self, name: str, value: Any) -> None:
        raise ValueError(f"unknown config key: {name}")
