"""What a call to a webhook URL means, in plain Python: the secret check, the trigger's output
with credential-like headers redacted, and the answer a Webhook response step sets.

The HTTP side (reading the request, starting the run, answering) is builder/api/hooks.py and
builder/services/webhooks.py; what is decided here is the same wherever a call comes from.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CHECK_NONE = "none"
CHECK_HEADER = "header"
CHECK_HMAC_SHA256 = "hmac_sha256"
CHECKS = {
    CHECK_NONE: "None: anyone with the URL may call it",
    CHECK_HEADER: "A header holding the shared secret",
    CHECK_HMAC_SHA256: "An HMAC-SHA256 signature of the body, in a header",
}
# The header each check reads when the trigger names none.
DEFAULT_HEADERS = {CHECK_HEADER: "X-Webhook-Secret", CHECK_HMAC_SHA256: "X-Signature-256"}

REPLY_IMMEDIATELY = "immediately"
REPLY_WITH_RESPONSE = "with_response"
REPLIES = {
    REPLY_IMMEDIATELY: "Immediately: 202 with the run id",
    REPLY_WITH_RESPONSE: "With the workflow's answer, from a Webhook response step",
}

REDACTED = "[redacted]"
# Header names that carry credentials, wherever they appear in the name (Authorization,
# Cookie, X-Api-Key, X-Hub-Signature...): their values are never recorded.
CREDENTIAL_HEADER = re.compile(r"token|secret|key|signature|auth|cookie|passw", re.IGNORECASE)

# An HTTP header name (RFC 9110 token).
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# Headers a Webhook response step may not set: the server's own framing (length, transfer,
# connection), cookies (the URL is on the app's own domain: a workflow must not set or
# replace its session or CSRF cookie) and the security policy every answer is sent with.
FORBIDDEN_RESPONSE_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "content-security-policy",
        "keep-alive",
        "proxy-authenticate",
        "proxy-connection",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
DEFAULT_STATUS = 200


def check_header(check: str, header: str | None) -> str | None:
    """The header the check reads (the trigger's, else the check's default); None for none."""
    if check == CHECK_NONE:
        return None
    return header or DEFAULT_HEADERS.get(check)


def signature_of(secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of the body under the secret, as a caller signs it."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_passes(
    *, check: str, header: str | None, headers: Mapping[str, str], body: bytes, secret: str | None
) -> bool:
    """Whether the call passes the trigger's check; compared in constant time.

    `headers` are the call's, looked up case-insensitively by the caller's mapping (Django's
    request.headers is). header: the header's value is the secret. hmac_sha256: the header
    holds the hex HMAC-SHA256 of the raw body under the secret, optionally `sha256=` first
    (GitHub's form). No secret (the authentication is gone) fails every call.
    """
    if check == CHECK_NONE:
        return True
    name = check_header(check, header)
    if name is None or not secret:  # an unknown check, or no secret to compare with
        return False
    given = headers.get(name)
    if given is None:
        return False
    given = given.strip()
    if check == CHECK_HEADER:
        expected = secret
    else:
        if given[:7].lower() == "sha256=":
            given = given[7:]
        given = given.lower()
        expected = signature_of(secret, body)
    return hmac.compare_digest(given.encode(), expected.encode())


def redact_headers(headers: Mapping[str, str], also: str | None = None) -> dict[str, str]:
    """The headers by lower-case name, a credential-like one's value (and the check's header,
    `also`, whatever its name) replaced by "[redacted]"."""
    also_name = also.lower() if also else None
    redacted = {}
    for name, value in headers.items():
        key = name.lower()
        sensitive = key == also_name or CREDENTIAL_HEADER.search(key) is not None
        redacted[key] = REDACTED if sensitive else value
    return redacted


def trigger_output(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Mapping[str, Any],
    body: Any,
    check_header_name: str | None = None,
) -> dict[str, Any]:
    """The trigger's output for a call: `{method, path, headers, query, body}`, read in later
    steps as $.steps.trigger.body.account.id."""
    return {
        "method": method.upper(),
        "path": path,
        "headers": redact_headers(headers, also=check_header_name),
        "query": dict(query),
        "body": body,
    }


def response_header_problem(name: Any, value: Any) -> str | None:
    """Why a Webhook response step may not send this header, or None if it may."""
    if not isinstance(name, str) or not HEADER_NAME.match(name):
        return f"{name!r} is not a valid header name."
    if name.lower() in FORBIDDEN_RESPONSE_HEADERS:
        return f"The header {name} is set by the server, not by a Webhook response step."
    if not isinstance(value, str) or any(char in value for char in "\r\n\x00"):
        return f"The header {name} must be text on one line."
    return None


@dataclass(frozen=True)
class WebhookAnswer:
    """An HTTP answer to a webhook call: its status, headers and body bytes."""

    status: int
    headers: dict[str, str]
    content: bytes


def answer_of(response: Any) -> WebhookAnswer:
    """The HTTP answer a stored Run.response describes (`{status, headers, body}`).

    A string body is sent as text/plain, any other JSON as application/json, unless the step
    set Content-Type; no body (null) sends nothing. Headers the step may not set are left out
    (the step refuses them; a response stored otherwise is still answered safely).
    """
    response = response if isinstance(response, Mapping) else {}
    status = response.get("status", DEFAULT_STATUS)
    if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
        status = DEFAULT_STATUS
    given = response.get("headers")
    headers = {
        name: value
        for name, value in (given.items() if isinstance(given, Mapping) else ())
        if response_header_problem(name, value) is None
    }
    body = response.get("body")
    if body is None or status in (204, 304):
        content = b""
    elif isinstance(body, str):
        content = body.encode()
        headers = with_default_content_type(headers, "text/plain; charset=utf-8")
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
        headers = with_default_content_type(headers, "application/json")
    return WebhookAnswer(status=status, headers=headers, content=content)


def with_default_content_type(headers: dict[str, str], content_type: str) -> dict[str, str]:
    if any(name.lower() == "content-type" for name in headers):
        return headers
    return {**headers, "Content-Type": content_type}
