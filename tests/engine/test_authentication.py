"""A step's authentication: resolved by the source given, one client per run, failures named."""

from __future__ import annotations

from builder.engine.executor import RunOutcome
from tests.engine.doubles import definition, node, run, step

ADA = {"user": "ada", "token": "s3cret-ada"}


def vault(operation: str = "whoami", authentication: str | None = "auth-ada", **options) -> dict:
    found = {**step(options.get("connector", "vault"), operation)}
    if authentication is not None:
        found["authentication"] = authentication
    return found


def test_a_step_gets_the_client_and_credentials_of_its_authentication(world):
    outcome = run(definition([node("vault-1")], {"vault-1": vault()}))

    assert outcome.status == "succeeded"
    assert world.recorder.by_path()["vault-1"].output == {"user": "ada", "token": "s3cret-ada"}


def test_one_client_per_authentication_serves_the_whole_run_and_is_closed_at_its_end(world):
    run(definition([node("vault-1"), node("vault-2")], {"vault-1": vault(), "vault-2": vault()}))

    assert world.clients_built == [ADA]
    assert world.clients_closed == 1


def test_clients_are_closed_when_the_run_fails(world):
    workflow = definition(
        [node("vault-1"), node("fail-1")],
        {
            "vault-1": vault(),
            "fail-1": step("steps", "fail", reason={"type": "string", "value": "x"}),
        },
    )

    assert run(workflow).status == "failed"
    assert world.clients_closed == 1


def test_an_authentication_the_source_refuses_fails_the_step_with_its_reason(world):
    outcome = run(definition([node("vault-1")], {"vault-1": vault(authentication="auth-gone")}))

    assert outcome == RunOutcome(
        status="failed",
        failed_step="vault-1",
        error="Authentication auth-gone no longer exists or may not be used by ada.",
    )
    assert world.calls == []
    assert world.clients_built == []


def test_an_authentication_of_another_connector_fails_the_step(world):
    outcome = run(definition([node("vault-1")], {"vault-1": vault(authentication="auth-slack")}))

    assert outcome.error == "Authentication 'Team Slack' is for slack, not Vault."
    assert world.clients_built == []


def test_a_step_without_the_authentication_its_connector_needs_fails(world):
    outcome = run(definition([node("vault-1")], {"vault-1": vault(authentication=None)}))

    assert (
        outcome.error == "Step vault-1 has no authentication: choose one in its Authenticate tab."
    )


def test_a_step_of_an_optional_authentication_runs_without_one(world):
    workflow = definition(
        [node("public-1"), node("public-2")],
        {
            "public-1": vault(authentication=None, connector="public_vault"),
            "public-2": vault(authentication="auth-public", connector="public_vault"),
        },
    )

    run(workflow)

    outputs = [record.output for record in world.recorder.records[1:]]
    assert outputs == [{"user": None, "token": None}, {"user": "bob", "token": "s3cret-bob"}]
    assert world.clients_built == [{"user": "bob", "token": "s3cret-bob"}]
    # Its client has nothing to close.
    assert world.clients_closed == 0


def test_a_credential_the_vendor_refuses_names_the_authentication_to_renew(world):
    outcome = run(definition([node("vault-1")], {"vault-1": vault("revoked")}))

    assert outcome.error == (
        'The vault refused the token (401). Authentication "Ada\'s vault" needs a new token.'
    )


def test_a_refusal_without_an_authentication_says_only_what_the_vendor_said(world):
    workflow = definition(
        [node("public-1")],
        {"public-1": vault("revoked", authentication=None, connector="public_vault")},
    )

    assert run(workflow).error == "The vault refused the token (401)."
