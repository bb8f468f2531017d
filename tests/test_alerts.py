"""Alerting through the real stack: a workflow names an alert workflow (with the Alert trigger),
which runs once, with the failed run as its payload, when a run of the first one fails.

Runs go through a real worker; the ways a run ends without a worker (run_finish reached twice,
the sweep failing a run whose worker was lost too often) are driven through the services.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organisation, Role
from builder.models import Run, RunEvent, RunStatus, RunTriggerKind, Workflow
from builder.services.alerts import run_alert
from builder.services.execution import run_finish
from builder.services.recovery import runs_resume_lost
from builder.services.workflows import workflow_create
from tests.helpers import (
    all_step_runs,
    create_member,
    create_workflow,
    jsonpath,
    poll,
    slack_authentication,
    start_run,
    string,
    wait_for_run,
)

MANUAL = {"connector": "manual", "operation": "manual", "properties": {}}
ALERT = {"connector": "alert", "operation": "alert", "properties": {}}


def shout(text: dict[str, Any]) -> dict[str, Any]:
    """Text helpers' Change case: fails when `text` is a path that does not resolve."""
    return {
        "connector": "text_helpers",
        "operation": "change_case",
        "properties": {"text": text, "case": string("upper")},
    }


def flow(trigger: dict[str, Any], **steps: dict[str, Any]) -> dict[str, Any]:
    return {
        "trigger": trigger,
        "steps_structure": [{"name": name, "type": "normal"} for name in steps],
        "steps": steps,
    }


def alert_workflow(api: APIClient, name: str = "Tell the team", **steps: dict[str, Any]) -> dict:
    """A workflow with the Alert trigger; by default one step reading the failed run's name."""
    steps = steps or {"text-1": shout(jsonpath("$.steps.trigger.workflow.name"))}
    return create_workflow(api, flow(ALERT, **steps), name=name)


def failing_when_nameless(api: APIClient, alert_id: str | None, name: str = "Sync") -> dict:
    """A manual workflow whose step fails unless the payload has a name; alerting `alert_id`."""
    response = api.post(
        "/api/workflows/",
        {
            "name": name,
            "definition": flow(MANUAL, **{"text-1": shout(jsonpath("$.steps.trigger.name"))}),
            "alert_workflow": alert_id,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["alert_workflow"] == alert_id
    return response.json()


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def runs_of(workflow: dict[str, Any]) -> list[Run]:
    return list(Run.objects.filter(workflow_id=workflow["id"]))


# --- Through the worker -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failing_run_starts_its_alert_workflow_once_with_the_failed_run_as_payload(
    api, celery_worker
):
    # Given an alert workflow, and a workflow that names it and fails without a name
    alert = alert_workflow(api)
    watched = failing_when_nameless(api, alert["id"])

    # When a run of it fails
    failed_id = start_run(api, watched)
    failed = wait_for_run(api, failed_id)
    assert failed["status"] == "failed", failed
    assert failed["failed_step"] == "text-1"

    # Then one run of the alert workflow starts, for that run, and succeeds
    alert_run = poll(lambda: Run.objects.filter(alert_for_id=failed_id).first(), "no alert run")
    finished = wait_for_run(api, str(alert_run.id))
    assert finished["status"] == "succeeded", finished
    assert [str(run.id) for run in runs_of(alert)] == [str(alert_run.id)]

    # with the failed run as its payload, every field of it
    expected = {
        "workflow": {"id": watched["id"], "name": "Sync"},
        "run": {
            "id": failed_id,
            "url": f"{settings.APP_URL}/workflows/{watched['id']}?run={failed_id}",
        },
        "failed_step": "text-1",
        "error": failed["error"],
        "started_at": finished["trigger_payload"]["started_at"],
    }
    assert finished["trigger_payload"] == expected
    assert moment(expected["started_at"]) == moment(failed["started_at"])
    assert failed["error"] == "$.steps.trigger.name in property 'text' did not resolve"
    # readable by its steps as the trigger's output
    steps = {step["path"]: step for step in all_step_runs(api, str(alert_run.id))}
    assert steps["trigger"]["output"] == expected
    assert steps["text-1"]["output"] == {"result": "SYNC"}

    # And the two link to each other in the API; no person started the alert run
    assert finished["trigger_kind"] == "alert"
    assert finished["started_by"] is None
    assert finished["trigger"] == "alert"
    assert finished["alert_for"] == failed_id
    assert finished["alerts"] == []
    failed = api.get(f"/api/runs/{failed_id}/").json()
    assert failed["alerts"] == [str(alert_run.id)]
    assert failed["alert_for"] is None
    listed = api.get(f"/api/runs/?workflow={alert['id']}").json()["results"]
    assert [(run["id"], run["alert_for"]) for run in listed] == [(str(alert_run.id), failed_id)]


@pytest.mark.django_db(transaction=True)
def test_a_failing_alert_run_starts_no_alert_of_its_own(api, celery_worker):
    # Given an alert workflow that itself names an alert workflow, and fails
    last_resort = alert_workflow(api, name="Last resort")
    broken_alert = alert_workflow(
        api, name="Broken alert", **{"text-1": shout(jsonpath("$.steps.trigger.nothing"))}
    )
    response = api.patch(
        f"/api/workflows/{broken_alert['id']}/",
        {"alert_workflow": last_resort["id"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    watched = failing_when_nameless(api, broken_alert["id"])

    # When a run of the watched workflow fails, and so does its alert run
    failed_id = start_run(api, watched)
    assert wait_for_run(api, failed_id)["status"] == "failed"
    alert_run = poll(lambda: Run.objects.filter(alert_for_id=failed_id).first(), "no alert run")
    assert wait_for_run(api, str(alert_run.id))["status"] == "failed"

    # Then the alert run's failure starts nothing (an alert run is committed with the failure
    # it is for, so none can come later): no storm
    assert runs_of(last_resort) == []
    assert [run.id for run in runs_of(broken_alert)] == [alert_run.id]
    assert api.get(f"/api/runs/{alert_run.id}/").json()["alerts"] == []


@pytest.mark.django_db(transaction=True)
def test_a_succeeded_run_starts_no_alert(api, celery_worker):
    alert = alert_workflow(api)
    watched = failing_when_nameless(api, alert["id"])

    run_id = start_run(api, watched, {"name": "Ada"})

    assert wait_for_run(api, run_id)["status"] == "succeeded"
    assert runs_of(alert) == []


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_run_starts_no_alert(api, patient_worker, fake_slack):
    # Given a workflow naming an alert workflow, running, its Slack message held
    alert = alert_workflow(api)
    slack = slack_authentication(api, fake_slack)
    definition = flow(
        MANUAL,
        **{
            "slack-1": {
                "connector": "slack",
                "operation": "send_message",
                "authentication": slack,
                "properties": {"channel": string("#customer-success"), "text": string("Hi")},
            }
        },
    )
    watched = create_workflow(api, definition, name="Greeter")
    assert (
        api.patch(
            f"/api/workflows/{watched['id']}/", {"alert_workflow": alert["id"]}, format="json"
        ).status_code
        == 200
    )
    fake_slack.hold()
    try:
        run_id = start_run(api, watched)
        fake_slack.wait_until_held(1)

        # When it is cancelled while running
        assert api.post(f"/api/runs/{run_id}/cancel/").status_code == 200
        finished = wait_for_run(api, run_id)
    finally:
        fake_slack.release()

    # Then it ends cancelled, and no alert run starts
    assert finished["status"] == "cancelled", finished
    assert runs_of(alert) == []
    assert finished["alerts"] == []


@pytest.mark.django_db(transaction=True)
def test_a_run_failed_by_the_sweep_after_lost_workers_starts_its_alert(
    api, celery_worker, settings
):
    # Given a run of a workflow naming an alert workflow, lost on its step as often as allowed
    settings.RUN_STALE_AFTER_SECONDS = 10
    settings.RUN_MAX_WORKER_LOSSES_PER_STEP = 2
    alert = alert_workflow(api)
    watched = failing_when_nameless(api, alert["id"])
    workflow = Workflow.objects.get(id=watched["id"])
    lost = Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(),
        status=RunStatus.RUNNING,
        attempt=2,
        started_at=timezone.now() - timedelta(minutes=5),
        heartbeat_at=timezone.now() - timedelta(seconds=11),
        progress={"current_step": "text-1", "loops": {}},
    )
    RunEvent.objects.create(
        run=lost,
        at=timezone.now(),
        kind="worker_lost",
        step="text-1",
        reason="worker lost",
        attempt=2,
        message="…",
    )

    # When the sweep finds it
    assert runs_resume_lost(ids=[lost.id]) == 1

    # Then it fails, and its alert workflow runs once with it as payload
    lost.refresh_from_db()
    assert (lost.status, lost.failed_step) == ("failed", "text-1")
    alert_run = Run.objects.get(alert_for=lost)
    finished = wait_for_run(api, str(alert_run.id))
    assert finished["status"] == "succeeded", finished
    assert finished["trigger_payload"]["run"]["id"] == str(lost.id)
    assert finished["trigger_payload"]["failed_step"] == "text-1"
    assert finished["trigger_payload"]["error"] == lost.error
    assert moment(finished["trigger_payload"]["started_at"]) == lost.started_at
    assert [run.id for run in runs_of(alert)] == [alert_run.id]


# --- The services alone (nothing they enqueue is sent) -------------------------------------------


@pytest.fixture
def failing(user) -> Run:
    """A running run of a workflow that names an alert workflow."""
    alert = workflow_create(user=user, name="Tell the team", definition=flow(ALERT))
    watched = workflow_create(user=user, name="Sync")
    Workflow.objects.filter(id=watched.id).update(alert_workflow=alert)
    return Run.objects.create(
        workflow=watched,
        workflow_version=watched.versions.get(),
        started_by=user,
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
    )


@pytest.mark.django_db
def test_a_run_finished_failed_twice_alerts_once(failing):
    run_finish(run_id=failing.id, status=RunStatus.FAILED, failed_step="text-1", error="Boom")
    run_finish(run_id=failing.id, status=RunStatus.FAILED, failed_step="text-1", error="Again")

    [alert_run] = Run.objects.filter(alert_for=failing)
    assert alert_run.trigger_kind == RunTriggerKind.ALERT
    assert alert_run.trigger_payload["error"] == "Boom"


@pytest.mark.django_db
@pytest.mark.parametrize("status", [RunStatus.SUCCEEDED, RunStatus.CANCELLED])
def test_a_run_that_ends_otherwise_starts_no_alert(failing, status):
    run_finish(run_id=failing.id, status=status)

    assert not Run.objects.filter(alert_for=failing).exists()
    assert run_alert(run_id=failing.id) is None


@pytest.mark.django_db
def test_an_alert_run_that_fails_starts_no_alert(failing):
    Run.objects.filter(id=failing.id).update(trigger_kind=RunTriggerKind.ALERT, started_by=None)

    run_finish(run_id=failing.id, status=RunStatus.FAILED, error="Boom")

    assert Run.objects.get(id=failing.id).status == RunStatus.FAILED
    assert not Run.objects.filter(alert_for=failing).exists()


@pytest.mark.django_db
def test_an_alert_is_started_once_per_failed_run_even_if_asked_again(failing):
    run_finish(run_id=failing.id, status=RunStatus.FAILED, error="Boom")
    [first] = Run.objects.filter(alert_for=failing)

    # (what the unique constraint on alert_for guards: two enders racing)
    assert run_alert(run_id=failing.id) == first
    assert Run.objects.filter(alert_for=failing).count() == 1


@pytest.mark.django_db
def test_an_alert_workflow_whose_trigger_changed_since_is_not_started(failing):
    alert = Workflow.objects.get(id=failing.workflow_id).alert_workflow
    assert alert is not None
    Workflow.objects.filter(id=alert.id).update(definition=flow(MANUAL))

    run_finish(run_id=failing.id, status=RunStatus.FAILED, error="Boom")

    assert not Run.objects.filter(alert_for=failing).exists()
    assert not Run.objects.filter(workflow=alert).exists()


# --- Naming the alert workflow ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_alert_workflow_is_set_and_cleared_without_a_version(api):
    alert = alert_workflow(api)
    watched = create_workflow(api, flow(MANUAL), name="Sync")

    response = api.patch(
        f"/api/workflows/{watched['id']}/", {"alert_workflow": alert["id"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["alert_workflow"], response.json()["version"]) == (alert["id"], 1)
    assert api.get(f"/api/workflows/{watched['id']}/").json()["alert_workflow"] == alert["id"]

    # with an edit that names its version, both are saved
    response = api.patch(
        f"/api/workflows/{watched['id']}/",
        {"name": "Sync accounts", "version": 1, "alert_workflow": None},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["alert_workflow"], response.json()["version"]) == (None, 2)
    assert Workflow.objects.get(id=watched["id"]).alert_workflow_id is None


@pytest.mark.django_db
def test_deleting_the_alert_workflow_clears_the_setting(api):
    alert = alert_workflow(api)
    watched = failing_when_nameless(api, alert["id"])

    assert api.delete(f"/api/workflows/{alert['id']}/").status_code == 204

    assert api.get(f"/api/workflows/{watched['id']}/").json()["alert_workflow"] is None


def refusal(response: Any) -> str:
    assert response.status_code == 400, response.json()
    [error] = response.json()["errors"]
    assert error["path"] == "alert_workflow", response.json()
    return error["message"]


@pytest.mark.django_db
def test_an_unusable_alert_workflow_is_refused_naming_the_field(api, user):
    watched = create_workflow(api, flow(MANUAL), name="Sync")
    not_alert = create_workflow(api, flow(MANUAL), name="Plain")
    elsewhere = workflow_create(
        user=create_member(Organisation.objects.create(name="Other"), "bob", Role.OWNER),
        name="Their alert",
        definition=flow(ALERT),
    )
    url = f"/api/workflows/{watched['id']}/"

    def patch(value: Any) -> Any:
        return api.patch(url, {"alert_workflow": value}, format="json")

    assert refusal(patch(not_alert["id"])) == (
        "Workflow 'Plain' cannot be an alert workflow: its trigger is Manual trigger, not "
        "Alert. Give it the Alert trigger first."
    )
    assert refusal(patch(str(elsewhere.id))) == (
        f"No workflow {elsewhere.id} in this organisation."
    )
    assert refusal(patch(watched["id"])).startswith("A workflow cannot be its own alert workflow")
    assert refusal(patch("not-a-uuid"))

    # also when creating, and nothing is created then
    response = api.post(
        "/api/workflows/",
        {"name": "New", "definition": flow(MANUAL), "alert_workflow": not_alert["id"]},
        format="json",
    )
    refusal(response)
    assert not Workflow.objects.filter(name="New").exists()
    assert Workflow.objects.get(id=watched["id"]).alert_workflow_id is None
