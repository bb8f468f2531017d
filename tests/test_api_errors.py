"""Domain errors answered by the API: the exact status, body and headers of each."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from tests.helpers import create_authentication, create_member, create_workflow

HTTP_FIELDS = {"auth_type": "bearer", "token": "a-long-enough-token"}
EMPTY = {
    "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
    "steps_structure": [],
    "steps": {},
}


def http_step(authentication: str) -> dict:
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "http-1"}],
        "steps": {
            "http-1": {
                "connector": "http",
                "operation": "http_request",
                "authentication": authentication,
                "properties": {
                    "method": {"type": "string", "value": "GET"},
                    "url": {"type": "string", "value": "https://example.com/"},
                },
            }
        },
    }


def test_an_invalid_definition_names_each_field(api):
    response = api.post(
        "/api/workflows/",
        {
            "name": "x",
            "definition": {
                "trigger": {"connector": "manual", "operation": "manual"},
                "steps_structure": [{"name": "a", "type": "loopy"}],
                "steps": {},
            },
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The workflow definition is invalid.",
        "errors": [
            {
                "path": "steps_structure.0.type",
                "message": "'loopy' is not one of normal, loop, branch",
            }
        ],
    }


def test_an_edit_on_a_stale_version_answers_409_with_the_current_version(api):
    workflow = create_workflow(api, EMPTY, name="Stale")
    url = f"/api/workflows/{workflow['id']}/"
    assert api.patch(url, {"name": "First", "version": 1}, format="json").status_code == 200

    response = api.patch(url, {"name": "Second", "version": 1}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The workflow was changed elsewhere since you loaded it: reload it, then "
        "make your change again.",
        "current_version": 2,
    }


def test_an_invalid_authentication_names_each_field(api):
    response = api.post(
        "/api/authentications/",
        {"name": "Mine", "connector": "http", "scope": "personal", "fields": []},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The authentication is invalid.",
        "errors": [{"path": "fields", "message": "must be an object of the connector's fields"}],
    }


def test_deleting_an_authentication_in_use_answers_409_naming_the_workflows(api):
    authentication = create_authentication(api, "http", HTTP_FIELDS)
    create_workflow(api, http_step(authentication), name="Zeta")
    create_workflow(api, http_step(authentication), name="Alpha")

    response = api.delete(f"/api/authentications/{authentication}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Workflows use this authentication: Alpha, Zeta. Delete it with ?force=true "
        "to delete it anyway.",
        "workflows": ["Alpha", "Zeta"],
    }
    assert api.get(f"/api/authentications/{authentication}/").status_code == 200


def test_deleting_an_authentication_no_workflow_uses_needs_no_force(api):
    authentication = create_authentication(api, "http", HTTP_FIELDS)

    response = api.delete(f"/api/authentications/{authentication}/")

    assert response.status_code == 204
    assert api.get(f"/api/authentications/{authentication}/").status_code == 404


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("cancel", "The run cannot be cancelled: the run has already cancelled."),
        (
            "retry",
            "The run cannot be retried: only a failed run can be retried from its failed step; "
            "this one cancelled.",
        ),
    ],
)
def test_an_action_the_runs_state_refuses_answers_409(api, action, expected):
    workflow = create_workflow(api, EMPTY, name="Queued")
    run = api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json").json()
    assert api.post(f"/api/runs/{run['id']}/cancel/").json()["status"] == "cancelled"

    response = api.post(f"/api/runs/{run['id']}/{action}/")

    assert response.status_code == 409
    assert response.json() == {"detail": expected}


def test_setup_once_done_answers_409(user):
    response = APIClient().post(
        "/api/setup/", {"username": "eve", "password": "a long passphrase"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "Setup is already done: sign in instead."}


def test_a_wrong_password_answers_400_naming_the_password(user):
    response = APIClient().post(
        "/api/token/", {"username": "ada", "password": "not the password"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Wrong username or password.",
        "errors": [{"path": "password", "message": "Wrong username or password."}],
    }


def test_an_invalid_member_names_each_field(api):
    response = api.post(
        "/api/organisation/members/",
        {"username": "ada", "password": "a long passphrase", "role": "member"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The member is invalid.",
        "errors": [{"path": "username", "message": "'ada' is already taken"}],
    }


def test_a_member_adding_people_answers_403(organisation):
    client = APIClient()
    client.force_authenticate(create_member(organisation, "bob", Role.MEMBER))

    response = client.post(
        "/api/organisation/members/",
        {"username": "carl", "password": "a long passphrase", "role": "member"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only an owner or an admin can add people."}
