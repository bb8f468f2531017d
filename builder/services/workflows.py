"""Workflows: validate a definition (with the authentications its steps use), create, update."""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.errors import Conflict, DomainError
from auth_store.models import Authentication
from auth_store.services import authentications_usable_by
from builder.engine.definition import (
    TRIGGER_NAME,
    DefinitionLimits,
    StepPlan,
    WorkflowPlan,
    compile_definition,
)
from builder.engine.errors import DefinitionError, FieldError
from builder.models import Run, StepRun, Workflow, WorkflowVersion, column_length
from builder.services.webhooks import webhook_problems

EMPTY_DEFINITION: dict[str, Any] = {
    "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
    "steps_structure": [],
    "steps": {},
}


class StaleVersion(Conflict):
    """The workflow changed since the editor loaded it; saving would lose someone's edit."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            "The workflow was changed elsewhere since you loaded it: reload it, then make your "
            "change again."
        )
        self.current_version = current_version

    def body(self) -> dict[str, Any]:
        return {**super().body(), "current_version": self.current_version}


def workflow_validate(*, user: User, definition: Any, previous: Any = None) -> WorkflowPlan:
    """Compiles the definition and checks each step's authentication may be used by the user.

    A step left as it was in the `previous` definition (title aside) is not checked again: a
    colleague editing another step must not be stopped by someone's personal authentication
    (a run checks again who may use it). A step whose operation or properties change must
    use an authentication the editor may use, or it could be turned against its owner.
    """
    plan = compile_definition(definition, definition_limits())
    kept = unchanged_step_authentications(previous, definition)
    errors = []
    usable = authentications_by_id(user=user, ids=plan.authentication_ids)
    for path, step in [(TRIGGER_NAME, plan.trigger), *plan_steps_with_paths(plan)]:
        if not step.authentication or step.name in kept:
            continue
        authentication = usable.get(step.authentication)
        if authentication is None:
            errors.append(
                FieldError(f"{path}.authentication", f"no authentication {step.authentication!r}")
            )
        elif authentication.connector != step.connector.key:
            errors.append(
                FieldError(
                    f"{path}.authentication",
                    f"authentication {authentication.name!r} is for {authentication.connector}, "
                    f"not {step.connector.title}",
                )
            )
    if errors:
        raise DefinitionError(errors)
    return plan


def definition_limits() -> DefinitionLimits:
    """The settings' bounds, and the longest step path the database columns can hold."""
    return DefinitionLimits(
        max_nesting=settings.DEFINITION_MAX_NESTING,
        max_path_length=min(column_length(StepRun, "path"), column_length(Run, "failed_step")),
    )


def plan_steps_with_paths(plan: WorkflowPlan) -> Iterator[tuple[str, StepPlan]]:
    pending = deque(plan.steps)
    while pending:
        step = pending.popleft()
        yield f"steps.{step.name}", step
        pending.extend(step.children)


def unchanged_step_authentications(previous: Any, definition: Any) -> set[str]:
    """Names of the steps that use an authentication and are as in `previous`, title aside."""
    if not isinstance(previous, dict):
        return set()

    def essentials(step: Any) -> tuple[Any, ...] | None:
        if not isinstance(step, dict) or not isinstance(step.get("authentication"), str):
            return None
        return tuple(
            step.get(key) for key in ("authentication", "connector", "operation", "properties")
        )

    before = previous.get("steps", {})
    kept = {
        name
        for name, step in definition.get("steps", {}).items()
        if isinstance(before, dict)
        and essentials(step) is not None
        and essentials(step) == essentials(before.get(name))
    }
    # The trigger (a Webhook's shared secret) by its name, which no step may take.
    trigger = definition.get(TRIGGER_NAME)
    if essentials(trigger) is not None and essentials(trigger) == essentials(
        previous.get(TRIGGER_NAME)
    ):
        kept.add(TRIGGER_NAME)
    return kept


def step_authentications(definition: Any) -> dict[str, str]:
    """Each step's authentication id in a stored definition, by step name (the trigger's as
    `trigger`)."""
    steps = definition.get("steps", {}) if isinstance(definition, dict) else {}
    found = {
        name: step["authentication"]
        for name, step in (steps.items() if isinstance(steps, dict) else ())
        if isinstance(step, dict) and isinstance(step.get("authentication"), str)
    }
    trigger = definition.get(TRIGGER_NAME) if isinstance(definition, dict) else None
    if isinstance(trigger, dict) and isinstance(trigger.get("authentication"), str):
        found[TRIGGER_NAME] = trigger["authentication"]
    return found


def authentications_by_id(*, user: User, ids: frozenset[str]) -> dict[str, Authentication]:
    valid_ids = []
    for value in ids:
        try:
            valid_ids.append(uuid.UUID(value))
        except ValueError:
            continue
    found = authentications_usable_by(user).filter(id__in=valid_ids)
    return {str(authentication.id): authentication for authentication in found}


@transaction.atomic
def workflow_create(*, user: User, name: str, definition: Any | None = None) -> Workflow:
    definition = EMPTY_DEFINITION if definition is None else definition
    workflow_validate(user=user, definition=definition)
    workflow = Workflow.objects.create(
        organisation=user.membership.organisation, name=name, definition=definition, created_by=user
    )
    WorkflowVersion.objects.create(
        workflow=workflow, version=workflow.version, definition=definition
    )
    return workflow


@transaction.atomic
def workflow_update(
    *,
    workflow: Workflow,
    user: User,
    version: int,
    name: str | None = None,
    definition: Any | None = None,
) -> Workflow:
    """Saves an edit made on `version`; StaleVersion if someone saved in between."""
    locked = Workflow.objects.select_for_update().get(id=workflow.id)
    if locked.version != version:
        raise StaleVersion(locked.version)
    if definition is not None:
        workflow_validate(user=user, definition=definition, previous=locked.definition)
        locked.definition = definition
    if name is not None:
        locked.name = name
    locked.version += 1
    locked.save()
    WorkflowVersion.objects.create(
        workflow=locked, version=locked.version, definition=locked.definition
    )
    return locked


class WorkflowNotEnableable(DomainError):
    """Enabling was refused: the workflow would not run as it is (400, each problem by path)."""

    def __init__(self, problems: list[FieldError]) -> None:
        super().__init__(
            "The workflow cannot be enabled: fix these problems first.", errors=problems
        )


def workflow_problems(workflow: Workflow) -> list[FieldError]:
    """What keeps the workflow's current definition from running unattended: it no longer
    compiles, an authentication is gone or may not be used by its creator (whose
    authentications a run no person started uses), or its trigger is half configured."""
    try:
        plan = workflow_validate(user=workflow.created_by, definition=workflow.definition)
    except DefinitionError as error:
        return error.errors
    return webhook_problems(plan)


@transaction.atomic
def workflow_set_enabled(*, workflow: Workflow, enabled: bool) -> Workflow:
    """Switches whether the workflow's webhook and schedule start runs (Run workflow always
    does). Enabling checks it first (WorkflowNotEnableable lists the problems) and stamps
    `enabled_at` when it was off. Neither the version nor `updated_at` changes."""
    locked = Workflow.objects.select_for_update().get(id=workflow.id)
    if enabled:
        problems = workflow_problems(locked)
        if problems:
            raise WorkflowNotEnableable(problems)
    if locked.enabled != enabled:
        locked.enabled = enabled
        if enabled:
            locked.enabled_at = timezone.now()
        Workflow.objects.filter(id=locked.id).update(
            enabled=locked.enabled, enabled_at=locked.enabled_at
        )
    return locked


def workflow_names_using(authentication: Authentication) -> list[str]:
    """Names of the organisation's workflows whose current definition uses the authentication.

    Registered with auth_store (builder/apps.py), which refuses to delete one in use."""
    wanted = str(authentication.id)
    names = []
    workflows = Workflow.objects.filter(organisation_id=authentication.organisation_id)
    for name, definition in workflows.values_list("name", "definition"):
        if wanted in step_authentications(definition).values():
            names.append(name)
    return sorted(names)
