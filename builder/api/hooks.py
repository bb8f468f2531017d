"""The public webhook URL, /hooks/<token>/: a call starts a run of the enabled workflow whose
URL it is (builder/services/webhooks.py), and is answered at once or with its answer.

Not a DRF view: no session or token, no CSRF (the token in the URL is the credential, and the
trigger's check the second one). Bodies larger than WEBHOOK_MAX_BODY_BYTES are refused unread
by config.middleware.RequestLimitsMiddleware, as are JSON bodies nested too deep.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from accounts.errors import DomainError, FieldError
from builder.api.parsers import refuse_unstorable
from builder.services.webhooks import (
    RunAnswer,
    WebhookBodyTooLarge,
    webhook_check,
    webhook_find,
    webhook_start,
    webhook_wait_for_answer,
)
from connectors.webhook.calls import (
    REPLY_WITH_RESPONSE,
    WebhookAnswer,
    answer_of,
    trigger_output,
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Every answer, the workflow's own included: it is served from the app's origin, so an HTML
# or script body must run nowhere (sandboxed, no resource may load) and never be cached.
ANSWER_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class WebhookBodyInvalid(DomainError):
    """A body its Content-Type does not describe (JSON that does not parse, a broken form)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, errors=[FieldError("body", message)])


@csrf_exempt
def webhook(request: HttpRequest, token: str, path: str | None = None) -> HttpResponse:
    if request.method not in METHODS:
        response = json_answer(
            405, {"detail": f"A webhook takes {', '.join(METHODS)}, not {request.method}."}
        )
        response["Allow"] = ", ".join(METHODS)
        return response
    try:
        workflow, trigger = webhook_find(token=token)
        body = request.body
        if len(body) > settings.WEBHOOK_MAX_BODY_BYTES:
            raise WebhookBodyTooLarge
        webhook_check(workflow=workflow, trigger=trigger, headers=request.headers, body=body)
        call = trigger_output(
            method=request.method or "GET",
            path=path or "/",
            headers=request.headers,
            query={
                key: values[0] if len(values) == 1 else values
                for key, values in request.GET.lists()
            },
            body=parsed_body(request, body),
            check_header_name=trigger.check_header,
        )
        refuse_unstorable(call)
        run = webhook_start(workflow=workflow, call=call)
        if trigger.reply != REPLY_WITH_RESPONSE:
            return json_answer(202, {"run_id": str(run.id)})
        return answer_for(
            webhook_wait_for_answer(
                run_id=run.id, timeout=settings.WEBHOOK_RESPONSE_TIMEOUT_SECONDS
            )
        )
    except DomainError as error:
        return json_answer(error.status, error.body())


def parsed_body(request: HttpRequest, body: bytes) -> Any:
    """JSON as sent, a form as an object of its fields (a field sent twice: a list), any other
    body as text; None when there is none."""
    if not body:
        return None
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as error:
            raise WebhookBodyInvalid(f"The body is not valid JSON: {error}.") from None
    if content_type in FORM_TYPES:
        return form_fields(request, body)
    return body.decode(request.encoding or "utf-8", errors="replace")


def form_fields(request: HttpRequest, body: bytes) -> dict[str, Any]:
    """A form body's fields, whatever the method (Django parses forms of POSTs only); a file
    is described, its content left out."""
    try:
        if request.content_type == "multipart/form-data":
            data, files = request.parse_file_upload(request.META, BytesIO(body))
        else:
            data, files = QueryDict(body, encoding=request.encoding), None
    except MultiPartParserError as error:
        raise WebhookBodyInvalid(f"The body is not a valid form: {error}.") from None
    fields: dict[str, Any] = {
        key: values[0] if len(values) == 1 else values for key, values in data.lists()
    }
    for key, uploads in files.lists() if files is not None else ():
        described = [
            {"filename": upload.name, "content_type": upload.content_type, "size": upload.size}
            for upload in uploads
        ]
        fields[key] = described[0] if len(described) == 1 else described
    return fields


def answer_for(result: RunAnswer) -> HttpResponse:
    """The HTTP answer to a call that waited for the workflow's answer."""
    run_id = str(result.run_id)
    if result.answered:
        return http_answer(answer_of(result.response))
    if result.timed_out:
        return json_answer(
            504,
            {
                "run_id": run_id,
                "detail": "The workflow did not answer within "
                f"{settings.WEBHOOK_RESPONSE_TIMEOUT_SECONDS:g} seconds "
                "(WEBHOOK_RESPONSE_TIMEOUT_SECONDS); its run goes on.",
            },
        )
    if result.status == "succeeded":
        return json_answer(
            200,
            {
                "run_id": run_id,
                "status": result.status,
                "detail": "The workflow finished without a Webhook response step answering.",
            },
        )
    return json_answer(
        502,
        {
            "run_id": run_id,
            "status": result.status,
            "detail": f"The workflow's run {result.status} before a Webhook response step "
            "answered.",
        },
    )


def json_answer(status: int, body: dict[str, Any]) -> HttpResponse:
    return http_answer(
        WebhookAnswer(
            status=status,
            headers={"Content-Type": "application/json"},
            content=json.dumps(body).encode(),
        )
    )


def http_answer(answer: WebhookAnswer) -> HttpResponse:
    response = HttpResponse(answer.content, status=answer.status)
    if not answer.content:
        del response["Content-Type"]  # Django's default would call nothing text/html
    for name, value in answer.headers.items():
        response[name] = value
    for name, value in ANSWER_HEADERS.items():
        response[name] = value
    return response
