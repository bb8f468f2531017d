"""Alerting: a workflow names another (with the Alert trigger) to run when one of its runs fails.

The alert run is started once per failed run, by whatever ended the run failed (execution's
run_finish, the sweep failing a run whose worker was lost too often), in the same transaction
and only after the write that made it failed: a run finished twice alerts once, and
Run.alert_for is unique besides.
A run that is itself an alert never alerts (no storms), nor does a cancelled one.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.errors import DomainError, FieldError
from builder.models import Run, RunStatus, RunTriggerKind, Workflow
from builder.services.runs import run_start
from connectors.registry import get_connector

logger = logging.getLogger(__name__)

ALERT_CONNECTOR = "alert"
ALERT_WORKFLOW_FIELD = "alert_workflow"


class AlertWorkflowInvalid(DomainError):
    """The alert workflow named cannot be one (400, the field `alert_workflow`)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            "The alert workflow cannot be used.", errors=[FieldError(ALERT_WORKFLOW_FIELD, message)]
        )


def trigger_of(workflow: Workflow) -> Any:
    definition = workflow.definition if isinstance(workflow.definition, dict) else {}
    return (definition.get("trigger") or {}).get("connector")


def alert_workflow_check(
    *, workflow: Workflow | None, organisation_id: Any, alert_id: Any
) -> Workflow | None:
    """The workflow to name as `workflow`'s alert workflow (None to name none): of the same
    organisation, with the Alert trigger, not the workflow itself (None while it is being
    created). AlertWorkflowInvalid otherwise."""
    if alert_id is None:
        return None
    missing = AlertWorkflowInvalid(f"No workflow {alert_id} in this organisation.")
    try:
        wanted = uuid.UUID(str(alert_id))
    except ValueError:
        raise missing from None
    if workflow is not None and wanted == workflow.id:
        raise AlertWorkflowInvalid(
            "A workflow cannot be its own alert workflow: choose another, with the Alert trigger."
        )
    alert = Workflow.objects.filter(id=wanted, organisation_id=organisation_id).first()
    if alert is None:
        raise missing
    trigger = trigger_of(alert)
    if trigger != ALERT_CONNECTOR:
        connector = get_connector(trigger)
        title = connector.title if connector is not None else repr(trigger)
        raise AlertWorkflowInvalid(
            f"Workflow {alert.name!r} cannot be an alert workflow: its trigger is {title}, "
            "not Alert. Give it the Alert trigger first."
        )
    return alert


def workflow_set_alert(*, workflow: Workflow, alert_id: Any) -> Workflow:
    """Names (or, with None, clears) the workflow's alert workflow. Neither the version nor
    `updated_at` changes: it is a setting of the workflow, not of its definition."""
    alert = alert_workflow_check(
        workflow=workflow, organisation_id=workflow.organisation_id, alert_id=alert_id
    )
    Workflow.objects.filter(id=workflow.id).update(alert_workflow=alert)
    workflow.alert_workflow = alert
    return workflow


def run_url(*, workflow_id: Any, run_id: Any) -> str:
    """The run in the app's debug panel (APP_URL), as a link made outside a request."""
    return f"{settings.APP_URL}/workflows/{workflow_id}?run={run_id}"


def alert_payload(run: Run) -> dict[str, Any]:
    """What the alert run's trigger outputs: the failed run, its workflow and why it failed."""
    started = run.started_at or run.created_at
    return {
        "workflow": {"id": str(run.workflow_id), "name": run.workflow.name},
        "run": {"id": str(run.id), "url": run_url(workflow_id=run.workflow_id, run_id=run.id)},
        "failed_step": run.failed_step,
        "error": run.error,
        "started_at": started.isoformat(),
    }


def run_alert(*, run_id: uuid.UUID | str) -> Run | None:
    """A run has just ended failed: starts its workflow's alert workflow, if it names one, with
    the failed run as payload (alert_for links the two). Call it only from the write that made
    the run failed. Returns the alert run, or None when there is none to start."""
    run = Run.objects.select_related("workflow__alert_workflow").get(id=run_id)
    alert = run.workflow.alert_workflow
    if run.status != RunStatus.FAILED or alert is None:
        return None
    if run.trigger_kind == RunTriggerKind.ALERT:
        # An alert run failing raises no alert: alerts cannot set one another off.
        return None
    if trigger_of(alert) != ALERT_CONNECTOR:
        logger.warning(
            "Run %s failed, but its alert workflow %s (%s) no longer has the Alert trigger: "
            "no alert run was started",
            run.id,
            alert.id,
            alert.name,
        )
        return None
    try:
        with transaction.atomic():
            started = run_start(
                workflow=alert,
                user=None,
                payload=alert_payload(run),
                trigger_kind=RunTriggerKind.ALERT,
                alert_for=run,
            )
    except IntegrityError:
        # Already started for this run (unique_alert_run_per_failed_run): that one stands.
        return Run.objects.filter(alert_for=run).first()
    logger.info("Run %s failed: started alert run %s of %s", run.id, started.id, alert.name)
    return started


def run_alert_safely(*, run_id: uuid.UUID | str) -> None:
    """run_alert from where a run ends, in the transaction that made it failed (so the alert
    run is there as soon as the failure is), which must not fail itself for it: what the
    alert wrote is undone, the failure stands."""
    try:
        with transaction.atomic():
            run_alert(run_id=run_id)
    except Exception:
        logger.exception("Could not start the alert workflow of failed run %s", run_id)
