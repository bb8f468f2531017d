"""Secrets never leave auth_store in clear: not in the database, API, step runs, errors or logs."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command

from auth_store.crypto import keyring
from auth_store.models import Authentication, Scope
from tests.helpers import (
    ROOT,
    all_step_runs,
    create_authentication,
    run_workflow,
    single_step_definition,
    walkthrough_definition,
)
from tests.servers import worker_environment

TOTANGO_SECRET = "tt-8c1f2e7a-totango-secret"
SLACK_SECRET = "xoxb-5521-slack-secret-value"
HEADER_SECRET = "header-secret-d41d8cd9"


def database_dump() -> str:
    """Every row of the test database, as pg_dump writes it."""
    database = settings.DATABASES["default"]
    return subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            database["HOST"],
            "-U",
            database["USER"] or "postgres",
            database["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_no_secret_in_clear_in_database_api_step_runs_or_logs(
    api, celery_worker, fake_totango, fake_slack, caplog
):
    # Given authentications holding distinctive secrets, used by the walkthrough and by a raw
    # HTTP request that sends a secret header and gets the vendor's echo of the token back
    fake_totango.tokens = {TOTANGO_SECRET}
    fake_slack.tokens = {SLACK_SECRET}
    fake_totango.seed_accounts(3)
    totango = create_authentication(
        api,
        "totango",
        {"api_token": TOTANGO_SECRET, "data_center": "custom", "base_url": fake_totango.base_url},
    )
    slack = create_authentication(
        api, "slack", {"bot_token": SLACK_SECRET, "base_url": fake_slack.base_url + "/api/"}
    )
    walkthrough = run_workflow(api, walkthrough_definition(totango_auth=totango, slack_auth=slack))
    echo = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "totango-1", "type": "normal"}],
        "steps": {
            "totango-1": {
                "connector": "totango",
                "operation": "raw_http_request",
                "authentication": totango,
                "properties": {
                    "method": {"type": "string", "value": "GET"},
                    # The fake's request log answers with every header it received: an echo.
                    "endpoint": {"type": "string", "value": "/_fake/requests"},
                    "headers": {
                        "type": "object",
                        "value": {"X-Api-Key": {"type": "string", "value": HEADER_SECRET}},
                    },
                },
            }
        },
    }
    echoed = run_workflow(api, echo)
    replaced = run_workflow(
        api, walkthrough_definition(totango_auth=totango, slack_auth=slack, channel="#general")
    )
    fake_totango.tokens = {"a-newer-token"}
    refused = run_workflow(api, walkthrough_definition(totango_auth=totango, slack_auth=slack))

    assert (walkthrough["status"], echoed["status"], replaced["status"], refused["status"]) == (
        "succeeded",
        "succeeded",
        "succeeded",
        "failed",
    )
    assert TOTANGO_SECRET in json.dumps(
        [request.to_json() for request in fake_totango.requests]
    )  # it was sent

    # Then no table of the database holds a secret in clear, as pg_dump sees it
    dump = database_dump()
    assert "auth_store_authentication" in dump
    assert "fernet:" in dump
    # And nothing the API answers, no step run and no log line holds one
    responses = [api.get("/api/authentications/").json(), api.get("/api/workflows/").json()]
    step_runs = []
    for run in (walkthrough, echoed, replaced, refused):
        responses.append(api.get(f"/api/runs/{run['id']}/").json())
        step_runs.append(all_step_runs(api, run["id"]))
    worker_log = celery_worker.log_path.read_text()
    everything = "\n".join(
        [dump, json.dumps(responses), json.dumps(step_runs), worker_log, caplog.text]
    )
    for secret in (TOTANGO_SECRET, SLACK_SECRET):
        assert secret not in everything
    # A header typed into the workflow is the workflow's own text, but no step run shows it.
    assert HEADER_SECRET not in json.dumps(step_runs) + worker_log
    echo_output = json.dumps(all_step_runs(api, echoed["id"])[1])
    assert "[redacted]" in echo_output
    assert refused["error"].endswith("Authentication 'totango auth' needs a new token.")


@pytest.fixture
def credential_keys(settings):
    """Lets a test change CREDENTIAL_KEYS; the keyring is rebuilt each time and at the end."""

    def use(keys: str) -> None:
        settings.CREDENTIAL_KEYS = keys
        keyring.cache_clear()

    yield use
    keyring.cache_clear()


@pytest.mark.django_db
def test_rotation_leaves_every_credential_readable_under_the_new_key_alone(
    api, credential_keys, fake_totango
):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    credential_keys(f"old:{old}")
    ids = [
        create_authentication(
            api, "totango", {"api_token": f"token-{n}-secret", "data_center": "us"}
        )
        for n in range(3)
    ]
    credential_keys(f"new:{new},old:{old}")
    create_authentication(api, "slack", {"bot_token": "xoxb-made-after-the-new-key"})
    output = StringIO()

    call_command("rotate_credentials_key", stdout=output)

    assert output.getvalue().strip() == "Re-encrypted 3 of 4 credentials under the newest key."
    credential_keys(f"new:{new}")
    stored = Authentication.objects.order_by("created_at")
    assert [authentication.encrypted_secrets.split(":")[1] for authentication in stored] == [
        "new"
    ] * 4
    assert [Authentication.objects.get(id=i).secrets["api_token"] for i in ids] == [
        "token-0-secret",
        "token-1-secret",
        "token-2-secret",
    ]


@pytest.mark.django_db
def test_secret_fields_are_write_only_and_kept_when_an_edit_leaves_them_out(api):
    created = api.post(
        "/api/authentications/",
        {
            "name": "Totango EU",
            "connector": "totango",
            "scope": "personal",
            "fields": {"api_token": "tok-123456", "data_center": "eu"},
        },
        format="json",
    ).json()

    edited = api.patch(
        f"/api/authentications/{created['id']}/",
        {"name": "Totango Europe", "fields": {"data_center": "eu"}},
        format="json",
    )

    assert created["settings"] == {"data_center": "eu"}
    assert created["secrets_set"] == ["api_token"]
    assert "fields" not in created
    assert edited.status_code == 200
    assert edited.json()["name"] == "Totango Europe"
    assert Authentication.objects.get(id=created["id"]).secrets == {"api_token": "tok-123456"}


@pytest.mark.django_db
def test_invalid_fields_are_refused_naming_the_field(api):
    response = api.post(
        "/api/authentications/",
        {
            "name": "Totango",
            "connector": "totango",
            "scope": "personal",
            "fields": {"data_center": "mars"},
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "fields.api_token", "message": "'api_token' is required."},
        {
            "path": "fields.data_center",
            "message": "'data_center': 'mars' is not one of ['us', 'eu', 'custom']",
        },
    ]


@pytest.mark.django_db(transaction=True)
def test_a_wrong_key_stops_the_web_server_and_the_worker_at_start_up(api, tmp_path):
    create_authentication(api, "slack", {"bot_token": "xoxb-stored-under-the-right-key"})
    key_id = settings.CREDENTIAL_KEYS.split(":")[0]
    wrong = worker_environment(CREDENTIAL_KEYS=f"{key_id}:{Fernet.generate_key().decode()}")
    expected = f"CREDENTIAL_KEYS cannot decrypt stored credentials: the key '{key_id}' in CREDENTIAL_KEYS is not the key that encrypted it"

    web = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=wrong,
        capture_output=True,
        text=True,
        timeout=60,
    )
    worker = subprocess.run(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=wrong,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert web.returncode != 0
    assert expected in web.stderr
    assert worker.returncode != 0
    assert expected in worker.stdout + worker.stderr


def test_a_malformed_key_stops_any_process_at_once(tmp_path):
    environment = worker_environment(CREDENTIAL_KEYS="k1:not-a-fernet-key")

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "CREDENTIAL_KEYS key 'k1' is not a valid Fernet key" in result.stderr


@pytest.mark.django_db
def test_changing_where_requests_go_forgets_the_stored_secret(api, fake_totango):
    created = create_authentication(
        api,
        "totango",
        {
            "api_token": "tok-kept-secret",
            "data_center": "custom",
            "base_url": fake_totango.base_url,
        },
    )
    url = f"/api/authentications/{created}/"

    redirected = api.patch(url, {"fields": {"base_url": "https://attacker.example"}}, format="json")
    renamed = api.patch(
        url, {"name": "Renamed", "fields": {"data_center": "custom"}}, format="json"
    )
    moved = api.patch(
        url, {"fields": {"data_center": "eu", "api_token": "tok-for-eu-secret"}}, format="json"
    )

    assert redirected.status_code == 400
    assert redirected.json()["errors"] == [
        {
            "path": "fields.api_token",
            "message": "'api_token' must be entered again when the other fields change.",
        }
    ]
    assert renamed.status_code == 200
    assert moved.status_code == 200
    assert Authentication.objects.get(id=created).credentials["api_token"] == "tok-for-eu-secret"


@pytest.mark.django_db
def test_a_base_url_that_is_not_a_web_address_is_refused(api):
    response = api.post(
        "/api/authentications/",
        {
            "name": "Slack",
            "connector": "slack",
            "scope": "personal",
            "fields": {"bot_token": "xoxb-123456", "base_url": "not a url"},
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "path": "fields.base_url",
            "message": "'base_url' must be an http(s) URL such as https://example.com.",
        }
    ]


def test_secrets_escaped_in_json_or_reprs_and_nul_bytes_are_redacted():
    from auth_store.redaction import Redactor

    redactor = Redactor(['pa"ss\\word-123', "line one\nline two"])

    assert redactor.value(
        {"body": 'echo pa"ss\\word-123', "pem": "x line one\nline two y", "bin": "a\x00b"}
    ) == {
        "body": "echo [redacted]",
        "pem": "x [redacted] y",
        "bin": "a\ufffdb",
    }
    assert redactor.text("bad value: 'pa\"ss\\\\word-123'") == "bad value: '[redacted]'"


@pytest.mark.django_db
def test_only_the_secrets_of_the_chosen_auth_type_are_asked_for_and_kept(api):
    # Given a bearer authentication, sent with a stray password of another auth type
    created = api.post(
        "/api/authentications/",
        {
            "name": "Bearer",
            "connector": "http",
            "scope": "personal",
            "fields": {
                "auth_type": "bearer",
                "token": "bearer-token-1",
                "password": "stray-password",
                "base_url": "https://api.example.com/",
            },
        },
        format="json",
    ).json()
    url = f"/api/authentications/{created['id']}/"

    # When it is moved to another base URL, without and then with its token
    without_token = api.patch(
        url,
        {"fields": {"auth_type": "bearer", "base_url": "https://api.example.org/"}},
        format="json",
    )
    moved = api.patch(
        url,
        {
            "fields": {
                "auth_type": "bearer",
                "base_url": "https://api.example.org/",
                "token": "bearer-token-2",
            }
        },
        format="json",
    )
    # And then switched to basic, giving the basic fields alone
    switched = api.patch(
        url,
        {"fields": {"auth_type": "basic", "username": "ada", "password": "basic-password"}},
        format="json",
    )

    # Then only the bearer token was ever asked for, and only the chosen type's secret is kept
    assert created["secrets_set"] == ["token"]
    assert without_token.status_code == 400
    assert without_token.json()["errors"] == [
        {
            "path": "fields.token",
            "message": "'token' must be entered again when the other fields change.",
        }
    ]
    assert moved.status_code == 200, moved.json()
    assert moved.json()["secrets_set"] == ["token"]
    assert switched.status_code == 200, switched.json()
    assert switched.json()["secrets_set"] == ["password"]
    assert Authentication.objects.get(id=created["id"]).secrets == {"password": "basic-password"}


ORGANISATIONAL_NEEDS_BASE_URL = {
    "path": "fields.base_url",
    "message": "'base_url' is required for an organisational authentication: every member "
    "may use it, so it must say where its credential may be sent.",
}


@pytest.mark.django_db
def test_an_organisational_http_authentication_needs_a_base_url(api):
    def create(scope: str, **fields: str):
        return api.post(
            "/api/authentications/",
            {
                "name": "Shared bearer",
                "connector": "http",
                "scope": scope,
                "fields": {"auth_type": "bearer", "token": "shared-token-1", **fields},
            },
            format="json",
        )

    unbound = create("organisational")
    personal = create("personal")
    promoted = api.patch(
        f"/api/authentications/{personal.json()['id']}/", {"scope": "organisational"}, format="json"
    )
    bound = create("organisational", base_url="https://api.example.com/")

    assert unbound.status_code == 400
    assert unbound.json()["errors"] == [ORGANISATIONAL_NEEDS_BASE_URL]
    assert personal.status_code == 201
    assert promoted.status_code == 400
    assert promoted.json()["errors"] == [ORGANISATIONAL_NEEDS_BASE_URL]
    assert Authentication.objects.get(id=personal.json()["id"]).scope == "personal"
    assert bound.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_an_organisational_http_authentication_stored_without_a_base_url_is_not_sent(
    api, organisation, celery_worker, fake_slack
):
    # Given an organisational bearer authentication stored before base URLs were required
    authentication = Authentication(
        organisation=organisation,
        owner=organisation.memberships.get().user,
        name="Legacy shared bearer",
        connector="http",
        scope=Scope.ORGANISATIONAL,
        settings={"auth_type": "bearer"},
    )
    authentication.set_secrets({"token": "legacy-shared-token"})
    authentication.save()
    fake_slack.reset()

    # When a step sends a request with it to a host of the member's choosing
    run = run_workflow(
        api,
        single_step_definition(
            "http",
            "http_request",
            {
                "method": {"type": "string", "value": "GET"},
                "url": {"type": "string", "value": fake_slack.base_url + "/api/auth.test"},
            },
            str(authentication.id),
        ),
    )

    # Then the run fails naming the authentication and what it lacks, and nothing was sent
    assert run["status"] == "failed"
    assert run["failed_step"] == "http-1"
    assert "Legacy shared bearer" in run["error"]
    assert "base_url" in run["error"]
    assert fake_slack.requests == []
