"""Webhooks end to end: the Enabled switch, the public URL /hooks/<token>/ and its checks, the
runs it starts (through the real worker) and the answers it gives.

Calls that only need the view go through Django's test client (the whole middleware stack);
those that need the run executed, or many calls at once, go to the live server with a real
Celery worker behind it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from typing import Any

import httpx
import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from builder.models import Run, StepRun, Workflow
from tests.helpers import (
    create_authentication,
    create_member,
    create_workflow,
    jsonpath,
    string,
    typed,
    wait_for_run,
)
from tests.servers import wait_until

SECRET = "webhook-shared-secret-0123456789"
CALLS = 500
CLIENTS = 20


# --- Definitions --------------------------------------------------------------------------------


def webhook_trigger(
    *,
    check: str = "none",
    reply: str = "immediately",
    header: str | None = None,
    authentication: str | None = None,
) -> dict[str, Any]:
    properties = {"check": string(check), "reply": string(reply)}
    if header is not None:
        properties["header"] = string(header)
    trigger: dict[str, Any] = {"connector": "webhook", "operation": "webhook"}
    trigger["properties"] = properties
    if authentication is not None:
        trigger["authentication"] = authentication
    return trigger


def shout_step() -> dict[str, Any]:
    """Text helpers' Change case of the caller's name: the one step of the workflow."""
    return {
        "connector": "text_helpers",
        "operation": "change_case",
        "properties": {"text": string("{$.steps.trigger.body.name}"), "case": string("upper")},
    }


def reply_step(status: int = 201) -> dict[str, Any]:
    return {
        "connector": "webhook",
        "operation": "webhook_response",
        "properties": {
            "status": typed(status),
            "headers": typed({"X-Greeting": "hello"}),
            "body": {
                "type": "object",
                "value": {
                    "greeting": string("Hello {$.steps.text-1.result}"),
                    "n": jsonpath("$.steps.trigger.body.n"),
                },
            },
        },
    }


def webhook_definition(*, steps: dict[str, Any] | None = None, **trigger: Any) -> dict[str, Any]:
    steps = {"text-1": shout_step()} if steps is None else steps
    return {
        "trigger": webhook_trigger(**trigger),
        "steps_structure": [{"name": name, "type": "normal"} for name in steps],
        "steps": steps,
    }


def answering_definition(*, before: dict[str, Any] | None = None) -> dict[str, Any]:
    """Replies with the workflow's answer: the caller's name shouted back, with status 201."""
    return webhook_definition(
        reply="with_response",
        steps={**(before or {}), "text-1": shout_step(), "reply-1": reply_step()},
    )


def enable(api: APIClient, workflow_id: str) -> dict[str, Any]:
    response = api.patch(f"/api/workflows/{workflow_id}/", {"enabled": True}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def enabled_webhook(api: APIClient, definition: dict[str, Any]) -> dict[str, Any]:
    return enable(api, create_workflow(api, definition, name="Webhook")["id"])


def hook_path(workflow: dict[str, Any]) -> str:
    token = Workflow.objects.get(id=workflow["id"]).webhook_token
    return f"/hooks/{token}/"


def runs_of(workflow: dict[str, Any]) -> int:
    return Run.objects.filter(workflow_id=workflow["id"]).count()


def secret_authentication(api: APIClient) -> str:
    return create_authentication(api, "webhook", {"secret": SECRET})


def signature(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- The Enabled switch and the URL in the API ------------------------------------------------


@pytest.mark.django_db
def test_enabling_alone_needs_no_version_and_makes_none(api):
    workflow = create_workflow(api, webhook_definition(), name="Webhook")
    assert workflow["enabled"] is False
    updated_at = Workflow.objects.get(id=workflow["id"]).updated_at

    enabled = enable(api, workflow["id"])

    stored = Workflow.objects.get(id=workflow["id"])
    assert enabled["enabled"] is True
    assert enabled["version"] == workflow["version"]
    assert stored.enabled_at is not None
    assert stored.updated_at == updated_at  # the dashboard's order does not change
    disabled = api.patch(f"/api/workflows/{workflow['id']}/", {"enabled": False}, format="json")
    assert disabled.json()["enabled"] is False
    assert disabled.json()["version"] == workflow["version"]


@pytest.mark.django_db
def test_enabled_and_an_edit_together_need_the_version_and_stand_or_fall_together(api):
    workflow = create_workflow(api, webhook_definition(), name="Webhook")
    half_configured = webhook_definition(check="header")  # no authentication for the check

    refused = api.patch(
        f"/api/workflows/{workflow['id']}/",
        {"enabled": True, "name": "Renamed", "definition": half_configured, "version": 1},
        format="json",
    )
    without_version = api.patch(
        f"/api/workflows/{workflow['id']}/", {"enabled": True, "name": "Renamed"}, format="json"
    )

    assert refused.status_code == 400
    assert without_version.status_code == 400
    assert without_version.json()["errors"][0]["path"] == "version"
    stored = Workflow.objects.get(id=workflow["id"])
    assert (stored.name, stored.version, stored.enabled) == ("Webhook", 1, False)


@pytest.mark.django_db
def test_a_workflow_may_be_created_enabled_unless_it_has_problems(api):
    created = api.post(
        "/api/workflows/",
        {"name": "On", "definition": webhook_definition(), "enabled": True},
        format="json",
    )
    refused = api.post(
        "/api/workflows/",
        {"name": "Half", "definition": webhook_definition(check="header"), "enabled": True},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["enabled"] is True
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["path"] == "trigger.authentication"
    assert list(Workflow.objects.values_list("name", flat=True)) == ["On"]


@pytest.mark.django_db
def test_the_workflow_gives_its_webhook_url_when_its_trigger_is_a_webhook(api):
    webhook = create_workflow(api, webhook_definition(), name="Webhook")
    manual = create_workflow(
        api,
        {
            "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
            "steps_structure": [],
            "steps": {},
        },
        name="Manual",
    )
    token = Workflow.objects.get(id=webhook["id"]).webhook_token

    listed = {item["name"]: item for item in api.get("/api/workflows/").json()["results"]}

    assert webhook["webhook_url"] == f"http://testserver/hooks/{token}/"
    assert len(token) >= 43
    assert manual["webhook_url"] is None
    assert listed["Webhook"]["webhook_url"] == webhook["webhook_url"]
    assert listed["Webhook"]["enabled"] is False
    assert listed["Manual"]["webhook_url"] is None


@pytest.mark.django_db
def test_enabling_a_half_configured_webhook_is_refused_listing_the_problems(api):
    workflow = create_workflow(
        api,
        webhook_definition(check="hmac_sha256", reply="with_response"),  # no secret, no reply
        name="Webhook",
    )

    response = api.patch(f"/api/workflows/{workflow['id']}/", {"enabled": True}, format="json")

    problems = [
        {
            "path": "trigger.authentication",
            "message": "the check (An HMAC-SHA256 signature of the body, in a header) needs "
            "the shared secret: choose the Webhook authentication holding it in the "
            "trigger's Authenticate tab",
        },
        {
            "path": "trigger.properties.reply",
            "message": "replying with the workflow's answer needs a Webhook response step "
            "to set it: add one, or reply immediately",
        },
    ]
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The workflow cannot be enabled: fix these problems first.",
        "errors": problems,
        "problems": problems,
    }
    assert Workflow.objects.get(id=workflow["id"]).enabled is False


@pytest.mark.django_db
def test_enabling_a_workflow_that_no_longer_compiles_is_refused_listing_the_problems(api):
    workflow = create_workflow(api, webhook_definition(), name="Webhook")
    # Saved before a connector was removed, say: the definition no longer compiles.
    broken = webhook_definition(steps={"gone-1": {"connector": "zendesk", "operation": "x"}})
    Workflow.objects.filter(id=workflow["id"]).update(definition=broken)

    response = api.patch(f"/api/workflows/{workflow['id']}/", {"enabled": True}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "steps.gone-1.connector", "message": "unknown connector 'zendesk'"}
    ]
    assert Workflow.objects.get(id=workflow["id"]).enabled is False


@pytest.mark.django_db
def test_enabling_checks_the_authentications_the_creators_runs_would_use(api, organisation):
    # Bob edits Ada's workflow to check calls with Bob's personal secret, which runs no
    # person starts (using Ada's authentications) could not read.
    workflow = create_workflow(api, webhook_definition(), name="Webhook")
    bob = APIClient()
    bob.force_authenticate(create_member(organisation, "bob", Role.MEMBER))
    bobs_secret = secret_authentication(bob)
    saved = bob.patch(
        f"/api/workflows/{workflow['id']}/",
        {
            "version": 1,
            "definition": webhook_definition(check="header", authentication=bobs_secret),
        },
        format="json",
    )
    assert saved.status_code == 200, saved.json()

    response = bob.patch(f"/api/workflows/{workflow['id']}/", {"enabled": True}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "trigger.authentication", "message": f"no authentication {bobs_secret!r}"}
    ]


@pytest.mark.django_db
def test_a_trigger_may_not_use_someone_elses_personal_authentication(api, organisation):
    carol = APIClient()
    carol.force_authenticate(create_member(organisation, "carol", Role.MEMBER))
    carols_secret = secret_authentication(carol)

    response = api.post(
        "/api/workflows/",
        {
            "name": "Webhook",
            "definition": webhook_definition(check="header", authentication=carols_secret),
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "trigger.authentication", "message": f"no authentication {carols_secret!r}"}
    ]


@pytest.mark.django_db
def test_an_authentication_a_webhook_trigger_uses_is_not_deleted_unasked(api):
    authentication = secret_authentication(api)
    create_workflow(
        api, webhook_definition(check="header", authentication=authentication), name="Signed"
    )

    response = api.delete(f"/api/authentications/{authentication}/")

    assert response.status_code == 409
    assert response.json()["workflows"] == ["Signed"]


@pytest.mark.django_db
def test_viewers_can_neither_enable_nor_regenerate_the_url(api, organisation):
    workflow = create_workflow(api, webhook_definition(), name="Webhook")
    token = Workflow.objects.get(id=workflow["id"]).webhook_token
    viewer = APIClient()
    viewer.force_authenticate(create_member(organisation, "vera", Role.VIEWER))

    enabling = viewer.patch(f"/api/workflows/{workflow['id']}/", {"enabled": True}, format="json")
    regenerating = viewer.post(f"/api/workflows/{workflow['id']}/webhook-token/")

    assert enabling.status_code == 403
    assert regenerating.status_code == 403
    stored = Workflow.objects.get(id=workflow["id"])
    assert (stored.enabled, stored.webhook_token) == (False, token)
    assert (
        viewer.get(f"/api/workflows/{workflow['id']}/")
        .json()["webhook_url"]
        .endswith(f"/hooks/{token}/")
    )


# --- Calls: which are answered, which start a run -------------------------------------------


@pytest.mark.django_db
def test_a_call_starts_a_run_of_the_call_with_credential_like_headers_redacted(api, client: Client):
    workflow = enabled_webhook(api, webhook_definition())

    response = client.post(
        hook_path(workflow) + "accounts/created?source=crm&tag=a&tag=b",
        data=json.dumps({"account": {"id": 42}, "name": "ada"}),
        content_type="application/json",
        headers={
            "Authorization": "Bearer abc",
            "Cookie": "sessionid=xyz",
            "X-Api-Key": "k-123",
            "X-Request-Id": "r-1",
        },
    )

    assert response.status_code == 202
    run = Run.objects.get(id=response.json()["run_id"])
    assert response.json() == {"run_id": str(run.id)}
    assert (run.trigger_kind, run.started_by, run.status) == ("webhook", None, "queued")
    call = run.trigger_payload
    assert call["method"] == "POST"
    assert call["path"] == "/accounts/created"
    assert call["query"] == {"source": "crm", "tag": ["a", "b"]}
    assert call["body"] == {"account": {"id": 42}, "name": "ada"}
    assert call["headers"]["authorization"] == "[redacted]"
    assert call["headers"]["cookie"] == "[redacted]"
    assert call["headers"]["x-api-key"] == "[redacted]"
    assert call["headers"]["x-request-id"] == "r-1"
    assert call["headers"]["content-type"] == "application/json"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "content_type", "data", "body"),
    [
        ("put", "application/x-www-form-urlencoded", "a=1&b=2&b=3", {"a": "1", "b": ["2", "3"]}),
        ("post", "text/plain", "hello\nworld", "hello\nworld"),
        ("patch", "application/vnd.api+json", '{"data": [1, 2]}', {"data": [1, 2]}),
        ("delete", "", "", None),
        ("get", "", "", None),
    ],
)
def test_json_form_and_text_bodies_are_read_whatever_the_method(
    api, client: Client, method, content_type, data, body
):
    workflow = enabled_webhook(api, webhook_definition())

    response = getattr(client, method)(hook_path(workflow), data=data, content_type=content_type)

    assert response.status_code == 202, response.content
    run = Run.objects.get(id=response.json()["run_id"])
    assert run.trigger_payload["method"] == method.upper()
    assert run.trigger_payload["body"] == body


@pytest.mark.django_db
def test_a_multipart_form_describes_its_files(api, client: Client):
    workflow = enabled_webhook(api, webhook_definition())
    upload = SimpleUpload("report.csv", b"a,b\n1,2\n")

    response = client.post(hook_path(workflow), data={"kind": "report", "file": upload})

    assert response.status_code == 202, response.content
    body = Run.objects.get(id=response.json()["run_id"]).trigger_payload["body"]
    assert body == {
        "kind": "report",
        "file": {"filename": "report.csv", "content_type": "text/csv", "size": 8},
    }


class SimpleUpload:
    """A file for Django's test client to send as multipart."""

    def __init__(self, name: str, content: bytes) -> None:
        self.name = name
        self.content = content

    def read(self) -> bytes:
        return self.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "The body is not valid JSON"),
        ('{"a": "\\u0000"}', "NUL character"),
    ],
)
def test_a_body_that_cannot_be_recorded_is_refused_and_starts_nothing(
    api, client: Client, data, message
):
    workflow = enabled_webhook(api, webhook_definition())

    response = client.post(hook_path(workflow), data=data, content_type="application/json")

    assert response.status_code == 400
    assert message in json.dumps(response.json())
    assert runs_of(workflow) == 0


@pytest.mark.django_db
def test_a_disabled_workflow_or_an_unknown_url_answers_404_and_starts_nothing(api, client: Client):
    disabled = create_workflow(api, webhook_definition(), name="Disabled")
    manual = enable(
        api,
        create_workflow(
            api,
            {
                "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
                "steps_structure": [],
                "steps": {},
            },
            name="Manual",
        )["id"],
    )

    answers = [
        client.post(hook_path(disabled), data="{}", content_type="application/json"),
        client.post(hook_path(manual), data="{}", content_type="application/json"),
        client.get("/hooks/not-a-token/"),
        client.get("/hooks/"),
    ]

    assert {answer.status_code for answer in answers} == {404}
    assert answers[0].json() == {"detail": "Not found: no enabled workflow has this webhook URL."}
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_other_methods_are_refused(api, client: Client):
    workflow = enabled_webhook(api, webhook_definition())

    response = client.options(hook_path(workflow))

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST, PUT, PATCH, DELETE"
    assert runs_of(workflow) == 0


@pytest.mark.django_db
def test_a_regenerated_token_retires_the_old_url(api, client: Client):
    workflow = enabled_webhook(api, webhook_definition())
    old_path = hook_path(workflow)

    response = api.post(f"/api/workflows/{workflow['id']}/webhook-token/")

    assert response.status_code == 200
    new_path = hook_path(workflow)
    assert new_path != old_path
    assert response.json()["webhook_url"] == f"http://testserver{new_path}"
    assert response.json()["version"] == workflow["version"]
    assert client.post(old_path, data="{}", content_type="application/json").status_code == 404
    assert client.post(new_path, data="{}", content_type="application/json").status_code == 202
    assert runs_of(workflow) == 1


@pytest.mark.django_db
def test_a_body_over_the_limit_gets_413_naming_the_setting_and_starts_nothing(api, client: Client):
    workflow = enabled_webhook(api, webhook_definition())

    response = client.post(
        hook_path(workflow), data=b"x" * (2 * 1024 * 1024), content_type="text/plain"
    )
    just_under = client.post(
        hook_path(workflow), data=b"x" * (1024 * 1024), content_type="text/plain"
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than the limit of 1048576 bytes "
        "(WEBHOOK_MAX_BODY_BYTES)."
    }
    assert just_under.status_code == 202
    assert runs_of(workflow) == 1


# --- The secret check ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "sent"),
    [
        (None, {"X-Webhook-Secret": SECRET}),
        ("X-Hook-Token", {"X-Hook-Token": SECRET}),
    ],
)
def test_the_header_check_takes_the_secret_and_refuses_anything_else(
    api, client: Client, header, sent
):
    authentication = secret_authentication(api)
    workflow = enabled_webhook(
        api, webhook_definition(check="header", header=header, authentication=authentication)
    )
    name = next(iter(sent))

    def call(headers: dict[str, str]) -> Any:
        return client.post(
            hook_path(workflow), data='{"n": 1}', content_type="application/json", headers=headers
        )

    wrong = [call({name: SECRET + "x"}), call({name: SECRET[:-1]}), call({})]
    right = call(sent)

    assert [answer.status_code for answer in wrong] == [401, 401, 401]
    assert wrong[0].json() == {
        "detail": f"The webhook's check failed: the {name} header is missing or wrong."
    }
    assert right.status_code == 202
    run = Run.objects.get(workflow_id=workflow["id"])  # the one call that passed
    assert run.trigger_payload["headers"][name.lower()] == "[redacted]"


@pytest.mark.django_db
def test_the_hmac_check_takes_the_bodys_signature_and_refuses_anything_else(api, client: Client):
    authentication = secret_authentication(api)
    workflow = enabled_webhook(
        api, webhook_definition(check="hmac_sha256", authentication=authentication)
    )
    body = b'{"account": {"id": 7}}'

    def call(signed: str | None, sent: bytes = body) -> Any:
        headers = {} if signed is None else {"X-Signature-256": signed}
        return client.post(
            hook_path(workflow), data=sent, content_type="application/json", headers=headers
        )

    wrong = [
        call(signature(body, "another-secret-0123456789")),
        call(signature(body), sent=b'{"account": {"id": 8}}'),  # the body changed
        call("sha256=" + "0" * 64),
        call(None),
    ]
    right = [call(signature(body)), call("sha256=" + signature(body).upper())]

    assert [answer.status_code for answer in wrong] == [401, 401, 401, 401]
    assert [answer.status_code for answer in right] == [202, 202]
    assert runs_of(workflow) == 2


@pytest.mark.django_db
def test_a_check_whose_secret_was_deleted_refuses_every_call(api, client: Client):
    authentication = secret_authentication(api)
    workflow = enabled_webhook(
        api, webhook_definition(check="header", authentication=authentication)
    )
    assert api.delete(f"/api/authentications/{authentication}/?force=true").status_code == 204

    response = client.post(
        hook_path(workflow),
        data="{}",
        content_type="application/json",
        headers={"X-Webhook-Secret": SECRET},
    )

    assert response.status_code == 401
    assert runs_of(workflow) == 0


# --- The run's answer ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_respond_stores_the_answer_at_once_for_the_runs_own_attempt_only(api):
    from auth_store.redaction import Redactor
    from builder.services.run_services import PlatformRunServices

    workflow = Workflow.objects.get(id=create_workflow(api, webhook_definition())["id"])
    run = Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(),
        trigger_kind="webhook",
        status="running",
        attempt=2,
    )
    current = PlatformRunServices(run_id=run.id, attempt=2, redactor=Redactor([SECRET]))
    lost = PlatformRunServices(run_id=run.id, attempt=1)

    current.respond({"status": 201, "headers": {}, "body": {"token": "t-1", "echo": SECRET}})
    lost.respond({"status": 500, "headers": {}, "body": "from an execution given up on"})

    run.refresh_from_db()
    # The caller's own token stays; the run's secrets never leave it.
    assert run.response == {
        "status": 201,
        "headers": {},
        "body": {"token": "t-1", "echo": "[redacted]"},
    }
    current.respond({"status": 200, "headers": {}, "body": "again"})
    run.refresh_from_db()
    assert run.response == {"status": 200, "headers": {}, "body": "again"}


# --- Through the live server and the worker ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_500_concurrent_calls_start_500_runs_each_with_its_own_body(
    api, live_server, celery_worker
):
    workflow = enabled_webhook(api, webhook_definition())
    url = live_server.url + hook_path(workflow)
    answers: dict[int, httpx.Response] = {}
    failures: list[BaseException] = []

    def caller(first: int) -> None:
        try:
            with httpx.Client(timeout=60) as http:
                for number in range(first, CALLS, CLIENTS):
                    answers[number] = http.post(url, json={"n": number, "name": f"caller {number}"})
        except BaseException as error:  # reported below, with the others' results
            failures.append(error)

    # When 20 clients make 500 calls at once
    threads = [threading.Thread(target=caller, args=(first,)) for first in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every call was accepted with a run of its own
    assert failures == []
    assert sorted(answers) == list(range(CALLS))
    assert {answer.status_code for answer in answers.values()} == {202}
    run_ids = {number: answer.json()["run_id"] for number, answer in answers.items()}
    assert len(set(run_ids.values())) == CALLS
    runs = Run.objects.filter(workflow_id=workflow["id"])
    assert runs.count() == CALLS
    assert {run.trigger_payload["body"]["n"]: str(run.id) for run in runs} == run_ids
    assert set(runs.values_list("trigger_kind", flat=True)) == {"webhook"}

    # And the worker ran each of them on its own body
    wait_until(
        lambda: runs.filter(status="succeeded").count() == CALLS,
        timeout=300,
        message=lambda: f"{runs.exclude(status='succeeded').count()} runs not succeeded",
    )
    shouted = StepRun.objects.filter(run__workflow_id=workflow["id"], path="text-1")
    assert sorted(shouted.values_list("output__result", flat=True)) == sorted(
        f"CALLER {number}" for number in range(CALLS)
    )


@pytest.mark.django_db(transaction=True)
def test_a_2_mb_body_sent_to_the_server_gets_413_unread(api, live_server):
    workflow = enabled_webhook(api, webhook_definition())

    response = httpx.post(
        live_server.url + hook_path(workflow),
        content=b"x" * (2 * 1024 * 1024),
        headers={"Content-Type": "text/plain"},
        timeout=60,
    )

    assert response.status_code == 413
    assert "(WEBHOOK_MAX_BODY_BYTES)" in response.json()["detail"]
    assert runs_of(workflow) == 0


@pytest.mark.django_db(transaction=True)
def test_a_call_waiting_for_the_answer_gets_the_webhook_response_steps(
    api, live_server, celery_worker
):
    workflow = enabled_webhook(api, answering_definition())

    response = httpx.post(
        live_server.url + hook_path(workflow), json={"n": 7, "name": "ada"}, timeout=60
    )

    assert response.status_code == 201
    assert response.json() == {"greeting": "Hello ADA", "n": 7}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-greeting"] == "hello"
    # Served from the app's own origin: whatever it holds runs nowhere.
    assert response.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    run = Run.objects.get(workflow_id=workflow["id"])
    assert run.response == {
        "status": 201,
        "headers": {"X-Greeting": "hello"},
        "body": {"greeting": "Hello ADA", "n": 7},
    }
    assert wait_for_run(api, str(run.id))["status"] == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_a_call_waiting_longer_than_the_timeout_gets_504_with_the_run_id(
    api, live_server, patient_worker, settings
):
    # The workflow calls an endpoint that holds its reply until the test lets it go.
    from tests.fakes.echo import FakeEcho

    settings.WEBHOOK_RESPONSE_TIMEOUT_SECONDS = 0.5
    with FakeEcho() as echo:
        echo.hold()
        fetch = {
            "connector": "http",
            "operation": "http_request",
            "properties": {"method": string("GET"), "url": string(echo.base_url + "/slow")},
        }
        workflow = enabled_webhook(api, answering_definition(before={"http-1": fetch}))

        response = httpx.post(
            live_server.url + hook_path(workflow), json={"n": 1, "name": "ada"}, timeout=60
        )
        echo.release()

        assert response.status_code == 504
        run_id = response.json()["run_id"]
        assert response.json() == {
            "run_id": run_id,
            "detail": "The workflow did not answer within 0.5 seconds "
            "(WEBHOOK_RESPONSE_TIMEOUT_SECONDS); its run goes on.",
        }
        # The run went on, and answered after all
        assert wait_for_run(api, run_id)["status"] == "succeeded"
        assert Run.objects.get(id=run_id).response["body"] == {"greeting": "Hello ADA", "n": 1}


@pytest.mark.django_db(transaction=True)
def test_run_workflow_tries_a_webhook_workflow_out_with_its_payload_as_the_body(api, celery_worker):
    # Disabled, and started by a person: Run workflow always works.
    workflow = create_workflow(api, answering_definition(), name="Webhook")

    response = api.post(
        f"/api/workflows/{workflow['id']}/runs/",
        {"payload": {"n": 3, "name": "bob"}},
        format="json",
    )
    run = wait_for_run(api, response.json()["id"])

    assert run["status"] == "succeeded", run
    assert (run["trigger_kind"], run["started_by"]) == ("manual", "ada")
    assert Run.objects.get(id=run["id"]).response["body"] == {"greeting": "Hello BOB", "n": 3}


@pytest.mark.django_db(transaction=True)
def test_a_run_failing_before_it_answers_gets_502_with_the_run_id(api, live_server, celery_worker):
    workflow = enabled_webhook(api, answering_definition())

    # No name in the body: Change case's text does not resolve, and the run fails there.
    response = httpx.post(live_server.url + hook_path(workflow), json={"n": 1}, timeout=60)

    assert response.status_code == 502
    run_id = response.json()["run_id"]
    assert response.json() == {
        "run_id": run_id,
        "status": "failed",
        "detail": "The workflow's run failed before a Webhook response step answered.",
    }
    assert Run.objects.get(id=run_id).failed_step == "text-1"


@pytest.mark.django_db(transaction=True)
def test_a_checked_webhook_run_shows_the_call_as_the_triggers_output(
    api, live_server, celery_worker
):
    authentication = secret_authentication(api)
    workflow = enabled_webhook(
        api, webhook_definition(check="header", authentication=authentication)
    )

    response = httpx.post(
        live_server.url + hook_path(workflow),
        # The secret in the body too: what the run records never shows it.
        json={"account": {"id": 42}, "name": "ada", "echo": SECRET},
        headers={"X-Api-Key": "not-to-be-kept", "X-Webhook-Secret": SECRET},
        timeout=60,
    )
    assert response.status_code == 202, response.text
    run = wait_for_run(api, response.json()["run_id"])

    assert run["status"] == "succeeded", run
    assert run["trigger_kind"] == "webhook"
    assert run["started_by"] is None
    trigger = api.get(f"/api/runs/{run['id']}/steps/").json()["results"][0]
    assert trigger["path"] == "trigger"
    assert trigger["output"]["body"] == {"account": {"id": 42}, "name": "ada", "echo": "[redacted]"}
    assert trigger["output"]["headers"]["x-api-key"] == "[redacted]"
    assert trigger["output"]["headers"]["x-webhook-secret"] == "[redacted]"
    assert "not-to-be-kept" not in json.dumps(trigger)
    assert SECRET not in json.dumps(trigger)
