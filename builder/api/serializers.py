"""Serializers of workflows, runs and step runs: shapes of the API, no business logic."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from builder.engine.executor import StepStatus
from builder.models import Run, RunEvent, RunStatus, StepRun, Workflow
from builder.services.schedules import next_fire_times
from builder.services.webhooks import WEBHOOK_CONNECTOR
from builder.services.workflows import usable_authentications, workflow_problems_seen_by
from connectors.sdk import OperationKind

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


NEXT_FIRE_TIMES_FIELD = serializers.ListField(
    child=serializers.DateTimeField(),
    allow_null=True,
    help_text="A Scheduled trigger's next 5 fire times, in its time zone (ISO 8601 with the "
    "offset); null for another trigger or an invalid schedule.",
)


def next_fire_times_of(workflow: Workflow) -> list[str] | None:
    times = next_fire_times(workflow, now=timezone.now())
    return None if times is None else [moment.isoformat() for moment in times]


WEBHOOK_URL_FIELD = serializers.URLField(
    allow_null=True,
    help_text="The URL whose calls start the workflow while it is enabled, when its trigger "
    "is a Webhook (else null). POST …/webhook-token/ replaces it; the old one then answers 404.",
)


def webhook_url_of(workflow: Workflow, request: Request | None) -> str | None:
    if (workflow.definition.get("trigger") or {}).get("connector") != WEBHOOK_CONNECTOR:
        return None
    path = f"/hooks/{workflow.webhook_token}/"
    return request.build_absolute_uri(path) if request is not None else path


class WorkflowProblemSerializer(serializers.Serializer):
    path = serializers.CharField(
        help_text="The field of the definition, e.g. `steps.totango-1.properties.query`."
    )
    message = serializers.CharField(help_text="What is wrong with it, in plain words.")


PROBLEMS_FIELD = WorkflowProblemSerializer(
    many=True,
    help_text="What keeps the definition from running, as the caller would run it: each "
    "incomplete or invalid value, and each authentication that is gone or the caller may not "
    "use; empty when it can run. A draft with problems is saved, but runs and enabling are "
    "refused (400, listing them).",
)


# `problems` of a workflow as the requesting person would run it, computed on read. (A comment,
# not a docstring: the schema would take it as the description of every workflow serializer.)
class WorkflowProblemsField:
    context: dict[str, Any]

    @extend_schema_field(PROBLEMS_FIELD)
    def get_problems(self, workflow: Workflow) -> list[dict[str, str]]:
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return []
        # One query for every workflow of a list: what the person may use.
        usable = self.context.get("usable_authentications")
        if usable is None:
            usable = self.context["usable_authentications"] = usable_authentications(request.user)
        problems = workflow_problems_seen_by(
            user=request.user, definition=workflow.definition, usable=usable
        )
        return [{"path": problem.path, "message": problem.message} for problem in problems]


class WorkflowSerializer(WorkflowProblemsField, serializers.ModelSerializer):
    definition = serializers.JSONField(required=False)
    version = serializers.IntegerField(
        required=False, help_text="The version this edit was made on; required on update."
    )
    next_fire_times = serializers.SerializerMethodField()
    enabled = serializers.BooleanField(
        required=False,
        help_text="Whether its webhook and schedule start runs (Run workflow always does). "
        "A PATCH holding only `enabled` needs no `version`; enabling a workflow with problems "
        "is refused (400, listing them).",
    )
    webhook_url = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    alert_workflow = serializers.UUIDField(
        source="alert_workflow_id",
        allow_null=True,
        required=False,
        help_text="The workflow (of this organisation, with the Alert trigger) that runs when a "
        "run of this one fails, or null. Like `enabled`, setting it needs no `version` and "
        "makes none; an unusable one is refused (400, path `alert_workflow`).",
    )

    class Meta:
        model = Workflow
        fields = (
            "id",
            "name",
            "definition",
            "version",
            "enabled",
            "alert_workflow",
            "webhook_url",
            "next_fire_times",
            "problems",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")

    @extend_schema_field(NEXT_FIRE_TIMES_FIELD)
    def get_next_fire_times(self, workflow: Workflow) -> list[str] | None:
        return next_fire_times_of(workflow)

    @extend_schema_field(WEBHOOK_URL_FIELD)
    def get_webhook_url(self, workflow: Workflow) -> str | None:
        return webhook_url_of(workflow, self.context.get("request"))


class LastRunSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=RunStatus.choices)
    created_at = serializers.DateTimeField()


class LastRunAnnotations(TypedDict):
    """What WorkflowViewSet.get_queryset annotates each workflow of a list with."""

    last_run_id: uuid.UUID | None
    last_run_status: str | None
    last_run_created_at: datetime | None


class WorkflowListSerializer(WorkflowProblemsField, serializers.ModelSerializer):
    trigger = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    last_run = serializers.SerializerMethodField()
    next_fire_times = serializers.SerializerMethodField()
    webhook_url = serializers.SerializerMethodField()

    class Meta:
        model = Workflow
        fields = (
            "id",
            "name",
            "trigger",
            "last_run",
            "version",
            "enabled",
            "webhook_url",
            "next_fire_times",
            "problems",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields  # answers only: every field is always there

    @extend_schema_field(NEXT_FIRE_TIMES_FIELD)
    def get_next_fire_times(self, workflow: Workflow) -> list[str] | None:
        return next_fire_times_of(workflow)

    @extend_schema_field(WEBHOOK_URL_FIELD)
    def get_webhook_url(self, workflow: Workflow) -> str | None:
        return webhook_url_of(workflow, self.context.get("request"))

    @extend_schema_field(LastRunSerializer(allow_null=True))
    def get_last_run(
        self, workflow: WithAnnotations[Workflow, LastRunAnnotations]
    ) -> dict[str, Any] | None:
        # Annotated by the view in one query (see WorkflowViewSet.get_queryset).
        if workflow.last_run_id is None:
            return None
        return {
            "id": str(workflow.last_run_id),
            "status": workflow.last_run_status,
            "created_at": workflow.last_run_created_at,
        }

    def get_trigger(self, workflow: Workflow) -> str:
        return (workflow.definition.get("trigger") or {}).get("connector", "")


class RunStartSerializer(serializers.Serializer):
    payload = serializers.JSONField(required=False, default=dict)


class StepTestSerializer(serializers.Serializer):
    """What Test step runs a step on (POST /api/workflows/{id}/steps/{name}/test/)."""

    sample = serializers.DictField(
        required=False,
        help_text="Outputs of earlier steps by step name, standing in for a run's "
        '(`{"trigger": {…}, "totango-1": {"hits": […]}}`); inside a loop, the loop\'s name may '
        'give its iteration (`{"loop-1": {"value": …, "index": 0}}`). Given without `run`, '
        "no run is read.",
    )
    run = serializers.UUIDField(
        required=False,
        help_text="A run of this workflow whose outputs the step reads; default: the latest run "
        "with an output for every step it reads (none if `sample` is given).",
    )
    iteration = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        help_text="For a step inside a loop: which iteration's data (from 0; of the innermost "
        "loop, the outer ones' first).",
    )
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Must be true to test a step that changes things in a vendor (sends a message, "
        "creates a record); without it the answer is 409 `confirmation_required`.",
    )


class StepTestErrorSerializer(serializers.Serializer):
    message = serializers.CharField()


class StepTestResolvedFromSerializer(serializers.Serializer):
    run = serializers.UUIDField(allow_null=True, help_text="The run whose outputs were read.")
    sample = serializers.BooleanField(help_text="Whether sample data was given.")
    iterations = serializers.DictField(
        child=serializers.IntegerField(), help_text="The iteration used of each enclosing loop."
    )


class StepTestResultSerializer(serializers.Serializer):
    """What the step did: its resolved input and its output or error, redacted; nothing is
    recorded."""

    input = serializers.JSONField(allow_null=True)
    output = serializers.JSONField(allow_null=True)
    error = StepTestErrorSerializer(allow_null=True)
    log = serializers.ListField(child=serializers.CharField())
    resolved_from = StepTestResolvedFromSerializer()
    duration_ms = serializers.FloatField()


class StepTestSampleSerializer(serializers.Serializer):
    """What Test step reads by default, to edit as sample data."""

    sample = serializers.DictField(help_text="Outputs of the steps at the top level, by name.")
    run = serializers.UUIDField(allow_null=True, help_text="The run they come from, if any.")
    confirmation = serializers.CharField(
        allow_null=True,
        help_text="The question to ask before testing a step that changes things in a vendor.",
    )


class LoopProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text="Iterations finished.")
    count = serializers.IntegerField(help_text="Iterations in all.")


class RunProgressSerializer(serializers.Serializer):
    current_step = serializers.CharField(
        required=False, help_text="Path of the step running now, e.g. `loop-1[2].slack-1`."
    )
    loops = serializers.DictField(
        child=LoopProgressSerializer(), required=False, help_text="Each loop's progress, by name."
    )


@extend_schema_field(RunProgressSerializer)
class RunProgressField(serializers.JSONField):
    """Run.progress as the engine stores it; RunProgressSerializer only describes it."""


class RunEventSerializer(serializers.ModelSerializer):
    """Something that interrupted the run without ending it, oldest first."""

    class Meta:
        model = RunEvent
        fields = ("at", "kind", "step", "reason", "attempt", "resume_at", "message")
        read_only_fields = fields
        extra_kwargs = {
            "kind": {
                "help_text": "`waiting`: the run parked at `step` until `resume_at`; "
                "`worker_lost`: its worker was lost while `step` was in flight, and it "
                "resumed as `attempt` (or failed, if that step was in flight too often)."
            },
            "step": {"help_text": "Path of the step, e.g. `loop-1[37].slack-1`."},
            "reason": {"help_text": "Why, in a few words: `rate limited by Slack`."},
            "attempt": {"help_text": "The attempt that goes on after it."},
            "message": {"help_text": "The whole of it, in plain words."},
        }


class ChildRunSerializer(serializers.ModelSerializer):
    """A run this run started with a Call workflow step."""

    workflow_name = serializers.CharField(source="workflow.name", read_only=True)

    class Meta:
        model = Run
        fields = ("id", "workflow", "workflow_name", "parent_step", "status")
        read_only_fields = fields
        extra_kwargs = {
            "parent_step": {"help_text": "Path of the calling step, e.g. `loop-1[2].call-1`."}
        }


class RunSerializer(serializers.ModelSerializer):
    progress = RunProgressField(read_only=True)
    children = ChildRunSerializer(
        many=True,
        read_only=True,
        help_text="The runs this run started with Call workflow steps, in the order started.",
    )
    response = serializers.JSONField(
        read_only=True,
        allow_null=True,
        help_text="The run's answer: a Webhook response step's `{status, headers, body}`, or "
        "a Callable response step's `{value}` (what a waiting caller receives); null if none.",
    )
    events = RunEventSerializer(many=True, read_only=True)
    workflow_version = serializers.IntegerField(source="workflow_version.version", read_only=True)
    started_by = serializers.CharField(
        source="started_by.get_username",
        read_only=True,
        allow_null=True,
        help_text="Who pressed Run workflow (Replay, Retry); null when no person started it "
        "(`trigger_kind` webhook, schedule, callable or alert).",
    )
    trigger = serializers.SerializerMethodField()
    duration_ms = serializers.SerializerMethodField()
    alerts = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True),
        read_only=True,
        help_text="The alert runs this run's failure started (at most one).",
    )

    class Meta:
        model = Run
        fields = (
            "id",
            "workflow",
            "workflow_version",
            "status",
            "trigger_payload",
            "failed_step",
            "error",
            "continued_failures",
            "cancel_requested",
            "progress",
            "attempt",
            "resume_at",
            "waiting_reason",
            "events",
            "retry_of",
            "started_by",
            "trigger",
            "trigger_kind",
            "scheduled_for",
            "parent_run",
            "parent_step",
            "call_depth",
            "children",
            "alert_for",
            "alerts",
            "response",
            "created_at",
            "started_at",
            "finished_at",
            "duration_ms",
        )
        read_only_fields = fields
        extra_kwargs = {
            "alert_for": {
                "help_text": "An alert run (`trigger_kind` alert): the failed run it tells of."
            },
            "continued_failures": {
                "help_text": "Steps that failed and were continued (error handling continue "
                "or error_lane); a run may succeed with some."
            },
        }

    def get_trigger(self, run: Run) -> str:
        annotated = getattr(run, "trigger_connector", None)  # set by the run list's query
        if annotated is not None:
            return annotated
        return (run.workflow_version.definition.get("trigger") or {}).get("connector", "")

    def get_duration_ms(self, run: Run) -> float | None:
        if run.started_at and run.finished_at:
            return round((run.finished_at - run.started_at).total_seconds() * 1000, 1)
        return None


# Inputs and outputs larger than this arrive truncated in step lists; the step's own URL
# serves them whole.
STEP_PAYLOAD_LIMIT = 64 * 1024
STEP_PAYLOAD_PREVIEW = 2 * 1024


def truncated_payload(value: Any, size: int) -> Any:
    if size <= STEP_PAYLOAD_LIMIT:
        return value
    return {
        "truncated": True,
        "size": size,
        "preview": json.dumps(value, ensure_ascii=False)[:STEP_PAYLOAD_PREVIEW],
    }


# StepRun.status is a plain CharField: the engine's StepStatus values are the only ones written.
STEP_RUN_STATUSES = (
    StepStatus.SUCCEEDED,
    StepStatus.FAILED,
    StepStatus.CANCELLED,
    StepStatus.CONTINUED,
)


class StepRunSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=STEP_RUN_STATUSES, read_only=True)
    log = serializers.ListField(child=serializers.CharField(), read_only=True)
    input = serializers.SerializerMethodField()
    output = serializers.SerializerMethodField()
    input_truncated = serializers.SerializerMethodField()
    output_truncated = serializers.SerializerMethodField()

    class Meta:
        model = StepRun
        fields = (
            "sequence",
            "path",
            "step_name",
            "connector",
            "operation",
            "status",
            "input",
            "output",
            "input_truncated",
            "output_truncated",
            "input_size",
            "output_size",
            "error",
            "log",
            "retries",
            "reused",
            "started_at",
            "duration_ms",
        )
        read_only_fields = fields

    def get_input(self, step: StepRun) -> Any:
        return truncated_payload(step.input, step.input_size)

    def get_output(self, step: StepRun) -> Any:
        return truncated_payload(step.output, step.output_size)

    def get_input_truncated(self, step: StepRun) -> bool:
        return step.input_size > STEP_PAYLOAD_LIMIT

    def get_output_truncated(self, step: StepRun) -> bool:
        return step.output_size > STEP_PAYLOAD_LIMIT


class FullStepRunSerializer(StepRunSerializer):
    """One step run with its whole input and output, however large."""

    def get_input(self, step: StepRun) -> Any:
        return step.input

    def get_output(self, step: StepRun) -> Any:
        return step.output

    def get_input_truncated(self, step: StepRun) -> bool:
        return False

    def get_output_truncated(self, step: StepRun) -> bool:
        return False


class ConnectorAuthenticationSerializer(serializers.Serializer):
    fields_schema = serializers.JSONField(help_text="JSON Schema of the authentication's fields.")
    secret_fields = serializers.ListField(
        child=serializers.CharField(), help_text="Fields stored encrypted and never returned."
    )
    optional = serializers.BooleanField(help_text="Steps may run without an authentication.")


# Named in the schema as KindEnum (config/settings.py), apart from a run event's kind.
OPERATION_KINDS = [kind.value for kind in OperationKind]


class ConnectorOperationSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=OPERATION_KINDS)
    fixed_lanes = serializers.ListField(child=serializers.CharField())
    dynamic_lanes = serializers.BooleanField()
    input_schema = serializers.JSONField(help_text="JSON Schema of the step's properties.")
    output_schema = serializers.JSONField(help_text="JSON Schema of the step's output.")


class ConnectorSerializer(serializers.Serializer):
    """One entry of the connector catalogue (connectors.registry.catalogue)."""

    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    version = serializers.CharField()
    icon_url = serializers.CharField()
    is_trigger = serializers.BooleanField()
    authentication = ConnectorAuthenticationSerializer(allow_null=True)
    operations = ConnectorOperationSerializer(many=True)
