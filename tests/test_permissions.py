"""The permission matrix: every endpoint, for every kind of person and every kind of authentication.

Nobody sees or touches another organisation's objects (404, never a 403 that would confirm
they exist); personal authentications are their creator's alone; organisational ones are used
by every member and changed by their creator and admins; viewers read and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Model
from rest_framework.test import APIClient

from accounts.models import Membership, Organisation, Role
from auth_store.models import Authentication
from auth_store.services import authentication_create
from builder.models import Run, StepRun, Workflow, WorkflowVersion
from builder.services.workflows import workflow_create
from tests.helpers import create_member

pytestmark = pytest.mark.django_db

ACTORS = ("owner", "admin", "member", "viewer", "outsider", "anonymous")


@dataclass
class World:
    people: dict[str, Any]
    objects: dict[str, str]

    def client(self, actor: str) -> APIClient:
        client = APIClient()
        if actor != "anonymous":
            client.force_authenticate(self.people[actor])
        return client


def totango_fields(server) -> dict[str, str]:
    return {"api_token": "totango-token", "data_center": "custom", "base_url": server.base_url}


@pytest.fixture
def world(organisation, fake_totango) -> World:
    """An organisation with one person of each role plus Carol (a member), and an outsider."""
    people = {
        role: create_member(organisation, role, role)
        for role in (Role.OWNER, Role.ADMIN, Role.MEMBER, Role.VIEWER)
    }
    carol = create_member(organisation, "carol", Role.MEMBER)
    people["carol"] = carol
    elsewhere = Organisation.objects.create(name="Another company")
    people["outsider"] = create_member(elsewhere, "outsider", Role.OWNER)

    def totango_authentication_of(person, name: str, scope: str) -> str:
        fields = totango_fields(fake_totango)
        created = authentication_create(
            owner=person, name=name, connector="totango", scope=scope, fields=fields
        )
        return str(created.id)

    objects = {
        f"own_personal:{actor}": totango_authentication_of(person, f"{actor}'s", "personal")
        for actor, person in people.items()
    }
    objects["others_personal"] = totango_authentication_of(carol, "Carol's", "personal")
    objects["organisational"] = totango_authentication_of(carol, "Team Totango", "organisational")
    workflow = workflow_create(user=carol, name="Carol's workflow")
    objects["workflow"] = str(workflow.id)
    version = workflow.versions.get()
    objects["workflow_version"] = str(version.pk)
    run = Run.objects.create(workflow=workflow, workflow_version=version, started_by=carol)
    step_run = StepRun.objects.create(
        run=run,
        sequence=1,
        path="trigger",
        step_name="trigger",
        connector="manual",
        operation="manual",
        status="succeeded",
        started_at=run.created_at,
        duration_ms=1.0,
    )
    objects["run"] = str(run.id)
    objects["step_run"] = str(step_run.pk)
    outsider_workflow = workflow_create(user=people["outsider"], name="Outsider's workflow")
    objects["outsider_workflow"] = str(outsider_workflow.id)
    objects["carol"] = str(carol.pk)
    objects["carol_membership"] = str(carol.membership.pk)
    return World(people=people, objects=objects)


def expect(
    owner: int, admin: int, member: int, viewer: int, outsider: int, anonymous: int
) -> dict[str, int]:
    return dict(zip(ACTORS, (owner, admin, member, viewer, outsider, anonymous), strict=True))


# --- What a request changed in the database ---------------------------------------------------

SNAPSHOT_MODELS = (
    get_user_model(),
    Organisation,
    Membership,
    Authentication,
    Workflow,
    WorkflowVersion,
    Run,
    StepRun,
)
NEW_TIME = "<a new time>"


def snapshot() -> dict[str, dict[str, dict[str, Any]]]:
    """Every row of every model a request could touch, by model name and primary key."""
    return {
        model.__name__: {str(row["pk"]): row for row in model.objects.values("pk", *fields(model))}
        for model in SNAPSHOT_MODELS
    }


def fields(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if not field.primary_key]


def changes(before: dict, after: dict) -> dict[str, Any]:
    """What differs: rows created (counted), deleted (their keys) and changed (new values)."""
    found: dict[str, Any] = {}
    for model, old in before.items():
        new = after[model]
        if created := len(new.keys() - old.keys()):
            found[f"{model} created"] = created
        if deleted := sorted(old.keys() - new.keys()):
            found[f"{model} deleted"] = deleted
        changed = {
            key: {
                name: NEW_TIME if isinstance(value, datetime) else value
                for name, value in new[key].items()
                if value != old[key][name]
            }
            for key in old.keys() & new.keys()
            if new[key] != old[key]
        }
        if changed:
            found[f"{model} changed"] = changed
    return found


# What an allowed request changes, given the world's objects; reads change nothing.
Effect = Callable[[dict[str, str]], dict[str, Any]]


def nothing(objects: dict[str, str]) -> dict[str, Any]:
    return {}


def renames_authentication(key: str) -> Effect:
    return lambda objects: {
        "Authentication changed": {objects[key]: {"name": "x", "updated_at": NEW_TIME}}
    }


def deletes_authentication(key: str) -> Effect:
    return lambda objects: {"Authentication deleted": [objects[key]]}


def creates(**counts: int) -> Effect:
    return lambda objects: {f"{model} created": count for model, count in counts.items()}


def renames_the_organisation(objects: dict[str, str]) -> dict[str, Any]:
    return {"Organisation changed": {objects["own_organisation"]: {"name": "Renamed"}}}


def makes_carol_a_viewer(objects: dict[str, str]) -> dict[str, Any]:
    return {"Membership changed": {objects["carol_membership"]: {"role": "viewer"}}}


def removes_carol(objects: dict[str, str]) -> dict[str, Any]:
    # Her workflow and organisational authentication pass to the person removing her; her
    # personal authentications go; her account stays, deactivated, for the runs she started.
    successor = int(objects["actor"])
    return {
        "User changed": {objects["carol"]: {"is_active": False}},
        "Membership deleted": [objects["carol_membership"]],
        "Authentication deleted": sorted(
            [objects["own_personal:carol"], objects["others_personal"]]
        ),
        "Authentication changed": {objects["organisational"]: {"owner_id": successor}},
        "Workflow changed": {objects["workflow"]: {"created_by_id": successor}},
    }


def renames_the_workflow(objects: dict[str, str]) -> dict[str, Any]:
    # Every save is a new version, which runs started later use.
    return {
        "Workflow changed": {
            objects["workflow"]: {"name": "x", "version": 2, "updated_at": NEW_TIME}
        },
        "WorkflowVersion created": 1,
    }


def deletes_the_workflow(objects: dict[str, str]) -> dict[str, Any]:
    # Its versions, runs and their step runs go with it.
    return {
        "Workflow deleted": [objects["workflow"]],
        "WorkflowVersion deleted": [objects["workflow_version"]],
        "Run deleted": [objects["run"]],
        "StepRun deleted": [objects["step_run"]],
    }


def cancels_the_run(objects: dict[str, str]) -> dict[str, Any]:
    return {
        "Run changed": {
            objects["run"]: {
                "status": "cancelled",
                "cancel_requested": True,
                "finished_at": NEW_TIME,
            }
        }
    }


# (name, method, path template, body, expected status per actor, effect when allowed).
# `{own_personal}` is the actor's own personal authentication (anonymous: the owner's).
MATRIX: list[tuple[str, str, str, dict | str | None, dict[str, int], Effect]] = [
    (
        "list authentications",
        "get",
        "/api/authentications/",
        None,
        expect(200, 200, 200, 200, 200, 401),
        nothing,
    ),
    (
        "create authentication",
        "post",
        "/api/authentications/",
        "new_auth",
        expect(201, 201, 201, 403, 201, 401),
        creates(Authentication=1),
    ),
    (
        "read own personal",
        "get",
        "/api/authentications/{own_personal}/",
        None,
        expect(200, 200, 200, 200, 200, 401),
        nothing,
    ),
    (
        "read someone else's personal",
        "get",
        "/api/authentications/{others_personal}/",
        None,
        expect(404, 404, 404, 404, 404, 401),
        nothing,
    ),
    (
        "read organisational",
        "get",
        "/api/authentications/{organisational}/",
        None,
        expect(200, 200, 200, 200, 404, 401),
        nothing,
    ),
    (
        "rename own personal",
        "patch",
        "/api/authentications/{own_personal}/",
        {"name": "x"},
        expect(200, 200, 200, 403, 200, 401),
        renames_authentication("own_personal"),
    ),
    (
        "rename someone else's personal",
        "patch",
        "/api/authentications/{others_personal}/",
        {"name": "x"},
        expect(404, 404, 404, 403, 404, 401),
        nothing,
    ),
    (
        "rename organisational",
        "patch",
        "/api/authentications/{organisational}/",
        {"name": "x"},
        expect(200, 200, 403, 403, 404, 401),
        renames_authentication("organisational"),
    ),
    (
        "delete own personal",
        "delete",
        "/api/authentications/{own_personal}/",
        None,
        expect(204, 204, 204, 403, 204, 401),
        deletes_authentication("own_personal"),
    ),
    (
        "delete someone else's personal",
        "delete",
        "/api/authentications/{others_personal}/",
        None,
        expect(404, 404, 404, 403, 404, 401),
        nothing,
    ),
    (
        "delete organisational",
        "delete",
        "/api/authentications/{organisational}/",
        None,
        expect(204, 204, 403, 403, 404, 401),
        deletes_authentication("organisational"),
    ),
    (
        "test own personal",
        "post",
        "/api/authentications/{own_personal}/test/",
        None,
        expect(200, 200, 200, 403, 200, 401),
        nothing,
    ),
    (
        "test someone else's personal",
        "post",
        "/api/authentications/{others_personal}/test/",
        None,
        expect(404, 404, 404, 403, 404, 401),
        nothing,
    ),
    (
        "test organisational",
        "post",
        "/api/authentications/{organisational}/test/",
        None,
        expect(200, 200, 200, 403, 404, 401),
        nothing,
    ),
    (
        "list workflows",
        "get",
        "/api/workflows/",
        None,
        expect(200, 200, 200, 200, 200, 401),
        nothing,
    ),
    (
        "create workflow",
        "post",
        "/api/workflows/",
        {"name": "New"},
        expect(201, 201, 201, 403, 201, 401),
        creates(Workflow=1, WorkflowVersion=1),
    ),
    (
        "read workflow",
        "get",
        "/api/workflows/{workflow}/",
        None,
        expect(200, 200, 200, 200, 404, 401),
        nothing,
    ),
    (
        "rename workflow",
        "patch",
        "/api/workflows/{workflow}/",
        {"name": "x", "version": 1},
        expect(200, 200, 200, 403, 404, 401),
        renames_the_workflow,
    ),
    (
        "delete workflow",
        "delete",
        "/api/workflows/{workflow}/",
        None,
        expect(204, 204, 204, 403, 404, 401),
        deletes_the_workflow,
    ),
    (
        "run workflow",
        "post",
        "/api/workflows/{workflow}/runs/",
        {},
        expect(202, 202, 202, 403, 404, 401),
        creates(Run=1),
    ),
    (
        "read another organisation's workflow",
        "get",
        "/api/workflows/{outsider_workflow}/",
        None,
        expect(404, 404, 404, 404, 200, 401),
        nothing,
    ),
    ("list runs", "get", "/api/runs/", None, expect(200, 200, 200, 200, 200, 401), nothing),
    (
        "list runs of a workflow",
        "get",
        "/api/runs/?workflow={workflow}",
        None,
        expect(200, 200, 200, 200, 404, 401),
        nothing,
    ),
    ("read run", "get", "/api/runs/{run}/", None, expect(200, 200, 200, 200, 404, 401), nothing),
    (
        "read run steps",
        "get",
        "/api/runs/{run}/steps/",
        None,
        expect(200, 200, 200, 200, 404, 401),
        nothing,
    ),
    (
        "read one step run",
        "get",
        "/api/runs/{run}/steps/1/",
        None,
        expect(200, 200, 200, 200, 404, 401),
        nothing,
    ),
    (
        "replay run",
        "post",
        "/api/runs/{run}/replay/",
        None,
        expect(202, 202, 202, 403, 404, 401),
        creates(Run=1),
    ),
    # The run has not failed: people who may retry it are told why they cannot.
    (
        "retry run",
        "post",
        "/api/runs/{run}/retry/",
        None,
        expect(409, 409, 409, 403, 404, 401),
        nothing,
    ),
    (
        "cancel run",
        "post",
        "/api/runs/{run}/cancel/",
        None,
        expect(200, 200, 200, 403, 404, 401),
        cancels_the_run,
    ),
    (
        "list members",
        "get",
        "/api/organisation/members/",
        None,
        expect(200, 200, 200, 200, 200, 401),
        nothing,
    ),
    (
        "add member",
        "post",
        "/api/organisation/members/",
        "new_member",
        expect(201, 201, 403, 403, 201, 401),
        creates(User=1, Membership=1),
    ),
    (
        "read organisation",
        "get",
        "/api/organisation/",
        None,
        expect(200, 200, 200, 200, 200, 401),
        nothing,
    ),
    (
        "rename organisation",
        "patch",
        "/api/organisation/",
        {"name": "Renamed"},
        expect(200, 200, 403, 403, 200, 401),
        renames_the_organisation,
    ),
    (
        "change a member's role",
        "patch",
        "/api/organisation/members/{carol}/",
        {"role": "viewer"},
        expect(200, 200, 403, 403, 404, 401),
        makes_carol_a_viewer,
    ),
    (
        "remove a member",
        "delete",
        "/api/organisation/members/{carol}/",
        None,
        expect(204, 204, 403, 403, 404, 401),
        removes_carol,
    ),
    (
        "connector catalogue",
        "get",
        "/api/connectors/",
        None,
        expect(200, 200, 200, 200, 200, 401),
        nothing,
    ),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    ("name", "method", "path", "body", "expected", "effect"),
    MATRIX,
    ids=[row[0] for row in MATRIX],
)
def test_permission_matrix(world, fake_totango, actor, name, method, path, body, expected, effect):
    person = world.people["owner" if actor == "anonymous" else actor]
    objects = {
        **world.objects,
        "own_personal": world.objects[f"own_personal:{'owner' if actor == 'anonymous' else actor}"],
        "own_organisation": str(person.membership.organisation_id),
        "actor": str(person.pk),
    }
    if body == "new_auth":
        body = {
            "name": "New",
            "connector": "totango",
            "scope": "personal",
            "fields": totango_fields(fake_totango),
        }
    elif body == "new_member":
        body = {"username": f"new-{actor}", "password": "a long passphrase", "role": "member"}
    before = snapshot()

    response = getattr(world.client(actor), method)(path.format(**objects), body, format="json")

    # A refused request changed nothing; an allowed one did exactly what it asked
    assert response.status_code == expected[actor], response.content
    allowed = response.status_code < 400
    assert changes(before, snapshot()) == (effect(objects) if allowed else {})


def test_lists_show_only_what_each_person_may_see(world):
    visible = {
        actor: {
            item["id"]
            for item in world.client(actor).get("/api/authentications/").json()["results"]
        }
        for actor in ACTORS[:-1]
    }

    for actor in ("owner", "admin", "member", "viewer"):
        assert visible[actor] == {
            world.objects[f"own_personal:{actor}"],
            world.objects["organisational"],
        }
    assert visible["outsider"] == {world.objects["own_personal:outsider"]}
    workflows = {
        item["id"] for item in world.client("outsider").get("/api/workflows/").json()["results"]
    }
    assert workflows == {world.objects["outsider_workflow"]}
    assert world.client("outsider").get("/api/runs/").json()["results"] == []


def test_a_workflow_cannot_use_someone_elses_personal_authentication(world):
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "totango-1", "type": "normal"}],
        "steps": {
            "totango-1": {
                "connector": "totango",
                "operation": "search_data_raw",
                "authentication": world.objects["others_personal"],
                "properties": {
                    "data_type": {"type": "string", "value": "accounts"},
                    "query": {"type": "string", "value": '{"terms": []}'},
                },
            }
        },
    }

    response = world.client("admin").post(
        "/api/workflows/", {"name": "x", "definition": definition}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "path": "steps.totango-1.authentication",
            "message": f"no authentication {world.objects['others_personal']!r}",
        }
    ]


def test_an_admin_cannot_create_an_owner(world):
    response = world.client("admin").post(
        "/api/organisation/members/",
        {"username": "boss", "password": "a long passphrase", "role": "owner"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "role", "message": "an admin cannot give the role owner"}
    ]


def test_a_colleague_can_edit_a_workflow_that_uses_someone_elses_personal_authentication(world):
    # Given Carol's workflow using her personal authentication
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "totango-1", "type": "normal"}],
        "steps": {
            "totango-1": {
                "connector": "totango",
                "operation": "search_data_raw",
                "authentication": world.objects["others_personal"],
                "properties": {
                    "data_type": {"type": "string", "value": "accounts"},
                    "query": {"type": "string", "value": '{"terms": []}'},
                },
            }
        },
    }
    workflow = (
        world.client("carol")
        .post(
            "/api/workflows/", {"name": "Carol's search", "definition": definition}, format="json"
        )
        .json()
    )

    # When the admin renames the step, keeping its authentication, then tries to switch it
    definition["steps"]["totango-1"]["title"] = "Search paying accounts"
    kept = world.client("admin").patch(
        f"/api/workflows/{workflow['id']}/", {"version": 1, "definition": definition}, format="json"
    )
    definition["steps"]["totango-1"]["properties"]["data_type"]["value"] = "users"
    repurposed = world.client("admin").patch(
        f"/api/workflows/{workflow['id']}/", {"version": 2, "definition": definition}, format="json"
    )
    definition["steps"]["totango-1"]["authentication"] = world.objects["own_personal:member"]
    switched = world.client("admin").patch(
        f"/api/workflows/{workflow['id']}/", {"version": 2, "definition": definition}, format="json"
    )

    # Then the edit is saved, but the admin can neither repurpose the step with Carol's
    # personal authentication nor put someone else's personal one in
    assert kept.status_code == 200
    assert repurposed.status_code == 400
    assert repurposed.json()["errors"][0]["path"] == "steps.totango-1.authentication"
    assert switched.status_code == 400
    assert switched.json()["errors"][0]["path"] == "steps.totango-1.authentication"
