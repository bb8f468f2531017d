"""Redaction of secrets and of what connectors derive from them, in step runs, errors and logs."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from auth_store.models import Authentication, Scope
from auth_store.redaction import Redactor, RedactSecretsFilter
from tests.connectors.harness import full_step_run
from tests.fakes.echo import FakeEcho
from tests.helpers import (
    all_step_runs,
    create_authentication,
    create_member,
    run_workflow,
    single_step_definition,
)
from tests.test_secrets import database_dump

BASIC_PASSWORD = "s3cret-basic-pass"
BASIC_PAIR = base64.b64encode(f"ada:{BASIC_PASSWORD}".encode()).decode()


@pytest.fixture(scope="module")
def echo_server() -> Iterator[FakeEcho]:
    with FakeEcho() as server:
        yield server


@pytest.fixture
def fake_echo(echo_server: FakeEcho) -> FakeEcho:
    echo_server.reset()
    return echo_server


def client_of(person: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def echo_request(url: str, authentication: str, **query: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "method": {"type": "string", "value": "GET"},
        "url": {"type": "string", "value": url},
    }
    if query:
        properties["query_parameters"] = {
            "type": "object",
            "value": {name: {"type": "string", "value": value} for name, value in query.items()},
        }
    return single_step_definition("http", "http_request", properties, authentication)


@pytest.mark.django_db(transaction=True)
def test_a_basic_header_echoed_back_is_redacted_for_members_viewers_and_in_the_database(
    api, organisation, celery_worker, fake_echo
):
    # Given Ada's organisational Basic authentication, bound to an endpoint that echoes requests
    authentication = create_authentication(
        api,
        "http",
        {
            "auth_type": "basic",
            "username": "ada",
            "password": BASIC_PASSWORD,
            "base_url": fake_echo.base_url + "/",
        },
        scope="organisational",
    )
    member = client_of(create_member(organisation, "bob", Role.MEMBER))
    viewer = client_of(create_member(organisation, "vic", Role.VIEWER))

    # When Bob, a member, runs a request that the vendor echoes, and one whose error quotes it
    echoed = run_workflow(member, echo_request(f"{fake_echo.base_url}/anything", authentication))
    refused = run_workflow(
        member, echo_request(f"{fake_echo.base_url}/anything", authentication, status="400")
    )

    # Then the header was sent, and Vic, a viewer, reads it redacted whole
    assert (echoed["status"], refused["status"]) == ("succeeded", "failed")
    assert [request.headers["authorization"] for request in fake_echo.requests] == [
        f"Basic {BASIC_PAIR}"
    ] * 2
    output = full_step_run(viewer, echoed["id"], "http-1")["output"]
    assert output["status_code"] == 200
    assert "authorization: [redacted]" in output["body"].splitlines()
    assert "authorization: [redacted]" in refused["error"]
    # And neither the password nor anything made of it is in the API's answers or the database
    answers = json.dumps(
        [viewer.get(f"/api/runs/{run['id']}/").json() for run in (echoed, refused)]
        + [all_step_runs(viewer, run["id"]) for run in (echoed, refused)]
    )
    everything = "\n".join([answers, database_dump(), celery_worker.log_path.read_text()])
    for derived in (BASIC_PASSWORD, BASIC_PAIR, f"Basic {BASIC_PAIR}"):
        assert derived not in everything


@pytest.mark.django_db
def test_the_log_filter_redacts_what_a_connector_derives_from_a_secret(api):
    # Given a Basic authentication, decrypted as a worker decrypts it before a run
    authentication = create_authentication(
        api, "http", {"auth_type": "basic", "username": "ada", "password": BASIC_PASSWORD}
    )
    assert Authentication.objects.get(id=authentication).credentials["password"] == BASIC_PASSWORD
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "sent %s", (f"Authorization: Basic {BASIC_PAIR}",), None
    )

    RedactSecretsFilter().filter(record)

    assert record.getMessage() == "sent Authorization: [redacted]"


def test_url_encoded_and_base64_forms_of_a_secret_are_redacted():
    secret = "p@ss w/rd+Secret"
    redactor = Redactor([secret])
    encoded = base64.b64encode(secret.encode()).decode()
    urlsafe = base64.urlsafe_b64encode(secret.encode()).decode()
    # The secret base64-encoded inside a longer value, at each of the three alignments
    inside = [
        base64.b64encode(f"{prefix}{secret}!".encode()).decode() for prefix in ("", "a", "ab")
    ]

    redacted = redactor.value(
        {
            "query": f"?key={quote(secret, safe='')}",
            "path": f"/keys/{quote(secret)}",
            "form": f"key={quote_plus(secret)}&x=1",
            "base64": f"{encoded} {urlsafe}",
            "inside": inside,
        }
    )

    assert redacted == {
        "query": "?key=[redacted]",
        "path": "/keys/[redacted]",
        "form": "key=[redacted]&x=1",
        "base64": "[redacted] [redacted]",
        # Only the few bits shared with a neighbouring byte stay visible.
        "inside": ["[redacted]CE=", "YX[redacted]Qh", "YWJ[redacted]IQ=="],
    }


def test_a_secret_of_any_length_is_redacted():
    # A secret saved before short ones were refused must still never be shown.
    redactor = Redactor(["k3y9", ""])

    assert redactor.text("x-key: k3y9") == "x-key: [redacted]"
    assert redactor.text("nothing to hide") == "nothing to hide"


@pytest.mark.django_db(transaction=True)
def test_a_short_secret_stored_before_the_length_rule_is_redacted_from_step_runs(
    user, organisation, api, celery_worker, fake_echo
):
    # Given a header authentication whose value is shorter than today's minimum, stored
    # before that minimum was enforced
    legacy = Authentication(
        organisation=organisation,
        owner=user,
        name="Legacy key",
        connector="http",
        scope=Scope.PERSONAL,
        settings={"auth_type": "header", "header_name": "X-Key", "base_url": fake_echo.base_url},
    )
    legacy.set_secrets({"header_value": "k3y9"})
    legacy.save()

    run = run_workflow(api, echo_request(f"{fake_echo.base_url}/anything", str(legacy.id)))

    assert run["status"] == "succeeded"
    assert [request.headers["x-key"] for request in fake_echo.requests] == ["k3y9"]
    body = full_step_run(api, run["id"], "http-1")["output"]["body"]
    assert "x-key: [redacted]" in body.splitlines()
    assert "k3y9" not in json.dumps(all_step_runs(api, run["id"]))


@pytest.mark.django_db
def test_a_secret_shorter_than_the_minimum_is_refused_naming_the_field_and_the_setting(api):
    def create(token: str):
        return api.post(
            "/api/authentications/",
            {
                "name": "Bearer",
                "connector": "http",
                "scope": "personal",
                "fields": {"auth_type": "bearer", "token": token},
            },
            format="json",
        )

    short, long_enough = create("1234567"), create("12345678")

    assert short.status_code == 400
    assert short.json()["errors"] == [
        {
            "path": "fields.token",
            "message": "'token' must be at least 8 characters: a shorter secret cannot be "
            "redacted safely (AUTHENTICATION_MIN_SECRET_LENGTH).",
        }
    ]
    assert long_enough.status_code == 201


@pytest.mark.django_db
def test_the_minimum_secret_length_is_a_setting(api, settings):
    settings.AUTHENTICATION_MIN_SECRET_LENGTH = 12

    response = api.post(
        "/api/authentications/",
        {
            "name": "Slack",
            "connector": "slack",
            "scope": "personal",
            "fields": {"bot_token": "xoxb-12345"},
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "path": "fields.bot_token",
            "message": "'bot_token' must be at least 12 characters: a shorter secret cannot be "
            "redacted safely (AUTHENTICATION_MIN_SECRET_LENGTH).",
        }
    ]
