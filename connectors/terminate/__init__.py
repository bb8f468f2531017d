"""Terminate: ends the run now, succeeded or failed, with a message the user writes."""

from typing import Any

from connectors.schema import input_object, output_object, string
from connectors.sdk import Connector, Operation, OperationContext, OperationKind


def run_terminate(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    # The engine ends the run with this status and message once this output is recorded.
    return {"status": inputs.get("status", "failed"), "message": inputs["message"]}


TERMINATE = Operation(
    key="terminate",
    title="Terminate",
    description="End the run now: no step after this one runs. The run ends failed (with "
    "the message as its error) or succeeded, as chosen.",
    input_schema=input_object(
        {
            "status": string(
                "Status",
                "How the run ends: failed (the default) or succeeded.",
                enum=["succeeded", "failed"],
                default="failed",
            ),
            "message": string(
                "Message", "Why the run ends here, e.g. No accounts to process.", min_length=1
            ),
        },
        required=["message"],
    ),
    output_schema=output_object(
        {"status": string("Status"), "message": string("Message")},
    ),
    run=run_terminate,
    kind=OperationKind.TERMINATE,
)

CONNECTOR = Connector(
    key="terminate",
    title="Terminate",
    description="End the run now, as succeeded or failed, with a message.",
    icon="icon.svg",
    version="1.0",
    operations=(TERMINATE,),
)
