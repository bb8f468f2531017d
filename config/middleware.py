"""Bounds every request before a view reads it: body size, JSON depth, NUL in query parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError

from builder.api.parsers import NUL, RequestBodyInvalid, check_json_depth

QUERY_NUL_MESSAGE = (
    "the query parameter contains the NUL character (\\u0000), which no stored value contains"
)
TOO_MANY_FIELDS = (
    "The request has more parameters or form fields than the limit of "
    "{limit} (DATA_UPLOAD_MAX_NUMBER_FIELDS)."
)


def answer(body: dict[str, Any], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # Answered before CommonMiddleware could add it: without it the answer would be chunked.
    response["Content-Length"] = str(len(response.content))
    return response


# Calls to webhook URLs (builder/api/hooks.py) have a limit of their own.
WEBHOOK_PATH_PREFIX = "/hooks/"


def body_limit(request: HttpRequest) -> tuple[int, str]:
    """The largest body this request may send, and the setting that says so."""
    if request.path_info.startswith(WEBHOOK_PATH_PREFIX):
        return settings.WEBHOOK_MAX_BODY_BYTES, "WEBHOOK_MAX_BODY_BYTES"
    return settings.API_MAX_REQUEST_BYTES, "API_MAX_REQUEST_BYTES"


def too_large(limit: int | None = None, setting: str = "API_MAX_REQUEST_BYTES") -> JsonResponse:
    return answer(
        {
            "detail": f"The request body is larger than the limit of "
            f"{settings.API_MAX_REQUEST_BYTES if limit is None else limit} bytes ({setting})."
        },
        status=413,
    )


def invalid(detail: str, errors: list[dict[str, str]]) -> JsonResponse:
    # The shape of every 400 of the API (builder/api/exceptions.py).
    return answer({"detail": detail, "errors": errors}, status=400)


def is_json(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    return content_type == "application/json" or content_type.endswith("+json")


class RequestLimitsMiddleware:
    """Answers in JSON, for every view (DRF or not), what would otherwise be Django's HTML
    400 page (a body over DATA_UPLOAD_MAX_MEMORY_SIZE) or a 500 (PostgreSQL refusing a NUL
    character, the JSON parser's RecursionError)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The declared length bounds what is read (WSGI reads no further), so a body claiming
        # more than the limit is refused unread, and one claiming less is cut at its claim.
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # as Django reads it: no body
        limit, setting = body_limit(request)
        if declared > limit:
            return too_large(limit, setting)
        try:
            query = request.GET
            bad = [
                {
                    "path": key.replace(NUL, "\\u0000"),
                    "message": QUERY_NUL_MESSAGE,
                }
                for key, values in query.lists()
                if NUL in key or any(NUL in value for value in values)
            ]
        except TooManyFieldsSent:
            return self.too_many_fields()
        if bad:
            return invalid("The request is invalid.", bad)
        if declared and is_json(request):
            try:
                check_json_depth(request.body)
            except RequestBodyInvalid as error:
                return answer(error.body(), error.status)
            except UnreadablePostError:
                # The connection failed while the body was read (Django's own answer is HTML).
                message = "The request body could not be read: the connection failed."
                return invalid(message, [{"path": "", "message": message}])
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return too_large()
        if isinstance(exception, TooManyFieldsSent):
            return self.too_many_fields()
        return None

    def too_many_fields(self) -> JsonResponse:
        message = TOO_MANY_FIELDS.format(limit=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
        return invalid(message, [{"path": "", "message": message}])
