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
from auth_store.models import Authentication
from tests.conftest import (
    ROOT,
    all_step_runs,
    create_authentication,
    run_workflow,
    walkthrough_definition,
    worker_environment,
)

TOTANGO_SECRET = "tt-8c1f2e7a-totango-secret"
SLACK_SECRET = "xoxb-5521-slack-secret-value"
HEADER_SECRET = "header-secret-d41d8cd9"


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
    database = settings.DATABASES["default"]
    dump = subprocess.run(
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
