"""What the connector tests share: running an operation in-process as the engine would, the
record of which operations a test really ran, and the parts of a request a vendor acts on."""

from __future__ import annotations

from typing import Any

from connectors.registry import get_operation, validate_inputs, validate_output
from connectors.sdk import ClientSettings, OperationContext, OperationKind
from tests.fakes.server import RecordedRequest
from tests.helpers import all_step_runs

# (connector, operation) pairs run successfully in this process during the current test;
# the `exercises` marker's check reads it (see conftest.py).
ran_in_process: list[tuple[str, str]] = []

# Headers of the HTTP plumbing, not of the vendor contract (they vary with library versions).
TRANSPORT_HEADERS = frozenset(
    {"host", "user-agent", "accept-encoding", "connection", "content-length"}
)


def run_operation(
    connector: str, operation: str, inputs: dict[str, Any], context: OperationContext | None = None
) -> Any:
    """Runs an operation as the engine does: inputs validated before, the output after."""
    declared = get_operation(connector, operation)
    assert declared is not None, f"no operation {connector}.{operation}"
    validate_inputs(declared, inputs)
    context = context or OperationContext(step_name=f"{connector}-1", settings=ClientSettings())
    output = declared.run(context, inputs)
    if declared.kind != OperationKind.LOOP:
        validate_output(declared, output)
    ran_in_process.append((connector, operation))
    return output


def vendor_headers(request: RecordedRequest) -> dict[str, str]:
    """Every header of a received request but the transport's."""
    return {name: value for name, value in request.headers.items() if name not in TRANSPORT_HEADERS}


def step_run(steps: list[dict[str, Any]], path: str) -> dict[str, Any]:
    [found] = [step for step in steps if step["path"] == path]
    return found


def full_step_run(api: Any, run_id: str, path: str) -> dict[str, Any]:
    """One step run with its whole input and output (step lists truncate large ones)."""
    sequence = step_run(all_step_runs(api, run_id), path)["sequence"]
    response = api.get(f"/api/runs/{run_id}/steps/{sequence}/")
    assert response.status_code == 200, response.content
    return response.json()
