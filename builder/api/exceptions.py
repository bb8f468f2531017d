"""Maps errors to API answers in one shape: `{"detail", "errors": [{path, message}]}`.

Every domain error (accounts.errors.DomainError) says its own status and body; DRF's own errors
(validation, permissions, parsing) are reshaped to match.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from accounts.errors import DomainError


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(exc.body(), status=exc.status, headers=exc.headers)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        # DRF field errors → the same {"detail", "errors": [{path, message}]} shape.
        response.data = {
            "detail": "The request is invalid.",
            "errors": list(flatten_field_errors(response.data)),
        }
    return response


def flatten_field_errors(data: Any, prefix: str = "") -> Iterator[dict[str, str]]:
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
