"""A vendor that misbehaves on purpose: huge, trickling, held and not-quite-JSON answers."""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

CHUNK_BYTES = 64 * 1024
# A handler blocked writing to a client that stopped reading gives up after this long.
SOCKET_TIMEOUT_SECONDS = 30.0
# JSON bodies Python's json module reads but JSON (and PostgreSQL) does not allow.
QUIRKY_JSON = {
    "/nan": b'{"a": NaN}',
    "/negative-infinity": b'{"a": -Infinity}',
    "/overflow": b'{"a": 1e400}',
    # Half of a surrogate pair, as a vendor truncating an emoji sends it: valid for Python,
    # refused by PostgreSQL's jsonb.
    "/lone-surrogate": b'{"a": "\\ud83d"}',
}


@dataclass
class Delivery:
    """One answer as the fake gave it: how much of it went out and who hung up."""

    path: str
    bytes_sent: int = 0
    finished: bool = False  # the whole answer was written
    client_left: bool = False  # the client closed the connection before the end


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(SOCKET_TIMEOUT_SECONDS)

    def do_POST(self) -> None:
        # A vendor client (slack-sdk, Totango's) posts to <base URL>/<method>: the body is
        # read and the answer chosen by the path, as for a GET.
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        segments = url.path.strip("/").split("/")
        vendor = self.server.vendor
        delivery = vendor.record(url.path)
        try:
            if url.path == "/ok":
                self.answer(delivery, b'{"ok": true}')
            elif url.path in QUIRKY_JSON:
                self.answer(delivery, QUIRKY_JSON[url.path])
            elif segments[0] == "huge":
                declared = segments[2:3] == ["declared"]
                self.huge(delivery, int(segments[1]), declared=declared)
            elif url.path == "/trickle":
                self.trickle(delivery, int(query["bytes"]), float(query["every"]))
            elif url.path == "/hold":
                self.hold(delivery)
            else:
                self.answer(delivery, b'{"error": "no such endpoint"}', status=404)
        except (ConnectionError, TimeoutError):
            vendor.update(delivery, client_left=True)
            self.close_connection = True

    def answer(self, delivery: Delivery, body: bytes, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.vendor.update(delivery, sent=len(body), finished=True)

    def huge(self, delivery: Delivery, size: int, *, declared: bool) -> None:
        """`size` bytes of one JSON string, made up as they are sent."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if declared:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        opening, closing = b'{"data": "', b'"}'
        remaining = size
        while remaining:
            part = min(CHUNK_BYTES, remaining)
            if remaining == size:
                data = opening + b"x" * (part - len(opening))
            elif remaining == part:
                data = b"x" * (part - len(closing)) + closing
            else:
                data = b"x" * part
            self.wfile.write(data if declared else b"%x\r\n%s\r\n" % (len(data), data))
            remaining -= part
            self.server.vendor.update(delivery, sent=part)
        if not declared:
            self.wfile.write(b"0\r\n\r\n")
        self.server.vendor.update(delivery, finished=True)

    def trickle(self, delivery: Delivery, size: int, every: float) -> None:
        """Headers at once, then the body one byte at a time: no single read ever waits long."""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        for _ in range(size):
            if self.client_gone(wait=every):
                self.server.vendor.update(delivery, client_left=True)
                self.close_connection = True
                return
            self.wfile.write(b"x")
            self.server.vendor.update(delivery, sent=1)
        self.server.vendor.update(delivery, finished=True)

    def hold(self, delivery: Delivery) -> None:
        """Nothing at all until the test releases the fake; notes a client hanging up meanwhile."""
        vendor = self.server.vendor
        while not vendor.released.wait(0.05):
            if self.client_gone(wait=0):
                vendor.update(delivery, client_left=True)
                self.close_connection = True
                return
        self.answer(delivery, b'{"released": true}')

    def client_gone(self, *, wait: float) -> bool:
        """True once the client closed its end (the request was read whole: nothing else comes)."""
        readable, _, _ = select.select([self.connection], [], [], wait)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], vendor: MisbehavingVendor) -> None:
        self.vendor = vendor
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # No reverse DNS lookup of the loopback address (see tests/fakes/server.py).
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # clients hanging up is what this fake is for


class MisbehavingVendor:
    """A loopback server whose every answer is a fault, each recorded as a Delivery.

    GET /ok answers `{"ok": true}`. /huge/N/… streams an N-byte JSON body, chunked (or with
    its Content-Length at /huge/N/declared/…), to a GET or a POST: a base URL of /huge/N/
    serves it to every method of a vendor client. /trickle?bytes=N&every=S sends one byte
    every S seconds; /hold answers only once `release()` is called; /nan, /negative-infinity,
    /overflow and /lone-surrogate answer JSON that Python reads and PostgreSQL refuses.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.released = threading.Event()
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []
        self._httpd = _Server((host, 0), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="misbehaving-vendor",
            daemon=True,
        )

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def record(self, path: str) -> Delivery:
        delivery = Delivery(path=path)
        with self._lock:
            self._deliveries.append(delivery)
        return delivery

    def update(
        self,
        delivery: Delivery,
        *,
        sent: int = 0,
        finished: bool = False,
        client_left: bool = False,
    ) -> None:
        with self._lock:
            delivery.bytes_sent += sent
            delivery.finished = delivery.finished or finished
            delivery.client_left = delivery.client_left or client_left

    @property
    def deliveries(self) -> list[Delivery]:
        """Copies of every delivery since the last reset, oldest first."""
        with self._lock:
            return [Delivery(**vars(delivery)) for delivery in self._deliveries]

    def reset(self) -> None:
        self.released.clear()
        with self._lock:
            self._deliveries.clear()

    def release(self) -> None:
        self.released.set()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.released.set()
        self._httpd.shutdown()
        self._thread.join()
        with contextlib.suppress(OSError):
            self._httpd.server_close()
