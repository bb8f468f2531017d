"""The organisation page's API: its name, its people and their roles, never without an owner."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Membership, Organisation, Role
from auth_store.models import Authentication
from builder.models import Run, Workflow
from tests.helpers import create_member, walkthrough_definition

pytestmark = pytest.mark.django_db


def client_of(person: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def roles(organisation: Organisation) -> dict[str, str]:
    return dict(
        Membership.objects.filter(organisation=organisation).values_list("user__username", "role")
    )


def test_setup_names_the_organisation_and_the_page_shows_it():
    client = APIClient()
    token = client.post(
        "/api/setup/",
        {"username": "ada", "password": "a long passphrase", "organisation_name": "Acme CS"},
        format="json",
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = client.get("/api/organisation/")

    assert response.status_code == 200
    assert response.json()["name"] == "Acme CS"
    assert set(response.json()) == {"id", "name", "created_at"}
    assert client.get("/api/me/").json()["organisation"]["name"] == "Acme CS"


def test_setup_without_a_name_gives_the_owners_workspace():
    client = APIClient()
    token = client.post(
        "/api/setup/", {"username": "ada", "password": "a long passphrase"}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/organisation/").json()["name"] == "ada's workspace"


def test_an_owner_renames_the_organisation(api, organisation):
    response = api.patch("/api/organisation/", {"name": "  Customer Success  "}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "Customer Success"
    organisation.refresh_from_db()
    assert organisation.name == "Customer Success"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field may not be blank."),
        ("x" * 201, "Ensure this field has no more than 200 characters."),
        (None, "This field may not be null."),
    ],
)
def test_a_bad_organisation_name_is_refused_naming_the_field(api, organisation, name, message):
    response = api.patch("/api/organisation/", {"name": name}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "name", "message": message}]
    organisation.refresh_from_db()
    assert organisation.name == "Acme Customer Success"


def test_members_list_each_person_with_their_role(api, organisation):
    create_member(organisation, "bob", Role.VIEWER)

    people = api.get("/api/organisation/members/").json()

    assert [(person["username"], person["role"]) for person in people] == [
        ("ada", "owner"),
        ("bob", "viewer"),
    ]
    assert set(people[0]) == {"id", "username", "email", "role", "created_at"}


def test_an_owner_adds_a_person_changes_their_role_and_removes_them(api, organisation):
    # Given a person added as a member
    added = api.post(
        "/api/organisation/members/",
        {"username": "bob", "password": "a long passphrase", "role": "member"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    bob = added.json()["id"]

    # When the owner makes them an admin, then removes them
    changed = api.patch(f"/api/organisation/members/{bob}/", {"role": "admin"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["role"] == "admin"
    assert roles(organisation) == {"ada": "owner", "bob": "admin"}
    removed = api.delete(f"/api/organisation/members/{bob}/")

    # Then they are gone from the organisation, and cannot sign in any more
    assert removed.status_code == 204
    assert roles(organisation) == {"ada": "owner"}
    signing_in = APIClient().post(
        "/api/token/", {"username": "bob", "password": "a long passphrase"}, format="json"
    )
    assert signing_in.status_code == 400
    assert signing_in.json()["detail"] == "Wrong username or password."


def test_a_bad_role_is_refused_naming_the_field(api, organisation):
    bob = create_member(organisation, "bob", Role.MEMBER)

    response = api.patch(f"/api/organisation/members/{bob.id}/", {"role": "boss"}, format="json")
    missing = api.patch(f"/api/organisation/members/{bob.id}/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "role", "message": '"boss" is not a valid choice.'}
    ]
    assert missing.json()["errors"] == [{"path": "role", "message": "This field is required."}]
    assert roles(organisation)["bob"] == "member"


def test_the_last_owner_cannot_be_demoted_or_removed(api, user, organisation):
    admin = create_member(organisation, "eve", Role.ADMIN)

    demoted = api.patch(f"/api/organisation/members/{user.id}/", {"role": "admin"}, format="json")
    removed = api.delete(f"/api/organisation/members/{user.id}/")

    message = "ada is the organisation's last owner: make someone else an owner first."
    assert demoted.status_code == 409
    assert demoted.json() == {"detail": message, "errors": [{"path": "role", "message": message}]}
    assert removed.status_code == 409
    assert removed.json() == {"detail": message}
    # An admin may not touch an owner at all
    by_admin = client_of(admin).delete(f"/api/organisation/members/{user.id}/")
    assert by_admin.status_code == 403
    assert by_admin.json() == {"detail": "An admin cannot remove the membership of an owner."}
    assert roles(organisation) == {"ada": "owner", "eve": "admin"}


def test_with_a_second_owner_the_first_may_step_down(api, user, organisation):
    grace = create_member(organisation, "grace", Role.OWNER)

    stepped_down = api.patch(
        f"/api/organisation/members/{user.id}/", {"role": "member"}, format="json"
    )
    # Now Grace is the last owner: Ada, a member now, cannot change anything
    demoting_grace = client_of(grace).patch(
        f"/api/organisation/members/{grace.id}/", {"role": "admin"}, format="json"
    )

    assert stepped_down.status_code == 200
    assert demoting_grace.status_code == 409
    assert roles(organisation) == {"ada": "member", "grace": "owner"}


def test_nobody_removes_themselves(organisation, user):
    admin = create_member(organisation, "eve", Role.ADMIN)

    response = client_of(admin).delete(f"/api/organisation/members/{admin.id}/")

    assert response.status_code == 409
    assert response.json() == {"detail": "You cannot remove yourself: ask another owner or admin."}
    assert roles(organisation) == {"ada": "owner", "eve": "admin"}


def test_an_admin_gives_at_most_their_own_role(organisation, user):
    admin = create_member(organisation, "eve", Role.ADMIN)
    bob = create_member(organisation, "bob", Role.MEMBER)

    promoted = client_of(admin).patch(
        f"/api/organisation/members/{bob.id}/", {"role": "owner"}, format="json"
    )
    made_admin = client_of(admin).patch(
        f"/api/organisation/members/{bob.id}/", {"role": "admin"}, format="json"
    )

    assert promoted.status_code == 400
    assert promoted.json()["errors"] == [
        {"path": "role", "message": "an admin cannot give the role owner"}
    ]
    assert made_admin.status_code == 200
    assert roles(organisation) == {"ada": "owner", "eve": "admin", "bob": "admin"}


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_read_the_page_but_change_nothing(organisation, user, role):
    person = create_member(organisation, "bob", role)
    client = client_of(person)

    assert client.get("/api/organisation/").status_code == 200
    assert [member["username"] for member in client.get("/api/organisation/members/").json()] == [
        "ada",
        "bob",
    ]
    renamed = client.patch("/api/organisation/", {"name": "Mine"}, format="json")
    changed = client.patch(f"/api/organisation/members/{user.id}/", {"role": role}, format="json")
    removed = client.delete(f"/api/organisation/members/{user.id}/")

    assert renamed.status_code == changed.status_code == removed.status_code == 403
    assert renamed.json() == {"detail": "Only an owner or an admin can rename the organisation."}
    assert changed.json() == {"detail": "Only an owner or an admin can change or remove people."}
    assert roles(organisation) == {"ada": "owner", "bob": role}
    organisation.refresh_from_db()
    assert organisation.name == "Acme Customer Success"


def test_another_organisations_people_are_not_found(api, organisation):
    elsewhere = Organisation.objects.create(name="Another company")
    stranger = create_member(elsewhere, "stranger", Role.MEMBER)
    create_member(elsewhere, "their-owner", Role.OWNER)

    changed = api.patch(f"/api/organisation/members/{stranger.id}/", {"role": "viewer"})
    removed = api.delete(f"/api/organisation/members/{stranger.id}/")
    unknown = api.delete("/api/organisation/members/999999/")

    assert changed.status_code == removed.status_code == unknown.status_code == 404
    assert removed.json() == {"detail": "No member of your organisation has this id."}
    assert roles(elsewhere) == {"stranger": "member", "their-owner": "owner"}
    assert [member["username"] for member in api.get("/api/organisation/members/").json()] == [
        "ada"
    ]
    assert api.get("/api/organisation/").json()["name"] == "Acme Customer Success"


def test_removing_someone_keeps_their_workflows_runs_and_shared_authentications(
    api, user, organisation, fake_totango, fake_slack
):
    # Given Carol, with a token, a personal and an organisational authentication, and a
    # workflow using the organisational ones, which she ran
    carol = create_member(organisation, "carol", Role.MEMBER)
    carol_api = client_of(carol)
    token = Token.objects.create(user=carol)
    browser = APIClient()
    assert browser.login(username="carol", password="correct horse battery")
    assert browser.get("/api/me/").status_code == 200

    def authentication(name: str, connector: str, scope: str, fields: dict[str, str]) -> str:
        response = carol_api.post(
            "/api/authentications/",
            {"name": name, "connector": connector, "scope": scope, "fields": fields},
            format="json",
        )
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    totango_fields = {
        "api_token": "totango-token",
        "data_center": "custom",
        "base_url": fake_totango.base_url,
    }
    personal = authentication("Carol's Totango", "totango", "personal", totango_fields)
    shared_totango = authentication("Team Totango", "totango", "organisational", totango_fields)
    shared_slack = authentication(
        "Team Slack",
        "slack",
        "organisational",
        {"bot_token": "xoxb-test-token", "base_url": fake_slack.base_url + "/api/"},
    )
    definition = walkthrough_definition(totango_auth=shared_totango, slack_auth=shared_slack)
    workflow = carol_api.post(
        "/api/workflows/", {"name": "Carol's alerts", "definition": definition}, format="json"
    ).json()
    version = Workflow.objects.get(id=workflow["id"]).versions.get()
    Run.objects.create(workflow_id=workflow["id"], workflow_version=version, started_by=carol)

    # When the owner removes her
    assert api.delete(f"/api/organisation/members/{carol.id}/").status_code == 204

    # Then her workflow stays in the organisation, now the owner's, and can still be enabled
    # (the schedules and webhooks of an enabled workflow act as its creator)
    assert Workflow.objects.get(id=workflow["id"]).created_by == user
    enabled = api.patch(f"/api/workflows/{workflow['id']}/", {"enabled": True}, format="json")
    assert enabled.status_code == 200, enabled.json()
    # Her run still says who started it
    runs = api.get(f"/api/runs/?workflow={workflow['id']}").json()["results"]
    assert [run["started_by"] for run in runs] == ["carol"]
    # The organisational authentications stay, the owner's now; her personal one is deleted
    owners = Authentication.objects.values_list("id", "owner__username")
    assert {str(key): owner for key, owner in owners} == {
        shared_totango: "ada",
        shared_slack: "ada",
    }
    assert not Authentication.objects.filter(id=personal).exists()
    # And her account is kept for the record but can do nothing: her token no longer works
    carol.refresh_from_db()
    assert carol.is_active is False
    assert not Token.objects.filter(key=token.key).exists()
    refused = APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert refused.status_code == 401
    assert browser.get("/api/me/").status_code == 401  # her browser session ended too
    assert get_user_model().objects.filter(username="carol").count() == 1
