"""Sign-in API: first-run setup of the owner, session sign-in and sign-out, who am I."""

from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model, login, logout, password_validation
from django.db import transaction
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response


class SetupSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})

    def validate_password(self, value: str) -> str:
        password_validation.validate_password(value)
        return value


@extend_schema(request=SetupSerializer, responses={201: dict, 409: dict})
@api_view(["GET", "POST"])
@permission_classes([AllowAny])
def setup(request: Request) -> Response:
    """GET tells whether setup is needed; POST creates the owner and answers with a token."""
    user_model = get_user_model()
    if request.method == "GET":
        return Response({"needs_setup": not user_model.objects.exists()})
    serializer = SetupSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    with transaction.atomic():
        if user_model.objects.exists():
            return Response(
                {"detail": "Setup is already done: sign in instead."},
                status=status.HTTP_409_CONFLICT,
            )
        owner = user_model.objects.create_superuser(
            username=serializer.validated_data["username"],
            email=serializer.validated_data.get("email", ""),
            password=serializer.validated_data["password"],
        )
    token, _ = Token.objects.get_or_create(user=owner)
    return Response({"username": owner.get_username(), "token": token.key}, status=201)


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


def describe_user(user) -> dict:
    return {
        "id": user.id,
        "username": user.get_username(),
        "email": user.email,
        "is_admin": user.is_staff,
    }


@extend_schema(request=SignInSerializer, responses={200: dict, 400: dict})
@api_view(["POST"])
@permission_classes([AllowAny])
def sign_in(request: Request) -> Response:
    """Starts a browser session (the frontend); scripts use POST /api/token/ instead."""
    serializer = SignInSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(
        request,
        username=serializer.validated_data["username"],
        password=serializer.validated_data["password"],
    )
    if user is None:
        return Response(
            {
                "detail": "Wrong username or password.",
                "errors": [{"path": "password", "message": "Wrong username or password."}],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    login(request, user)
    return Response(describe_user(user))


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
@permission_classes([AllowAny])
def sign_out(request: Request) -> Response:
    logout(request)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes([IsAuthenticated])
@ensure_csrf_cookie
def me(request: Request) -> Response:
    return Response(describe_user(request.user))
