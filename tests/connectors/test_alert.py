"""The Alert trigger in-process: its output is the failed run's description it is given (the
alert run itself, through the worker: tests/test_alerts.py)."""

from __future__ import annotations

import pytest

from connectors.errors import TerminalError
from tests.connectors.harness import run_operation

PAYLOAD = {
    "workflow": {"id": "6f1c0e9a-0000-4000-8000-000000000001", "name": "Sync"},
    "run": {
        "id": "6f1c0e9a-0000-4000-8000-000000000002",
        "url": "http://127.0.0.1:8000/workflows/6f1c0e9a-0000-4000-8000-000000000001"
        "?run=6f1c0e9a-0000-4000-8000-000000000002",
    },
    "failed_step": "slack-1",
    "error": "channel_not_found",
    "started_at": "2026-11-30T22:00:00+00:00",
}


@pytest.mark.exercises("alert", "alert")
def test_the_trigger_outputs_the_failed_run_it_is_given():
    assert run_operation("alert", "alert", {"payload": PAYLOAD}) == PAYLOAD


def test_run_workflow_without_a_payload_gives_an_empty_output():
    assert run_operation("alert", "alert", {}) == {}


def test_a_payload_not_shaped_like_a_failed_run_is_refused():
    with pytest.raises(TerminalError, match=r"output\.error"):
        run_operation("alert", "alert", {"payload": {"error": 5}})
