"""REST API of authentications: secret fields are write-only and never returned."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import signed_in_user
from auth_store import services
from auth_store.models import Authentication, Scope


class AuthenticationSerializer(serializers.ModelSerializer):
    # DRF's metaclass moves declared fields off the class, so this never hides the `fields`
    # property; the stubs cannot express that, and the API names this field `fields`.
    fields = serializers.JSONField(  # type: ignore[assignment]
        write_only=True,
        required=False,
        help_text="The connector's fields; secret ones are accepted here and never returned.",
    )
    settings = serializers.JSONField(read_only=True, help_text="The non-secret fields.")
    secrets_set = serializers.SerializerMethodField(help_text="Secret fields that hold a value.")
    scope = serializers.ChoiceField(choices=Scope.choices, default=Scope.PERSONAL)
    owner = serializers.CharField(source="owner.get_username", read_only=True)

    class Meta:
        model = Authentication
        fields = (
            "id",
            "name",
            "connector",
            "scope",
            "fields",
            "settings",
            "secrets_set",
            "owner",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")

    def get_secrets_set(self, authentication: Authentication) -> list[str]:
        return authentication.secret_names

    def validate_connector(self, value: str) -> str:
        if self.instance is not None and value != self.instance.connector:
            raise serializers.ValidationError("The connector of an authentication cannot change.")
        return value

    def create(self, validated_data: dict) -> Authentication:
        if "fields" not in validated_data:
            raise serializers.ValidationError({"fields": ["This field is required."]})
        return services.authentication_create(
            owner=self.context["request"].user,
            name=validated_data["name"],
            connector=validated_data["connector"],
            scope=validated_data["scope"],
            fields=validated_data["fields"],
        )

    def update(self, instance: Authentication, validated_data: dict) -> Authentication:
        return services.authentication_update(
            authentication=instance,
            name=validated_data.get("name"),
            scope=validated_data.get("scope"),
            fields=validated_data.get("fields"),
        )


class ConnectionTestSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("connector", str, description="Only those of this connector.")]
    )
)
class AuthenticationViewSet(viewsets.ModelViewSet):
    serializer_class = AuthenticationSerializer
    queryset = Authentication.objects.none()  # for the schema; get_queryset filters per user

    def get_queryset(self) -> QuerySet[Authentication]:
        authentications = services.authentications_usable_by(
            signed_in_user(self.request)
        ).select_related("owner")
        connector = self.request.query_params.get("connector")
        if connector:
            authentications = authentications.filter(connector=connector)
        return authentications

    def check_can_edit(self, authentication: Authentication) -> None:
        if not services.authentication_editable_by(authentication, signed_in_user(self.request)):
            raise PermissionDenied("Only its creator or an admin can change this authentication.")

    def perform_update(self, serializer: serializers.BaseSerializer[Authentication]) -> None:
        authentication = serializer.instance
        assert isinstance(authentication, Authentication), "UpdateModelMixin.update passes it"
        self.check_can_edit(authentication)
        serializer.save()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "force", bool, description="Delete even if workflows use it (their runs will fail)."
            )
        ]
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        authentication = self.get_object()
        self.check_can_edit(authentication)
        services.authentication_delete(
            authentication=authentication,
            force=request.query_params.get("force") in {"true", "1"},
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: ConnectionTestSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        ok, message = services.authentication_test(authentication=self.get_object())
        return Response({"ok": ok, "message": message})
