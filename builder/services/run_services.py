"""What a run's steps may ask of the platform itself (connectors.sdk.RunServices): set the
run's answer, call another workflow. Built per execution by execution.run_execute_prepared."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from auth_store.redaction import Redactor
from builder.models import Run
from builder.services.calls import call_workflow


def secrets_redacted(value: Any, redactor: Redactor) -> Any:
    """A copy of a JSON value with the run's secrets (and NUL characters, which PostgreSQL
    cannot store) replaced in every text. Unlike a step's record, fields merely named like
    credentials keep their values: an answer may well hand a caller its own token."""
    if isinstance(value, str):
        return redactor.text(value)
    if isinstance(value, dict):
        return {
            redactor.text(str(key)): secrets_redacted(item, redactor) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [secrets_redacted(item, redactor) for item in value]
    return value


class PlatformRunServices:
    """connectors.sdk.RunServices for one execution of a stored run."""

    def __init__(
        self, *, run_id: uuid.UUID, attempt: int, redactor: Redactor | None = None
    ) -> None:
        self.run_id = run_id
        self.attempt = attempt
        # The run's secrets: an answer leaves the platform (to a webhook's caller), and no
        # secret does in clear, as none is shown in a step's record.
        self.redactor = redactor or Redactor(())

    def respond(self, response: Mapping[str, Any]) -> None:
        """Stores the run's answer at once, where a webhook caller waiting for it looks
        (builder/services/webhooks.py); a later one replaces it. An execution given up on as
        lost (another attempt) changes nothing."""
        Run.objects.filter(id=self.run_id, attempt=self.attempt).update(
            response=secrets_redacted(dict(response), self.redactor)
        )

    def call_workflow(
        self, *, step_path: str, workflow_id: str, payload: Any, wait: bool
    ) -> dict[str, Any]:
        """Starts (once per step) or finds the run of the called workflow: see
        builder/services/calls.py. The payload goes to another run, and no secret of this
        one goes there in clear."""
        return call_workflow(
            run_id=self.run_id,
            step_path=step_path,
            workflow_id=workflow_id,
            payload=secrets_redacted(payload, self.redactor),
            wait=wait,
        )
