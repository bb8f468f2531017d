"""Sign-in lockout: failed sign-ins per account and per address are answered 429 with Retry-After."""

from __future__ import annotations

import logging
import time

import pytest
from rest_framework.test import APIClient

from tests.helpers import create_member

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery"
ENDPOINTS = ["/api/token/", "/api/auth/sign-in/"]


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.SIGN_IN_MAX_FAILURES_PER_ACCOUNT = 3
    settings.SIGN_IN_MAX_FAILURES_PER_ADDRESS = 100
    settings.SIGN_IN_LOCKOUT_SECONDS = 600


def browser(address: str = "203.0.113.1") -> APIClient:
    """A client from `address` holding the CSRF cookie the app's page sets, as a browser does."""
    client = APIClient(enforce_csrf_checks=True, REMOTE_ADDR=address)
    client.get("/")
    return client


def sign_in(client: APIClient, endpoint: str, username: str, password: str):
    return client.post(
        endpoint,
        {"username": username, "password": password},
        format="json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_wrong_passwords_lock_the_account_with_429_and_retry_after(user, endpoint):
    # Given three wrong passwords for ada
    client = browser()
    wrong = [sign_in(client, endpoint, "ada", f"guess {number}").status_code for number in range(3)]

    # When she (or the attacker) tries again, with the right password or not
    locked = sign_in(client, endpoint, "ada", "guess 4")
    right_while_locked = sign_in(client, endpoint, "ada", RIGHT)

    # Then every further attempt is refused without checking the password
    assert wrong == [400, 400, 400]
    assert locked.status_code == 429
    assert 599 <= int(locked.headers["Retry-After"]) <= 600
    assert locked.json()["detail"] == (
        "Too many failed sign-ins (SIGN_IN_MAX_FAILURES_PER_ACCOUNT within "
        "SIGN_IN_LOCKOUT_SECONDS). Try again in 10 minutes."
    )
    assert right_while_locked.status_code == 429


def test_the_lock_of_an_account_holds_on_both_endpoints_from_any_address(user):
    client = browser("203.0.113.1")
    for number in range(3):
        assert sign_in(client, "/api/token/", "ada", f"guess {number}").status_code == 400

    elsewhere = browser("198.51.100.7")

    assert sign_in(elsewhere, "/api/auth/sign-in/", "ada", RIGHT).status_code == 429
    assert sign_in(elsewhere, "/api/token/", "ada", RIGHT).status_code == 429


def test_another_account_from_another_address_still_signs_in(user, organisation):
    create_member(organisation, "grace")
    attacker = browser("203.0.113.1")
    for number in range(4):
        sign_in(attacker, "/api/token/", "ada", f"guess {number}")

    grace = browser("198.51.100.7")

    assert sign_in(grace, "/api/token/", "grace", RIGHT).status_code == 200
    assert sign_in(grace, "/api/auth/sign-in/", "grace", RIGHT).status_code == 200


def test_many_failures_from_one_address_lock_that_address(settings, user, organisation):
    # Given an address that tried three accounts that do not exist
    settings.SIGN_IN_MAX_FAILURES_PER_ACCOUNT = 100
    settings.SIGN_IN_MAX_FAILURES_PER_ADDRESS = 3
    create_member(organisation, "grace")
    sprayer = browser("203.0.113.1")
    for name in ("alan", "barbara", "claude"):
        assert sign_in(sprayer, "/api/token/", name, "password1").status_code == 400

    # When that address signs in with a right password, and another address does
    from_sprayer = sign_in(sprayer, "/api/token/", "grace", RIGHT)
    from_elsewhere = sign_in(browser("198.51.100.7"), "/api/token/", "grace", RIGHT)

    # Then the address is locked, the account is not
    assert from_sprayer.status_code == 429
    assert from_sprayer.json()["detail"].startswith(
        "Too many failed sign-ins (SIGN_IN_MAX_FAILURES_PER_ADDRESS within"
    )
    assert from_elsewhere.status_code == 200


def test_a_forged_forwarded_for_header_does_not_change_the_address(settings, user):
    settings.SIGN_IN_MAX_FAILURES_PER_ACCOUNT = 100
    settings.SIGN_IN_MAX_FAILURES_PER_ADDRESS = 3
    client = browser("203.0.113.1")
    statuses = [
        client.post(
            "/api/token/",
            {"username": "ada", "password": "nope"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        ).status_code
        for number in range(4)
    ]

    assert statuses == [400, 400, 400, 429]


def test_a_locked_account_signs_in_again_once_the_lockout_has_passed(settings, user):
    # Given a lockout of one second, and ada locked out
    settings.SIGN_IN_LOCKOUT_SECONDS = 1
    client = browser()
    for number in range(3):
        sign_in(client, "/api/token/", "ada", f"guess {number}")
    locked = sign_in(client, "/api/token/", "ada", RIGHT)

    # When she tries again with her password until it is accepted
    deadline = time.monotonic() + 10
    answers = []
    while time.monotonic() < deadline:
        answers.append(sign_in(client, "/api/token/", "ada", RIGHT).status_code)
        if answers[-1] != 429:
            break
        time.sleep(0.1)

    # Then it was refused while locked, and works once the second has passed
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "1"
    assert locked.json()["detail"].endswith("Try again in 1 second.")
    assert answers[-1] == 200
    assert set(answers[:-1]) <= {429}


def test_a_lockout_is_logged_without_the_password(user, caplog):
    client = browser()
    with caplog.at_level(logging.INFO, logger="accounts.services"):
        for number in range(4):
            sign_in(client, "/api/auth/sign-in/", "ada", f"secret guess {number}")

    assert "Sign-in refused for 'ada' from 203.0.113.1: 3 failed sign-ins" in caplog.text
    ours = [record.levelname for record in caplog.records if record.name == "accounts.services"]
    assert ours == ["INFO"] * 3 + ["WARNING"]
    assert "secret guess" not in caplog.text
