"""Maps domain errors to API answers: each bad field named by its path, in one error shape."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from auth_store.services import AuthenticationInvalid
from builder.api.parsers import RequestBodyInvalid
from builder.engine.errors import DefinitionError
from builder.services import RunNotCancellable, RunNotRetryable, StaleVersion


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestBodyInvalid):
        return Response({"detail": str(exc.detail), "errors": exc.errors}, status=400)
    if isinstance(exc, DefinitionError):
        return Response(
            {
                "detail": "The workflow definition is invalid.",
                "errors": [{"path": error.path, "message": error.message} for error in exc.errors],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, AuthenticationInvalid):
        return Response(
            {
                "detail": "The authentication is invalid.",
                "errors": [
                    {"path": path, "message": message} for path, message in exc.errors.items()
                ],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, StaleVersion):
        return Response(
            {
                "detail": "The workflow was changed elsewhere since you loaded it: reload it, "
                "then make your change again.",
                "current_version": exc.current_version,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, RunNotCancellable):
        return Response({"detail": f"The run cannot be cancelled: {exc}."}, status=409)
    if isinstance(exc, RunNotRetryable):
        return Response({"detail": f"The run cannot be retried: {exc}."}, status=409)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        # DRF field errors → the same {"detail", "errors": [{path, message}]} shape.
        response.data = {
            "detail": "The request is invalid.",
            "errors": list(flatten_field_errors(response.data)),
        }
    return response


def flatten_field_errors(data: Any, prefix: str = ""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from flatten_field_errors(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list) and data and all(isinstance(item, str) for item in data):
        for message in data:
            yield {"path": prefix, "message": str(message)}
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from flatten_field_errors(item, f"{prefix}.{index}")
    else:
        yield {"path": prefix, "message": str(data)}


def api_page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for a URL no route matches: JSON under /api/, as the schema documents."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found: no API endpoint has this path."}, status=404)
    return page_not_found(request, exception)
