"""Workflows, their immutable versions, runs and the record of every step a run executed."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models


def new_webhook_token() -> str:
    """43 URL-safe characters of 256 random bits: not guessable, not enumerable."""
    return secrets.token_urlsafe(32)


class Workflow(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="workflows"
    )
    name = models.CharField(max_length=200)
    definition = models.JSONField()
    # Increases on every save; an update must name the version it edits (optimistic locking).
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workflows"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Only an enabled workflow fires from its webhook or schedule; Run workflow always works.
    enabled = models.BooleanField(default=False)
    # When it was last enabled: a schedule fires only for times after it (no catch-up of
    # times from before).
    enabled_at = models.DateTimeField(null=True, blank=True)
    # The secret part of the workflow's webhook URL, /hooks/<token>/; regenerating it retires
    # the old URL.
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)
    # The workflow (with the Alert trigger) run when a run of this one fails.
    alert_workflow = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerted_by"
    )

    class Meta:
        ordering = ("-updated_at",)
        indexes = [models.Index(fields=("organisation", "-updated_at"), name="workflow_org_recent")]

    def __str__(self) -> str:
        return self.name


class WorkflowVersion(models.Model):
    """A definition as saved: runs point here, so editing a workflow never changes a past run."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("workflow", "version"), name="unique_workflow_version")
        ]
        ordering = ("workflow", "-version")

    def __str__(self) -> str:
        return f"{self.workflow_id} v{self.version}"


class RunStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    # Parked until resume_at (a long Retry-After, a Delay): no worker holds it meanwhile.
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RunTriggerKind(models.TextChoices):
    MANUAL = "manual"  # Run workflow, Replay or Retry, by a person
    WEBHOOK = "webhook"
    SCHEDULE = "schedule"
    CALLABLE = "callable"  # called by another run's Call workflow step
    ALERT = "alert"  # a run of another workflow failed (its alert workflow)


FINISHED_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class Run(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="runs")
    # Versions go only with their workflow, and its runs go with it.
    workflow_version = models.ForeignKey(
        WorkflowVersion, on_delete=models.CASCADE, related_name="runs"
    )
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger_payload = models.JSONField(default=dict, blank=True)
    # The person who pressed Run workflow (or Replay, Retry); None for a run no person started
    # (a webhook, a schedule, a calling workflow), which runs with the workflow's creator's
    # authentications.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="runs",
        null=True,
        blank=True,
    )
    # What started the run.
    trigger_kind = models.CharField(
        max_length=20, choices=RunTriggerKind.choices, default=RunTriggerKind.MANUAL
    )
    # A run of a Scheduled trigger: the fire time it is for (one run per time, see Meta).
    scheduled_for = models.DateTimeField(null=True, blank=True)
    # A run started by a Call workflow step: the calling run and that step's path (one child
    # per calling step, see Meta), and how deep in a chain of calls it is (the first caller 0).
    parent_run = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    parent_step = models.CharField(max_length=1000, blank=True)
    call_depth = models.PositiveIntegerField(default=0)
    # An alert run: the failed run it tells of (one alert per failed run, see Meta).
    alert_for = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    # The run's answer (a Webhook response or Callable response step), None until one is set.
    response = models.JSONField(null=True, blank=True)
    failed_step = models.CharField(max_length=1000, blank=True)  # a step run's path
    error = models.TextField(blank=True)
    # Steps that failed and were continued (error handling continue or error_lane).
    continued_failures = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the run was last sent to the workers (it is sent again if its message is lost).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Refreshed while a worker executes the run; a stale one means the worker is gone.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The step running now and each loop's progress, for the live canvas.
    progress = models.JSONField(default=dict, blank=True)
    # Set on a retry from the failed step: the run whose succeeded steps it reuses.
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    # Executions of this run: one more each time it resumes after its worker was lost. Every
    # write of an execution is guarded on it, so one the sweep gave up on changes nothing.
    attempt = models.PositiveIntegerField(
        default=1,
        help_text="The run's execution: one more each time it resumed after its worker was lost.",
    )
    resume_at = models.DateTimeField(
        null=True, blank=True, help_text="A waiting run: when it resumes."
    )
    waiting_reason = models.CharField(
        max_length=300, blank=True, help_text="A waiting run: why, e.g. `rate limited by Slack`."
    )

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("workflow", "-created_at"), name="run_workflow_newest"),
            models.Index(fields=("status", "heartbeat_at"), name="run_status_heartbeat"),
            models.Index(fields=("status", "enqueued_at"), name="run_status_enqueued"),
            models.Index(fields=("status", "resume_at"), name="run_status_resume"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=("workflow", "scheduled_for"),
                condition=models.Q(scheduled_for__isnull=False),
                name="unique_run_per_fire_time",
            ),
            models.UniqueConstraint(
                fields=("parent_run", "parent_step"),
                condition=models.Q(parent_run__isnull=False),
                name="unique_child_run_per_calling_step",
            ),
            models.UniqueConstraint(
                fields=("alert_for",),
                condition=models.Q(alert_for__isnull=False),
                name="unique_alert_run_per_failed_run",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.id} ({self.status})"


class RunEventKind(models.TextChoices):
    # The run parked at `step` until `resume_at`, for `reason`.
    WAITING = "waiting"
    # Its worker was lost while `step` was in flight: it resumes as `attempt`, or fails.
    WORKER_LOST = "worker_lost"


class RunEvent(models.Model):
    """Something that interrupted a run without ending it: the run's own log, in order."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=RunEventKind.choices)
    step = models.CharField(max_length=1000, blank=True)  # a step run's path
    reason = models.CharField(max_length=300)
    attempt = models.PositiveIntegerField()  # the execution that goes on after it
    resume_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField()  # the whole of it, in plain words

    class Meta:
        ordering = ("run", "at", "id")
        indexes = [models.Index(fields=("run", "kind", "step"), name="run_event_step")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.kind} at {self.step}"


class StepRun(models.Model):
    """One execution of one step; loop iterations each get their own (path loop-1[3].slack-1)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="step_runs")
    sequence = models.PositiveIntegerField()  # execution order within the run
    path = models.CharField(max_length=1000)
    step_name = models.CharField(max_length=200)
    connector = models.CharField(max_length=100)
    operation = models.CharField(max_length=100)
    status = models.CharField(max_length=20)
    input = models.JSONField(null=True)
    output = models.JSONField(null=True)
    error = models.TextField(blank=True)
    log = models.JSONField(default=list)
    retries = models.PositiveIntegerField(default=0)
    # Taken from the run being retried rather than executed again.
    reused = models.BooleanField(default=False)
    # Sizes of the JSON input and output: the API truncates large ones in lists.
    input_size = models.PositiveIntegerField(default=0)
    output_size = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    duration_ms = models.FloatField()

    class Meta:
        ordering = ("run", "sequence")
        constraints = [
            models.UniqueConstraint(fields=("run", "sequence"), name="unique_step_run_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.path} ({self.status})"


def column_length(model: type[models.Model], name: str) -> int:
    """The max_length of a model's text column: what a value must be cut to, to be stored."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField), f"{model.__name__}.{name} is not a text column"
    assert field.max_length is not None, f"{model.__name__}.{name} has no max_length"
    return field.max_length
