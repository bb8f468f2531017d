"""First-run setup, browser sign-in and tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
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

    wrong = client.post(
        "/api/auth/sign-in/", {"username": "ada", "password": "nope"}, format="json"
    )
    right = client.post(
        "/api/auth/sign-in/",
        {"username": "ada", "password": "correct horse battery"},
        format="json",
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
