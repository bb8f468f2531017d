"""The outbound HTTP client every service connector shares: limits, retries, error classes."""

from __future__ import annotations

import copy
import json
import re
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

import certifi
import httpx

from connectors.errors import (
    AuthenticationFailed,
    CallTimedOut,
    ConnectorError,
    ParkRequested,
    RetryableError,
    TerminalError,
)
from connectors.network import CallCancelled, GuardedTransport, call_limits

if TYPE_CHECKING:
    from connectors.sdk import ClientSettings

# A short, readable rendering of a vendor's error body for the step's error message.
ErrorMessageReader = Callable[[httpx.Response], str]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ERROR_BODY_CHARS = 300
# Backoff when the vendor gives no Retry-After: 0.5 s, 1 s, 2 s… capped.
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
# Statuses whose answer has no body, whatever its Content-Length says.
BODYLESS_STATUSES = frozenset({204, 304})
# A body holding none of these cannot hold NaN, Infinity or a float too large to be finite
# (1e400 or 309 digits): only one that does is parsed again to make sure.
NON_FINITE_HINT = re.compile(rb"NaN|Infinity|[eE]\+?\d{3}|\d{309}")

T = TypeVar("T")


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle costs ~20 ms each time."""
    return ssl.create_default_context(cafile=certifi.where())


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare from APIs, and the default backoff is as good


def describe_body(response: httpx.Response) -> str:
    """The start of a response body as text; HTML pages are named rather than quoted."""
    content_type = response.headers.get("content-type", "")
    if "html" in content_type:
        return "an HTML error page"
    text = response.text.strip()
    if len(text) > MAX_ERROR_BODY_CHARS:
        text = text[:MAX_ERROR_BODY_CHARS] + "…"
    return text or "an empty body"


def error_fields(*paths: str) -> ErrorMessageReader:
    """A reader of the vendor's words in a JSON error body: the first of these fields that has
    any ("error.message" is the message inside an "error" object); else the body described."""

    def read(response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return describe_body(response)
        for path in paths:
            value = body
            for name in path.split("."):
                value = value.get(name) if isinstance(value, dict) else None
            if value:
                return str(value)
        return describe_body(response)

    return read


def gave_up(message: str, retries: int) -> str:
    if retries == 0:
        return message
    return f"{message}; gave up after {retries} {'retry' if retries == 1 else 'retries'}"


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries of RetryableError, honouring Retry-After, each retry noted in a log.

    The lines read "Retry N of M in Xs: <why>"; the engine counts them into StepRun.retries.
    """

    max_retries: int
    max_retry_after: float
    # The run's cancellation: the wait before a retry ends when it is set.
    cancelled: threading.Event | None = None
    # A wait longer than this parks the run rather than sleep (ParkRequested); None: sleep.
    park_after: float | None = None

    @classmethod
    def from_settings(cls, settings: ClientSettings) -> RetryPolicy:
        return cls(
            max_retries=settings.max_retries,
            max_retry_after=settings.max_retry_after,
            cancelled=settings.cancelled,
            park_after=settings.park_after,
        )

    def call(self, attempt: Callable[[], T], *, log: list[str] | None) -> T:
        retries = 0
        while True:
            try:
                return attempt()
            except RetryableError as error:
                if retries >= self.max_retries:
                    # Of the same class: a timeout given up on is still a timeout.
                    raise type(error)(
                        gave_up(error.message, retries), status_code=error.status_code
                    ) from None
                retries += 1
                delay = self.delay(error, retries)
                if self.park_after is not None and delay > self.park_after:
                    # The step is run again when the run resumes: the call did nothing.
                    raise ParkRequested(
                        seconds=delay,
                        reason=error.wait_reason or f"waiting to retry: {error.message}",
                        message=error.message,
                    ) from None
                if log is not None:
                    log.append(
                        f"Retry {retries} of {self.max_retries} in {delay:g}s: {error.message}"
                    )
                self.wait(delay)

    def wait(self, seconds: float) -> None:
        if self.cancelled is None:
            time.sleep(seconds)
        elif self.cancelled.wait(seconds):
            raise CallCancelled("Cancelled while waiting to retry.")

    def delay(self, error: RetryableError, retry: int) -> float:
        if error.retry_after is None:
            return min(FIRST_BACKOFF_SECONDS * 2.0 ** (retry - 1), MAX_BACKOFF_SECONDS)
        if error.retry_after > self.max_retry_after:
            raise RetryableError(
                f"{error.message}; the vendor asked to wait {error.retry_after:g}s, longer "
                f"than the {self.max_retry_after:g}s allowed (CONNECTOR_MAX_RETRY_AFTER)"
            )
        return error.retry_after


class ServiceClient:
    """An httpx client bound to one vendor account: base URL, credential headers, retry policy.

    `service` names the vendor in error messages ("Totango answered HTTP 500…"); without one
    (the HTTP client, which may call anywhere) the host is named instead. Without a base URL
    only absolute URLs can be sent (`send`); `request` takes endpoints under the base URL.
    With `credential_refused`, a 401 is the vendor refusing the credential (AuthenticationFailed)
    and that is its message, "{vendor_says}" replaced by the vendor's words.
    """

    def __init__(
        self,
        *,
        service: str | None,
        base_url: str | None,
        headers: Mapping[str, str],
        settings: ClientSettings,
        error_message: ErrorMessageReader = describe_body,
        credential_refused: str | None = None,
    ) -> None:
        self.service = service
        self.credential_refused = credential_refused
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        self.settings = settings
        self.retry_policy = RetryPolicy.from_settings(settings)
        self.error_message = error_message
        self._client = new_httpx_client(settings, headers=headers)
        self._log: list[str] | None = None

    def for_log(self, log: list[str]) -> ServiceClient:
        """The same client writing its retries to one step's log."""
        view = copy.copy(self)  # shares the httpx client and its connection pool
        view._log = log
        return view

    @property
    def httpx_client(self) -> httpx.Client:
        """The httpx client itself, for a vendor library sending through the same connections."""
        return self._client

    def close(self) -> None:
        self._client.close()

    def name_for(self, url: str) -> str:
        return self.service or urlsplit(url).netloc

    def url_for(self, endpoint: str) -> str:
        """The absolute URL of an endpoint suffix; refuses anything that leaves the base URL."""
        if self.base_url is None:
            raise TerminalError(f"Endpoint {endpoint!r} needs a base URL to be added to.")
        if urlsplit(endpoint).scheme or endpoint.startswith("//"):
            raise TerminalError(
                f"Endpoint {endpoint!r} must be a path such as /api/v3/touchpoints/, "
                f"not an absolute URL: the base URL {self.base_url} is added for you."
            )
        url = urljoin(self.base_url, endpoint.lstrip("/"))
        if not self.is_under_base_url(url):
            raise TerminalError(f"Endpoint {endpoint!r} leaves the base URL {self.base_url}.")
        return url

    def is_under_base_url(self, url: str) -> bool:
        if self.base_url is None:
            return True
        base, resolved = urlsplit(self.base_url), urlsplit(url)
        # Servers decode %2e and may treat \ as /: judge the path as they will read it.
        path = unquote(resolved.path).replace("\\", "/")
        return (
            resolved.scheme == base.scheme
            and resolved.netloc == base.netloc
            and resolved.path.startswith(base.path)
            and "/../" not in f"{path}/"
            and "/./" not in f"{path}/"
        )

    def request(
        self, method: str, endpoint: str, *, check: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """Sends to an endpoint under the base URL; see `send`."""
        return self.send(method, self.url_for(endpoint), check=check, **kwargs)

    def send(self, method: str, url: str, *, check: bool = True, **kwargs: Any) -> httpx.Response:
        """Sends a request, retrying retryable failures; with `check`, a 4xx raises TerminalError.

        A `timeout` keyword overrides the client's for this request (the HTTP client's input).
        """

        def attempt() -> httpx.Response:
            response = send_httpx(
                self._client, method, url, settings=self.settings, service=self.service, **kwargs
            )
            self.raise_for_status(response, check=check)
            return response

        return self.retry_policy.call(attempt, log=self._log)

    def raise_for_status(self, response: httpx.Response, *, check: bool) -> None:
        name = self.name_for(str(response.request.url))
        if check and self.credential_refused and response.status_code == 401:
            vendor_says = self.error_message(response)
            raise AuthenticationFailed(
                self.credential_refused.replace("{vendor_says}", vendor_says)
            )
        if response.status_code in RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if response.status_code == 429:
                raise RetryableError(
                    f"{name} rate limit reached (HTTP 429)",
                    retry_after=retry_after,
                    wait_reason=f"rate limited by {name}",
                    status_code=429,
                )
            raise RetryableError(
                f"{name} answered HTTP {response.status_code} with {describe_body(response)}",
                retry_after=retry_after,
                status_code=response.status_code,
            )
        if check and response.status_code >= 400:
            raise TerminalError(
                f"{name} answered HTTP {response.status_code}: {self.error_message(response)}",
                status_code=response.status_code,
            )


def new_httpx_client(settings: ClientSettings, *, headers: Mapping[str, str]) -> httpx.Client:
    """An httpx client whose connections keep to the settings' network policy.

    Redirects are not followed: a 3xx is the step's to see (and a followed one would still
    connect through the same checks).
    """
    return httpx.Client(
        headers=dict(headers),
        timeout=settings.timeout,
        transport=GuardedTransport(
            ssl_context=shared_ssl_context(),
            block_private_networks=settings.block_private_networks,
        ),
        follow_redirects=False,
    )


def send_httpx(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    settings: ClientSettings,
    service: str | None = None,
    timeout: float | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """One httpx call, body read, within the settings' limits; transport failures are mapped
    to errors a user can read.

    The whole call (connecting, waiting for the answer, reading the body) must end within
    `timeout` (the step's own) or the settings' timeout; a set `settings.cancelled` stops it
    (CallCancelled) even while it waits.
    """
    host = urlsplit(url).netloc
    where = f"{service} at {host}" if service else host
    seconds = timeout if timeout is not None else settings.timeout
    which = "the step's Timeout" if timeout is not None else "CONNECTOR_HTTP_TIMEOUT"
    try:
        with call_limits(seconds=seconds, cancelled=settings.cancelled):
            request = client.build_request(method, url, timeout=seconds, **kwargs)
            response = client.send(request, stream=True)
            try:
                read_body(response, limit=settings.max_response_bytes, where=where)
            finally:
                response.close()
    except httpx.TimeoutException:
        raise CallTimedOut(f"{where} did not answer within {seconds:g}s ({which})") from None
    except httpx.RemoteProtocolError:
        raise RetryableError(f"{where} closed the connection without answering") from None
    except httpx.TransportError as error:
        raise RetryableError(f"Could not connect to {where}: {type(error).__name__}") from None
    if response.status_code not in RETRYABLE_STATUSES:  # those bodies are only quoted
        refuse_non_finite_json(response, where=where)
    return response


def read_body(response: httpx.Response, *, limit: int, where: str) -> None:
    """Reads a streamed response's body into it, refusing one over `limit` bytes having read
    at most one chunk more.

    The bytes counted are the decoded ones: a small gzip body can unpack to gigabytes.
    """
    too_large = TerminalError(
        f"The response of {where} is larger than CONNECTOR_MAX_RESPONSE_BYTES ({limit} bytes)"
    )
    declared = response.headers.get("content-length", "")
    has_body = response.request.method != "HEAD" and response.status_code not in BODYLESS_STATUSES
    if has_body and declared.isdigit() and int(declared) > limit:
        raise too_large  # refused before reading any of it
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    # Where Response.read() keeps the body (httpx is pinned): .content, .text and .json() then
    # work as after read(), which offers no way to stop at a limit.
    response._content = b"".join(chunks)


class NotAJsonNumber(Exception):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def refuse_not_a_number(token: str) -> Any:
    raise NotAJsonNumber(token)


def finite_float(token: str) -> float:
    value = float(token)
    if value in (float("inf"), float("-inf")):
        raise NotAJsonNumber(token)
    return value


def refuse_non_finite_json(response: httpx.Response, *, where: str) -> None:
    """Refuses a JSON body holding NaN, Infinity or a number too large to be finite.

    Python's json reads them, but they are not JSON: PostgreSQL refuses them in a step's
    record, and no later step could send them on. Refused rather than changed into null, so
    nothing stands in for a value the vendor never sent; the step fails saying why.
    """
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type or not NON_FINITE_HINT.search(response.content):
        return
    try:
        json.loads(response.content, parse_constant=refuse_not_a_number, parse_float=finite_float)
    except NotAJsonNumber as refused:
        raise TerminalError(
            f"{where} answered invalid JSON: {refused.token} is not a JSON number."
        ) from None
    except ValueError:
        return  # not JSON at all: whoever reads it decides what that means (text, say)


__all__ = [
    "CallCancelled",
    "ConnectorError",
    "RetryPolicy",
    "RetryableError",
    "ServiceClient",
    "TerminalError",
]
