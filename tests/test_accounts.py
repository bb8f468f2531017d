"""First-run setup, browser sign-in and tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_first_run_setup_creates_the_owner_once():
    client = APIClient()
    assert client.get("/api/setup/").json() == {"needs_setup": True}

    created = client.post(
        "/api/setup/", {"username": "owner", "password": "a long passphrase"}, format="json"
    )
    again = client.post(
        "/api/setup/", {"username": "intruder", "password": "another passphrase"}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["username"] == "owner"
    assert again.status_code == 409
    assert again.json() == {"detail": "Setup is already done: sign in instead."}
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["owner"]
    assert client.get("/api/setup/").json() == {"needs_setup": False}


def test_setup_refuses_a_weak_password_naming_the_field():
    response = APIClient().post(
        "/api/setup/", {"username": "owner", "password": "123"}, format="json"
    )

    assert response.status_code == 400
    assert [error["path"] for error in response.json()["errors"]] == [
        "password",
        "password",
        "password",
    ]
    assert get_user_model().objects.count() == 0


def test_token_from_setup_authenticates_api_calls():
    client = APIClient()
    token = client.post(
        "/api/setup/", {"username": "owner", "password": "a long passphrase"}, format="json"
    ).json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/me/").json()["username"] == "owner"


def test_sign_in_starts_a_session_and_sign_out_ends_it(user):
    client = APIClient(enforce_csrf_checks=True)
    assert client.get("/api/me/").status_code == 401
    client.get("/")  # the app's page sets the CSRF cookie, as in the browser
    csrf = client.cookies["csrftoken"].value

    wrong = client.post(
        "/api/auth/sign-in/",
        {"username": "ada", "password": "nope"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    right = client.post(
        "/api/auth/sign-in/",
        {"username": "ada", "password": "correct horse battery"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )

    assert wrong.status_code == 400
    assert wrong.json()["errors"] == [
        {"path": "password", "message": "Wrong username or password."}
    ]
    assert right.status_code == 200
    assert client.get("/api/me/").json() == {
        "id": user.id,
        "username": "ada",
        "email": "",
        "organisation": {
            "id": str(user.membership.organisation_id),
            "name": "Acme Customer Success",
        },
        "role": "owner",
    }
    csrf = client.cookies["csrftoken"].value
    assert client.post("/api/auth/sign-out/", HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert client.get("/api/me/").status_code == 401


def test_anonymous_requests_are_refused():
    client = APIClient()

    assert client.get("/api/workflows/").status_code == 401
    assert client.get("/api/authentications/").status_code == 401
    assert client.get("/api/health/").json() == {"status": "ok"}


def test_sign_in_without_the_csrf_token_is_refused_even_for_an_anonymous_visitor(user):
    # Given another site making a visitor's browser post ada's credentials (login CSRF)
    client = APIClient(enforce_csrf_checks=True)
    client.get("/")

    # When the post carries no CSRF token, as a cross-site form cannot
    as_json = client.post(
        "/api/auth/sign-in/",
        {"username": "ada", "password": "correct horse battery"},
        format="json",
    )
    as_form = client.post(
        "/api/auth/sign-in/", {"username": "ada", "password": "correct horse battery"}
    )

    # Then no session is started
    assert as_json.status_code == 403
    assert as_json.json() == {"detail": "CSRF Failed: CSRF token missing."}
    assert as_form.status_code == 403
    assert client.get("/api/me/").status_code == 401


def issue_token(client: APIClient) -> dict:
    response = client.post(
        "/api/token/", {"username": "ada", "password": "correct horse battery"}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_token_is_issued_with_its_expiry(settings, user):
    settings.API_TOKEN_TTL_SECONDS = 3600
    before = timezone.now()

    issued = issue_token(APIClient())

    token = Token.objects.get(user=user)
    assert issued["token"] == token.key
    expires_at = timezone.datetime.fromisoformat(issued["expires_at"])
    assert expires_at == token.created + timedelta(seconds=3600)
    assert before + timedelta(seconds=3600) <= expires_at
    assert issue_token(APIClient())["token"] == token.key  # the same one while it lasts


def test_an_expired_token_is_refused_with_401_and_a_new_one_is_issued(settings, user):
    # Given a token issued an hour and a second ago, and tokens that last an hour
    settings.API_TOKEN_TTL_SECONDS = 3600
    old = issue_token(APIClient())["token"]
    Token.objects.filter(key=old).update(created=timezone.now() - timedelta(seconds=3601))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")

    # When it is used, then a new one is asked for
    refused = client.get("/api/me/")
    new = issue_token(APIClient())["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {new}")

    # Then the expired one is refused, saying why, and the new one works
    assert refused.status_code == 401
    assert refused.json() == {
        "detail": "The token has expired (tokens last API_TOKEN_TTL_SECONDS = 3600 seconds): "
        "get a new one with POST /api/token/."
    }
    assert new != old
    assert client.get("/api/me/").status_code == 200


def test_delete_token_revokes_the_callers_token(user):
    token = issue_token(APIClient())["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    revoked = client.delete("/api/token/")

    assert revoked.status_code == 204
    assert client.get("/api/me/").status_code == 401
    assert Token.objects.filter(user=user).count() == 0
    assert APIClient().delete("/api/token/").status_code == 401


def test_sign_out_with_a_token_revokes_it(user):
    token = issue_token(APIClient())["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    signed_out = client.post("/api/auth/sign-out/")

    assert signed_out.status_code == 204
    assert client.get("/api/me/").status_code == 401
    assert Token.objects.filter(key=token).exists() is False
