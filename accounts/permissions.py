"""API permissions by role: members of an organisation see only its objects; viewers only read."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.models import Membership
from accounts.services import membership_of


def organisation_membership(request: Request) -> Membership:
    """The caller's membership (checked by IsOrganisationMember before any view runs)."""
    membership = membership_of(request.user)
    assert membership is not None, "IsOrganisationMember must guard this view"
    return membership


class IsOrganisationMember(BasePermission):
    message = "You are not a member of an organisation."

    def has_permission(self, request: Request, view) -> bool:
        return membership_of(request.user) is not None


class CanEditOrReadOnly(BasePermission):
    """Viewers may read; owners, admins and members may also change things and run them."""

    message = "Viewers can read workflows and runs but not change or run them."

    def has_permission(self, request: Request, view) -> bool:
        membership = membership_of(request.user)
        if membership is None:
            return False
        return request.method in SAFE_METHODS or membership.can_edit
