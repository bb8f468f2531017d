"""The outbound HTTP client every service connector shares: timeouts, retries, error classes."""

from __future__ import annotations

import copy
import ssl
import time
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
import httpx

from connectors.errors import ConnectorError, RetryableError, TerminalError

# A short, readable rendering of a vendor's error body for the step's error message.
ErrorMessageReader = Callable[[httpx.Response], str]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ERROR_BODY_CHARS = 300


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


class ServiceClient:
    """An httpx client bound to one vendor account: base URL, credential headers, retry policy."""

    def __init__(
        self,
        *,
        service: str,
        base_url: str,
        headers: Mapping[str, str],
        timeout: float,
        max_retries: int,
        max_retry_after: float,
        error_message: ErrorMessageReader = describe_body,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/") + "/"
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.timeout = timeout
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

    def url_for(self, endpoint: str) -> str:
        """The absolute URL of an endpoint suffix; refuses anything that leaves the base URL."""
        if urlsplit(endpoint).scheme or endpoint.startswith("//"):
            raise TerminalError(
                f"Endpoint {endpoint!r} must be a path such as /api/v3/touchpoints/, "
                f"not an absolute URL: the base URL {self.base_url} is added for you."
            )
        url = urljoin(self.base_url, endpoint.lstrip("/"))
        base_path = urlsplit(self.base_url).path
        resolved = urlsplit(url)
        if (
            resolved.netloc != urlsplit(self.base_url).netloc
            or not resolved.path.startswith(base_path)
            or "/../" in f"{resolved.path}/"
        ):
            raise TerminalError(f"Endpoint {endpoint!r} leaves the base URL {self.base_url}.")
        return url

    def request(
        self, method: str, endpoint: str, *, check: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """Sends a request, retrying retryable failures; with `check`, a 4xx raises TerminalError."""
        url = self.url_for(endpoint)
        attempt = 0
        while True:
            try:
                response = send_httpx(self._client, method, url, **kwargs)
                self.raise_for_status(response, check=check)
                return response
            except RetryableError as error:
                attempt += 1
                if attempt > self.max_retries:
                    raise RetryableError(
                        f"{error.message} (gave up after {self.max_retries} retries)"
                    ) from None
                delay = self.retry_delay(error, attempt)
                self.note(f"Retry {attempt} of {self.max_retries} in {delay:g}s: {error.message}")
                time.sleep(delay)

    def raise_for_status(self, response: httpx.Response, *, check: bool) -> None:
        if response.status_code in RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if response.status_code == 429:
                raise RetryableError(
                    f"{self.service} rate limit reached (HTTP 429)", retry_after=retry_after
                )
            raise RetryableError(
                f"{self.service} answered HTTP {response.status_code} with "
                f"{describe_body(response)}",
                retry_after=retry_after,
            )
        if check and response.status_code >= 400:
            raise TerminalError(
                f"{self.service} answered HTTP {response.status_code}: {self.error_message(response)}"
            )

    def retry_delay(self, error: RetryableError, attempt: int) -> float:
        if error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                raise RetryableError(
                    f"{error.message}; the vendor asked to wait {error.retry_after:g}s, longer "
                    f"than the {self.max_retry_after:g}s allowed"
                )
            return error.retry_after
        return min(0.5 * 2 ** (attempt - 1), 8.0)

    def note(self, message: str) -> None:
        if self._log is not None:
            self._log.append(message)


def send_httpx(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One httpx call with transport failures mapped to retryable errors a user can read."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise RetryableError(
            f"No answer from {urlsplit(url).netloc} within {client.timeout.read:g}s (timed out)"
        ) from None
    except httpx.RemoteProtocolError:
        raise RetryableError(
            f"{urlsplit(url).netloc} closed the connection without answering"
        ) from None
    except httpx.TransportError as error:
        raise RetryableError(
            f"Could not connect to {urlsplit(url).netloc}: {type(error).__name__}"
        ) from None


__all__ = ["ConnectorError", "RetryableError", "ServiceClient", "TerminalError", "send_httpx"]
