"""Serializers of workflows, runs and step runs: shapes of the API, no business logic."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import serializers

from builder.models import Run, StepRun, Workflow
from connectors.sdk import OperationKind


class WorkflowSerializer(serializers.ModelSerializer):
    definition = serializers.JSONField(required=False)
    version = serializers.IntegerField(
        required=False, help_text="The version this edit was made on; required on update."
    )

    class Meta:
        model = Workflow
        fields = ("id", "name", "definition", "version", "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")


class WorkflowListSerializer(serializers.ModelSerializer):
    trigger = serializers.SerializerMethodField()
    last_run = serializers.SerializerMethodField()

    class Meta:
        model = Workflow
        fields = ("id", "name", "trigger", "last_run", "version", "created_at", "updated_at")

    def get_last_run(self, workflow: Workflow) -> dict[str, Any] | None:
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


class RunSerializer(serializers.ModelSerializer):
    workflow_version = serializers.IntegerField(source="workflow_version.version", read_only=True)
    started_by = serializers.CharField(source="started_by.get_username", read_only=True)
    trigger = serializers.SerializerMethodField()
    duration_ms = serializers.SerializerMethodField()

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
            "cancel_requested",
            "progress",
            "retry_of",
            "started_by",
            "trigger",
            "created_at",
            "started_at",
            "finished_at",
            "duration_ms",
        )
        read_only_fields = fields

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


class StepRunSerializer(serializers.ModelSerializer):
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


class ConnectorOperationSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=[kind.value for kind in OperationKind])
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
