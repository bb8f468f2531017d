"""Manual trigger: a run started by a person, with an optional JSON payload."""

from typing import Any

from connectors.schema import input_object, obj
from connectors.sdk import Connector, Operation, OperationContext, OperationKind


def run_manual(context: OperationContext, inputs: dict[str, Any]) -> Any:
    # The payload given when the run was started becomes the trigger's output.
    return inputs.get("payload") or {}


CONNECTOR = Connector(
    key="manual",
    title="Manual trigger",
    description="Start the workflow yourself with Run workflow, optionally with a JSON payload.",
    icon="icon.svg",
    version="1.0",
    operations=(
        Operation(
            key="manual",
            title="Manual",
            description="Runs when you press Run workflow; the payload is $.steps.trigger.",
            input_schema=input_object(
                {
                    "payload": obj(
                        "Payload", description="JSON passed to the run as $.steps.trigger."
                    )
                }
            ),
            output_schema={"type": "object", "title": "Trigger payload"},
            run=run_manual,
            kind=OperationKind.TRIGGER,
        ),
    ),
)
