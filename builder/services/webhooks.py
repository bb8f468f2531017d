"""Webhooks: which workflow a call to /hooks/<token>/ starts, its secret check, the run it
starts, and the workflow's answer it waits for. The HTTP side is builder/api/hooks.py; what a
call means (the check, the trigger's output, the answer's shape) is connectors/webhook/."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.errors import DomainError, FieldError
from auth_store.services import authentications_usable_by
from builder.engine.definition import StepPlan, WorkflowPlan
from builder.engine.properties import PropertyShapeError, UnresolvedPath, compile_value
from builder.models import FINISHED_STATUSES, Run, RunTriggerKind, Workflow, new_webhook_token
from builder.services.runs import run_start
from connectors.webhook.calls import (
    CHECK_NONE,
    CHECKS,
    REPLY_IMMEDIATELY,
    REPLY_WITH_RESPONSE,
    check_header,
    check_passes,
)

WEBHOOK_CONNECTOR = "webhook"
WEBHOOK_RESPONSE = "webhook_response"
# How often a call waiting for the workflow's answer looks for it.
ANSWER_POLL_SECONDS = 0.05


class WebhookNotFound(DomainError):
    """No enabled workflow with a Webhook trigger has this URL: unknown, retired or disabled
    (one answer for all, so a URL tells nothing about workflows it does not start)."""

    status = 404

    def __init__(self) -> None:
        super().__init__("Not found: no enabled workflow has this webhook URL.")


class WebhookCheckFailed(DomainError):
    status = 401

    def __init__(self, header: str | None) -> None:
        super().__init__(
            f"The webhook's check failed: the {header} header is missing or wrong."
            if header
            else "The webhook's check failed."
        )


class WebhookBodyTooLarge(DomainError):
    status = 413

    def __init__(self) -> None:
        super().__init__(
            f"The request body is larger than the limit of {settings.WEBHOOK_MAX_BODY_BYTES} "
            "bytes (WEBHOOK_MAX_BODY_BYTES)."
        )


@dataclass(frozen=True)
class WebhookTrigger:
    """A Webhook trigger's settings, as its properties say (defaults where they say none)."""

    check: str = CHECK_NONE
    header: str | None = None
    reply: str = REPLY_IMMEDIATELY
    authentication: str | None = None

    @property
    def check_header(self) -> str | None:
        return check_header(self.check, self.header)


def webhook_trigger(definition: Any) -> WebhookTrigger | None:
    """The definition's Webhook trigger, or None when its trigger is another.

    A saved definition's trigger properties are literals (a trigger reads no step), so they
    are read without compiling the whole definition: a call costs the same for any size.
    """
    trigger = definition.get("trigger") if isinstance(definition, dict) else None
    if not isinstance(trigger, dict) or trigger.get("connector") != WEBHOOK_CONNECTOR:
        return None
    if trigger.get("operation") != WEBHOOK_CONNECTOR:
        return None
    values: dict[str, Any] = {}
    properties = trigger.get("properties")
    for key, typed in (properties if isinstance(properties, dict) else {}).items():
        try:
            values[key] = compile_value(typed).resolve({"steps": {}})
        except (PropertyShapeError, UnresolvedPath):
            continue
    authentication = trigger.get("authentication")
    return WebhookTrigger(
        check=str(values.get("check", CHECK_NONE)),
        header=values["header"] if isinstance(values.get("header"), str) else None,
        reply=str(values.get("reply", REPLY_IMMEDIATELY)),
        authentication=authentication if isinstance(authentication, str) else None,
    )


def webhook_problems(plan: WorkflowPlan) -> list[FieldError]:
    """What keeps a workflow with a Webhook trigger from working once enabled, though it may
    be saved so while it is being built."""
    trigger = plan.trigger
    if trigger.connector.key != WEBHOOK_CONNECTOR:
        return []
    # A trigger's properties are literals (it reads no step): their values as saved.
    given = {key: value.resolve({"steps": {}}) for key, value in trigger.properties}
    check = given.get("check", CHECK_NONE)
    problems = []
    if check != CHECK_NONE and not trigger.authentication:
        problems.append(
            FieldError(
                "trigger.authentication",
                f"the check ({CHECKS.get(check, check)}) needs the shared secret: choose the "
                "Webhook authentication holding it in the trigger's Authenticate tab",
            )
        )
    if given.get("reply") == REPLY_WITH_RESPONSE and not any(
        step.connector.key == WEBHOOK_CONNECTOR and step.operation.key == WEBHOOK_RESPONSE
        for step in all_steps(plan)
    ):
        problems.append(
            FieldError(
                "trigger.properties.reply",
                "replying with the workflow's answer needs a Webhook response step to set it: "
                "add one, or reply immediately",
            )
        )
    return problems


def all_steps(plan: WorkflowPlan) -> Iterator[StepPlan]:
    pending = list(plan.steps)
    while pending:
        step = pending.pop()
        yield step
        pending.extend(step.children)


def webhook_find(*, token: str) -> tuple[Workflow, WebhookTrigger]:
    """The enabled workflow whose webhook URL has this token, and its trigger's settings;
    WebhookNotFound otherwise."""
    workflow = (
        Workflow.objects.filter(webhook_token=token, enabled=True)
        .select_related("created_by")
        .first()
        if token
        else None
    )
    trigger = webhook_trigger(workflow.definition) if workflow is not None else None
    if workflow is None or trigger is None:
        raise WebhookNotFound
    return workflow, trigger


def webhook_shared_secret(*, workflow: Workflow, trigger: WebhookTrigger) -> str | None:
    """The trigger authentication's secret, if the workflow's creator (whose authentications
    the runs no person started use) may use it; None when it is gone."""
    try:
        authentication_id = uuid.UUID(trigger.authentication or "")
    except ValueError:
        return None
    found = (
        authentications_usable_by(workflow.created_by)
        .filter(id=authentication_id, connector=WEBHOOK_CONNECTOR)
        .first()
    )
    secret = found.secrets.get("secret") if found is not None else None
    return secret if isinstance(secret, str) else None


def webhook_check(
    *, workflow: Workflow, trigger: WebhookTrigger, headers: Mapping[str, str], body: bytes
) -> None:
    """Refuses (WebhookCheckFailed) a call that fails the trigger's check; a check whose
    secret is gone refuses every call."""
    if trigger.check == CHECK_NONE:
        return
    secret = webhook_shared_secret(workflow=workflow, trigger=trigger)
    if not check_passes(
        check=trigger.check, header=trigger.header, headers=headers, body=body, secret=secret
    ):
        raise WebhookCheckFailed(trigger.check_header)


def webhook_start(*, workflow: Workflow, call: dict[str, Any]) -> Run:
    """Starts the run of a call that passed the check; `call` is the trigger's output."""
    return run_start(
        workflow=workflow, user=None, payload=call, trigger_kind=RunTriggerKind.WEBHOOK
    )


@dataclass(frozen=True)
class RunAnswer:
    """What a run gave a caller waiting for its answer: the response it set, or how it ended
    without one (`status`), or neither in time (`timed_out`)."""

    run_id: uuid.UUID
    response: Any = None
    answered: bool = False
    status: str | None = None
    timed_out: bool = False


def webhook_wait_for_answer(*, run_id: uuid.UUID, timeout: float) -> RunAnswer:
    """Polls the run every ANSWER_POLL_SECONDS until a Webhook response step set its answer,
    the run ended without one, or `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        response, status = Run.objects.filter(id=run_id).values_list("response", "status").get()
        if response is not None:
            return RunAnswer(run_id=run_id, response=response, answered=True)
        if status in FINISHED_STATUSES:
            return RunAnswer(run_id=run_id, status=status)
        if time.monotonic() >= deadline:
            return RunAnswer(run_id=run_id, timed_out=True)
        time.sleep(ANSWER_POLL_SECONDS)


@transaction.atomic
def webhook_token_regenerate(*, workflow: Workflow) -> Workflow:
    """Gives the workflow a new webhook URL: the old one answers 404 from now on. Neither
    the version nor the workflow's place in the list changes."""
    token = new_webhook_token()
    Workflow.objects.filter(id=workflow.id).update(webhook_token=token)
    workflow.webhook_token = token
    return workflow
