"""Views of workflows, runs and the connector catalogue."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, TextField
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from accounts.permissions import organisation_membership, signed_in_user
from builder.api.pagination import StepRunPagination
from builder.api.serializers import (
    ConnectorSerializer,
    FullStepRunSerializer,
    RunSerializer,
    RunStartSerializer,
    StepRunSerializer,
    StepTestResultSerializer,
    StepTestSampleSerializer,
    StepTestSerializer,
    WorkflowListSerializer,
    WorkflowSerializer,
)
from builder.models import Run, Workflow
from builder.services.alerts import workflow_set_alert
from builder.services.runs import run_cancel, run_replay, run_retry, run_start
from builder.services.step_tests import step_test, step_test_sample
from builder.services.webhooks import webhook_token_regenerate
from builder.services.workflows import (
    workflow_check_runnable,
    workflow_create,
    workflow_set_enabled,
    workflow_update,
)
from connectors.registry import all_connectors, catalogue, icon_svg


class StepTestThrottle(UserRateThrottle):
    """Step tests a person may run a minute (STEP_TEST_MAX_PER_MINUTE); reading the sample
    is not counted."""

    scope = "step_test"

    def get_rate(self) -> str:
        return f"{settings.STEP_TEST_MAX_PER_MINUTE}/min"

    def allow_request(self, request: Request, view: Any) -> bool:
        return request.method != "POST" or super().allow_request(request, view)


class WorkflowViewSet(viewsets.ModelViewSet):
    serializer_class = WorkflowSerializer
    queryset = Workflow.objects.none()  # for the schema; get_queryset filters per organisation

    def get_queryset(self) -> QuerySet[Workflow]:
        workflows = Workflow.objects.filter(
            organisation=organisation_membership(self.request).organisation
        )
        if self.action == "list":
            newest = Run.objects.filter(workflow=OuterRef("pk")).order_by("-created_at")
            workflows = workflows.annotate(
                last_run_id=Subquery(newest.values("id")[:1]),
                last_run_status=Subquery(newest.values("status")[:1]),
                last_run_created_at=Subquery(newest.values("created_at")[:1]),
            )
        return workflows

    def get_serializer_class(self):
        return WorkflowListSerializer if self.action == "list" else WorkflowSerializer

    @transaction.atomic
    def perform_create(self, serializer: serializers.BaseSerializer[Workflow]) -> None:
        workflow = workflow_create(
            user=signed_in_user(self.request),
            name=serializer.validated_data["name"],
            definition=serializer.validated_data.get("definition"),
        )
        if serializer.validated_data.get("alert_workflow_id") is not None:
            workflow = workflow_set_alert(
                workflow=workflow, alert_id=serializer.validated_data["alert_workflow_id"]
            )
        if serializer.validated_data.get("enabled"):
            workflow = workflow_set_enabled(workflow=workflow, enabled=True)
        serializer.instance = workflow

    @transaction.atomic  # an edit and the enabling it comes with stand or fall together
    def perform_update(self, serializer: serializers.BaseSerializer[Workflow]) -> None:
        data = serializer.validated_data
        workflow = serializer.instance
        assert isinstance(workflow, Workflow), "UpdateModelMixin.update passes the object"
        # Switching `enabled` or naming the alert workflow edits nothing: no version needed,
        # none made.
        settings_only = {"enabled", "alert_workflow_id"}
        if set(data) - settings_only - {"version"} or not settings_only & set(data):
            if "version" not in data:
                raise serializers.ValidationError(
                    {
                        "version": [
                            "The version you edited is required, so no edit is silently lost."
                        ]
                    }
                )
            workflow = workflow_update(
                workflow=workflow,
                user=signed_in_user(self.request),
                version=data["version"],
                name=data.get("name"),
                definition=data.get("definition"),
            )
        if "alert_workflow_id" in data:
            workflow = workflow_set_alert(workflow=workflow, alert_id=data["alert_workflow_id"])
        if "enabled" in data:
            workflow = workflow_set_enabled(workflow=workflow, enabled=data["enabled"])
        serializer.instance = workflow

    @extend_schema(request=None, responses={200: WorkflowSerializer})
    @action(detail=True, methods=["post"], url_path="webhook-token")
    def webhook_token(self, request: Request, pk: str | None = None) -> Response:
        """Gives the workflow a new webhook URL (`webhook_url`); the old one answers 404."""
        workflow = webhook_token_regenerate(workflow=self.get_object())
        return Response(WorkflowSerializer(workflow, context=self.get_serializer_context()).data)

    @extend_schema(request=RunStartSerializer, responses={202: RunSerializer})
    @action(detail=True, methods=["post"], url_path="runs")
    def runs(self, request: Request, pk: str | None = None) -> Response:
        workflow = self.get_object()
        start = RunStartSerializer(data=request.data)
        start.is_valid(raise_exception=True)
        workflow_check_runnable(workflow=workflow, user=signed_in_user(request))
        run = run_start(
            workflow=workflow, user=signed_in_user(request), payload=start.validated_data["payload"]
        )
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: StepTestSampleSerializer},
        description="What Test step reads by default: the latest run's outputs, to edit as "
        "sample data, and the question to ask first for a step that changes a vendor.",
    )
    @extend_schema(
        methods=["POST"],
        request=StepTestSerializer,
        responses={200: StepTestResultSerializer},
        description="Runs one step of the saved workflow on its own, as a run would (same "
        "validation, connector call, authentications and redaction), recording nothing.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path=r"steps/(?P<step_name>[A-Za-z0-9_-]+)/test",
        throttle_classes=[StepTestThrottle],
    )
    def test_step(self, request: Request, pk: str | None = None, step_name: str = "") -> Response:
        workflow = self.get_object()
        if request.method == "GET":
            found = step_test_sample(workflow=workflow, step_name=step_name)
            return Response(
                {
                    "sample": found.sample,
                    "run": found.run.id if found.run is not None else None,
                    "confirmation": found.confirmation,
                }
            )
        given = StepTestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        result = step_test(
            workflow=workflow,
            user=signed_in_user(request),
            step_name=step_name,
            sample=data.get("sample"),
            run_id=data.get("run"),
            iteration=data["iteration"],
            confirm=data["confirm"],
        )
        return Response(
            {
                "input": result.input,
                "output": result.output,
                "error": {"message": result.error} if result.error else None,
                "log": result.log,
                "resolved_from": {
                    "run": result.run_id,
                    "sample": result.sample,
                    "iterations": result.iterations,
                },
                "duration_ms": result.duration_ms,
            }
        )

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        # Only Test step is throttled: the answer names the setting.
        raise Throttled(
            wait,
            detail=f"At most {settings.STEP_TEST_MAX_PER_MINUTE} step tests a minute "
            "(STEP_TEST_MAX_PER_MINUTE): try again shortly.",
        )


def child_runs() -> QuerySet[Run]:
    """The runs a page of runs started (Call workflow): one query for the page, only the
    columns a child's entry shows."""
    return (
        Run.objects.select_related("workflow")
        .only("id", "workflow__name", "parent_run", "parent_step", "status", "created_at")
        .order_by("created_at")
    )


def uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None


class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RunSerializer
    queryset = Run.objects.none()  # for the schema; get_queryset filters per organisation

    def get_queryset(self) -> QuerySet[Run]:
        organisation = organisation_membership(self.request).organisation
        # The trigger is read in SQL: a run list must not load every run's whole definition.
        runs = (
            Run.objects.filter(workflow__organisation=organisation)
            .select_related("workflow_version", "started_by")
            .prefetch_related(
                "events",
                Prefetch("children", queryset=child_runs()),
                Prefetch("alerts", queryset=Run.objects.only("id", "alert_for")),
            )
            .defer("workflow_version__definition")
            .annotate(
                trigger_connector=KeyTextTransform(
                    "connector", KeyTransform("trigger", "workflow_version__definition")
                )
            )
        )
        if self.action == "list":
            workflow = self.request.query_params.get("workflow")
            if workflow:
                workflow_id = uuid_or_404(workflow)
                if not Workflow.objects.filter(id=workflow_id, organisation=organisation).exists():
                    raise Http404
                runs = runs.filter(workflow_id=workflow_id)
            run_status = self.request.query_params.get("status")
            if run_status:
                runs = runs.filter(status=run_status)
        return runs.order_by("-created_at")

    @extend_schema(
        parameters=[
            OpenApiParameter("workflow", str, description="Only the runs of this workflow."),
            OpenApiParameter("status", str, description="Only runs in this status."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: RunSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        run = run_cancel(run=self.get_object())
        return Response(RunSerializer(run).data)

    @extend_schema(request=None, responses={202: RunSerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk: str | None = None) -> Response:
        """Runs the workflow again with this run's trigger payload (400 while it has problems)."""
        run = self.get_object()
        workflow_check_runnable(workflow=run.workflow, user=signed_in_user(request))
        run = run_replay(run=run, user=signed_in_user(request))
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: RunSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Re-runs a failed run from its failed step, reusing what succeeded before it (400
        while the workflow has problems)."""
        run = self.get_object()
        workflow_check_runnable(workflow=run.workflow, user=signed_in_user(request))
        run = run_retry(run=run, user=signed_in_user(request))
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="Only step runs in this status."),
            OpenApiParameter("step", str, description="Only the runs of this step name."),
            OpenApiParameter(
                "search", str, description="Text to find in the path, error, input or output."
            ),
        ],
        responses={200: StepRunSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=StepRunPagination)
    def steps(self, request: Request, pk: str | None = None) -> Response:
        run = self.get_object()
        steps = run.step_runs.order_by("sequence")
        if request.query_params.get("status"):
            steps = steps.filter(status=request.query_params["status"])
        if request.query_params.get("step"):
            steps = steps.filter(step_name=request.query_params["step"])
        search = request.query_params.get("search", "").strip()
        if search:
            steps = steps.annotate(
                input_text=Cast("input", TextField()), output_text=Cast("output", TextField())
            ).filter(
                Q(path__icontains=search)
                | Q(error__icontains=search)
                | Q(input_text__icontains=search)
                | Q(output_text__icontains=search)
            )
        page = self.paginate_queryset(steps)
        return self.get_paginated_response(StepRunSerializer(page, many=True).data)

    @extend_schema(responses={200: FullStepRunSerializer})
    @action(detail=True, methods=["get"], url_path=r"steps/(?P<sequence>\d+)")
    def step(self, request: Request, pk: str | None = None, sequence: str = "") -> Response:
        """One step run with its whole input and output."""
        step = get_object_or_404(self.get_object().step_runs, sequence=int(sequence))
        return Response(FullStepRunSerializer(step).data)


class ConnectorViewSet(viewsets.ViewSet):
    """The connector catalogue: operations with their input and output JSON Schemas."""

    lookup_value_regex = r"[a-z0-9_-]+"

    @extend_schema(responses={200: ConnectorSerializer(many=True)})
    def list(self, request: Request) -> Response:
        return Response(catalogue())

    @extend_schema(
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, pattern=r"^[a-z0-9_-]+$")],
        description="The connector's icon, an SVG image; no sign-in needed.",
        responses={(200, "image/svg+xml"): str},
    )
    @action(detail=True, methods=["get"], url_path="icon.svg", permission_classes=[AllowAny])
    def icon(self, request: Request, pk: str | None = None) -> HttpResponse:
        if pk not in all_connectors():
            raise Http404
        response = HttpResponse(icon_svg(pk), content_type="image/svg+xml")
        response["Cache-Control"] = "public, max-age=86400"
        return response


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    return Response({"status": "ok"})
