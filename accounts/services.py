"""Business actions on people: setup, members, sign-in with its lockout, API tokens."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.errors import Conflict, DomainError, FieldError, field_errors
from accounts.models import Membership, Organisation, Role

logger = logging.getLogger(__name__)


class SetupAlreadyDone(Conflict):
    def __init__(self) -> None:
        super().__init__("Setup is already done: sign in instead.")


class MemberInvalid(DomainError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("The member is invalid.", errors=field_errors(errors))


def setup_needed() -> bool:
    return not get_user_model().objects.exists()


@transaction.atomic
def organisation_setup(
    *, username: str, password: str, email: str = "", organisation_name: str = ""
) -> User:
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


class NotAllowed(DomainError):
    """The caller's role does not let them do it (403)."""

    status = 403


class LastOwner(Conflict):
    """The organisation would be left without an owner: nobody could manage it any more."""

    def __init__(self, member: Membership, *, field: str | None = None) -> None:
        message = (
            f"{member.user.get_username()} is the organisation's last owner: "
            "make someone else an owner first."
        )
        super().__init__(message, errors=[FieldError(field, message)] if field else ())


def organisation_rename(*, by: Membership, name: str) -> Organisation:
    """An owner or admin renames their organisation."""
    if not by.can_manage:
        raise NotAllowed("Only an owner or an admin can rename the organisation.")
    if not name.strip():
        raise DomainError("The organisation is invalid.", errors=[FieldError("name", "required")])
    organisation = by.organisation
    organisation.name = name.strip()
    organisation.save(update_fields=["name"])
    return organisation


def check_may_manage(*, by: Membership, member: Membership, action: str) -> None:
    """Owners and admins manage people, never someone of a higher role than their own."""
    if not by.can_manage:
        raise NotAllowed(f"Only an owner or an admin can {action}.")
    if ROLE_RANK[Role(member.role)] > ROLE_RANK[Role(by.role)]:
        raise NotAllowed(f"An {by.role} cannot {action} of an {member.role}.")


def lock_owners(organisation: Organisation) -> int:
    """Locks the organisation's owners until the transaction ends and counts them, so two
    people demoting or removing each other at once cannot leave it without an owner."""
    return len(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Role.OWNER)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def member_role_change(*, by: Membership, member: Membership, role: str) -> Membership:
    """An owner or admin changes someone's role, to at most their own, keeping an owner."""
    check_may_manage(by=by, member=member, action="change the role")
    if ROLE_RANK[Role(role)] > ROLE_RANK[Role(by.role)]:
        raise MemberInvalid({"role": f"an {by.role} cannot give the role {role}"})
    if member.role == Role.OWNER and role != Role.OWNER and lock_owners(member.organisation) <= 1:
        raise LastOwner(member, field="role")
    member.role = role
    member.save(update_fields=["role"])
    return member


# Sent inside the removal's transaction, before the membership goes, with `member` (the
# Membership being removed) and `successor` (the person removing them): the apps above accounts
# hand over what the person made (builder: workflows; auth_store: authentications).
member_removing = Signal()


@transaction.atomic
def member_remove(*, by: Membership, member: Membership) -> None:
    """An owner or admin removes someone from the organisation.

    What they made stays with the organisation (see the receivers of `member_removing`). The
    account itself is kept, deactivated, so past runs still say who started them; its token and
    sessions stop working at once.
    """
    check_may_manage(by=by, member=member, action="remove the membership")
    if member.role == Role.OWNER and lock_owners(member.organisation) <= 1:
        raise LastOwner(member)
    if member.user_id == by.user_id:
        raise Conflict("You cannot remove yourself: ask another owner or admin.")
    member_removing.send(sender=Membership, member=member, successor=by.user)
    person = member.user
    Token.objects.filter(user=person).delete()
    person.is_active = False
    person.save(update_fields=["is_active"])
    member.delete()


def membership_of(user: User | AnonymousUser) -> Membership | None:
    if isinstance(user, AnonymousUser):  # not signed in
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


# --- Sign-in and its lockout -----------------------------------------------------------------


def wait_in_words(seconds: int) -> str:
    """`1 second`, `45 seconds`, `10 minutes` (a part minute counts as one)."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class SignInLocked(DomainError):
    """Too many failed sign-ins for an account or from an address: refused for `retry_after` s."""

    status = 429

    def __init__(self, retry_after: int, limit: str) -> None:
        super().__init__(
            f"Too many failed sign-ins ({limit} within SIGN_IN_LOCKOUT_SECONDS). "
            f"Try again in {wait_in_words(retry_after)}.",
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class WrongCredentials(DomainError):
    def __init__(self) -> None:
        message = "Wrong username or password."
        super().__init__(message, errors=[FieldError("password", message)])


def sign_in_failure_keys(*, username: str, address: str) -> dict[str, str]:
    """Cache keys of the failure records that can lock this attempt, by the setting limiting each.

    The username is hashed: cache keys must be short and ASCII, and a mistyped password in the
    username field must not be stored in clear.
    """
    account = hashlib.sha256(username.casefold().encode()).hexdigest()
    return {
        "SIGN_IN_MAX_FAILURES_PER_ACCOUNT": f"sign-in-failures:account:{account}",
        "SIGN_IN_MAX_FAILURES_PER_ADDRESS": f"sign-in-failures:address:{address}",
    }


def recent_failures(key: str, now: float) -> list[float]:
    window = settings.SIGN_IN_LOCKOUT_SECONDS
    return [moment for moment in cache.get(key, []) if moment > now - window]


def sign_in_check(*, username: str, address: str) -> None:
    """Raises SignInLocked while the account or the address has too many recent failures.

    The window slides: a failure older than SIGN_IN_LOCKOUT_SECONDS no longer counts, so a
    locked account may try again once its oldest counted failure is that old.
    """
    now = time.time()
    for limit, key in sign_in_failure_keys(username=username, address=address).items():
        failures = recent_failures(key, now)
        if len(failures) >= getattr(settings, limit):
            retry_after = max(1, math.ceil(failures[0] + settings.SIGN_IN_LOCKOUT_SECONDS - now))
            logger.warning(
                "Sign-in refused for %r from %s: %d failed sign-ins (%s) within %s s",
                username[:150],
                address,
                len(failures),
                limit,
                settings.SIGN_IN_LOCKOUT_SECONDS,
            )
            raise SignInLocked(retry_after, limit)


def sign_in_failed(*, username: str, address: str) -> None:
    now = time.time()
    timeout = math.ceil(settings.SIGN_IN_LOCKOUT_SECONDS) + 1
    for key in sign_in_failure_keys(username=username, address=address).values():
        # Read, append, write: two failures at the same instant may count as one, which a
        # lockout counted in handfuls can afford.
        cache.set(key, [*recent_failures(key, now), now], timeout=timeout)
    logger.info("Failed sign-in for %r from %s", username[:150], address)


def sign_in_authenticate(
    *, request: HttpRequest, username: str, password: str, address: str
) -> User:
    """The person with these credentials; WrongCredentials if none, SignInLocked while locked out.

    A locked attempt is refused before the password is checked: a right password does not get
    an attacker through the lockout, and a locked account costs no password hashing.
    """
    sign_in_check(username=username, address=address)
    user = authenticate(request, username=username, password=password)
    if user is None:
        sign_in_failed(username=username, address=address)
        raise WrongCredentials
    assert isinstance(user, User), "AUTH_USER_MODEL is Django's User"
    return user


# --- API tokens --------------------------------------------------------------------------------------


def token_expires_at(token: Token) -> datetime:
    return token.created + timedelta(seconds=settings.API_TOKEN_TTL_SECONDS)


def token_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


@transaction.atomic
def token_for(*, user: User) -> Token:
    """The person's API token: the current one while it lasts, else a new one."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not token_expired(token):
        return token
    if token is not None:
        token.delete()
    return Token.objects.create(user=user)


def token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()
