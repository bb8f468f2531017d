"""Workflows: check a definition (with the authentications its steps use), create, update, and
tell the problems that keep a draft from running."""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.errors import Conflict, DomainError
from accounts.models import Membership
from auth_store.models import Authentication
from auth_store.services import authentications_usable_by
from builder.engine.definition import (
    TRIGGER_NAME,
    DefinitionLimits,
    StepPlan,
    WorkflowPlan,
    check_definition,
)
from builder.engine.errors import DefinitionError, FieldError
from builder.models import Run, StepRun, Workflow, WorkflowVersion, column_length
from builder.services.webhooks import webhook_problems
from connectors.registry import get_connector

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


class WorkflowHasProblems(DomainError):
    """Refused because the workflow's definition has problems (400): the answer lists them as
    `problems`, in the shape of a workflow's own `problems` (and as `errors`, like any 400)."""

    def __init__(self, detail: str, problems: list[FieldError]) -> None:
        super().__init__(detail, errors=problems)

    def body(self) -> dict[str, Any]:
        return {**super().body(), "problems": super().body().get("errors", [])}


class WorkflowNotRunnable(WorkflowHasProblems):
    def __init__(self, problems: list[FieldError]) -> None:
        super().__init__("The workflow cannot run: fix these problems first.", problems)


def workflow_check(*, user: User, definition: Any, previous: Any = None) -> list[FieldError]:
    """The problems of a definition about to be saved, which it may be saved with (a draft).

    DefinitionError refuses it outright for structural errors (see builder/engine/definition.py),
    and for a step that uses an authentication the editor may not use (a colleague's personal
    one, another organisation's, one gone): kept, it would be run with the credentials of
    whoever may use it, on settings they never chose. A step left as it was in the `previous`
    definition (title aside) is not checked again: a colleague editing another step must not
    be stopped by someone's personal authentication (its problems, and a run, check again who
    may use it).
    """
    problems = check_definition(definition, definition_limits()).problems
    kept = unchanged_step_authentications(previous, definition)
    uses = [use for use in authentication_uses(definition) if use.step not in kept]
    usable = authentications_by_id(user=user, ids=frozenset(use.authentication for use in uses))
    refused = [
        FieldError(use.path, f"no authentication {use.authentication!r}")
        for use in uses
        if use.authentication not in usable
    ]
    if refused:
        raise DefinitionError(refused)
    return problems + missing_authentications(definition) + authentication_problems(uses, usable)


def workflow_problems_seen_by(
    *, user: User, definition: Any, usable: Mapping[str, Authentication] | None = None
) -> list[FieldError]:
    """What keeps `user` from running the definition as it is: its value problems, and each
    authentication that is gone or that they may not use (a run uses only what its starter
    may use). `usable` (every authentication the user may use, by id) saves a query per
    workflow of a list."""
    return definition_problems(user=user, definition=definition, usable=usable)[1]


def definition_problems(
    *, user: User, definition: Any, usable: Mapping[str, Authentication] | None = None
) -> tuple[WorkflowPlan | None, list[FieldError]]:
    try:
        checked = check_definition(definition, definition_limits())
    except DefinitionError as error:
        return None, error.errors  # stored before a limit was lowered
    uses = authentication_uses(definition)
    if usable is None:
        usable = authentications_by_id(user=user, ids=frozenset(use.authentication for use in uses))
    problems = checked.problems + [
        FieldError(use.path, f"no authentication {use.authentication!r}")
        for use in uses
        if use.authentication not in usable
    ]
    problems += missing_authentications(definition) + authentication_problems(uses, usable)
    return (checked.plan if not problems else None), problems


def workflow_check_runnable(*, workflow: Workflow, user: User) -> None:
    """WorkflowNotRunnable listing the problems that keep `user` from running the workflow."""
    problems = workflow_problems_seen_by(user=user, definition=workflow.definition)
    if problems:
        raise WorkflowNotRunnable(problems)


def usable_authentications(user: User) -> dict[str, Authentication]:
    """Every authentication the user may use, by id (for the problems of a list of workflows)."""
    found = authentications_usable_by(user).only("id", "name", "connector")
    return {str(authentication.id): authentication for authentication in found}


@dataclass(frozen=True)
class AuthenticationUse:
    step: str  # the step's name, `trigger` for the trigger
    path: str  # e.g. steps.slack-1.authentication
    connector: Any
    authentication: str


def named_settings(definition: Any) -> list[tuple[str, str, Any]]:
    """(name, path, settings) of a stored definition's trigger and steps, in that order."""
    if not isinstance(definition, dict):
        return []
    steps = definition.get("steps")
    return [(TRIGGER_NAME, TRIGGER_NAME, definition.get(TRIGGER_NAME))] + [
        (name, f"steps.{name}", step)
        for name, step in (steps.items() if isinstance(steps, dict) else ())
    ]


def authentication_uses(definition: Any) -> list[AuthenticationUse]:
    """Each authentication a stored definition's trigger and steps name, in that order."""
    named = named_settings(definition)
    return [
        AuthenticationUse(
            step=name,
            path=f"{path}.authentication",
            connector=step.get("connector"),
            authentication=step["authentication"],
        )
        for name, path, step in named
        if isinstance(step, dict)
        and isinstance(step.get("authentication"), str)
        and step["authentication"]
    ]


def missing_authentications(definition: Any) -> list[FieldError]:
    """Each step (or trigger) of a connector that needs an authentication but names none: a
    draft's problem, where a run would fail at the step's first call."""
    problems = []
    for _, path, step in named_settings(definition):
        if not isinstance(step, dict) or step.get("authentication"):
            continue
        connector = get_connector(step.get("connector"))
        if connector is None or connector.authentication is None:
            continue
        if not connector.authentication.optional:
            problems.append(
                FieldError(
                    f"{path}.authentication",
                    f"{connector.title} needs an authentication: choose one in the step's "
                    "Authenticate tab",
                )
            )
    return problems


def authentication_problems(
    uses: list[AuthenticationUse], usable: Mapping[str, Authentication]
) -> list[FieldError]:
    """An authentication of another connector than its step's: never used (a draft so cannot
    run), a problem to fix."""
    problems = []
    for use in uses:
        authentication = usable.get(use.authentication)
        connector = get_connector(use.connector) if isinstance(use.connector, str) else None
        if authentication is None or connector is None:
            continue  # reported already: unknown connector, unusable authentication
        if authentication.connector != connector.key:
            problems.append(
                FieldError(
                    use.path,
                    f"authentication {authentication.name!r} is for {authentication.connector}, "
                    f"not {connector.title}",
                )
            )
    return problems


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
    workflow_check(user=user, definition=definition)
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
        workflow_check(user=user, definition=definition, previous=locked.definition)
        locked.definition = definition
    if name is not None:
        locked.name = name
    locked.version += 1
    locked.save()
    WorkflowVersion.objects.create(
        workflow=locked, version=locked.version, definition=locked.definition
    )
    return locked


class WorkflowNotEnableable(WorkflowHasProblems):
    """Enabling was refused: the workflow would not run as it is (400, each problem by path)."""

    def __init__(self, problems: list[FieldError]) -> None:
        super().__init__("The workflow cannot be enabled: fix these problems first.", problems)


def workflow_problems(workflow: Workflow) -> list[FieldError]:
    """What keeps the workflow's current definition from running unattended: it no longer
    compiles, an authentication is gone or may not be used by its creator (whose
    authentications a run no person started uses), or its trigger is half configured."""
    plan, problems = definition_problems(user=workflow.created_by, definition=workflow.definition)
    return problems if plan is None else webhook_problems(plan)


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


def workflows_hand_over(*, member: Membership, successor: User, **_: Any) -> None:
    """A person removed from their organisation: the workflows they created pass to the person
    removing them, so enabled schedules and webhooks (which act as the workflow's creator) keep
    running. Connected to accounts' `member_removing` (builder/apps.py)."""
    Workflow.objects.filter(organisation_id=member.organisation_id, created_by=member.user).update(
        created_by=successor
    )


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
