"""Sign-in API: first-run setup, session sign-in and sign-out, API tokens, who am I, members."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login, logout, password_validation
from django.contrib.auth.models import User
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from accounts import services
from accounts.models import Membership, Role
from accounts.permissions import IsOrganisationMember, organisation_membership, signed_in_user


class SetupSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_password(self, value: str) -> str:
        password_validation.validate_password(value)
        return value


class SetupStatusSerializer(serializers.Serializer):
    needs_setup = serializers.BooleanField()


class SetupDoneSerializer(serializers.Serializer):
    username = serializers.CharField()
    token = serializers.CharField(help_text="The owner's API token.")


@extend_schema(methods=["GET"], responses={200: SetupStatusSerializer})
@extend_schema(methods=["POST"], request=SetupSerializer, responses={201: SetupDoneSerializer})
@api_view(["GET", "POST"])
@permission_classes([AllowAny])
def setup(request: Request) -> Response:
    """GET tells whether setup is needed; POST creates the owner and answers with a token."""
    if request.method == "GET":
        return Response({"needs_setup": services.setup_needed()})
    if not services.setup_needed():
        raise services.SetupAlreadyDone
    serializer = SetupSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    owner = services.organisation_setup(**serializer.validated_data)
    issued = services.token_for(user=owner)
    return Response({"username": owner.get_username(), "token": issued.key}, status=201)


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """Who is signed in (describe_user): the frontend's GET /api/me/ and sign-in answer."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    organisation = OrganisationRefSerializer(allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices, allow_null=True)


def describe_user(user: User) -> dict[str, Any]:
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


def client_address(request: Request) -> str:
    # DRF's reading of REMOTE_ADDR and X-Forwarded-For, trusting as many proxies as
    # TRUSTED_PROXY_COUNT says (NUM_PROXIES): a client cannot pick its own address.
    return BaseThrottle().get_ident(request)


def person_signing_in(request: Request, serializer: SignInSerializer) -> User:
    """The person the credentials name (WrongCredentials otherwise; SignInLocked, a 429, while
    locked out)."""
    serializer.is_valid(raise_exception=True)
    return services.sign_in_authenticate(
        request=request,
        username=serializer.validated_data["username"],
        password=serializer.validated_data["password"],
        address=client_address(request),
    )


@extend_schema(request=SignInSerializer, responses={200: MeSerializer, 400: dict})
@api_view(["POST"])
@permission_classes([AllowAny])
def sign_in(request: Request) -> Response:
    """Starts a browser session (the frontend); scripts use POST /api/token/ instead."""
    # DRF checks CSRF for signed-in sessions only. Signing in needs it too, or another site
    # could sign a visitor into an account of its own (login CSRF). The page sets the cookie.
    SessionAuthentication().enforce_csrf(request)
    user = person_signing_in(request, SignInSerializer(data=request.data))
    login(request, user)
    return Response(describe_user(user))


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
@permission_classes([AllowAny])
def sign_out(request: Request) -> Response:
    """Ends the browser session; called with a token, revokes that token too."""
    if isinstance(request.auth, Token):
        services.token_revoke(user=signed_in_user(request))
    logout(request)
    return Response(status=status.HTTP_204_NO_CONTENT)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(help_text="After this, ask for a new one.")


@extend_schema(
    methods=["POST"], request=SignInSerializer, responses={200: TokenSerializer, 400: dict}
)
@extend_schema(methods=["DELETE"], request=None, responses={204: None})
@api_view(["POST", "DELETE"])
@permission_classes([AllowAny])
def token(request: Request) -> Response:
    """POST: the caller's API token for a username and password. DELETE: revokes it."""
    if request.method == "DELETE":
        if not request.user.is_authenticated:
            raise NotAuthenticated
        services.token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    user = person_signing_in(request, SignInSerializer(data=request.data))
    issued = services.token_for(user=user)
    return Response(
        TokenSerializer({"token": issued.key, "expires_at": services.token_expires_at(issued)}).data
    )


@extend_schema(responses={200: MeSerializer})
@api_view(["GET"])
@permission_classes([IsAuthenticated])
@ensure_csrf_cookie
def me(request: Request) -> Response:
    return Response(describe_user(signed_in_user(request)))


class OrganisationSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(max_length=200)
    created_at = serializers.DateTimeField(read_only=True)


@extend_schema(methods=["GET"], responses={200: OrganisationSerializer})
@extend_schema(
    methods=["PATCH"], request=OrganisationSerializer, responses={200: OrganisationSerializer}
)
@api_view(["GET", "PATCH"])
@permission_classes([IsOrganisationMember])
def organisation(request: Request) -> Response:
    """The caller's organisation; owners and admins rename it."""
    membership = organisation_membership(request)
    if request.method == "PATCH":
        if not membership.can_manage:
            raise PermissionDenied("Only an owner or an admin can rename the organisation.")
        serializer = OrganisationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.organisation_rename(by=membership, name=serializer.validated_data["name"])
    return Response(OrganisationSerializer(membership.organisation).data)


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", max_length=150)
    email = serializers.EmailField(source="user.email", required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    password = serializers.CharField(
        write_only=True,
        style={"input_type": "password"},
        help_text="The password they sign in with: hand it over yourself (no email is sent).",
    )
    created_at = serializers.DateTimeField(
        read_only=True, help_text="When they joined the organisation."
    )


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


@extend_schema(methods=["GET"], responses={200: MemberSerializer(many=True)})
@extend_schema(methods=["POST"], request=MemberSerializer, responses={201: MemberSerializer})
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
        raise PermissionDenied("Only an owner or an admin can add people.")
    serializer = MemberSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    created = services.member_create(
        by=membership,
        username=data["user"]["username"],
        email=data["user"].get("email", ""),
        password=data["password"],
        role=data["role"],
    )
    return Response(MemberSerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema(methods=["PATCH"], request=MemberRoleSerializer, responses={200: MemberSerializer})
@extend_schema(methods=["DELETE"], request=None, responses={204: None})
@api_view(["PATCH", "DELETE"])
@permission_classes([IsOrganisationMember])
def member(request: Request, id: int) -> Response:
    """Owners and admins change a person's role or remove them; the last owner stays."""
    membership = organisation_membership(request)
    if not membership.can_manage:
        raise PermissionDenied("Only an owner or an admin can change or remove people.")
    target = (
        Membership.objects.filter(organisation=membership.organisation, user_id=id)
        .select_related("user", "organisation")
        .first()
    )
    if target is None:
        raise NotFound("No member of your organisation has this id.")
    if request.method == "DELETE":
        services.member_remove(by=membership, member=target)
        return Response(status=status.HTTP_204_NO_CONTENT)
    serializer = MemberRoleSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    changed = services.member_role_change(
        by=membership, member=target, role=serializer.validated_data["role"]
    )
    return Response(MemberSerializer(changed).data)
