"""What a run's steps may ask of the platform itself (connectors.sdk.RunServices): set the
run's answer, call another workflow. Built per execution by execution.run_execute_prepared."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any


class PlatformRunServices:
    """connectors.sdk.RunServices for one execution of a stored run."""

    def __init__(self, *, run_id: uuid.UUID, attempt: int) -> None:
        self.run_id = run_id
        self.attempt = attempt

    def respond(self, response: Mapping[str, Any]) -> None:
        raise NotImplementedError("Webhook response: issue 12")

    def call_workflow(
        self, *, step_path: str, workflow_id: str, payload: Any, wait: bool
    ) -> dict[str, Any]:
        raise NotImplementedError("Call workflow: issue 12")
