"""check_credentials_keys: proves CREDENTIAL_KEYS decrypt the stored credentials, or names why not."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from auth_store.models import Authentication
from builder.models import Run
from tests.helpers import (
    ROOT,
    create_authentication,
    run_workflow,
    single_step_definition,
    string,
)
from tests.servers import worker_environment

KEY_ID = settings.CREDENTIAL_KEYS.split(":")[0]
RESTORE = (
    "Restore the key that encrypted them (keys are listed newest first, as key_id:fernet_key)."
)


def slack_authentication(api, token: str) -> str:
    return create_authentication(api, "slack", {"bot_token": token})


def store(authentication_id: str, encrypted_secrets: str) -> None:
    """Writes a stored value as a backup, a wrong key or a hand edit would leave it."""
    Authentication.objects.filter(id=authentication_id).update(encrypted_secrets=encrypted_secrets)


def token_of(authentication_id: str) -> str:
    return Authentication.objects.get(id=authentication_id).encrypted_secrets.split(":", 2)[2]


@pytest.mark.django_db
def test_check_credentials_keys_says_how_many_credentials_it_decrypts(api):
    for number in range(3):
        slack_authentication(api, f"xoxb-stored-credential-{number}")
    output = StringIO()

    call_command("check_credentials_keys", stdout=output)

    assert output.getvalue() == "CREDENTIAL_KEYS decrypt all 3 credentials.\n"


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        (lambda token: f"aes:{KEY_ID}:{token}", "unknown encryption scheme 'aes'"),
        (
            lambda token: f"fernet:retired:{token}",
            "the key 'retired' that encrypted it is not in CREDENTIAL_KEYS",
        ),
        (
            lambda token: (
                f"fernet:{KEY_ID}:{Fernet(Fernet.generate_key()).encrypt(b'{}').decode()}"
            ),
            f"the key '{KEY_ID}' in CREDENTIAL_KEYS is not the key that encrypted it",
        ),
        (lambda token: "xoxb-stored-in-clear", "the stored value is not an encrypted credential"),
        (lambda token: f"fernet:{KEY_ID}", "the stored value is not an encrypted credential"),
    ],
    ids=["unknown-scheme", "key-not-configured", "other-key", "not-encrypted", "no-token"],
)
@pytest.mark.django_db
def test_check_credentials_keys_names_what_it_cannot_decrypt(api, stored, reason):
    authentication = slack_authentication(api, "xoxb-stored-credential")
    store(authentication, stored(token_of(authentication)))

    with pytest.raises(ImproperlyConfigured) as refused:
        call_command("check_credentials_keys", stdout=StringIO())

    assert str(refused.value) == (
        f"CREDENTIAL_KEYS cannot decrypt stored credentials: {reason}. {RESTORE}"
    )


@pytest.mark.django_db(transaction=True)
def test_check_credentials_keys_fails_the_command_when_a_key_is_missing(api):
    # Given a credential encrypted under a key since removed from CREDENTIAL_KEYS
    authentication = slack_authentication(api, "xoxb-stored-credential")
    store(authentication, f"fernet:retired:{token_of(authentication)}")

    # When an operator runs the check
    result = subprocess.run(
        [sys.executable, "manage.py", "check_credentials_keys"],
        cwd=ROOT,
        env=worker_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    # Then it fails, naming the key, and never shows a secret
    assert result.returncode == 1
    assert (
        "CREDENTIAL_KEYS cannot decrypt stored credentials: the key 'retired' that encrypted "
        f"it is not in CREDENTIAL_KEYS. {RESTORE}"
    ) in result.stderr
    assert "xoxb-stored-credential" not in result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
def test_a_credential_that_is_not_encrypted_stops_the_worker_at_start_up(api):
    # Given a credential stored in clear (by a hand edit of the database, say)
    authentication = slack_authentication(api, "xoxb-stored-credential")
    store(authentication, "xoxb-stored-in-clear")

    # When a worker starts
    worker = subprocess.run(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker"),
            *("--pool=solo", "--without-mingle", "--without-gossip", "--queues=never-used"),
        ],
        cwd=ROOT,
        env=worker_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    # Then it refuses to, saying why
    assert worker.returncode != 0
    assert (
        "Refusing to start: CREDENTIAL_KEYS cannot decrypt stored credentials: the stored value "
        f"is not an encrypted credential. {RESTORE}"
    ) in worker.stdout + worker.stderr


@pytest.mark.django_db
def test_an_authentication_the_keys_cannot_decrypt_is_still_listed_and_shown(api):
    # Given a credential encrypted under a key since removed from CREDENTIAL_KEYS
    authentication = slack_authentication(api, "xoxb-stored-credential")
    store(authentication, f"fernet:retired:{token_of(authentication)}")

    # Then the Authentications page still lists it, with the fields it holds, so the person
    # can see it and enter its fields again
    listed = api.get("/api/authentications/")
    shown = api.get(f"/api/authentications/{authentication}/")

    assert listed.status_code == 200, listed.content
    assert [(item["id"], item["secrets_set"]) for item in listed.json()["results"]] == [
        (authentication, ["bot_token"])
    ]
    assert shown.status_code == 200, shown.content
    assert shown.json()["secrets_set"] == ["bot_token"]


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_authentication_cannot_be_decrypted_fails_naming_it(
    api, celery_worker, fake_slack
):
    # Given a workflow sending to Slack with a credential whose key was removed after the
    # worker started (a start-up check would have refused it)
    authentication = create_authentication(
        api,
        "slack",
        {"bot_token": "xoxb-stored-credential", "base_url": fake_slack.base_url + "/api/"},
        name="Team Slack",
    )
    definition = single_step_definition(
        "slack",
        "send_message",
        {"channel": string("#general"), "text": string("Hello")},
        authentication=authentication,
    )
    store(authentication, f"fernet:retired:{token_of(authentication)}")

    # When it runs
    run = run_workflow(api, definition)

    # Then the run fails at once, naming the authentication and what to do, and sends nothing
    assert run["status"] == "failed"
    assert run["error"] == (
        "Authentication 'Team Slack' cannot be decrypted: the key 'retired' that encrypted it "
        "is not in CREDENTIAL_KEYS. Restore that key, or enter the authentication's fields "
        "again in the Authentications page."
    )
    assert fake_slack.messages == []
    assert Run.objects.get(id=run["id"]).attempt == 1
