"""API permissions by role: members of an organisation see only its objects; viewers only read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.models import Membership
from accounts.services import membership_of

if TYPE_CHECKING:
    from rest_framework.views import APIView


def organisation_membership(request: Request) -> Membership:
    """The caller's membership (checked by IsOrganisationMember before any view runs)."""
    membership = membership_of(request.user)
    assert membership is not None, "IsOrganisationMember must guard this view"
    return membership


def signed_in_user(request: Request) -> User:
    """The caller, a person (checked by IsOrganisationMember or IsAuthenticated before any view
    runs): what services take, where `request.user` may also be anonymous."""
    user = request.user
    assert isinstance(user, User), "IsOrganisationMember or IsAuthenticated must guard this view"
    return user


class IsOrganisationMember(BasePermission):
    message = "You are not a member of an organisation."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return membership_of(request.user) is not None


class CanEditOrReadOnly(BasePermission):
    """Viewers may read; owners, admins and members may also change things and run them."""

    message = "Viewers can read workflows and runs but not change or run them."

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership = membership_of(request.user)
        if membership is None:
            return False
        return request.method in SAFE_METHODS or membership.can_edit
