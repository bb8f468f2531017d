"""Organisations (workspaces) and the role each person has in theirs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


# Roles that may manage people and every organisational authentication.
MANAGING_ROLES = frozenset({Role.OWNER, Role.ADMIN})
# Roles that may change things and run workflows; viewers only read.
EDITING_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})


class Membership(models.Model):
    """A person's place in their organisation: every person belongs to exactly one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("organisation", "created_at")

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organisation_id} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGING_ROLES
