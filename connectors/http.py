"""The outbound HTTP client every service connector shares: timeouts, retries, error classes."""

from __future__ import annotations

import copy
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

import certifi
import httpx

from connectors.errors import ConnectorError, RetryableError, TerminalError

# A short, readable rendering of a vendor's error body for the step's error message.
ErrorMessageReader = Callable[[httpx.Response], str]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ERROR_BODY_CHARS = 300
# Backoff when the vendor gives no Retry-After: 0.5 s, 1 s, 2 s… capped.
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0

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

    def call(self, attempt: Callable[[], T], *, log: list[str] | None) -> T:
        retries = 0
        while True:
            try:
                return attempt()
            except RetryableError as error:
                if retries >= self.max_retries:
                    raise RetryableError(gave_up(error.message, retries)) from None
                retries += 1
                delay = self.delay(error, retries)
                if log is not None:
                    log.append(
                        f"Retry {retries} of {self.max_retries} in {delay:g}s: {error.message}"
                    )
                time.sleep(delay)

    def delay(self, error: RetryableError, retry: int) -> float:
        if error.retry_after is None:
            return min(FIRST_BACKOFF_SECONDS * 2 ** (retry - 1), MAX_BACKOFF_SECONDS)
        if error.retry_after > self.max_retry_after:
            raise RetryableError(
                f"{error.message}; the vendor asked to wait {error.retry_after:g}s, longer "
                f"than the {self.max_retry_after:g}s allowed"
            )
        return error.retry_after


class ServiceClient:
    """An httpx client bound to one vendor account: base URL, credential headers, retry policy.

    `service` names the vendor in error messages ("Totango answered HTTP 500…"); without one
    (the HTTP client, which may call anywhere) the host is named instead. Without a base URL
    only absolute URLs can be sent (`send`); `request` takes endpoints under the base URL.
    """

    def __init__(
        self,
        *,
        service: str | None,
        base_url: str | None,
        headers: Mapping[str, str],
        timeout: float,
        max_retries: int,
        max_retry_after: float,
        error_message: ErrorMessageReader = describe_body,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        self.timeout = timeout
        self.retry_policy = RetryPolicy(max_retries=max_retries, max_retry_after=max_retry_after)
        self.error_message = error_message
        self._client = httpx.Client(
            headers=dict(headers),
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            verify=shared_ssl_context(),
        )
        self._log: list[str] | None = None

    def for_log(self, log: list[str]) -> ServiceClient:
        """The same client writing its retries to one step's log."""
        view = copy.copy(self)  # shares the httpx client and its connection pool
        view._log = log
        return view

    @property
    def httpx(self) -> httpx.Client:
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
            response = send_httpx(self._client, method, url, service=self.service, **kwargs)
            self.raise_for_status(response, check=check)
            return response

        return self.retry_policy.call(attempt, log=self._log)

    def raise_for_status(self, response: httpx.Response, *, check: bool) -> None:
        name = self.name_for(str(response.request.url))
        if response.status_code in RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if response.status_code == 429:
                raise RetryableError(
                    f"{name} rate limit reached (HTTP 429)", retry_after=retry_after
                )
            raise RetryableError(
                f"{name} answered HTTP {response.status_code} with {describe_body(response)}",
                retry_after=retry_after,
            )
        if check and response.status_code >= 400:
            raise TerminalError(
                f"{name} answered HTTP {response.status_code}: {self.error_message(response)}"
            )


def send_httpx(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    service: str | None = None,
    timeout: float | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """One httpx call with transport failures mapped to retryable errors a user can read."""
    host = urlsplit(url).netloc
    where = f"{service} at {host}" if service else host
    if timeout is not None:
        kwargs["timeout"] = timeout
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        seconds = timeout if timeout is not None else client.timeout.read
        raise RetryableError(f"{where} did not answer within {seconds:g}s") from None
    except httpx.RemoteProtocolError:
        raise RetryableError(f"{where} closed the connection without answering") from None
    except httpx.TransportError as error:
        raise RetryableError(f"Could not connect to {where}: {type(error).__name__}") from None


__all__ = ["ConnectorError", "RetryPolicy", "RetryableError", "ServiceClient", "TerminalError"]
