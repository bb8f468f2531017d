"""Serializers of workflows, runs and step runs: shapes of the API, no business logic."""

from __future__ import annotations

from rest_framework import serializers

from builder.models import Run, StepRun, Workflow


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

    class Meta:
        model = Workflow
        fields = ("id", "name", "trigger", "version", "created_at", "updated_at")

    def get_trigger(self, workflow: Workflow) -> str:
        return (workflow.definition.get("trigger") or {}).get("connector", "")


class RunStartSerializer(serializers.Serializer):
    payload = serializers.JSONField(required=False, default=dict)


class RunSerializer(serializers.ModelSerializer):
    workflow_version = serializers.IntegerField(source="workflow_version.version", read_only=True)
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
            "created_at",
            "started_at",
            "finished_at",
            "duration_ms",
        )
        read_only_fields = fields

    def get_duration_ms(self, run: Run) -> float | None:
        if run.started_at and run.finished_at:
            return round((run.finished_at - run.started_at).total_seconds() * 1000, 1)
        return None


class StepRunSerializer(serializers.ModelSerializer):
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
            "error",
            "log",
            "retries",
            "started_at",
            "duration_ms",
        )
        read_only_fields = fields
