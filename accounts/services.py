"""Business actions on people: first-run setup, adding members, finding someone's organisation."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction

from accounts.models import Membership, Organisation, Role


class SetupAlreadyDone(Exception):
    pass


class MemberInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors.items()))
        self.errors = errors


def setup_needed() -> bool:
    return not get_user_model().objects.exists()


@transaction.atomic
def organisation_setup(
    *, username: str, password: str, email: str = "", organisation_name: str = ""
) -> AbstractBaseUser:
    """Creates the first person, as owner of the first organisation; refused once anyone exists."""
    user_model = get_user_model()
    lock_setup()
    if user_model.objects.exists():
        raise SetupAlreadyDone
    organisation = Organisation.objects.create(name=organisation_name or f"{username}'s workspace")
    owner = user_model.objects.create_user(username=username, email=email, password=password)
    Membership.objects.create(user=owner, organisation=organisation, role=Role.OWNER)
    return owner


# Any constant: the key of the PostgreSQL advisory lock that serialises first-run setups.
SETUP_LOCK_KEY = 7_301_001


def lock_setup() -> None:
    """Makes two concurrent setups take turns, so only the first creates an owner.

    A row lock cannot do it (there is no row yet). SQLite's IMMEDIATE transactions (see
    settings) already serialise writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SETUP_LOCK_KEY])


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


@transaction.atomic
def member_create(
    *,
    by: Membership,
    username: str,
    password: str,
    role: str,
    email: str = "",
) -> Membership:
    """An owner or admin adds a person to their organisation, with at most their own role."""
    if ROLE_RANK[Role(role)] > ROLE_RANK[Role(by.role)]:
        raise MemberInvalid({"role": f"an {by.role} cannot give the role {role}"})
    user_model = get_user_model()
    candidate = user_model(username=username, email=email)
    try:
        password_validation.validate_password(password, candidate)
    except Exception as error:  # ValidationError carries the validators' messages
        raise MemberInvalid(
            {"password": " ".join(getattr(error, "messages", [str(error)]))}
        ) from None
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:
        raise MemberInvalid({"username": f"{username!r} is already taken"}) from None
    return Membership.objects.create(user=user, organisation=by.organisation, role=role)


def membership_of(user: AbstractBaseUser) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None
