"""The sockets under every vendor call: one deadline per call, cancellation, private networks.

Why an httpcore network backend: every byte of every vendor call passes through it, whoever
built the request (our ServiceClient, slack-sdk through HttpxWebClient), and it sees each
socket operation, so:

- the deadline is looked at before every read, so a vendor trickling one byte a second cannot
  dodge it as it dodges httpx's per-read timeout;
- a read waiting for headers or body wakes every POLL_SECONDS to look at the run's
  cancellation, in the thread that owns the socket. No other thread touches the socket:
  closing a socket another thread is blocked on races with the reuse of its file descriptor.
  The read raises, and httpcore closes the connection as after any failed read;
- the private-network policy judges the addresses the connection is really made to: the name
  is resolved once, each address is checked, and the socket connects to a checked address,
  so DNS rebinding cannot slip another address in between. Redirects are not followed
  (follow_redirects=False), and one that were would connect through here too.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import math
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from connectors.errors import TerminalError

# How often a call blocked on its socket looks at the run's cancellation: a Cancel stops a
# waiting call this long at most after the run's heartbeat has seen it.
POLL_SECONDS = 0.1
# IPv6 addresses a NAT64 gateway translates to the IPv4 address in their last 32 bits.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class CallCancelled(Exception):
    """The run was cancelled while a vendor call waited; its connection is closed.

    Not a ConnectorError: nothing retries it, and the engine records the step as cancelled.
    """


class PrivateNetworkRefused(TerminalError):
    """A host resolves only to addresses CONNECTOR_BLOCK_PRIVATE_NETWORKS forbids."""


def address_kind(address: IPAddress) -> str | None:
    """Why an address is off limits when private networks are blocked ("loopback", "private"…),
    or None for a public one. An IPv6 address carrying an IPv4 one (IPv4-mapped, 6to4, NAT64)
    is judged by the IPv4 address: that is where the packets end up."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_kind(embedded)
    # The most telling name first: the ipaddress module also calls loopback "private".
    for kind, applies in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),  # 169.254.169.254: cloud metadata
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),  # 100.64.0.0/10 (carrier-grade NAT), say
    ):
        if applies:
            return kind
    return None


def permitted_addresses(host: str, port: int) -> list[str]:
    """The addresses of `host` a call may connect to; refuses a host with none."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise httpcore.ConnectError(str(error)) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    permitted = [a for a in addresses if address_kind(ipaddress.ip_address(a)) is None]
    if not permitted:
        refused = sorted(addresses)
        kind = address_kind(ipaddress.ip_address(refused[0]))
        article = "an" if str(kind)[0] in "aeiou" else "a"
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        raise PrivateNetworkRefused(
            f"Refused to call {where}: it resolves to {', '.join(refused)}, {article} {kind} "
            "address, and CONNECTOR_BLOCK_PRIVATE_NETWORKS forbids calls to private networks."
        )
    return permitted


@dataclass(frozen=True)
class CallLimits:
    deadline: float  # on time.monotonic()
    cancelled: threading.Event | None

    def time_left(self, until: float, timeout_error: type[Exception]) -> float:
        """How long the next socket operation may block (until the deadline or `until`, the
        sooner); raises at once if the run was cancelled or no time is left."""
        if self.cancelled is not None and self.cancelled.is_set():
            raise CallCancelled("Cancelled while waiting for the vendor's answer.")
        left = min(self.deadline, until) - time.monotonic()
        if left <= 0:
            raise timeout_error("The call went over its deadline.")
        return left


_current_call: contextvars.ContextVar[CallLimits | None] = contextvars.ContextVar(
    "vendor_call_limits", default=None
)


@contextlib.contextmanager
def call_limits(*, seconds: float, cancelled: threading.Event | None) -> Iterator[None]:
    """Bounds the socket operations of the call made inside: `seconds` for all of them,
    and none goes on once `cancelled` is set.

    A context variable, not an argument: the calls are made by httpx and slack-sdk, which
    pass nothing of ours down to the sockets; a run's calls are made on its own thread.
    """
    token = _current_call.set(CallLimits(time.monotonic() + seconds, cancelled))
    try:
        yield
    finally:
        _current_call.reset(token)


def operation_end(timeout: float | None) -> float:
    """When an operation's own (httpx per-operation) timeout runs out."""
    return math.inf if timeout is None else time.monotonic() + timeout


class GuardedStream(httpcore.NetworkStream):
    """A connection whose reads, writes and TLS handshake keep to the current call's limits."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limits = _current_call.get()
        if limits is None:
            return self._stream.read(max_bytes, timeout)
        until = operation_end(timeout)
        while True:
            left = limits.time_left(until, httpcore.ReadTimeout)
            try:
                return self._stream.read(max_bytes, min(left, POLL_SECONDS))
            except httpcore.ReadTimeout:
                continue  # a quiet slice: time_left raises once the time is up

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        limits = _current_call.get()
        if limits is not None:
            # Not sliced like reads: a send that times out part way does not say how much
            # went, so it could not be resumed. Request bodies are small; the deadline holds.
            timeout = limits.time_left(operation_end(timeout), httpcore.WriteTimeout)
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limits = _current_call.get()
        if limits is not None:
            timeout = limits.time_left(operation_end(timeout), httpcore.ConnectTimeout)
        return GuardedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, connected only where the policy allows, as GuardedStreams."""

    def __init__(self, *, block_private_networks: bool) -> None:
        self._backend = httpcore.SyncBackend()
        self.block_private_networks = block_private_networks

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        limits = _current_call.get()
        until = operation_end(timeout)
        # With the policy on, the socket connects to a checked address, never the name again.
        targets = permitted_addresses(host, port) if self.block_private_networks else [host]
        for index, target in enumerate(targets):
            if limits is not None:
                timeout = limits.time_left(until, httpcore.ConnectTimeout)
            try:
                stream = self._backend.connect_tcp(
                    target, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                if index == len(targets) - 1:
                    raise
                continue
            return GuardedStream(stream)
        raise AssertionError("unreachable: permitted_addresses returns at least one")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a GuardedBackend."""

    def __init__(self, *, ssl_context: ssl.SSLContext, block_private_networks: bool) -> None:
        # Not super().__init__(): httpx 0.28 cannot be given a network backend (encode/httpx
        # #3749 proposes it), and handle_request and close use nothing but this pool, built
        # as httpx builds its own, with httpx's default limits.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(block_private_networks=block_private_networks),
        )
