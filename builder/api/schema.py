"""The OpenAPI schema names every answer an operation can give, errors in one shared shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated


class FieldErrorSerializer(serializers.Serializer):
    path = serializers.CharField(
        help_text="The bad field as a dotted path, e.g. `definition.steps.http-1.properties.url`."
    )
    message = serializers.CharField(help_text="What is wrong with it, in plain words.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in plain words.")
    # DRF's metaclass moves declared fields off the class, so this never hides the `errors`
    # property; the stubs cannot express that, and the API names this field `errors`.
    errors = FieldErrorSerializer(  # type: ignore[assignment]
        many=True, required=False, help_text="Each bad field of the request (400 answers)."
    )
    problems = FieldErrorSerializer(
        many=True,
        required=False,
        help_text="A run or enabling refused for the workflow's problems: each, as the "
        "workflow's `problems` lists them.",
    )
    code = serializers.CharField(
        required=False,
        help_text="Why, for a client to act on: `step_not_testable` (Test step of a step that "
        "does nothing alone, a loop say).",
    )


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What conflicts, and what to do about it.")
    current_version = serializers.IntegerField(
        required=False,
        help_text="The workflow's version now, when an edit was made on an older one.",
    )
    workflows = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The workflows that use an authentication being deleted.",
    )
    code = serializers.CharField(
        required=False,
        help_text="`confirmation_required`: Test step of a step that changes things in a vendor "
        "needs `confirm: true` (`detail` is the question to ask).",
    )
    connector = serializers.CharField(
        required=False, help_text="With `confirmation_required`: the step's connector."
    )
    operation = serializers.CharField(
        required=False, help_text="With `confirmation_required`: the step's operation."
    )


# The conflicts of each operation. Written out here, not guessed: only the service knows which
# states refuse an action (the `accounts.errors.Conflict`s the services raise: StaleVersion,
# RunNotCancellable, RunNotRetryable, AuthenticationInUse, SetupAlreadyDone).
CONFLICTS: dict[tuple[str, str], str] = {
    ("PUT", "/api/workflows/{id}/"): "The workflow was changed elsewhere since that version "
    "was loaded: `current_version` tells the version now.",
    ("PATCH", "/api/workflows/{id}/"): "The workflow was changed elsewhere since that version "
    "was loaded: `current_version` tells the version now.",
    ("POST", "/api/runs/{id}/cancel/"): "The run has already finished.",
    ("POST", "/api/runs/{id}/retry/"): "Only a failed run can be retried.",
    ("DELETE", "/api/authentications/{id}/"): "Workflows use the authentication (`workflows` "
    "names them): delete with `?force=true` to delete it anyway.",
    ("POST", "/api/setup/"): "Setup is already done: sign in instead.",
    ("POST", "/api/workflows/{id}/steps/{step_name}/test/"): "The step changes things in a "
    "vendor (`code` `confirmation_required`): send `confirm: true` to test it anyway.",
    ("PATCH", "/api/organisation/members/{id}/"): "The person is the organisation's last "
    "owner: make someone else an owner first.",
    ("DELETE", "/api/organisation/members/{id}/"): "The person is the organisation's last "
    "owner (make someone else an owner first), or the caller.",
}

# Operations that answer 404 for an object named by a query parameter, not only by the path.
NOT_FOUND_BY_QUERY: set[tuple[str, str]] = {("GET", "/api/runs/")}
# Sign-in lockout (accounts.services.sign_in_check raises SignInLocked, a 429): no throttle
# class of the view tells.
LOCKED_OUT: set[tuple[str, str]] = {("POST", "/api/auth/sign-in/"), ("POST", "/api/token/")}

BODY_METHODS = {"POST", "PUT", "PATCH"}


def is_free_form(response: dict[str, Any]) -> bool:
    """An answer documented only as "some object" (a view's `responses={400: dict}`)."""
    schemas = [media.get("schema", {}) for media in response.get("content", {}).values()]
    return all(schema in ({"type": "object", "additionalProperties": {}}, {}) for schema in schemas)


# An error answer: (status, component name, description, body, headers).
ErrorAnswer = tuple[str, str | None, str, type[serializers.Serializer], dict[str, Any] | None]

# The answers shared by many operations, each a component of `components.responses`.
BAD_REQUEST: ErrorAnswer = (
    "400",
    "BadRequest",
    "The request is invalid: `errors` names each bad field by its path.",
    ErrorSerializer,
    None,
)
UNAUTHORIZED: ErrorAnswer = (
    "401",
    "Unauthorized",
    "Not signed in, or the token is not valid: send `Authorization: Token <key>` "
    "(POST /api/token/) or sign in.",
    ErrorSerializer,
    None,
)
FORBIDDEN: ErrorAnswer = (
    "403",
    "Forbidden",
    "Not allowed: a viewer changing something, someone outside the organisation, or a "
    "browser session request without its CSRF token.",
    ErrorSerializer,
    None,
)
NOT_FOUND: ErrorAnswer = (
    "404",
    "NotFound",
    "No such object among those the caller may see.",
    ErrorSerializer,
    None,
)
TOO_LARGE: ErrorAnswer = (
    "413",
    "PayloadTooLarge",
    "The request body is larger than API_MAX_REQUEST_BYTES allows (config.middleware).",
    ErrorSerializer,
    None,
)
UNSUPPORTED_MEDIA_TYPE: ErrorAnswer = (
    "415",
    "UnsupportedMediaType",
    "The body is not JSON, a form or multipart form data (its Content-Type says which).",
    ErrorSerializer,
    None,
)
TOO_MANY_REQUESTS: ErrorAnswer = (
    "429",
    "TooManyRequests",
    "Too many failed sign-ins for the account or from the address: try again after "
    "`Retry-After` seconds.",
    ErrorSerializer,
    {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": "Seconds to wait before trying again.",
            "required": True,
        }
    },
)


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers that every view shares.

    Views document their successes (and special answers) with `@extend_schema`; the answers
    that come from DRF itself (authentication, permissions, parsing, not found, throttling,
    the request size limit) are derived here from the view's classes and the operation's
    inputs, so no view can forget them.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code, name, description, serializer, headers in self.error_answers(operation):
            existing = responses.get(code)
            if existing is not None and not is_free_form(existing):
                continue  # the view documented this answer itself
            answer: dict[str, Any] = {
                "content": {
                    "application/json": {
                        "schema": self.resolve_serializer(serializer, "response").ref
                    }
                },
                "description": description,
            }
            if headers:
                answer["headers"] = headers
            if name:
                component = ResolvedComponent(
                    name=name, type=ResolvedComponent.RESPONSE, object=name, schema=answer
                )
                self.registry.register_on_missing(component)
                answer = component.ref
            responses[code] = answer
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_answers(self, operation: dict[str, Any]) -> Iterator[ErrorAnswer]:
        """The errors this operation can answer, as (status, component, description, body, headers)."""
        method, path = self.method, self.path
        parameters = operation.get("parameters", [])
        in_path = [p for p in parameters if p.get("in") == "path"]
        has_body = method in BODY_METHODS and "requestBody" in operation
        permissions = self.view.get_permissions()
        authenticators = self.view.get_authenticators()
        # DRF's permission classes compose with `|` themselves: a tuple, not a union type.
        signed_in_is_enough = all(
            isinstance(permission, (AllowAny, IsAuthenticated)) for permission in permissions
        )
        session = any(isinstance(a, SessionAuthentication) for a in authenticators)

        # Any request may be refused: its query string is checked even where no parameter is
        # documented (config.middleware refuses a NUL character in any of them).
        yield BAD_REQUEST
        if authenticators:
            # A wrong or expired token is refused even where no sign-in is needed.
            yield UNAUTHORIZED
        if not signed_in_is_enough or (session and method not in SAFE_METHODS):
            yield FORBIDDEN
        if in_path or (method, path) in NOT_FOUND_BY_QUERY:
            yield NOT_FOUND
        conflict = CONFLICTS.get((method, path))
        if conflict:
            yield "409", None, conflict, ConflictSerializer, None
        if has_body:
            yield TOO_LARGE
            yield UNSUPPORTED_MEDIA_TYPE
        if self.view.get_throttles() or (method, path) in LOCKED_OUT:
            yield TOO_MANY_REQUESTS
