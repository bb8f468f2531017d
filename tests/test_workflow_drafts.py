"""Drafts: a definition with problems is saved and lists them; runs and enabling refuse it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Organisation, Role
from builder.models import Run, Workflow
from tests.helpers import (
    create_member,
    create_workflow,
    single_step_definition,
    slack_authentication,
    string,
    totango_authentication,
    wait_for_run,
    walkthrough_definition,
)

pytestmark = pytest.mark.django_db

QUERY_REQUIRED = {
    "path": "steps.totango-1.properties.query",
    "message": "Search query string is required",
}


def totango_without_query(authentication: str) -> dict[str, Any]:
    """A Totango step half configured: its query not given yet."""
    return single_step_definition(
        "totango", "search_data_raw", {"data_type": string("accounts")}, authentication
    )


@pytest.fixture
def draft(api, fake_totango) -> dict[str, Any]:
    return create_workflow(api, totango_without_query(totango_authentication(api, fake_totango)))


def test_a_draft_is_saved_with_its_problems_in_every_representation(api, fake_totango):
    definition = totango_without_query(totango_authentication(api, fake_totango))

    created = api.post(
        "/api/workflows/", {"name": "Draft", "definition": definition}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["definition"] == definition
    assert created.json()["problems"] == [QUERY_REQUIRED]
    detail = api.get(f"/api/workflows/{created.json()['id']}/").json()
    assert detail["problems"] == [QUERY_REQUIRED]
    listed = api.get("/api/workflows/").json()["results"]
    assert [(item["id"], item["problems"]) for item in listed] == [
        (created.json()["id"], [QUERY_REQUIRED])
    ]


def test_a_problem_fixed_by_an_edit_leaves_none(api, draft):
    definition = copy.deepcopy(draft["definition"])
    definition["steps"]["totango-1"]["properties"]["query"] = string('{"terms": []}')

    response = api.patch(
        f"/api/workflows/{draft['id']}/", {"version": 1, "definition": definition}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["problems"] == []


def test_a_draft_on_a_stale_version_is_refused_and_loses_nothing(api, draft):
    url = f"/api/workflows/{draft['id']}/"
    assert api.patch(url, {"name": "Ada's", "version": 1}, format="json").status_code == 200

    stale = api.patch(
        url, {"version": 1, "definition": copy.deepcopy(draft["definition"])}, format="json"
    )

    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert api.get(url).json()["name"] == "Ada's"


def test_running_a_draft_is_refused_listing_its_problems(api, draft):
    response = api.post(f"/api/workflows/{draft['id']}/runs/", {"payload": {}}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The workflow cannot run: fix these problems first.",
        "errors": [QUERY_REQUIRED],
        "problems": [QUERY_REQUIRED],
    }
    assert Run.objects.count() == 0


def test_enabling_a_draft_is_refused_listing_its_problems(api, draft):
    response = api.patch(f"/api/workflows/{draft['id']}/", {"enabled": True}, format="json")

    assert response.status_code == 400
    assert response.json()["problems"] == [QUERY_REQUIRED]
    assert Workflow.objects.get(id=draft["id"]).enabled is False


def test_replaying_a_run_of_a_workflow_that_became_a_draft_is_refused(api, fake_totango):
    authentication = totango_authentication(api, fake_totango)
    complete = totango_without_query(authentication)
    complete["steps"]["totango-1"]["properties"]["query"] = string('{"terms": []}')
    workflow = create_workflow(api, complete)
    run = api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json").json()
    api.patch(
        f"/api/workflows/{workflow['id']}/",
        {"version": 1, "definition": totango_without_query(authentication)},
        format="json",
    )

    replay = api.post(f"/api/runs/{run['id']}/replay/")
    retry = api.post(f"/api/runs/{run['id']}/retry/")

    assert replay.status_code == 400
    assert replay.json()["problems"] == [QUERY_REQUIRED]
    assert retry.status_code == 400
    assert retry.json()["problems"] == [QUERY_REQUIRED]
    assert Run.objects.count() == 1


@pytest.mark.parametrize(
    ("definition", "errors"),
    [
        ([], [{"path": "", "message": "the definition must be a JSON object"}]),
        (
            {
                "trigger": {"connector": "manual", "operation": "manual"},
                "steps_structure": [{"name": "a-1", "type": "parallel"}],
                "steps": {"a-1": {"connector": "storage"}},
            },
            [
                {
                    "path": "steps_structure.0.type",
                    "message": "'parallel' is not one of normal, loop, branch",
                }
            ],
        ),
        (
            {
                "trigger": {"connector": "manual", "operation": "manual"},
                "steps_structure": [{"name": "slack-1", "type": "normal"}],
                "steps": {},
            },
            [{"path": "steps_structure.0.name", "message": "there is no step 'slack-1' in steps"}],
        ),
        (
            {
                "trigger": {"connector": "manual", "operation": "manual"},
                "steps_structure": [{"name": "loop-1", "type": "loop"}],
                "steps": {"loop-1": {"connector": "loop", "operation": "nope"}},
            },
            [
                {
                    "path": "steps_structure.0.content",
                    "message": 'a loop needs content {"_loop": [...]}',
                }
            ],
        ),
    ],
    ids=["not an object", "unknown node type", "step without settings", "loop without lane"],
)
def test_structural_nonsense_is_still_refused(api, definition, errors):
    response = api.post("/api/workflows/", {"name": "x", "definition": definition}, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "The workflow definition is invalid.", "errors": errors}
    assert Workflow.objects.count() == 0


def test_a_step_past_the_nesting_limit_is_still_refused_naming_the_setting(api, settings):
    settings.DEFINITION_MAX_NESTING = 0
    definition = {
        "trigger": {"connector": "manual", "operation": "manual"},
        "steps_structure": [
            {"name": "loop-1", "type": "loop", "content": {"_loop": [{"name": "a-1"}]}}
        ],
        "steps": {"loop-1": {"connector": "loop", "operation": "loop_list"}, "a-1": {}},
    }

    response = api.post("/api/workflows/", {"name": "x", "definition": definition}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "path": "steps_structure.0.content._loop.0",
            "message": "this step is inside 1 loops and branches; at most 0 may be nested "
            "(DEFINITION_MAX_NESTING)",
        }
    ]


def test_the_steps_of_a_loop_with_a_problem_are_still_checked(api):
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "loop-1", "type": "loop", "content": {"_loop": [{"name": "keep"}]}}
        ],
        "steps": {
            "loop-1": {"connector": "loop", "operation": "loop_list", "properties": {}},
            "keep": {
                "connector": "storage",
                "operation": "set_value",
                "properties": {"key": string("last"), "value": {"type": "jsonpath"}},
            },
        },
    }

    workflow = create_workflow(api, definition)

    assert workflow["problems"] == [
        {"path": "steps.loop-1.properties.list", "message": "List is required"},
        {"path": "steps.keep.properties.value.value", "message": "value is missing"},
    ]


def test_a_forcibly_deleted_authentication_is_a_problem_and_keeps_the_workflow_from_running(
    api, fake_totango, fake_slack
):
    slack = slack_authentication(api, fake_slack)
    workflow = create_workflow(
        api,
        walkthrough_definition(
            totango_auth=totango_authentication(api, fake_totango), slack_auth=slack
        ),
    )
    assert workflow["problems"] == []

    assert api.delete(f"/api/authentications/{slack}/?force=true").status_code == 204

    gone = {"path": "steps.slack-1.authentication", "message": f"no authentication {slack!r}"}
    assert api.get(f"/api/workflows/{workflow['id']}/").json()["problems"] == [gone]
    response = api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"] == [gone]


def test_another_organisations_authentication_is_never_stored(api, fake_totango):
    elsewhere = Organisation.objects.create(name="Elsewhere")
    outsider = APIClient()
    outsider.force_authenticate(create_member(elsewhere, "eve", Role.OWNER))
    theirs = totango_authentication(outsider, fake_totango)

    response = api.post(
        "/api/workflows/", {"name": "x", "definition": totango_without_query(theirs)}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "steps.totango-1.authentication", "message": f"no authentication {theirs!r}"}
    ]
    assert Workflow.objects.count() == 0


def test_a_colleagues_personal_authentication_is_a_problem_for_whoever_may_not_use_it(
    api, user, fake_totango
):
    # Ada's draft uses her personal authentication; Bob, a colleague, opens it
    draft = create_workflow(api, totango_without_query(totango_authentication(api, fake_totango)))
    bob = APIClient()
    bob.force_authenticate(create_member(user.membership.organisation, "bob"))
    authentication = draft["definition"]["steps"]["totango-1"]["authentication"]

    seen_by_bob = bob.get(f"/api/workflows/{draft['id']}/").json()["problems"]

    assert seen_by_bob == [
        QUERY_REQUIRED,
        {
            "path": "steps.totango-1.authentication",
            "message": f"no authentication {authentication!r}",
        },
    ]
    assert api.get(f"/api/workflows/{draft['id']}/").json()["problems"] == [QUERY_REQUIRED]


@pytest.mark.django_db(transaction=True)
def test_a_webhook_of_an_enabled_workflow_edited_into_a_draft_fails_its_run_naming_the_problems(
    api, celery_worker
):
    shout = single_step_definition(
        "text_helpers", "change_case", {"text": string("hi"), "case": string("upper")}
    )
    shout["trigger"] = {
        "connector": "webhook",
        "operation": "webhook",
        "properties": {"check": string("none"), "reply": string("immediately")},
    }
    workflow = create_workflow(api, shout, name="Webhook")
    enabled = api.patch(f"/api/workflows/{workflow['id']}/", {"enabled": True}, format="json")
    assert enabled.status_code == 200, enabled.json()
    del shout["steps"]["text_helpers-1"]["properties"]["text"]
    edited = api.patch(
        f"/api/workflows/{workflow['id']}/", {"version": 1, "definition": shout}, format="json"
    )
    assert edited.json()["problems"] == [
        {"path": "steps.text_helpers-1.properties.text", "message": "Text is required"}
    ]
    token = Workflow.objects.get(id=workflow["id"]).webhook_token

    called = Client().post(f"/hooks/{token}/", {"name": "ada"}, content_type="application/json")

    assert called.status_code == 202
    run = wait_for_run(api, called.json()["run_id"])
    assert run["status"] == "failed"
    assert run["error"] == (
        "The workflow is invalid: steps.text_helpers-1.properties.text: Text is required"
    )


def test_a_step_without_the_authentication_its_connector_needs_is_a_problem(api):
    definition = totango_without_query("")
    definition["steps"]["totango-1"]["properties"]["query"] = string('{"terms": []}')

    workflow = create_workflow(api, definition)

    assert workflow["problems"] == [
        {
            "path": "steps.totango-1.authentication",
            "message": "Totango needs an authentication: choose one in the step's Authenticate tab",
        }
    ]
