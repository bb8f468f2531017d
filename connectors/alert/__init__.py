"""Alert: a workflow run when a run of another workflow fails.

A workflow names its alert workflow (Workflow.alert_workflow, one whose trigger is this); when
one of its runs ends failed, builder/services/alerts.py starts the alert workflow once with
`{workflow: {id, name}, run: {id, url}, failed_step, error, started_at}`, which is the
trigger's output. Run workflow may give it any payload of that shape, to try it out.
"""

from __future__ import annotations

from typing import Any

from connectors.schema import obj, output_object, string
from connectors.sdk import Connector, Operation, OperationContext, OperationKind


def run_alert(context: OperationContext, inputs: dict[str, Any]) -> Any:
    # The failed run's description (or the payload given to Run workflow) is the output.
    return inputs.get("payload") or {}


ALERT = Operation(
    key="alert",
    title="Alert",
    description="Runs when a run of a workflow that names this one as its alert workflow "
    "fails; $.steps.trigger holds the failed run: its workflow, run (id and url), "
    "failed_step, error and started_at.",
    # No additionalProperties: false, as with every trigger given a payload: the engine gives
    # it {"payload": ...} as its input, and the compiler refuses any other property.
    input_schema={"type": "object", "properties": {}},
    # Nothing required: Run workflow may try the workflow out with a partial payload.
    output_schema=output_object(
        {
            "workflow": obj(
                "Workflow",
                {"id": string("Id"), "name": string("Name")},
                description="The workflow whose run failed.",
            ),
            "run": obj(
                "Run",
                {
                    "id": string("Id"),
                    "url": string("URL", "The failed run in the app's debug panel."),
                },
                description="The failed run.",
            ),
            "failed_step": string("Failed step", "Path of the step that failed, if one did."),
            "error": string("Error", "Why the run failed."),
            "started_at": string("Started at", "When the failed run started (ISO 8601)."),
        },
        required=(),
    ),
    run=run_alert,
    kind=OperationKind.TRIGGER,
)

CONNECTOR = Connector(
    key="alert",
    title="Alert",
    description="Start the workflow when a run of another workflow fails (that workflow's "
    "Alert workflow setting names this one): tell the team what broke.",
    icon="icon.svg",
    version="1.0",
    operations=(ALERT,),
)
