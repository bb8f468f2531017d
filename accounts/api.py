"""Sign-in API: first-run setup of the owner, session sign-in and sign-out, who am I, members."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout, password_validation
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.models import Membership, Role
from accounts.permissions import IsOrganisationMember, organisation_membership


class SetupSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_password(self, value: str) -> str:
        password_validation.validate_password(value)
        return value


SETUP_DONE = {"detail": "Setup is already done: sign in instead."}


@extend_schema(request=SetupSerializer, responses={201: dict, 409: dict})
@api_view(["GET", "POST"])
@permission_classes([AllowAny])
def setup(request: Request) -> Response:
    """GET tells whether setup is needed; POST creates the owner and answers with a token."""
    if request.method == "GET":
        return Response({"needs_setup": services.setup_needed()})
    if not services.setup_needed():
        return Response(SETUP_DONE, status=status.HTTP_409_CONFLICT)
    serializer = SetupSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    try:
        owner = services.organisation_setup(**serializer.validated_data)
    except services.SetupAlreadyDone:
        return Response(SETUP_DONE, status=status.HTTP_409_CONFLICT)
    token, _ = Token.objects.get_or_create(user=owner)
    return Response({"username": owner.get_username(), "token": token.key}, status=201)


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


def describe_user(user) -> dict:
    membership = services.membership_of(user)
    return {
        "id": user.id,
        "username": user.get_username(),
        "email": user.email,
        "organisation": (
            {"id": str(membership.organisation_id), "name": membership.organisation.name}
            if membership
            else None
        ),
        "role": membership.role if membership else None,
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


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", max_length=150)
    email = serializers.EmailField(source="user.email", required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


@extend_schema(
    request=MemberSerializer, responses={200: MemberSerializer(many=True), 201: MemberSerializer}
)
@api_view(["GET", "POST"])
@permission_classes([IsOrganisationMember])
def members(request: Request) -> Response:
    """The people of the caller's organisation; owners and admins add people."""
    membership = organisation_membership(request)
    if request.method == "GET":
        people = Membership.objects.filter(organisation=membership.organisation).select_related(
            "user"
        )
        return Response(MemberSerializer(people, many=True).data)
    if not membership.can_manage:
        return Response(
            {"detail": "Only an owner or an admin can add people."},
            status=status.HTTP_403_FORBIDDEN,
        )
    serializer = MemberSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    try:
        created = services.member_create(
            by=membership,
            username=data["user"]["username"],
            email=data["user"].get("email", ""),
            password=data["password"],
            role=data["role"],
        )
    except services.MemberInvalid as error:
        return Response(
            {
                "detail": "The member is invalid.",
                "errors": [
                    {"path": path, "message": message} for path, message in error.errors.items()
                ],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return Response(MemberSerializer(created).data, status=status.HTTP_201_CREATED)
